"""Pages: sign-in, sign-out, sign-up for residents, my account, the organisations of the plan."""

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartcounty.foundation.accounts import services
from smartcounty.foundation.accounts.forms import (
    PasswordForm,
    RoleForm,
    SignInForm,
    SignUpForm,
    TokenForm,
    client_ip,
)
from smartcounty.foundation.accounts.models import Organisation, User
from smartcounty.foundation.accounts.roles import Role
from smartcounty.kernel import audit, registry
from smartcounty.kernel.authz import user_has_perm
from smartcounty.kernel.problems import ApiError


def delayed_response(response, form):
    """A sign-in refused because of a delay is 429 with Retry-After (the page still shows why)."""
    if getattr(form, "retry_after", None):
        response.status_code = 429
        response["Retry-After"] = str(form.retry_after)
    return response


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        return delayed_response(super().form_invalid(form), form)

    def form_valid(self, form):
        response = super().form_valid(form)
        services.devices.remember(self.request, response, form.get_user())
        return response


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            services.record_sign_out(request.user, ip=client_ip(request))
        return super().post(request, *args, **kwargs)


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_resident(data["username"], data["password1"], phone=data["phone"],
                                            display_name=data["display_name"])
        except ApiError as exc:
            field = "password1" if exc.field == "password" else exc.field
            form.add_error(field if field in form.fields else None, exc.detail)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            services.record_sign_in(user, ip=client_ip(request), via="signup")
            messages.success(request, _("Welcome! Your account works for every service of the platform."))
            return redirect("accounts:profile")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """My account: who I am, what I may do, and my API tokens (create one, revoke one)."""
    user = request.user
    form = TokenForm(request.POST or None, scope_choices=services.token_scope_choices(user))
    new_secret = None
    if request.method == "POST":
        if not user_has_perm(user, "accounts.manage_token"):
            raise PermissionDenied
        if "revoke" in request.POST:
            token = user.api_tokens.filter(pk=_int(request.POST.get("revoke"))).first()
            if token is None:
                raise Http404
            services.revoke_token(token, actor=user)
            messages.success(request, _("The token has been revoked."))
            return redirect("accounts:profile")
        if form.is_valid():
            data = form.cleaned_data
            try:
                _token, new_secret = services.issue_token(user, data["name"], data["scopes"],
                                                          days=data["days"] or None, actor=user)
            except ApiError as exc:
                form.add_error("scopes" if exc.field == "scopes" else None, exc.detail)
            else:
                form = TokenForm(scope_choices=services.token_scope_choices(user))
    titles = {code: registry.permissions.get(code).title for code in services.permissions_of(user)}
    return render(request, "accounts/profile.html", {
        "profile_user": user, "permissions": sorted(titles.items()), "tokens": user.api_tokens.all()[:50],
        "form": form, "new_secret": new_secret,
    })


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(request.user, form.cleaned_data["old_password"], form.cleaned_data["new_password"])
        except ApiError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:profile")
    return render(request, "accounts/password.html", {"form": form})


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def organisation_list(request):
    if not user_has_perm(request.user, "accounts.view_organisation"):
        raise PermissionDenied
    qs = Organisation.objects.filter(is_active=True).annotate(member_count=Count("members")).order_by("id")
    kind = request.GET.get("kind", "")
    if kind in Organisation.Kind.values:
        qs = qs.filter(kind=kind)
    q = request.GET.get("q", "").strip()[:50]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(name_en__icontains=q) | Q(code__icontains=q))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/organisations.html", {
        "page": page, "kinds": Organisation.Kind.choices, "kind": kind, "q": q,
    })


@login_required
@require_http_methods(["GET", "POST"])
def organisation_detail(request, code):
    org = get_object_or_404(Organisation, code=code)
    if not user_has_perm(request.user, "accounts.view_organisation"):
        raise PermissionDenied
    can_manage = user_has_perm(request.user, "accounts.manage_member", org.pk)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        member = get_object_or_404(User, pk=_int(request.POST.get("user")), organisation=org)
        form = RoleForm(request.POST, platform=services.is_platform_admin(request.user))
        if form.is_valid():
            role = form.cleaned_data["role"]
            try:
                services.set_role(member, role, None if role == Role.RESIDENT else org, actor=request.user)
            except ApiError as exc:
                messages.error(request, exc.detail or _("You do not have permission for this."))
            else:
                messages.success(request, _("The role of %(user)s is now %(role)s.")
                                 % {"user": member, "role": member.get_role_display()})
        else:
            messages.error(request, _("Choose one of the roles offered."))
        return redirect("accounts:organisation", code=org.code)
    members = None
    if user_has_perm(request.user, "accounts.view_member", org.pk):
        members = Paginator(org.members.order_by("username"), 50).get_page(request.GET.get("page"))
        audit.record("accounts.members_read", actor=request.user, obj=org, organisation_id=org.pk,
                     detail={"organisation": org.code, "page": members.number, "via": "page"})
    return render(request, "accounts/organisation.html", {
        "org": org, "members": members,
        "member_rows": [(m, services.mask_phone(m.phone)) for m in members] if members else [],
        "can_manage": can_manage,
        "role_choices": RoleForm(platform=services.is_platform_admin(request.user)).fields["role"].choices,
    })
