"""Template context: the navigation, built from the module registry."""

from django.urls import NoReverseMatch, reverse

from smartcounty.kernel import registry
from smartcounty.kernel.authz import user_has_perm


def _may_see(user, entry, orgs: dict) -> bool:
    if not user_has_perm(user, entry.permission):
        return False
    if entry.organisation is None or user_has_perm(user, entry.permission, -1):  # county-wide: no lookup
        return True
    if entry.organisation not in orgs:  # entries of one module share their lookup: once per page
        orgs[entry.organisation] = entry.organisation() or -1
    return user_has_perm(user, entry.permission, orgs[entry.organisation])


def navigation(request):
    """The top bar: the entries this user may see, in their groups (``registry.MENU_GROUPS``), in order. Each
    item is a link (``url``) or a group (``children``: links); a group with one visible entry is that link."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    links, groups, orgs = [], {}, {}
    for entry in sorted(registry.menu.values(), key=lambda e: (e.order, e.key)):
        if not entry.public and not signed_in:
            continue
        if entry.permission and not (signed_in and _may_see(user, entry, orgs)):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        link = {"key": entry.key, "title": entry.title, "url": url, "icon": entry.icon,
                "active": request.path.startswith(url) and url != "/"}
        if entry.group in registry.MENU_GROUPS:
            groups.setdefault(entry.group, []).append(link)
        else:
            links.append((entry.order, link))
    for key, children in groups.items():
        order, title = registry.MENU_GROUPS[key]
        if len(children) == 1:
            links.append((order, children[0]))
        else:
            links.append((order, {"key": key, "title": title, "children": children,
                                  "active": any(c["active"] for c in children)}))
    return {"nav_items": [item for _order, item in sorted(links, key=lambda x: x[0])]}


def map_config(request):
    """What ``static/js/scmap.js`` needs to draw a map: the tile layers (none: the offline background) and
    where the offline background comes from (the places module's API, when it is installed)."""
    from django.conf import settings

    from smartcounty.kernel.tiles import tile_layers

    env = {name: getattr(settings, name, "") for name in (
        "SMARTCOUNTY_TILE_PRESET", "SMARTCOUNTY_TIANDITU_KEY", "SMARTCOUNTY_TILE_URL", "SMARTCOUNTY_TILE_CRS",
        "SMARTCOUNTY_TILE_ATTRIBUTION", "SMARTCOUNTY_TILE_SUBDOMAINS")}
    background = grids = ""
    try:
        background = reverse("api:places_background")
        grids = reverse("api:places_grids_geojson")
    except NoReverseMatch:
        pass
    return {"sc_map": {"tiles": tile_layers(env), "background": background, "grids": grids}}
