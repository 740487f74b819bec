"""A relying party on Authlib, as a county system would write one: a small web app (wsgiref, in a thread)
that signs its users in through the platform with the authorisation code flow and PKCE (S256), checks the
ID token against the published keys, refreshes, reads userinfo and signs out (RP-initiated logout).

``RelyingParty(issuer, client_id, secret, scope)``; ``start()`` serves it on a free port (``base``);
``results`` holds what the last sign-in got (id-token claims, the refreshed token, userinfo)."""

import json
import secrets
import socket
import threading
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RelyingParty:
    def __init__(self, issuer: str, client_id: str, client_secret: str, scope: str, port: int | None = None):
        self.issuer, self.client_id, self.client_secret, self.scope = issuer, client_id, client_secret, scope
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.metadata = None
        self.pending: dict[str, dict] = {}
        self.results: dict = {}
        self.errors: list[str] = []

    @property
    def redirect_uri(self):
        return self.base + "/callback"

    @property
    def logout_uri(self):
        return self.base + "/bye"

    def discover(self):
        self.metadata = requests.get(self.issuer + "/.well-known/openid-configuration", timeout=10).json()
        return self.metadata

    def session(self, **kw) -> OAuth2Session:
        return OAuth2Session(self.client_id, self.client_secret, scope=self.scope, redirect_uri=self.redirect_uri,
                             code_challenge_method="S256", **kw)

    # -- the app's pages ------------------------------------------------------------------------------------

    def login(self):
        meta = self.metadata or self.discover()
        verifier, nonce = generate_token(48), generate_token(20)
        uri, state = self.session().create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier,
                                                             nonce=nonce)
        self.pending[state] = {"verifier": verifier, "nonce": nonce}
        return uri

    def callback(self, query: str):
        meta = self.metadata
        params = parse_qs(query)
        if "error" in params:
            raise RuntimeError(f"the provider answered {params['error'][0]}")
        flow = self.pending.pop(params["state"][0])
        sess = self.session(state=params["state"][0])
        token = sess.fetch_token(meta["token_endpoint"], authorization_response=self.redirect_uri + "?" + query,
                                 code_verifier=flow["verifier"])
        keyset = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
        claims = jwt.decode(token["id_token"], keyset, claims_cls=CodeIDToken,
                            claims_options={"iss": {"essential": True, "value": meta["issuer"]}},
                            claims_params={"nonce": flow["nonce"], "client_id": self.client_id})
        claims.validate()
        # A refresh asks for what was granted (the person may have left a sensitive scope out), no more.
        refreshed = sess.refresh_token(meta["token_endpoint"], refresh_token=token["refresh_token"], scope=token["scope"])
        info = sess.get(meta["userinfo_endpoint"], timeout=10)
        info.raise_for_status()
        self.results = {"claims": dict(claims), "token": token, "refreshed": refreshed, "userinfo": info.json()}
        return self.results

    def logout_url(self):
        state = secrets.token_urlsafe(8)
        self.results["logout_state"] = state
        return self.metadata["end_session_endpoint"] + "?" + urlencode({
            "id_token_hint": self.results["refreshed"].get("id_token") or self.results["token"]["id_token"],
            "post_logout_redirect_uri": self.logout_uri, "state": state})

    def app(self, environ, start_response):
        path, query = environ["PATH_INFO"], environ.get("QUERY_STRING", "")
        try:
            if path == "/login":
                return self._redirect(start_response, self.login())
            if path == "/callback":
                got = self.callback(query)
                body = (f'<h1 id="hello">{got["userinfo"].get("name", "")}</h1>'
                        f'<pre id="result">{json.dumps(got["userinfo"], ensure_ascii=False)}</pre>'
                        '<a id="logout" href="/logout">logout</a>')
                return self._page(start_response, body)
            if path == "/logout":
                return self._redirect(start_response, self.logout_url())
            if path == "/bye":
                self.results["bye_state"] = parse_qs(query).get("state", [""])[0]
                return self._page(start_response, '<h1 id="bye">bye</h1>')
        except Exception as exc:  # shown to the test, which fails on it
            self.errors.append(repr(exc))
            return self._page(start_response, f'<h1 id="error">{type(exc).__name__}</h1>', "500 Internal Server Error")
        return self._page(start_response, "not found", "404 Not Found")

    @staticmethod
    def _redirect(start_response, uri):
        start_response("302 Found", [("Location", uri)])
        return [b""]

    @staticmethod
    def _page(start_response, body, status="200 OK"):
        start_response(status, [("Content-Type", "text/html; charset=utf-8")])
        return [f"<!doctype html><meta charset=utf-8><link rel=icon href=\"data:,\"><body>{body}</body>".encode()]

    def start(self):
        self._server = make_server("127.0.0.1", self.port, self.app, handler_class=_Quiet)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
