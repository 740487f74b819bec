"""Traceability batches (入库批次/出库批次), the links between them (split, merge, processing) and their
EPCIS-style events, each event chained to the one before by a SHA-256 hash."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    # NY/T 4712-2025 stages, and the sale at the shop
    PRODUCTION = "production", _("Production")
    PURCHASE = "purchase", _("Purchase")
    STORAGE = "storage", _("Storage")
    TRANSPORT = "transport", _("Transport")
    PROCESSING = "processing", _("Processing")
    SALE = "sale", _("Sale")


class Batch(models.Model):
    class ProducerKind(models.TextChoices):
        ENTERPRISE = "uscc", _("Enterprise (credit code)")
        PERSON = "id", _("Person (ID number)")

    code = models.CharField(_("traceability code"), max_length=32, unique=True)
    product = models.CharField(_("product"), max_length=80)
    quantity = models.FloatField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=12, default="kg")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    producer_kind = models.CharField(_("producer identified by"), max_length=4, choices=ProducerKind.choices)
    producer_code = models.CharField(_("producer code"), max_length=18)
    producer_name = models.CharField(_("producer"), max_length=120)
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created"))
    recalled_at = models.DateTimeField(_("recalled"), null=True, blank=True)
    recall_reason = models.CharField(_("recall reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        indexes = [models.Index(fields=["organisation_id", "id"], name="trace_batch_org_idx"),
                   models.Index(fields=["producer_code"], name="trace_batch_producer_idx")]

    def __str__(self):
        return self.code


class Link(models.Model):
    """An input batch (``parent``) that went into an output batch (``child``). The two composite indexes,
    (parent, child) and (child, parent), cover both directions of a trace (index-only scans); the
    foreign keys need no index of their own."""

    class Kind(models.TextChoices):
        SPLIT = "split", _("Split")
        MERGE = "merge", _("Merge")
        PROCESS = "process", _("Processing")

    parent = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="+", db_index=False)
    child = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)

    class Meta:
        verbose_name = _("batch link")
        verbose_name_plural = _("batch links")
        constraints = [models.UniqueConstraint(fields=["parent", "child"], name="trace_link_unique")]
        indexes = [models.Index(fields=["child", "parent"], name="trace_link_child_idx")]

    def __str__(self):
        return f"{self.parent_id}->{self.child_id}"


class Event(models.Model):
    class Kind(models.TextChoices):
        CREATE = "create", _("Created")
        INSPECT = "inspect", _("Inspected")
        STORE = "store", _("Stored")
        TRANSPORT = "transport", _("Transported")
        PROCESS = "process", _("Processed")
        SPLIT = "split", _("Split")
        MERGE = "merge", _("Merged")
        SELL = "sell", _("Sold")
        RECALL = "recall", _("Recalled")

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    time = models.DateTimeField(_("time"))
    who = models.CharField(_("who"), max_length=120)
    place = models.CharField(_("where"), max_length=120, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    readings = models.JSONField(_("sensor readings"), default=list, blank=True)
    inputs = models.JSONField(_("input batches"), default=list, blank=True)
    outputs = models.JSONField(_("output batches"), default=list, blank=True)
    result = models.CharField(_("result"), max_length=8, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("traceability event")
        verbose_name_plural = _("traceability events")
        indexes = [models.Index(fields=["batch", "time"], name="trace_event_batch_idx")]

    def __str__(self):
        return f"{self.batch_id} {self.kind}"
