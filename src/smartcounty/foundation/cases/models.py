"""Cases, their immutable history, attachments, assignment rules and the working-day calendar."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImmutableError(Exception):
    """Raised on any attempt to change or remove a history row."""


def attachment_storage():
    return FileSystemStorage(location=settings.DATA_DIR / "media" / "cases")


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CaseTypeSetting(models.Model):
    """Per-installation settings of a declared case type: who owns and who supervises it."""

    case_type = models.CharField(_("case type"), max_length=60, unique=True)
    owner_organisation_id = models.BigIntegerField(_("owning organisation id"), null=True, blank=True)
    supervisor_organisation_id = models.BigIntegerField(_("supervising organisation id"), null=True, blank=True)

    class Meta:
        verbose_name = _("case type setting")
        verbose_name_plural = _("case type settings")

    def __str__(self):
        return self.case_type


class AssignmentRule(models.Model):
    """A case in this grid / town / category goes to this organisation (grid before town before category)."""

    class Kind(models.TextChoices):
        GRID = "grid", _("Grid")
        TOWN = "town", _("Town")
        CATEGORY = "category", _("Category")

    case_type = models.CharField(_("case type"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    key = models.CharField(_("grid, town or category code"), max_length=40)
    organisation_id = models.BigIntegerField(_("organisation id"))

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        constraints = [models.UniqueConstraint(fields=["case_type", "kind", "key"], name="cases_rule_unique")]

    def __str__(self):
        return f"{self.case_type} {self.kind}={self.key} → {self.organisation_id}"


class AlertTrigger(models.Model):
    """An alert raised for this property (any property when blank) at or above this level opens a case."""

    property = models.CharField(_("observed property"), max_length=60, blank=True)
    source = models.CharField(_("alert source"), max_length=40, blank=True)
    min_level = models.PositiveSmallIntegerField(_("lowest level"), default=1)
    case_type = models.CharField(_("case type"), max_length=60)
    category = models.CharField(_("category"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("alert trigger")
        verbose_name_plural = _("alert triggers")
        constraints = [models.UniqueConstraint(fields=["property", "source", "case_type"], name="cases_trigger_unique")]

    def __str__(self):
        return f"{self.property or '*'} ≥ {self.min_level} → {self.case_type}"


class WorkflowDefinition(models.Model):
    """A workflow edited as data (``workflow`` package): the draft ``document``; publishing makes a version."""

    key = models.CharField(_("key"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=100)
    document = models.JSONField(_("definition"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("workflow definition")
        verbose_name_plural = _("workflow definitions")

    def __str__(self):
        return f"{self.title} ({self.key})"


class WorkflowVersion(models.Model):
    """A published, never changed version of a definition; cases run on the version they started on."""

    definition = models.ForeignKey(WorkflowDefinition, verbose_name=_("definition"), on_delete=models.PROTECT,
                                   related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    document = models.JSONField(_("definition"))
    published_at = models.DateTimeField(_("published"))
    published_by = models.CharField(_("published by"), max_length=150, blank=True)

    class Meta:
        ordering = ["definition", "-number"]
        verbose_name = _("workflow version")
        verbose_name_plural = _("workflow versions")
        constraints = [models.UniqueConstraint(fields=["definition", "number"], name="cases_wf_version_unique")]

    def __str__(self):
        return f"{self.definition.key} v{self.number}"


class Case(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    case_type = models.CharField(_("case type"), max_length=60)
    category = models.CharField(_("category"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(_("state"), max_length=30)
    source = models.CharField(_("source"), max_length=20, blank=True)
    organisation_id = models.BigIntegerField(_("responsible organisation id"), null=True, blank=True)
    queue_organisation_id = models.BigIntegerField(_("waiting on organisation id"), null=True, blank=True)
    owner_organisation_id = models.BigIntegerField(_("owning organisation id"), null=True, blank=True)
    supervisor_organisation_id = models.BigIntegerField(_("supervising organisation id"), null=True, blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reporter"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="reported_cases")
    reporter_name = models.CharField(_("reporter name"), max_length=60, blank=True)
    reporter_contact = models.CharField(_("reporter contact"), max_length=120, blank=True)
    town_code = models.CharField(_("town code"), max_length=12, blank=True)
    grid_code = models.CharField(_("grid code"), max_length=16, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    state_entered_at = models.DateTimeField(_("state entered"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    remind_at = models.DateTimeField(_("reminder due"), null=True, blank=True)
    paused = models.BooleanField(_("clock paused"), default=False)
    paused_remaining = models.FloatField(_("working seconds left when paused"), null=True, blank=True)
    paused_from = models.CharField(_("state paused from"), max_length=30, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    ever_overdue = models.BooleanField(_("was ever overdue"), default=False)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    handling_seconds = models.BigIntegerField(_("handling time (s)"), null=True, blank=True)
    is_closed = models.BooleanField(_("closed"), default=False)
    reopen_count = models.PositiveIntegerField(_("reopened"), default=0)
    rework_count = models.PositiveIntegerField(_("sent back"), default=0)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    external_ref = models.CharField(_("external reference"), max_length=80, blank=True, db_index=True)
    duplicate_of = models.ForeignKey("self", verbose_name=_("likely duplicate of"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    workflow_version = models.ForeignKey(WorkflowVersion, verbose_name=_("workflow version"), null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="cases")
    legal_due_at = models.DateTimeField(_("legal due date"), null=True, blank=True)
    legal_remaining = models.FloatField(_("legal time left when paused (s)"), null=True, blank=True)
    timer_at = models.DateTimeField(_("automatic step due"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["queue_organisation_id", "state", "due_at"], name="cases_queue_state_due"),
            # the workbench: my tasks by type and state, overdue cases waiting on an organisation, all of an owner's
            models.Index(fields=["queue_organisation_id", "case_type", "state", "due_at"], name="cases_queue_type_due"),
            models.Index(fields=["queue_organisation_id", "due_at"], name="cases_queue_overdue",
                         condition=models.Q(overdue=True)),
            models.Index(fields=["owner_organisation_id", "id"], name="cases_owner_id"),
            models.Index(fields=["organisation_id", "state"], name="cases_org_state"),
            models.Index(fields=["case_type", "created_at"], name="cases_type_created"),
            models.Index(fields=["grid_code", "created_at"], name="cases_grid_created"),
            models.Index(fields=["town_code", "created_at"], name="cases_town_created"),
            models.Index(fields=["category", "created_at"], name="cases_cat_created"),
            models.Index(fields=["created_at"], name="cases_created"),
            models.Index(fields=["due_at"], name="cases_due", condition=models.Q(due_at__isnull=False)),
            models.Index(fields=["remind_at"], name="cases_remind", condition=models.Q(remind_at__isnull=False)),
            models.Index(fields=["reporter", "created_at"], name="cases_reporter_created"),
            models.Index(fields=["supervisor_organisation_id", "overdue", "due_at"], name="cases_escalated"),
            # covers the statistics by organisation of a type and period (an index-only scan)
            models.Index(fields=["case_type", "created_at", "organisation_id", "is_closed", "ever_overdue",
                                 "rework_count", "reopen_count", "handling_seconds"], name="cases_stats_org"),
            models.Index(fields=["case_type", "category", "is_closed", "lat"], name="cases_nearby"),
            models.Index(fields=["timer_at"], name="cases_timer", condition=models.Q(timer_at__isnull=False)),
            # the platform administrator's workbench over every organisation: open cases and overdue ones by due time
            models.Index(fields=["due_at", "id"], name="cases_open_due", condition=models.Q(is_closed=False)),
            models.Index(fields=["due_at", "id"], name="cases_overdue_due",
                         condition=models.Q(overdue=True, is_closed=False)),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"


class CaseEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableError("case history is never updated")

    def delete(self):
        raise ImmutableError("case history is never deleted")

    def bulk_update(self, *args, **kwargs):
        raise ImmutableError("case history is never updated")


class CaseEvent(models.Model):
    """One thing done to a case: a transition, comment, attachment, assignment, reminder, escalation."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("time"))
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    organisation_id = models.BigIntegerField(_("organisation id"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    public = models.BooleanField(_("public"), default=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case history")
        indexes = [models.Index(fields=["case", "id"], name="cases_event_case")]

    def __str__(self):
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("case history is never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("case history is never deleted")


class CaseBranch(models.Model):
    """One parallel branch (并联审批) of a case in a state that opens branches; the join fires when all are done."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="branches")
    state = models.CharField(_("parallel state"), max_length=30)
    key = models.CharField(_("branch"), max_length=30)
    opened_at = models.DateTimeField(_("opened"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.CharField(_("done by"), max_length=150, blank=True)
    organisation_id = models.BigIntegerField(_("organisation id"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("parallel branch")
        verbose_name_plural = _("parallel branches")
        indexes = [models.Index(fields=["case", "state", "done_at"], name="cases_branch_case")]

    def __str__(self):
        return f"{self.case_id} {self.state}/{self.key}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), storage=attachment_storage, upload_to="%Y/%m/")
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name


class DailyStat(models.Model):
    """Daily rollup of cases by the day they were created (Asia/Shanghai) and their grouping keys, with the
    counts and sums the statistics need. Maintained by ``rollup.apply`` in the transaction that creates or
    changes a case; rebuilt from the cases table by ``smartcounty rebuild_case_stats``. A case without a
    responsible organisation is kept under organisation 0 (NULL would defeat the unique key)."""

    day = models.DateField(_("day"))
    case_type = models.CharField(_("case type"), max_length=60)
    organisation_id = models.BigIntegerField(_("responsible organisation id"))
    grid_code = models.CharField(_("grid code"), max_length=16)
    town_code = models.CharField(_("town code"), max_length=12)
    category = models.CharField(_("category"), max_length=40)
    total = models.BigIntegerField(_("created"), default=0)
    closed = models.BigIntegerField(_("closed"), default=0)
    on_time = models.BigIntegerField(_("closed on time"), default=0)
    reworked = models.BigIntegerField(_("reworked"), default=0)
    handling_seconds = models.BigIntegerField(_("handling time (s)"), default=0)
    handled = models.BigIntegerField(_("closed with a handling time"), default=0)

    class Meta:
        verbose_name = _("daily case statistics")
        verbose_name_plural = _("daily case statistics")
        constraints = [models.UniqueConstraint(fields=["day", "case_type", "organisation_id", "grid_code",
                                                       "town_code", "category"], name="cases_daily_key")]
        indexes = [models.Index(fields=["case_type", "day"], name="cases_daily_type_day"),
                   models.Index(fields=["organisation_id", "day"], name="cases_daily_org_day")]

    def __str__(self):
        return f"{self.day} {self.case_type} {self.organisation_id}"
