from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class PlacesConfig(ModuleConfig):
    name = "smartcounty.foundation.places"
    label = "places"
    verbose_name = _("Divisions and grids")
    name_zh = "行政区划与网格"
    name_en = "Divisions and grids"
    plan_actions = (5, 7, 12)
    depends_on = ()

    def register(self, reg):
        from smartcounty.foundation.places import demo

        reg.permissions.register(
            "places.manage",
            reg.Permission("places.manage", _("Manage divisions and grids (rename, import geometry)"), ()),
            module=self.label,
        )
        for code, title, roles in (
            ("places.view_layers", _("View non-public map layers"), ("org_admin", "staff", "grid_worker")),
            ("places.import_layers", _("Import map layers (GeoJSON, Shapefile, KML)"), ("org_admin", "staff")),
        ):
            reg.permissions.register(code, reg.Permission(code, title, roles), module=self.label)
        reg.menu.register(
            "places", reg.MenuEntry(key="places", title=_("Map of towns and grids"), url_name="places:map",
                                    order=20, public=True, group="city"),
            module=self.label,
        )
        reg.demo_loaders.register(
            "places", reg.DemoLoader(key="places", load=demo.load, order=20,
                                     title=_("Guan County, its 18 towns and streets, demo grids")),
            module=self.label,
        )
