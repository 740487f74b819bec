"""The scopes a client may be given: about a person (sign-in clients) or a module's data (machine clients).

DOT asks this backend (settings ``SCOPES_BACKEND_CLASS``) which scopes exist and which a client may ask
for: only those a platform administrator allowed it (``OidcClient.allowed_scopes``); a client-credentials
grant never gets a scope about people."""

from django.utils.translation import gettext_lazy as _

from smartcounty.kernel import registry

PERSON_SCOPES = {
    "openid": _("Sign you in (an identifier for your account)"),
    "profile": _("Your name and username"),
    "organisation": _("Your organisation"),
    "roles": _("Your role in the platform"),
    "phone": _("Your mobile phone number"),
    "id_number": _("Your ID number"),
}
#: Scopes whose claims are personal data: given only with the person's recorded consent.
SENSITIVE = ("phone", "id_number")


def machine_scopes() -> dict:
    """One scope per module (its label), for machine clients."""
    return {label: _("Read data of the module %(m)s") % {"m": getattr(mod, "name_zh", label)}
            for label, mod in registry.modules.items()}


def all_scopes() -> dict:
    return {**PERSON_SCOPES, **machine_scopes()}


class ClientScopes:
    """DOT's scopes backend over ``OidcClient.allowed_scopes``."""

    def get_all_scopes(self):
        return all_scopes()

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        if application is None:
            return list(PERSON_SCOPES)
        allowed = [s for s in application.allowed_scopes or [] if s in all_scopes()]
        if application.authorization_grant_type == application.GRANT_CLIENT_CREDENTIALS or \
                getattr(request, "grant_type", None) == "client_credentials":
            allowed = [s for s in allowed if s not in PERSON_SCOPES]
        return allowed

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        if application is not None and application.authorization_grant_type == application.GRANT_CLIENT_CREDENTIALS:
            return self.get_available_scopes(application, request)
        return ["openid"]
