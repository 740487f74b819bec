"""The accounts API, mounted at /api/v1/accounts/: who am I, organisations, members, roles, tokens."""

from django.db import transaction
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from smartcounty.foundation.accounts import services
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
    kind: services.OrganisationKind | None = None
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
    return services.organisation_list(filters.kind, filters.q)


@router.get("/organisations/{code}", response=OrganisationOut, summary="One organisation by its code")
def get_organisation(request, code: str):
    authz.require(request, "accounts.view_organisation")
    org = services.organisation(code)
    if org is None:
        raise ApiError(404, "not-found")
    return org


@router.get("/organisations/{code}/members", response=list[MemberOut],
            summary="Members of an organisation (its own staff and platform administrators only)")
@paginate(Pagination)
def list_members(request, code: str, filters: Query[MemberFilter]):
    _signed_in(request)
    org = services.organisation(code)
    if org is None:
        raise ApiError(404, "not-found")
    user = authz.require(request, "accounts.view_member", org.id)
    audit.record("accounts.members_read", actor=user, object_type="accounts.organisation", object_id=org.id,
                 organisation_id=org.id, detail={"organisation": org.code, "role": filters.role, "via": "api"})
    return services.member_list(org.id, filters.role)


@router.post("/users/{user_id}/role", response=MeOut, summary="Set a user's role and organisation (audited)")
def set_user_role(request, user_id: Id, body: RoleIn):
    target = services.users_brief([user_id]).get(user_id)
    actor = authz.require(request, "accounts.manage_member", target.organisation_id if target else None)
    if target is None:
        raise ApiError(404, "not-found")
    org = None
    if body.organisation:
        org = services.organisation(body.organisation)
        if org is None:
            raise ApiError(422, "invalid", f"unknown organisation {body.organisation!r}", field="organisation")
        authz.require(request, "accounts.manage_member", org.id)
    with transaction.atomic():
        services.set_role(target.id, body.role, org.id if org else None, actor=actor)
    return services.profile(target.id)


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
@paginate(Pagination)
def list_tokens(request):
    user = authz.require(request, "accounts.manage_token")
    return services.tokens_of(user.pk)


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
    if not services.revoke_token_by_id(token_id, actor=user):
        raise ApiError(404, "not-found")
    return Status(204, None)
