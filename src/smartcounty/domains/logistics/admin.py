from django.contrib import admin

from smartcounty.domains.logistics.models import MonthlySales, Shop, Site
from smartcounty.kernel.admin import AuditedModelAdmin


@admin.register(Site)
class SiteAdmin(AuditedModelAdmin):
    list_display = ("name", "level", "town_code", "village_name", "operator")
    list_filter = ("level",)
    search_fields = ("name",)


@admin.register(Shop)
class ShopAdmin(AuditedModelAdmin):
    list_display = ("name", "platform", "category", "town_code")
    search_fields = ("name",)


@admin.register(MonthlySales)
class MonthlySalesAdmin(AuditedModelAdmin):
    list_display = ("shop", "month", "orders", "amount")
    list_select_related = ("shop",)
