"""Template context: the navigation, built from the module registry."""

from django.urls import NoReverseMatch, reverse

from smartcounty.kernel import registry
from smartcounty.kernel.authz import user_has_perm


def navigation(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    items = []
    for entry in sorted(registry.menu.values(), key=lambda e: (e.order, e.key)):
        if not entry.public and not signed_in:
            continue
        if entry.permission and not (signed_in and user_has_perm(user, entry.permission)):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"key": entry.key, "title": entry.title, "url": url, "icon": entry.icon,
                      "active": request.path.startswith(url) and url != "/"})
    return {"nav_items": items}
