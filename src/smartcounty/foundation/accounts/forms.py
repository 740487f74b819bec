"""Sign-in and sign-up forms. Sign-in records every success and failure in the audit log and
enforces the lock-out (``lockout.py``); the admin site's login uses the same rules."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from smartcounty.foundation.accounts import services
from smartcounty.foundation.accounts.models import User
from smartcounty.kernel import net


def client_ip(request) -> str | None:
    """The client's address: the peer's, or behind a trusted proxy the one it forwarded
    (``SMARTCOUNTY_TRUSTED_PROXIES``, see ``kernel.net``); the audit log resolves it the same way."""
    return net.request_address(request)


def delayed_error(seconds: int) -> ValidationError:
    return ValidationError(_("Too many failed sign-ins. Wait %(seconds)s seconds, then try again."),
                           code="delayed", params={"seconds": seconds})


class AuditedSignInMixin:
    """Delay check first, then the password; every outcome goes to the audit log.

    ``retry_after`` is set (seconds) when the attempt was refused because of a delay; the view
    answers 429 with ``Retry-After`` then. ``known_device`` tells whether this browser is one the
    account signed in on before (``devices.py``)."""

    retry_after = None
    known_device = False

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()
        device = services.devices.device_for(self.request, username)
        self.known_device = bool(device)
        attempt = services.attempt(self.request, username, device)
        delay = services.active_delay(attempt)
        if delay is not None:
            services.record_refused(attempt, delay)
            self.retry_after = services.retry_after(delay)
            raise delayed_error(self.retry_after)
        try:
            cleaned = super().clean()
        except ValidationError:
            user_id = User.objects.filter(username=username).values_list("pk", flat=True).first()
            services.record_failure(attempt, user_id=user_id)
            raise
        self.signed_in(attempt)
        return cleaned

    def signed_in(self, attempt) -> None:
        services.record_sign_in(self.user_cache, ip=attempt.ip, via=self.via, known_device=self.known_device)


class SignInForm(AuditedSignInMixin, AuthenticationForm):
    """The platform's sign-in. With a second factor (enrolled, or required by the role) the password only
    opens the next step (``second_factor`` is set; the view asks for the code or the enrolment)."""

    via = "password"
    second_factor = False
    attempt = None

    def signed_in(self, attempt) -> None:
        self.attempt = attempt
        if services.totp.needed(self.user_cache):
            self.second_factor = True
            return
        super().signed_in(attempt)


class AdminSignInForm(AuditedSignInMixin, AdminAuthenticationForm):
    via = "admin"

    def signed_in(self, attempt) -> None:
        if services.totp.needed(self.user_cache):
            raise ValidationError(_("This account uses two-step verification: sign in on the platform's sign-in "
                                    "page first, then open the back office."), code="second_factor")
        super().signed_in(attempt)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, help_text=_(
        "The 6-digit code your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))


class SignUpForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               help_text=_("Letters, digits and @/./+/-/_ only."))
    display_name = forms.CharField(label=_("Display name"), max_length=60)
    phone = forms.CharField(label=_("Mobile phone"), min_length=11, max_length=11)
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput,
                                help_text=_("At least 10 characters, not only digits, not a common password."))
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    scopes = forms.MultipleChoiceField(label=_("Scopes"), widget=forms.CheckboxSelectMultiple,
                                       help_text=_("A token can do only what its scopes allow, and never more than you."))
    days = forms.TypedChoiceField(label=_("Valid for"), coerce=int, initial=90, choices=(
        (30, _("30 days")), (90, _("90 days")), (365, _("one year")), (0, _("no expiry"))))
    otp = forms.CharField(label=_("Authenticator code"), max_length=40, required=False,
                          widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
                          help_text=_("Needed when your account has two-step verification."))

    def __init__(self, *args, scope_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = list(scope_choices)


class RoleForm(forms.Form):
    """A member's new role; only a platform administrator may make another one."""

    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, platform=False, **kwargs):
        from smartcounty.foundation.accounts.roles import Role

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in Role if platform or r != Role.PLATFORM_ADMIN]


class PasswordForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), strip=False, widget=forms.PasswordInput,
                                   help_text=_("At least 10 characters, not only digits, not a common password."))
    new_password2 = forms.CharField(label=_("New password again"), strip=False, widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_password") and cleaned.get("new_password2") and \
                cleaned["new_password"] != cleaned["new_password2"]:
            self.add_error("new_password2", _("The two passwords differ."))
        return cleaned
