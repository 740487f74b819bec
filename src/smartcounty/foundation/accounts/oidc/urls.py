"""The provider's addresses: ``/o/`` (authorise, token, userinfo, sign-out, revoke, introspect) and the
two well-known documents at the root (the issuer is the site itself). Mounted by ``smartcounty.urls``
in DOT's ``oauth2_provider`` namespace, which DOT's views reverse."""

from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import views as dot

from smartcounty.foundation.accounts.oidc import views

patterns = [
    path("o/authorize/", views.AuthorizeView.as_view(), name="authorize"),
    path("o/token/", dot.TokenView.as_view(), name="token"),
    path("o/revoke_token/", dot.RevokeTokenView.as_view(), name="revoke-token"),
    path("o/introspect/", dot.IntrospectTokenView.as_view(), name="introspect"),
    path("o/userinfo/", views.UserInfoView.as_view(), name="user-info"),
    path("o/logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
    path(".well-known/openid-configuration", views.DiscoveryView.as_view(), name="oidc-connect-discovery-info"),
    path(".well-known/jwks.json", csrf_exempt(views.jwks), name="jwks-info"),
]

urlpatterns = [path("", include((patterns, "oauth2_provider")))]
