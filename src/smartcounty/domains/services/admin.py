from django.contrib import admin

from smartcounty.domains.services.models import (
    Application,
    Consent,
    Evaluation,
    Licence,
    Material,
    Rectification,
    ServiceItem,
    SubmittedMaterial,
)
from smartcounty.kernel.admin import AuditedModelAdmin, ReadOnlyAdminMixin


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 1
    fields = ("order", "name", "form", "count", "required", "condition", "formats", "blank_form", "sample",
              "licence_type")


@admin.register(ServiceItem)
class ServiceItemAdmin(AuditedModelAdmin):
    """Staff keep the catalogue here; saving checks the code's shape and the organisation (services.save_item)."""

    list_display = ("code", "name", "item_type", "organisation_code", "promised_days", "is_published")
    list_filter = ("item_type", "is_published", "organisation_code")
    search_fields = ("code", "name", "keywords")
    inlines = (MaterialInline,)
    filter_horizontal = ("parts",)
    exclude = ("organisation_id",)

    def save_model(self, request, obj, form, change):
        from smartcounty.domains.services import services

        services.save_item(obj, actor=request.user)


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("number", "item", "state", "channel", "created_at", "closed_at")
    list_filter = ("state", "channel")
    search_fields = ("number",)
    personal_fields = ("applicant_name", "applicant_id_number", "applicant_phone")


@admin.register(Licence)
class LicenceAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ("number", "licence_type", "issuer_name", "issued_on", "valid_until", "revoked")
    search_fields = ("number",)
    personal_fields = ("holder_name", "holder_id_number")


for model in (SubmittedMaterial, Consent, Evaluation, Rectification):
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyAdminMixin, AuditedModelAdmin), {}))
