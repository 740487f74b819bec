"""Which catalog entries a CKAN caller sees (public ones; private ones only with the right)."""

from smartcounty.foundation.catalog.ckan.callers import Caller, CkanError
from smartcounty.foundation.catalog.ckan.params import _is_uuid
from smartcounty.foundation.catalog.models import OpenType, Resource

PUBLIC = (OpenType.OPEN, OpenType.METADATA)


def _not_found(what="Not found"):
    return CkanError(404, "Not Found Error", what)


def _visible(caller: Caller | None, *, include_private: bool = True):
    """The catalog entries this caller may see: the public ones, and private ones only when asked
    (``include_private``) and the caller has the right (``Caller.internal``: the same permission and
    token scope ``/api/v1/catalog/`` checks)."""
    qs = Resource.objects.all()
    if include_private and caller is not None and caller.internal:
        return qs
    return qs.filter(open_type__in=PUBLIC)


def _by_resource_id(params, caller):
    ident = params.get("id") or params.get("resource_id")
    if not ident or not _is_uuid(ident):
        raise _not_found("Resource was not found.")
    res = _visible(caller).select_related("current_version").filter(datastore_uuid=ident).first()
    if res is None:
        raise _not_found("Resource was not found.")
    return res
