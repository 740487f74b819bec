"""OIDC clients, signing keys and consents (imported by ``accounts.models``, so they belong to accounts)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication


class OidcClient(AbstractApplication):
    """A county system that signs its users in through the platform, or a machine client.

    Redirect URIs match exactly (no prefix, no extra query); ``allowed_scopes`` are the only scopes the
    client may ask for (``scopes.PERSON_SCOPES`` for people, module labels for machine clients)."""

    allowed_scopes = models.JSONField(_("allowed scopes"), default=list, blank=True)
    organisation = models.ForeignKey("accounts.Organisation", verbose_name=_("operating organisation"),
                                     null=True, blank=True, on_delete=models.PROTECT, related_name="oidc_clients")

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        verbose_name = _("OpenID Connect client")
        verbose_name_plural = _("OpenID Connect clients")

    def clean(self):
        from smartcounty.foundation.accounts.oidc import scopes

        # Every client signs with the platform's RSA keys (oidc.keys), never a shared secret.
        self.algorithm = self.NO_ALGORITHM
        try:
            super().clean()
        finally:
            self.algorithm = self.RS256_ALGORITHM
        errors = {}
        unknown = sorted(set(self.allowed_scopes or []) - set(scopes.all_scopes()))
        if unknown:
            errors["allowed_scopes"] = _("Unknown scopes: %(s)s") % {"s": ", ".join(unknown)}
        machine = self.authorization_grant_type == self.GRANT_CLIENT_CREDENTIALS
        if machine and set(self.allowed_scopes or []) & set(scopes.PERSON_SCOPES):
            errors["allowed_scopes"] = _("A machine client cannot be given scopes about people.")
        if not machine and "openid" not in (self.allowed_scopes or []):
            errors["allowed_scopes"] = _("A sign-in client needs the openid scope.")
        if self.authorization_grant_type not in (self.GRANT_AUTHORIZATION_CODE, self.GRANT_CLIENT_CREDENTIALS):
            errors["authorization_grant_type"] = _("Only the authorisation code and client credentials grants are offered.")
        secret = self.client_secret or ""
        if self.client_type == self.CLIENT_CONFIDENTIAL and "$" not in secret and len(secret) < 32:
            errors["client_secret"] = _("A client secret needs at least 32 characters.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.algorithm = self.RS256_ALGORITHM
        self.skip_authorization = False
        super().save(*args, **kwargs)

    def redirect_uri_allowed(self, uri):
        """Exactly one of the registered URIs, character for character."""
        return uri in self.redirect_uris.split()

    def post_logout_redirect_uri_allowed(self, uri):
        return uri in self.post_logout_redirect_uris.split()

    @property
    def jwk_key(self):
        """The newest signing key (oidc.keys), whatever DOT's single-key setting says."""
        from smartcounty.foundation.accounts.oidc import keys

        return keys.current().jwk


class OidcSigningKey(models.Model):
    """An RSA key that signs ID tokens: the newest active one signs; older active ones are still
    published in the JWKS (tokens they signed stay verifiable) until retired."""

    kid = models.CharField(_("key id"), max_length=64, unique=True)
    private_pem = models.TextField(_("private key (PEM)"))
    created_at = models.DateTimeField(_("created"), db_index=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")

    def __str__(self):
        return self.kid


class OidcConsent(models.Model):
    """What a person allowed a client to know (the scopes), when, and whether it has been withdrawn."""

    user = models.ForeignKey("accounts.User", verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="oidc_consents")
    client = models.ForeignKey(OidcClient, verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="consents")
    scopes = models.JSONField(_("scopes"), default=list)
    #: Sensitive scopes the person was asked for and left unticked: not asked again, not given.
    declined = models.JSONField(_("declined"), default=list, blank=True)
    granted_at = models.DateTimeField(_("granted"))
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [models.UniqueConstraint(fields=["user", "client"], name="accounts_oidc_consent_one")]

    def __str__(self):
        return f"{self.user} → {self.client}"
