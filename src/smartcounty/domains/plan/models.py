"""The plan's actions and their units, yearly tasks with progress reports and reminders, stored KPI values,
and informatization projects with their spending. Organisations and users are accounts' rows, by id."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Action(models.Model):
    """One of the plan's 30 actions (二、主要行动), loaded from ``data/actions.json``."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=80)
    section = models.CharField(_("section"), max_length=2)

    class Meta:
        ordering = ["number"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")

    def __str__(self):
        return f"{self.number}. {self.title}"


class ActionUnit(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        RESPONSIBLE = "responsible", _("Responsible unit")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="units")
    organisation_id = models.BigIntegerField(_("organisation"), db_index=True)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["action", "role", "position"]
        constraints = [models.UniqueConstraint(fields=["action", "organisation_id", "role"], name="plan_unit_once")]

    def __str__(self):
        return f"{self.action_id}/{self.role}/{self.organisation_id}"


class Task(models.Model):
    """A yearly task of an action (立项交办), owned by one organisation, with a deadline."""

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")            # 立项交办
        TRACKING = "tracking", _("In progress")          # 跟踪督查
        REPORTED = "reported", _("Completion reported")  # 办结报告
        EVALUATED = "evaluated", pgettext_lazy("plan task", "Evaluated")          # 结果考评

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="tasks")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    target = models.TextField(_("expected result"), blank=True)
    deadline = models.DateField(_("deadline"))
    owner_organisation_id = models.BigIntegerField(_("owner organisation"))
    owner_user_id = models.BigIntegerField(_("owner"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ASSIGNED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        indexes = [models.Index(fields=["action", "year"], name="plan_task_action_year"),
                   models.Index(fields=["owner_organisation_id", "deadline"], name="plan_task_owner"),
                   models.Index(fields=["state", "deadline"], name="plan_task_state_due"),
                   models.Index(fields=["year", "deadline"], name="plan_task_year_due")]

    def __str__(self):
        return self.title


class ProgressReport(models.Model):
    """A progress report (跟踪督查) or the completion report (办结报告) of a task."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress report")
        COMPLETION = "completion", _("Completion report")
        RETURNED = "returned", _("Returned by the evaluation")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROGRESS)
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    text = models.TextField(_("report"))
    author_id = models.BigIntegerField(_("author"), null=True)
    at = models.DateTimeField(_("reported at"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["task", "-at"], name="plan_report_task")]

    def __str__(self):
        return f"{self.task_id}: {self.progress}%"


class Reminder(models.Model):
    """A reminder the scheduler sent: 临近提醒 (yellow) or 到期催办 (red), once per task and kind."""

    class Kind(models.TextChoices):
        APPROACHING = "approaching", _("Deadline approaching")
        OVERDUE = "overdue", pgettext_lazy("plan reminder", "Overdue")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    deadline = models.DateField(_("deadline"))
    organisation_id = models.BigIntegerField(_("organisation"))
    on = models.DateField(_("sent on"))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        constraints = [models.UniqueConstraint(fields=["task", "kind", "deadline"], name="plan_reminder_once")]
        indexes = [models.Index(fields=["organisation_id", "-on"], name="plan_reminder_org"),
                   models.Index(fields=["on"], name="plan_reminder_on")]

    def __str__(self):
        return f"{self.task_id} {self.kind} {self.on}"


class KpiValue(models.Model):
    """One refresh of one registered KPI (the trend is the series of these)."""

    key = models.CharField(_("indicator"), max_length=60)
    value = models.FloatField(_("value"), null=True)
    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    error = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["key", "-at"]
        indexes = [models.Index(fields=["key", "-at"], name="plan_kpi_key_at")]

    def __str__(self):
        return f"{self.key} {self.value} {self.at}"


class Project(models.Model):
    """An informatization project: 立项 → 建设 → 验收 → 运维, with its budget (万元) and spending."""

    class Stage(models.TextChoices):
        APPROVED = "approved", pgettext_lazy("project stage", "Approved")        # 立项
        BUILDING = "building", _("Under construction")  # 建设
        ACCEPTED = "accepted", pgettext_lazy("project stage", "Accepted")        # 验收
        OPERATING = "operating", _("In operation")  # 运维

    code = models.CharField(_("project code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    owner_organisation_id = models.BigIntegerField(_("owner organisation"), db_index=True)
    actions = models.ManyToManyField(Action, related_name="projects", verbose_name=_("plan actions"))
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.APPROVED)
    budget = models.DecimalField(_("budget (10,000 yuan)"), max_digits=12, decimal_places=2)
    approved_on = models.DateField(_("approved on"))
    building_on = models.DateField(_("construction started"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    operating_on = models.DateField(_("in operation since"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("informatization project")
        verbose_name_plural = _("informatization projects")
        indexes = [models.Index(fields=["stage", "code"], name="plan_project_stage")]

    def __str__(self):
        return self.name


class Spending(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="spending")
    on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (10,000 yuan)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    author_id = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["project", "-on"], name="plan_spending_project")]

    def __str__(self):
        return f"{self.project_id} {self.on} {self.amount}"
