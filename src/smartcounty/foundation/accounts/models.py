"""People and organisations."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartcounty.foundation.accounts.roles import Role


class Organisation(models.Model):
    class Kind(models.TextChoices):
        LEADING_GROUP = "leading_group", _("Leading group")
        PARTY = "party", _("Party committee office")
        GOVERNMENT = "government", _("Government office")
        DEPARTMENT = "department", _("Government department")
        INSTITUTION = "institution", _("Public institution")
        ASSOCIATION = "association", _("People's organisation")
        ENTERPRISE = "enterprise", _("Enterprise")

    class PlanRole(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        RESPONSIBLE = "responsible", _("Responsible unit")
        PLAN = "plan", _("Plan steering")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT, db_index=True)
    #: How the plan names this unit: 牵头单位 (lead), 责任单位 (responsible) or the leading group; blank if not named.
    plan_role = models.CharField(_("role in the plan"), max_length=12, choices=PlanRole.choices, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("parent"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


class User(AbstractUser):
    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        RESIDENT = "resident", _("Resident")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RESIDENT)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RESIDENT, db_index=True)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="members")
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=11, blank=True)
    #: The resident identity card number (GB 11643); shown masked, given to a client only with consent (oidc).
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(fields=["organisation", "role"], name="accounts_user_org_role")]
        constraints = [
            # One account per person: a mobile number belongs to at most one account.
            models.UniqueConstraint(fields=["phone"], condition=~models.Q(phone=""), name="accounts_user_phone_unique"),
        ]

    def __str__(self):
        return self.display_name or self.username

    def has_scoped_perm(self, code: str, organisation_id: int | None = None) -> bool:
        """May this user do ``code``, on data of ``organisation_id`` (None: not organisation-bound)?"""
        from smartcounty.foundation.accounts.services import role_permissions

        if not self.is_active:
            return False
        if self.is_superuser or self.role == Role.PLATFORM_ADMIN:
            return True
        if code not in role_permissions(self.role):
            return False
        return organisation_id is None or organisation_id == self.organisation_id


class ApiToken(models.Model):
    """A bearer token: ``sc_<prefix>_<secret>``; only the sha256 of the whole token is stored."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix})"


class FailedSignIn(models.Model):
    """One failed sign-in, kept to decide lock-outs (the audit log keeps the permanent record)."""

    username = models.CharField(_("username"), max_length=150)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    #: The per-client key: the address, or "peer>forwarded" behind an untrusted proxy (lockout.attempt).
    client = models.CharField(_("client"), max_length=100, blank=True)
    #: An untrusted proxy's address when ``client`` narrows it, else blank.
    peer = models.CharField(_("proxy"), max_length=45, blank=True)
    #: The known device the attempt came from (its failures count only against it), else blank.
    device = models.CharField(_("known device"), max_length=32, blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [
            models.Index(fields=["username", "at"], name="accounts_failed_user_at"),
            models.Index(fields=["ip", "at"], name="accounts_failed_ip_at"),
            models.Index(fields=["client", "at"], name="accounts_failed_client_at"),
            models.Index(fields=["peer", "at"], name="accounts_failed_peer_at"),
            models.Index(fields=["device", "at"], name="accounts_failed_device_at"),
        ]

    def __str__(self):
        return f"{self.username} @ {self.ip or '-'} {self.at:%Y-%m-%d %H:%M:%S}"


class SignInLock(models.Model):
    """A sign-in delay: attempts of this scope and key wait until ``until`` (lockout.py; never a hard lock)."""

    class Scope(models.TextChoices):
        USERNAME = "username", _("username")
        IP = "ip", _("IP address")
        PEER = "peer", _("proxy")
        DEVICE = "device", _("known device")

    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    key = models.CharField(_("locked value"), max_length=150)
    created_at = models.DateTimeField(_("created"))
    until = models.DateTimeField(_("locked until"))
    failures = models.PositiveIntegerField(_("failures"), default=0)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("sign-in delay")
        verbose_name_plural = _("sign-in delays")
        indexes = [models.Index(fields=["scope", "key", "until"], name="accounts_lock_scope_key")]

    def __str__(self):
        return f"{self.scope}:{self.key} → {self.until:%Y-%m-%d %H:%M}"


class TotpDevice(models.Model):
    """A user's authenticator app (TOTP, RFC 6238): the shared secret, kept until turned off.

    ``confirmed_at`` is empty while enrolment is under way (the user has not yet typed a code from the
    app); ``last_step`` is the last 30-second step accepted, so a code is never accepted twice."""

    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="totp")
    secret = models.CharField(_("secret"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    last_step = models.BigIntegerField(_("last step used"), default=0)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self):
        return f"{self.user} ({'on' if self.confirmed_at else 'enrolling'})"


class RecoveryCode(models.Model):
    """A one-time recovery code for the second factor; only its sha256 is stored."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self):
        return f"{self.user} {self.digest[:8]}"


# The OpenID Connect provider's models (clients, signing keys, consents) belong to accounts too.
from smartcounty.foundation.accounts.oidc.models import OidcClient, OidcConsent, OidcSigningKey  # noqa: E402,F401
