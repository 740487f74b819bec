from django.utils.translation import gettext_lazy as _

from smartcounty.kernel.module import ModuleConfig


class ServicesConfig(ModuleConfig):
    name = "smartcounty.domains.services"
    label = "services"
    verbose_name = _("Government services")
    name_zh = "一网通办"
    name_en = "One-window government services"
    plan_actions = (15, 6, 16, 19, 20, 21)
    depends_on = ("accounts", "cases", "catalog", "cockpit")

    def register(self, reg):
        from smartcounty.domains.services import demo, panels
        from smartcounty.domains.services.catalogue import CASE_TYPE

        reg.case_types.register(CASE_TYPE.key, CASE_TYPE, module=self.label)
        from smartcounty.domains.services.services import OPEN_DATA_ITEMS, OPEN_DATA_STATS
        from smartcounty.foundation.catalog.schemas import ResourceSpec

        reg.catalog_resources.register(OPEN_DATA_ITEMS, ResourceSpec(
            provider="approval", slug="gx-service-items", name="冠县政务服务事项清单",
            summary="冠县各部门政务服务事项：编码、名称、类型、实施机构、承诺时限、法定时限、到现场次数、网办深度和收费。",
            domain="18", open_type="open", update_cycle="daily", tags=["政务服务", "事项清单", "一网通办"],
            items=[{"name": "code", "title": "事项编码", "required": True}, {"name": "name", "title": "事项名称"},
                   {"name": "type", "title": "事项类型"}, {"name": "organisation", "title": "实施机构"},
                   {"name": "promised_days", "title": "承诺时限（工作日）", "data_type": "integer"},
                   {"name": "legal_days", "title": "法定时限（工作日）", "data_type": "integer"},
                   {"name": "visits", "title": "到现场次数", "data_type": "integer"},
                   {"name": "online_depth", "title": "网办深度", "data_type": "integer"},
                   {"name": "fee", "title": "收费"}]), module=self.label)
        reg.catalog_resources.register(OPEN_DATA_STATS, ResourceSpec(
            provider="approval", slug="gx-service-statistics", name="冠县政务服务办件统计",
            summary="按月、按部门统计的办件量、按时办结率、即办件占比、网办占比、平均跑动次数和好差评满意度（不含申请人信息）。",
            domain="18", open_type="open", update_cycle="daily", tags=["政务服务", "好差评", "办件统计"],
            items=[{"name": "month", "title": "月份", "required": True}, {"name": "organisation", "title": "部门"},
                   {"name": "applications", "title": "办件量", "data_type": "integer"},
                   {"name": "closed", "title": "办结量", "data_type": "integer"},
                   {"name": "on_time_rate", "title": "按时办结率", "data_type": "number"},
                   {"name": "instant_share", "title": "即办件占比", "data_type": "number"},
                   {"name": "online_share", "title": "网办占比", "data_type": "number"},
                   {"name": "avg_visits", "title": "平均跑动次数", "data_type": "number"},
                   {"name": "avg_rating", "title": "平均评价等级", "data_type": "number"},
                   {"name": "satisfied_share", "title": "满意率", "data_type": "number"}]), module=self.label)
        for code, title, roles in (
            ("services.apply", _("Apply for government services and follow them"),
             ("resident", "staff", "org_admin", "grid_worker")),
            ("services.handle", _("Take in, review and decide applications"), ("staff", "org_admin")),
            ("services.manage", _("Keep the service-item catalogue"), ("org_admin",)),
        ):
            reg.permissions.register(code, reg.Permission(code, title, roles), module=self.label)
        reg.menu.register("services.catalogue", reg.MenuEntry(
            "services.catalogue", _("Government services"), "services:index", order=20, public=True,
            group="services"),
            module=self.label)
        reg.menu.register("services.desk", reg.MenuEntry(
            "services.desk", _("Applications"), "services:desk", order=21, permission="services.handle",
            group="governance"),
            module=self.label)
        reg.demo_loaders.register("services", reg.DemoLoader("services", demo.load, order=80,
                                                             title=_("Government services demo")), module=self.label)
        for p in panels.panels():
            reg.cockpit_panels.register(p.key, p, module=self.label)
