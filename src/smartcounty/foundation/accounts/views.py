"""Pages: sign-in, sign-out, sign-up for residents, my account, the organisations of the plan."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from smartcounty.foundation.accounts import services
from smartcounty.foundation.accounts.forms import SignInForm, SignUpForm, client_ip
from smartcounty.foundation.accounts.models import Organisation
from smartcounty.kernel import audit
from smartcounty.kernel.authz import user_has_perm
from smartcounty.kernel.problems import ApiError


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


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
def profile(request):
    user = request.user
    tokens = user.api_tokens.all()[:50]
    return render(request, "accounts/profile.html", {
        "profile_user": user, "permissions": services.permissions_of(user), "tokens": tokens,
    })


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
def organisation_detail(request, code):
    org = get_object_or_404(Organisation, code=code)
    if not user_has_perm(request.user, "accounts.view_organisation"):
        raise PermissionDenied
    members = None
    if user_has_perm(request.user, "accounts.view_member", org.pk):
        members = Paginator(org.members.order_by("username"), 50).get_page(request.GET.get("page"))
        audit.record("accounts.members_read", actor=request.user, obj=org, organisation_id=org.pk,
                     detail={"organisation": org.code, "page": members.number, "via": "page"})
    return render(request, "accounts/organisation.html", {
        "org": org, "members": members,
        "member_rows": [(m, services.mask_phone(m.phone)) for m in members] if members else [],
        "can_manage": user_has_perm(request.user, "accounts.manage_member", org.pk),
    })
