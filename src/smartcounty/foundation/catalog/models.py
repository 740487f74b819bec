"""Catalog tables: resources and their information items, dataset versions and rows, sharing
requests and grants, registered open-data apps, usage counters.

Organisations belong to accounts: a provider or grantee is stored as its id and code (no
ForeignKey into accounts), plus the name at the time, so that lists need no cross-module join.
"""

import uuid as uuidlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartcounty.foundation.catalog import domains


class SharingType(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("Unconditional sharing")
    CONDITIONAL = "conditional", _("Conditional sharing")
    NONE = "none", _("Not shared")


class OpenType(models.TextChoices):
    OPEN = "open", _("Open data")
    METADATA = "metadata", _("Metadata open, data restricted")
    CLOSED = "closed", _("Not open")


class UpdateCycle(models.TextChoices):
    REALTIME = "realtime", _("Real time")
    HOURLY = "hourly", _("Hourly")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    IRREGULAR = "irregular", _("Irregular")


class ResourceFormat(models.TextChoices):
    TABLE = "table", _("Table")
    SPATIAL = "spatial", _("Spatial data")
    FILE = "file", _("File")
    API = "api", _("Service interface")


class ResourceQuerySet(models.QuerySet):
    """Search results can carry a cheaper way to count themselves (the search index alone). Any
    further filtering makes a new queryset without it, so the shortcut only answers for itself."""

    fast_count = None

    def count(self):
        if self.fast_count is not None and self._result_cache is None:
            return self.fast_count()
        return super().count()


class Resource(models.Model):
    """A government data resource: the catalog entry (GB/T 21063 core metadata)."""

    uuid = models.UUIDField(_("package id"), default=uuidlib.uuid4, unique=True, editable=False)
    datastore_uuid = models.UUIDField(_("data resource id"), default=uuidlib.uuid4, unique=True, editable=False)
    code = models.CharField(_("resource code"), max_length=40, unique=True)
    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    classification = models.CharField(_("classification code"), max_length=20, db_index=True)
    domain = models.CharField(_("open-data domain"), max_length=2, choices=domains.CHOICES, db_index=True)
    provider_org_id = models.BigIntegerField(_("provider organisation id"), db_index=True)
    provider_org_code = models.CharField(_("provider organisation code"), max_length=40, db_index=True)
    provider_org_name = models.CharField(_("provider organisation"), max_length=100)
    format = models.CharField(_("format"), max_length=10, choices=ResourceFormat.choices, default=ResourceFormat.TABLE)
    sharing_type = models.CharField(_("sharing type"), max_length=15, choices=SharingType.choices, db_index=True)
    sharing_conditions = models.TextField(_("sharing conditions"), blank=True)
    sharing_method = models.CharField(_("sharing method"), max_length=100, blank=True, default="API")
    legal_basis = models.TextField(_("legal basis for not sharing"), blank=True)
    open_type = models.CharField(_("open attribute"), max_length=10, choices=OpenType.choices,
                                 default=OpenType.CLOSED, db_index=True)
    update_cycle = models.CharField(_("update cycle"), max_length=10, choices=UpdateCycle.choices,
                                    default=UpdateCycle.IRREGULAR)
    published_on = models.DateField(_("publication date"), null=True, blank=True, db_index=True)
    related_codes = models.JSONField(_("related resource codes"), default=list, blank=True)
    tags = models.JSONField(_("keywords"), default=list, blank=True)
    source_url = models.URLField(_("pull from URL"), blank=True)
    last_pulled_at = models.DateTimeField(_("last pulled"), null=True, blank=True)
    pull_error = models.TextField(_("last pull error"), blank=True)
    current_version = models.ForeignKey("DatasetVersion", verbose_name=_("current version"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True, db_index=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("data resource")
        verbose_name_plural = _("data resources")
        indexes = [models.Index(fields=["open_type", "domain"], name="catalog_res_open_domain")]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def domain_entry(self):
        return domains.BY_CODE.get(self.domain)


class InfoItem(models.Model):
    """An information item (信息项): one field of the resource's data."""

    class DataType(models.TextChoices):
        STRING = "string", _("Text")
        INTEGER = "integer", _("Integer")
        NUMBER = "number", _("Number")
        BOOLEAN = "boolean", _("Yes/no")
        DATE = "date", _("Date")
        DATETIME = "datetime", _("Date and time")
        GEOMETRY = "geometry", _("Geometry")

    class Personal(models.TextChoices):
        NONE = "", _("Not personal")
        NAME = "name", _("Personal name")
        PHONE = "phone", _("Phone number")
        ID_NUMBER = "id_number", _("ID number")
        ADDRESS = "address", _("Address")

    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("field name"), max_length=64)
    title = models.CharField(_("title"), max_length=100)
    data_type = models.CharField(_("data type"), max_length=10, choices=DataType.choices, default=DataType.STRING)
    required = models.BooleanField(_("required"), default=False)
    personal = models.CharField(_("personal data"), max_length=10, choices=Personal.choices, blank=True, default="")

    class Meta:
        ordering = ["resource", "position"]
        verbose_name = _("information item")
        verbose_name_plural = _("information items")
        constraints = [models.UniqueConstraint(fields=["resource", "name"], name="catalog_item_unique_name")]

    def __str__(self):
        return f"{self.name} ({self.title})"


class DatasetVersion(models.Model):
    """One loaded version of a resource's data; the resource points at its current one."""

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Upload")
        URL = "url", _("Pulled from URL")
        SERVICE = "service", _("Published by a module")

    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    file_format = models.CharField(_("file format"), max_length=10, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    is_spatial = models.BooleanField(_("spatial"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("loaded by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("loaded"), auto_now_add=True)

    class Meta:
        ordering = ["resource", "-number"]
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")
        constraints = [models.UniqueConstraint(fields=["resource", "number"], name="catalog_version_unique")]

    def __str__(self):
        return f"{self.resource.code} v{self.number}"


class DataRow(models.Model):
    """One row of a dataset version; ``data`` maps field names to values (geometry as GeoJSON)."""

    version = models.ForeignKey(DatasetVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("row number"))
    data = models.JSONField(_("data"))

    class Meta:
        ordering = ["version", "number"]
        verbose_name = _("data row")
        verbose_name_plural = _("data rows")
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="catalog_row_unique")]

    def __str__(self):
        return f"row {self.number}"


class SharingRequest(models.Model):
    """A request for a conditionally shared resource; the provider decides within 10 working days."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="requests")
    requester_org_id = models.BigIntegerField(_("requesting organisation id"), db_index=True)
    requester_org_code = models.CharField(_("requesting organisation code"), max_length=40)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
                                     related_name="+")
    purpose = models.TextField(_("purpose"))
    fields = models.JSONField(_("fields"), default=list)
    unmasked_fields = models.JSONField(_("fields needed unmasked"), default=list, blank=True)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    due_on = models.DateField(_("decision due"), db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decision_note = models.TextField(_("decision note"), blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("sharing request")
        verbose_name_plural = _("sharing requests")
        indexes = [models.Index(fields=["resource", "status"], name="catalog_req_res_status")]

    def __str__(self):
        return f"#{self.pk} {self.requester_org_code} → {self.resource.code}"


class Grant(models.Model):
    """Access of one organisation to one resource: which fields, which of them unmasked, which rows, until when."""

    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="grants")
    request = models.OneToOneField(SharingRequest, verbose_name=_("request"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="grant")
    grantee_org_id = models.BigIntegerField(_("organisation id"), db_index=True)
    grantee_org_code = models.CharField(_("organisation code"), max_length=40)
    fields = models.JSONField(_("fields"), default=list)
    unmasked_fields = models.JSONField(_("unmasked fields"), default=list, blank=True)
    row_filter = models.JSONField(_("row filter"), default=dict, blank=True)
    starts_on = models.DateField(_("from"))
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("granted by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        indexes = [models.Index(fields=["resource", "grantee_org_id"], name="catalog_grant_res_org")]

    def __str__(self):
        return f"grant #{self.pk} {self.grantee_org_code} → {self.resource.code}"


class App(models.Model):
    """A registered app of the open-data portal: a key (only its SHA-256 stored) and a rate limit."""

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
                              related_name="catalog_apps")
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    digest = models.CharField(_("key digest"), max_length=64, unique=True)
    per_minute = models.PositiveIntegerField(_("requests per minute"), default=60)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("registered app")
        verbose_name_plural = _("registered apps")

    def __str__(self):
        return f"{self.name} ({self.prefix})"


class AppWindow(models.Model):
    """Calls of an app in one minute (fixed-window rate limit, shared by every worker process)."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="+")
    minute = models.BigIntegerField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["app", "minute"], name="catalog_appwindow_unique")]

    def __str__(self):
        return f"{self.app_id}@{self.minute}: {self.calls}"


class Usage(models.Model):
    """Views, downloads and API calls of a resource per day (kept apart from the catalog rows, so
    counting never touches the table that search reads)."""

    resource = models.ForeignKey(Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="usage")
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    api_calls = models.PositiveIntegerField(_("API calls"), default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("usage")
        verbose_name_plural = _("usage")
        constraints = [models.UniqueConstraint(fields=["resource", "day"], name="catalog_usage_unique")]

    def __str__(self):
        return f"{self.resource_id} {self.day}"


class SearchTerm(models.Model):
    """Inverted index for catalog search: one row per (segmented word, resource)."""

    term = models.CharField(max_length=32)
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="search_terms")
    weight = models.PositiveSmallIntegerField(default=1)
    #: The resource is in the public catalogue (kept in step by ``index_resource``), so a portal
    #: query reads the index alone: (term, weight, resource, public) gives matches in rank order.
    public = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "resource"], name="catalog_term_unique")]
        indexes = [models.Index(fields=["term", "weight", "resource", "public"], name="catalog_term_rank")]

    def __str__(self):
        return self.term
