"""Back office for the provider: a platform administrator registers each client (exact redirect URIs,
the scopes it may ask for) and sees the signing keys and consents. Registered by DOT's own admin module
through the ``APPLICATION_ADMIN_CLASS`` setting (the client model) and by ``accounts.admin`` (the rest)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from smartcounty.foundation.accounts.models import OidcClient
from smartcounty.foundation.accounts.oidc.scopes import all_scopes
from smartcounty.kernel.admin import AuditedModelAdmin


def _platform_admin(request) -> bool:
    from smartcounty.foundation.accounts.services import is_platform_admin

    return is_platform_admin(request.user)


class PlatformAdminOnly:
    def has_module_permission(self, request):
        return _platform_admin(request)

    def has_view_permission(self, request, obj=None):
        return _platform_admin(request)

    def has_add_permission(self, request):
        return _platform_admin(request)

    def has_change_permission(self, request, obj=None):
        return _platform_admin(request)

    def has_delete_permission(self, request, obj=None):
        return _platform_admin(request)


class ClientForm(forms.ModelForm):
    allowed_scopes = forms.MultipleChoiceField(label=_("allowed scopes"), required=False,
                                               widget=forms.CheckboxSelectMultiple, choices=())

    class Meta:
        model = OidcClient
        fields = ("name", "organisation", "client_type", "authorization_grant_type", "client_id", "client_secret",
                  "redirect_uris", "post_logout_redirect_uris", "allowed_scopes")
        help_texts = {
            "redirect_uris": _("One or more addresses separated by spaces; an address matches only exactly."),
            "client_secret": _("Copy it now: it is stored hashed and cannot be shown again."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allowed_scopes"].choices = [(k, f"{k} · {v}") for k, v in all_scopes().items()]
        self.fields["authorization_grant_type"].choices = [
            (OidcClient.GRANT_AUTHORIZATION_CODE, _("Authorization code")),
            (OidcClient.GRANT_CLIENT_CREDENTIALS, _("Client credentials (a machine client)"))]


class ClientAdmin(PlatformAdminOnly, AuditedModelAdmin):
    form = ClientForm
    list_display = ("name", "client_id", "authorization_grant_type", "organisation", "created")
    list_filter = ("authorization_grant_type", "client_type")
    search_fields = ("name", "client_id")
    list_select_related = ("organisation",)
    readonly_fields = ()

    def get_readonly_fields(self, request, obj=None):
        return ("client_id",) if obj else ()

    def get_fields(self, request, obj=None):
        fields = list(ClientForm.Meta.fields)
        return [f for f in fields if f != "client_secret"] if obj else fields


class SigningKeyAdmin(PlatformAdminOnly, AuditedModelAdmin):
    list_display = ("kid", "created_at", "retired_at")
    fields = ("kid", "created_at", "retired_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # keys are made by ``smartcounty oidc_keys rotate``

    def has_delete_permission(self, request, obj=None):
        return False


class ConsentAdmin(PlatformAdminOnly, AuditedModelAdmin):
    list_display = ("user", "client", "scopes", "granted_at", "revoked_at")
    list_filter = ("client",)
    list_select_related = ("user", "client")
    readonly_fields = ("user", "client", "scopes", "granted_at", "revoked_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def register(site=admin.site):
    from smartcounty.foundation.accounts.models import OidcConsent, OidcSigningKey

    site.register(OidcSigningKey, SigningKeyAdmin)
    site.register(OidcConsent, ConsentAdmin)
