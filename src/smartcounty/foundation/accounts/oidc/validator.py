"""The request validator: DOT's, with the platform's claims, S256-only PKCE, keys by ``kid`` and an
audit row for every token granted (authorisation code, refresh, client credentials)."""

import json

from django.db import transaction
from jwcrypto import jws
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from smartcounty.foundation.accounts.oidc import consent, keys
from smartcounty.foundation.accounts.oidc.scopes import SENSITIVE
from smartcounty.kernel import audit

CLAIM_SCOPE = {
    **OAuth2Validator.oidc_claim_scope,
    "organisation": "organisation",
    "roles": "roles",
    "id_number": "id_number",
}


class Validator(OAuth2Validator):
    oidc_claim_scope = CLAIM_SCOPE

    def is_pkce_required(self, client_id, request):
        # Called while an authorisation request is checked (after its redirect URI is known good, so the
        # error goes back to the client): only S256 is accepted; a missing method would mean plain.
        if getattr(request, "code_challenge", None) is not None and request.code_challenge_method != "S256":
            raise errors.InvalidRequestError(description="code_challenge_method must be S256", request=request)
        return True

    def get_additional_claims(self, request):
        user = request.user
        claims = {"name": str(user), "preferred_username": user.username}
        if user.organisation_id:
            org = user.organisation
            claims["organisation"] = {"code": org.code, "name": org.name}
        claims["roles"] = [user.role, *(["superuser"] if user.is_superuser else [])]
        # Personal data only with the scope granted (checked by get_oidc_claims) *and* the consent still held.
        held = consent.granted(user.pk, request.client.pk) if request.client else set()
        if "phone" in held and user.phone:
            claims["phone_number"] = "+86" + user.phone
        if "id_number" in held and user.id_number:
            claims["id_number"] = user.id_number
        return claims

    def get_discovery_claims(self, request):
        return ["sub", "name", "preferred_username", "organisation", "roles", "phone_number", "id_number"]

    def get_userinfo_claims(self, request):
        if getattr(request, "user", None) is None:  # a machine client's token speaks for no person
            raise errors.InsufficientScopeError(request=request)
        return super().get_userinfo_claims(request)

    def _get_key_for_token(self, token):
        """The published key named by the token's ``kid`` (older keys still verify until retired)."""
        unverified = jws.JWS()
        unverified.deserialize(token)
        header = unverified.jose_header
        if isinstance(header, list):
            header = header[0]
        key = keys.by_kid(header.get("kid", "")) if isinstance(header, dict) else None
        if key is None:
            return None
        claims = json.loads(unverified.objects["payload"].decode("utf-8"))
        return key.jwk if "aud" in claims and self._get_client_by_audience(claims["aud"]) else None

    def save_bearer_token(self, token, request, *args, **kwargs):
        with transaction.atomic():  # the token and its audit row commit together
            result = super().save_bearer_token(token, request, *args, **kwargs)
            self._audit_grant(token, request)
        return result

    @staticmethod
    def _audit_grant(token, request):
        user = getattr(request, "user", None)
        client = request.client
        audit.record("accounts.oidc_token", actor=user, obj=client,
                     detail={"client": client.client_id, "grant_type": request.grant_type,
                             "scopes": (token.get("scope") or "").split(),
                             "user": getattr(user, "username", None),
                             "sensitive": sorted(set((token.get("scope") or "").split()) & set(SENSITIVE))})
