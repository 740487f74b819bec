"""Back office: organisations, users (role changes audited), API tokens (read-only digests).

The admin site's own login uses the platform's audited, lock-out-aware sign-in form, and its
sign-out is audited too."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from smartcounty.foundation.accounts.forms import AdminSignInForm, client_ip
from smartcounty.foundation.accounts.models import ApiToken, Organisation, SignInLock, User
from smartcounty.foundation.accounts.services import record_sign_out
from smartcounty.foundation.accounts.views import delayed_response
from smartcounty.kernel import audit
from smartcounty.kernel.admin import AuditedModelAdmin

admin.site.login_form = AdminSignInForm
_admin_logout = admin.site.logout


def _audited_admin_logout(request, extra_context=None):
    if request.method == "POST" and request.user.is_authenticated:
        record_sign_out(request.user, ip=client_ip(request))
    return _admin_logout(request, extra_context)


admin.site.logout = _audited_admin_logout
_admin_login = admin.site.login


def _delayed_admin_login(request, extra_context=None):
    response = _admin_login(request, extra_context)
    form = (getattr(response, "context_data", None) or {}).get("form")
    return delayed_response(response, form) if form is not None else response


admin.site.login = _delayed_admin_login


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ("name", "code", "name_en", "kind", "plan_role", "is_active")
    list_filter = ("kind", "plan_role", "is_active")
    search_fields = ("name", "name_en", "code", "credit_code")
    prepopulated_fields = {}
    ordering = ("id",)


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "organisation", "kind", "is_active", "last_login")
    list_filter = ("role", "kind", "is_active", "organisation")
    search_fields = ("username", "display_name", "phone")
    list_select_related = ("organisation",)
    personal_fields = ("phone", "email", "id_number")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("display_name", "phone", "id_number", "email", "first_name", "last_name")}),
        (_("Role"), {"fields": ("kind", "role", "organisation", "is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("Role"), {"fields": ("display_name", "role", "organisation")}),
    )
    readonly_fields = ("kind", "last_login", "date_joined")

    def save_model(self, request, obj, form, change):
        watched = {"role", "organisation", "is_superuser", "is_staff", "is_active"}
        changed = watched.intersection(form.changed_data) if change else set()
        before = {}
        if changed:
            old = User.objects.get(pk=obj.pk)
            before = {f: getattr(old, f + "_id" if f == "organisation" else f) for f in sorted(changed)}
        obj.kind = User.Kind.RESIDENT if obj.role == "resident" else User.Kind.STAFF
        super().save_model(request, obj, form, change)
        if changed:
            audit.record("accounts.role_change", actor=request.user, obj=obj,
                         organisation_id=obj.organisation_id or before.get("organisation"),
                         detail={"user": obj.username, "via": "admin", "before": before,
                                 "after": {f: getattr(obj, f + "_id" if f == "organisation" else f)
                                           for f in sorted(changed)}})


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ("name", "prefix", "user", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "digest", "scopes", "created_at", "expires_at",
                       "revoked_at", "last_used_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SignInLock)
class SignInLockAdmin(AuditedModelAdmin):
    list_display = ("scope", "key", "created_at", "until", "failures")
    list_filter = ("scope",)
    search_fields = ("key",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The OpenID Connect provider's keys and consents (its clients are registered by DOT's admin module,
# through the APPLICATION_ADMIN_CLASS setting).
from smartcounty.foundation.accounts.oidc.admin import register as _register_oidc  # noqa: E402

_register_oidc()
