"""The provider's pages and endpoints: DOT's views with the platform's consent page, key set, discovery
and sign-out (every wording through gettext, Chinese first).

A redirect back to a client is a small page that moves on by itself (``redirect.html``, a meta refresh)
rather than a 302: the platform's Content-Security-Policy allows forms to post only to itself, and a
browser applies that to where a form's answer redirects (the consent and sign-out confirmations, the
sign-in page that leads straight back to a client)."""

import json
from urllib.parse import urlparse

from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from oauth2_provider import views as dot
from oauth2_provider.exceptions import OAuthToolkitError

from smartcounty.foundation.accounts.oidc import consent, keys
from smartcounty.foundation.accounts.oidc.scopes import SENSITIVE, all_scopes
from smartcounty.foundation.accounts.services import record_sign_in, record_sign_out
from smartcounty.kernel import audit, masking


def _redirect_page(request, uri, application):
    allowed = application.get_allowed_schemes() if application else ("http", "https")
    if urlparse(uri).scheme not in allowed:
        return HttpResponseBadRequest()
    return render(request, "accounts/oidc/redirect.html", {"uri": uri, "application": application})


class AuthorizeView(dot.AuthorizationView):
    """The consent page: what the client asks to know; phone and ID number each need their own tick.
    A consent that already covers every scope asked for is not asked again (unless ``prompt=consent``)."""

    template_name = "accounts/oidc/authorize.html"

    def redirect(self, redirect_to, application):
        return _redirect_page(self.request, redirect_to, application)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        titles = all_scopes()
        scopes = ctx.get("scopes") or []
        user = self.request.user
        shown = {"phone": masking.mask_phone(user.phone) if user.phone else "",
                 "id_number": masking.mask_id_number(user.id_number) if user.id_number else ""}
        ctx["plain_scopes"] = [str(titles.get(s, s)) for s in scopes if s not in SENSITIVE]
        ctx["sensitive_scopes"] = [{"code": s, "title": str(titles.get(s, s)), "shown": shown.get(s, "")}
                                   for s in scopes if s in SENSITIVE]
        return ctx

    def render_to_response(self, context, **kwargs):
        app, scopes = context.get("application"), context.get("scopes")
        prompt = set(self.request.GET.get("prompt", "").split())
        if self.request.method == "GET" and app is not None and scopes and "error" not in context \
                and "consent" not in prompt:
            allowed, declined = consent.decided(self.request.user.pk, app.pk)
            if set(scopes) <= allowed | declined:  # everything asked was decided before: not asked again
                return self._approve(app, [s for s in scopes if s in allowed], self.get_initial())
        return super().render_to_response(context, **kwargs)

    def _approve(self, application, scopes, data):
        credentials = {k: data[k] for k in ("client_id", "redirect_uri", "response_type", "state", "code_challenge",
                                            "code_challenge_method", "nonce", "claims") if data.get(k)}
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=self.request, scopes=" ".join(scopes), credentials=credentials, allow=True)
        except OAuthToolkitError as error:
            return self.error_response(error, application)
        return self.redirect(uri, application)

    def form_valid(self, form):
        asked = form.cleaned_data.get("scope", "").split()
        ticked = set(self.request.POST.getlist("share"))
        # A sensitive scope goes only when its own box is ticked; the rest goes with the consent as a whole.
        form.cleaned_data["scope"] = " ".join(s for s in asked if s not in SENSITIVE or s in ticked)
        self.declined = [s for s in asked if s in SENSITIVE and s not in ticked]
        return super().form_valid(form)

    def create_authorization_response(self, request, scopes, credentials, allow):
        """Grant (or refuse) the client; the consent, the sign-in and a refusal are audited."""
        from django.db import transaction

        from smartcounty.foundation.accounts.models import OidcClient

        client = OidcClient.objects.filter(client_id=credentials.get("client_id")).first()
        try:
            with transaction.atomic():
                result = super().create_authorization_response(request, scopes, credentials, allow)
                if allow and client is not None:
                    granted = set(scopes.split() if isinstance(scopes, str) else scopes)
                    declined = set(getattr(self, "declined", ()))
                    held, refused = consent.decided(request.user.pk, client.pk)
                    if not (granted <= held and declined <= refused):
                        consent.record(request.user, client, granted, declined)
                    record_sign_in(request.user, via=f"oidc:{client.client_id}")
        except OAuthToolkitError:
            if not allow and client is not None:
                audit.record("accounts.oidc_denied", actor=request.user, obj=client,
                             detail={"user": request.user.username, "client": client.client_id})
            raise
        return result


class DiscoveryView(dot.ConnectDiscoveryInfoView):
    """DOT's discovery document, saying what this provider really offers."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data.update({
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "revocation_endpoint": request.build_absolute_uri("/o/revoke_token/"),
            "introspection_endpoint": request.build_absolute_uri("/o/introspect/"),
            "ui_locales_supported": ["zh-CN", "en"],
        })
        out = JsonResponse(data)
        out["Access-Control-Allow-Origin"] = "*"
        return out


def jwks(request):
    """Every active signing key's public half; the newest signs, older ones verify until retired."""
    response = JsonResponse({"keys": [k.public() for k in keys.published()]})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=600"
    return response


class UserInfoView(dot.UserInfoView):
    pass


class LogoutView(dot.RPInitiatedLogoutView):
    """RP-initiated sign-out (audited as a sign-out of the platform too)."""

    template_name = "accounts/oidc/logout.html"

    def do_logout(self, application=None, post_logout_redirect_uri=None, state=None, token_user=None):
        user = self.request.user
        if user.is_authenticated:
            record_sign_out(user)
        response = super().do_logout(application, post_logout_redirect_uri, state, token_user)
        return _redirect_page(self.request, response.url, application) if post_logout_redirect_uri else response
