"""The accounts API, mounted at /api/v1/accounts/: who am I, organisations, members, roles, tokens."""

from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from smartcounty.foundation.accounts import services
from smartcounty.foundation.accounts.models import ApiToken, Organisation, User
from smartcounty.foundation.accounts.roles import Role
from smartcounty.foundation.accounts.schemas import (
    MemberOut,
    MeOut,
    OrganisationOut,
    RoleIn,
    TokenCreated,
    TokenIn,
    TokenOut,
)
from smartcounty.kernel import audit, authz
from smartcounty.kernel.api import Id, Pagination
from smartcounty.kernel.problems import ApiError

router = Router(tags=["accounts"])


class OrganisationFilter(Schema):
    kind: Organisation.Kind | None = None
    q: str | None = Field(default=None, max_length=50)


class MemberFilter(Schema):
    role: Role | None = None


def _signed_in(request):
    user = authz.request_user(request)
    if user is None:
        raise ApiError(401, "not-authenticated")
    return user


@router.get("/me", response=MeOut, summary="The signed-in user, their organisation and permissions")
def me(request):
    user = _signed_in(request)
    org = services.organisation_by_id(user.organisation_id) if user.organisation_id else None
    token = getattr(request, "api_token", None)
    return MeOut(id=user.pk, username=user.username, display_name=str(user), kind=user.kind, role=user.role,
                 organisation=org, permissions=services.permissions_of(user),
                 token_scopes=list(token.scopes) if token is not None else None)


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations (filter by kind, q)")
@paginate(Pagination)
def list_organisations(request, filters: Query[OrganisationFilter]):
    authz.require(request, "accounts.view_organisation")
    qs = Organisation.objects.all()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(name_en__icontains=filters.q) | Q(code__icontains=filters.q))
    return qs


@router.get("/organisations/{code}", response=OrganisationOut, summary="One organisation by its code")
def get_organisation(request, code: str):
    authz.require(request, "accounts.view_organisation")
    return get_object_or_404(Organisation, code=code)


@router.get("/organisations/{code}/members", response=list[MemberOut],
            summary="Members of an organisation (its own staff and platform administrators only)")
@paginate(Pagination)
def list_members(request, code: str, filters: Query[MemberFilter]):
    _signed_in(request)
    org = get_object_or_404(Organisation, code=code)
    user = authz.require(request, "accounts.view_member", org.pk)
    qs = User.objects.filter(organisation=org).order_by("username")
    if filters.role:
        qs = qs.filter(role=filters.role)
    audit.record("accounts.members_read", actor=user, obj=org, organisation_id=org.pk,
                 detail={"organisation": org.code, "role": filters.role, "via": "api"})
    return qs


@router.post("/users/{user_id}/role", response=MeOut, summary="Set a user's role and organisation (audited)")
def set_user_role(request, user_id: Id, body: RoleIn):
    target = User.objects.filter(pk=user_id).select_related("organisation").first()
    actor = authz.require(request, "accounts.manage_member", target.organisation_id if target else None)
    if target is None:
        raise ApiError(404, "not-found")
    org = None
    if body.organisation:
        org = Organisation.objects.filter(code=body.organisation).first()
        if org is None:
            raise ApiError(422, "invalid", f"unknown organisation {body.organisation!r}", field="organisation")
        authz.require(request, "accounts.manage_member", org.pk)
    with transaction.atomic():
        services.set_role(target, body.role, org, actor=actor)
    return MeOut(id=target.pk, username=target.username, display_name=str(target), kind=target.kind,
                 role=target.role, organisation=services.organisation_by_id(target.organisation_id)
                 if target.organisation_id else None, permissions=services.permissions_of(target))


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
@paginate(Pagination)
def list_tokens(request):
    user = authz.require(request, "accounts.manage_token")
    return ApiToken.objects.filter(user=user).order_by("-id")


@router.post("/tokens", response={201: TokenCreated}, summary="Create an API token (its secret is shown once)")
def create_token(request, body: TokenIn):
    user = authz.require(request, "accounts.manage_token")
    services.totp.require_fresh(user, body.otp, purpose="token")
    token, secret = services.issue_token(user, body.name, body.scopes, days=body.days, actor=user)
    out = TokenOut.model_validate(token, from_attributes=True).model_dump()
    return Status(201, TokenCreated(**out, secret=secret))


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke one of my API tokens")
def delete_token(request, token_id: Id):
    user = authz.require(request, "accounts.manage_token")
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None or (token.user_id != user.pk and not services.is_platform_admin(user)):
        raise ApiError(404, "not-found")
    services.revoke_token(token, actor=user)
    return Status(204, None)
