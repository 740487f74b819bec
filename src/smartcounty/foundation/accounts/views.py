"""Pages: sign-in (with the second factor), sign-out, sign-up for residents, my account (two-step
verification), the organisations of the plan."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartcounty.foundation.accounts import services
from smartcounty.foundation.accounts.forms import (
    CodeForm,
    PasswordForm,
    RoleForm,
    SignInForm,
    SignUpForm,
    TokenForm,
    client_ip,
    delayed_error,
)
from smartcounty.foundation.accounts.models import Organisation, User
from smartcounty.foundation.accounts.oidc import consent as oidc_consent
from smartcounty.foundation.accounts.roles import Role
from smartcounty.kernel import audit, masking, ratelimit, registry
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

    def get_default_redirect_url(self):
        """Without a ``next``: the role's own start page (residents: my reports; staff: my work)."""
        user = getattr(self, "signing_in", None) or self.request.user
        return services.start_page(user) if user.is_authenticated else super().get_default_redirect_url()

    def form_valid(self, form):
        self.signing_in = form.get_user()
        if form.second_factor:  # the password was right; the code (or the enrolment) comes next
            user = form.get_user()
            self.request.session[PENDING] = {"user": user.pk, "at": time.time(), "next": self.get_success_url(),
                                             "device": form.attempt.device if form.attempt else ""}
            return redirect("accounts:verify" if services.totp.enabled(user) else "accounts:enrol")
        response = super().form_valid(form)
        services.devices.remember(self.request, response, form.get_user())
        return response


#: The session key of a sign-in whose password was right and whose second factor is still to come.
PENDING = "accounts_pending_signin"
PENDING_SECONDS = 300


def _pending(request):
    data = request.session.get(PENDING)
    if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        return None, None
    user = User.objects.filter(pk=data.get("user"), is_active=True).first()
    return (user, data) if user else (None, None)


def _finish_sign_in(request, user, data, via):
    request.session.pop(PENDING, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    services.record_sign_in(user, ip=client_ip(request), via=via, known_device=bool(data.get("device")))
    response = redirect(data.get("next") or settings.LOGIN_REDIRECT_URL)
    services.devices.remember(request, response, user)
    return response


def _expired(request):
    messages.error(request, _("The sign-in has expired; sign in again."))
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def verify_second_factor(request):
    """Sign-in, step two: a code from the authenticator app or a recovery code (delays apply as to passwords)."""
    user, data = _pending(request)
    if user is None:
        return _expired(request)
    if not services.totp.enabled(user):
        return redirect("accounts:enrol")
    form = CodeForm(request.POST or None)
    status, retry = 200, None
    if request.method == "POST" and form.is_valid():
        attempt = services.attempt(request, user.get_username(), data.get("device", ""))
        delay = services.active_delay(attempt)
        if delay is not None:
            services.record_refused(attempt, delay)
            retry = services.retry_after(delay)
            form.add_error(None, delayed_error(retry))
            status = 429
        else:
            how = services.totp.verify(user, form.cleaned_data["code"])
            if how:
                return _finish_sign_in(request, user, data, via=f"password+{how}")
            services.record_failure(attempt, user_id=user.pk)
            form.add_error("code", _("The code is wrong or has expired."))
    response = render(request, "accounts/verify.html", {"form": form}, status=status)
    if retry:
        response["Retry-After"] = str(retry)
    return response


@require_http_methods(["GET", "POST"])
def enrol_at_sign_in(request):
    """Sign-in, step two for a role that requires a second factor and has none yet: set it up now."""
    user, data = _pending(request)
    if user is None:
        return _expired(request)
    if services.totp.enabled(user):
        return redirect("accounts:verify")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp.confirm(user, form.cleaned_data["code"])
        except ApiError as exc:
            form.add_error("code", exc.detail)
        else:
            next_url = data.get("next") or settings.LOGIN_REDIRECT_URL
            response = _finish_sign_in(request, user, data, via="password+enrol")
            page = render(request, "accounts/two_step.html", {
                "enabled": True, "recovery_codes": codes, "continue_url": next_url})
            for cookie in response.cookies.values():
                page.cookies[cookie.key] = cookie
            return page
    return render(request, "accounts/two_step.html", {
        "at_sign_in": True, "form": form, **_enrolment(user)})


def _enrolment(user) -> dict:
    """The secret being set up (a new one unless enrolment is already under way), as URI and QR code."""
    dev = services.totp.device(user)
    if dev is None or dev.confirmed_at is not None:
        secret, uri = services.totp.begin(user)
    else:
        secret, uri = dev.secret, services.totp.uri(user, dev.secret)
    return {"secret": secret, "otpauth_uri": uri, "qr": mark_safe(services.totp.qr_svg(uri))}  # noqa: S308 - segno's SVG


@login_required
@require_http_methods(["GET", "POST"])
def two_step(request):
    """My account, two-step verification: set it up (QR code / otpauth URI), new recovery codes, turn it off."""
    user = request.user
    form = CodeForm(request.POST or None)
    context = {"enabled": services.totp.enabled(user), "required": services.totp.required(user), "form": form}
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "begin" and not context["enabled"]:
        services.totp.begin(user)
        return redirect("accounts:two_step")
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if action == "confirm":
                context["recovery_codes"] = services.totp.confirm(user, code)
                context["enabled"] = True
                messages.success(request, _("Two-step verification is on."))
            elif action == "codes":
                context["recovery_codes"] = services.totp.new_recovery_codes(user, code)
            elif action == "disable":
                services.totp.disable(user, code)
                messages.success(request, _("Two-step verification is off."))
                return redirect("accounts:two_step")
        except ApiError as exc:
            form.add_error("code", exc.detail)
    dev = services.totp.device(user)
    if not context["enabled"] and dev is not None:
        context.update(_enrolment(user))  # enrolment under way: show the QR code and ask for a code
    if context["enabled"]:
        context["codes_left"] = services.totp.recovery_codes_left(user)
    return render(request, "accounts/two_step.html", context)


class SignOutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            services.record_sign_out(request.user, ip=client_ip(request))
        return super().post(request, *args, **kwargs)


SIGNUP = "accounts_pending_signup"


@require_http_methods(["GET", "POST"])
def sign_up(request):
    """Sign-up, step one: the details; a code goes to the phone. The reply never tells whether the number
    is registered (``signup.py``)."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignUpForm(request.POST or None)
    status, retry = 200, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        retry = ratelimit.limited(request, "signup_codes", settings.SMARTCOUNTY_RATE_SIGNUP)
        if retry:
            form.add_error(None, _("Too many sign-ups from this network address. Wait %(seconds)s seconds, "
                                   "then try again.") % {"seconds": retry})
            status = 429
        else:
            try:
                pending = services.signup.start(data["username"], data["password1"], phone=data["phone"],
                                                display_name=data["display_name"])
            except ApiError as exc:
                field = "password1" if exc.field == "password" else exc.field
                form.add_error(field if field in form.fields else None, exc.detail)
            else:
                request.session[SIGNUP] = pending
                return redirect("accounts:signup_verify")
    response = render(request, "accounts/signup.html", {"form": form}, status=status)
    if retry:
        response["Retry-After"] = str(retry)
    return response


@require_http_methods(["GET", "POST"])
def sign_up_verify(request):
    """Sign-up, step two: the code from the text message."""
    pending = request.session.get(SIGNUP)
    if services.signup.spent(pending):
        request.session.pop(SIGNUP, None)
        messages.error(request, _("The sign-up has expired; fill in the form again."))
        return redirect("accounts:signup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.signup.finish(pending, form.cleaned_data["code"])
        except ApiError as exc:
            request.session[SIGNUP] = pending  # the try is counted
            form.add_error("code" if exc.field == "code" else None, exc.detail)
        else:
            request.session.pop(SIGNUP, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            services.record_sign_in(user, ip=client_ip(request), via="signup")
            messages.success(request, _("Welcome! Your account works for every service of the platform."))
            response = redirect(services.start_page(user))
            services.devices.remember(request, response, user)
            return response
    return render(request, "accounts/signup_verify.html", {
        "form": form, "phone": services.mask_phone(pending["phone"])})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """My account: who I am, what I may do, and my API tokens (create one, revoke one)."""
    user = request.user
    form = TokenForm(request.POST or None, scope_choices=services.token_scope_choices(user))
    new_secret = None
    if request.method == "POST" and "withdraw_consent" in request.POST:
        # Anyone may withdraw what they allowed another system to know (accounts.oidc.consent).
        if not oidc_consent.withdraw(user, _int(request.POST.get("withdraw_consent"))):
            raise Http404
        messages.success(request, _("Your consent has been withdrawn; that system has been signed out."))
        return redirect("accounts:profile")
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
                services.totp.require_fresh(user, data.get("otp"), purpose="token")
                _token, new_secret = services.issue_token(user, data["name"], data["scopes"],
                                                          days=data["days"] or None, actor=user)
            except ApiError as exc:
                form.add_error(exc.field if exc.field in ("scopes", "otp") else None, exc.detail)
            else:
                form = TokenForm(scope_choices=services.token_scope_choices(user))
    titles = {code: registry.permissions.get(code).title for code in services.permissions_of(user)}
    return render(request, "accounts/profile.html", {
        "profile_user": user, "permissions": sorted(titles.items()), "tokens": user.api_tokens.all()[:50],
        "form": form, "new_secret": new_secret, "two_step": services.totp.enabled(user),
        "consents": oidc_consent.of_user(user.pk),
        "id_number": masking.mask_id_number(user.id_number) if user.id_number else "",
        # Residents use the pages; API tokens are for staff systems (a resident's own page stays plain).
        "show_tokens": user.role != Role.RESIDENT or bool(new_secret) or user.api_tokens.exists(),
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
