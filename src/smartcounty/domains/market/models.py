"""Market supervision: special equipment (特种设备) with its user unit, inspections, reminders and the
per-kind interval table; food businesses (食品经营者) with their yearly risk assessment and inspections."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ELEVATOR = "elevator", _("Elevator")
    BOILER = "boiler", _("Boiler")
    PRESSURE_VESSEL = "pressure_vessel", _("Pressure vessel")
    LIFTING = "lifting", _("Lifting machinery")
    FIELD_VEHICLE = "field_vehicle", _("Field (factory) motor vehicle")
    ROPEWAY = "ropeway", _("Passenger ropeway")
    AMUSEMENT = "amusement", _("Large amusement ride")


class Unit(models.Model):
    """A user unit (使用单位) of special equipment, by its unified social credit code."""

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=120)
    town_code = models.CharField(_("town"), max_length=9, blank=True)
    contact_name = models.CharField(_("contact"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    #: Pieces overdue at the last daily check (an open overdue alert while above 0).
    overdue_count = models.PositiveIntegerField(_("overdue at last check"), default=0)

    class Meta:
        verbose_name = _("user unit")
        verbose_name_plural = _("user units")

    def __str__(self):
        return self.name


class KindRule(models.Model):
    """The periodic-inspection interval of a kind other than elevators, kept by the administrator."""

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, unique=True)
    interval_months = models.PositiveSmallIntegerField(_("inspection interval (months)"))
    basis = models.CharField(_("basis"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("inspection interval")
        verbose_name_plural = _("inspection intervals")

    def __str__(self):
        return self.kind


class Equipment(models.Model):
    class Status(models.TextChoices):
        IN_USE = "in_use", _("In use")
        STOPPED = "stopped", _("Out of use")
        SCRAPPED = "scrapped", _("Scrapped")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    registration_code = models.CharField(_("registration code"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=120)
    unit = models.ForeignKey(Unit, verbose_name=_("user unit"), on_delete=models.PROTECT, related_name="equipment")
    town_code = models.CharField(_("town"), max_length=9, blank=True)
    grid_code = models.CharField(_("grid"), max_length=14, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    first_use = models.DateField(_("first used on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.IN_USE)
    last_inspection = models.DateField(_("last periodic inspection"), null=True, blank=True)
    last_self_test = models.DateField(_("last self-test"), null=True, blank=True)
    #: The next open obligation, kept by services.equipment.refresh whenever its inputs change.
    next_due = models.DateField(_("next due"))
    next_task = models.CharField(_("next task"), max_length=10, default="inspection")
    thing_id = models.BigIntegerField(_("sensing thing"), null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("special equipment")
        verbose_name_plural = _("special equipment")
        indexes = [models.Index(fields=["status", "next_due"], name="market_eq_due_idx"),
                   models.Index(fields=["status", "kind", "next_due"], name="market_eq_summary_idx"),
                   models.Index(fields=["unit", "next_due"], name="market_eq_unit_idx"),
                   models.Index(fields=["kind", "next_due"], name="market_eq_kind_idx"),
                   models.Index(fields=["town_code", "next_due"], name="market_eq_town_idx")]

    def __str__(self):
        return self.registration_code


class Inspection(models.Model):
    class Task(models.TextChoices):
        INSPECTION = "inspection", _("Periodic inspection")
        SELF_TEST = "self_test", _("Self-test")

    class Result(models.TextChoices):
        PASSED = "passed", _("Passed")
        PASSED_AFTER_FIX = "fixed", _("Passed after rectification")
        FAILED = "failed", _("Failed inspection")

    equipment = models.ForeignKey(Equipment, on_delete=models.PROTECT, related_name="inspections")
    task = models.CharField(_("task"), max_length=10, choices=Task.choices)
    done_on = models.DateField(_("done on"))
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    body = models.CharField(_("inspection body"), max_length=120, blank=True)
    report_no = models.CharField(_("report number"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("equipment inspection")
        verbose_name_plural = _("equipment inspections")
        indexes = [models.Index(fields=["equipment", "done_on"], name="market_insp_eq_idx")]

    def __str__(self):
        return f"{self.equipment_id} {self.task} {self.done_on}"


class Reminder(models.Model):
    """A reminder (a month before) or overdue notice sent for one due date of one piece of equipment."""

    class Kind(models.TextChoices):
        REMIND = "remind", _("Due within a month")
        OVERDUE = "overdue", _("Past due")

    equipment = models.ForeignKey(Equipment, on_delete=models.CASCADE, related_name="reminders", db_index=False)
    due_on = models.DateField(_("due on"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    created_on = models.DateField(_("sent on"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [models.UniqueConstraint(fields=["equipment", "due_on", "kind"], name="market_reminder_once")]

    def __str__(self):
        return f"{self.equipment_id} {self.kind} {self.due_on}"


class FoodBusiness(models.Model):
    class Category(models.TextChoices):
        PRODUCTION = "production", _("Food production")
        SALES = "sales", _("Food sales")
        CATERING = "catering", _("Catering")

    licence_no = models.CharField(_("licence number"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=120)
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    category = models.CharField(_("business category"), max_length=10, choices=Category.choices)
    town_code = models.CharField(_("town"), max_length=9, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    licence_valid_until = models.DateField(_("licence valid until"), null=True, blank=True)
    grade = models.CharField(_("risk grade"), max_length=1, blank=True)
    grade_year = models.PositiveSmallIntegerField(_("assessed in"), null=True, blank=True)
    last_inspected = models.DateField(_("last inspected"), null=True, blank=True)
    next_inspection = models.DateField(_("next inspection"), null=True, blank=True)

    class Meta:
        verbose_name = _("food business")
        verbose_name_plural = _("food businesses")
        indexes = [models.Index(fields=["grade", "next_inspection"], name="market_food_grade_idx"),
                   models.Index(fields=["next_inspection"], name="market_food_next_idx"),
                   models.Index(fields=["town_code", "next_inspection"], name="market_food_town_idx")]

    def __str__(self):
        return self.name


class RiskAssessment(models.Model):
    business = models.ForeignKey(FoodBusiness, on_delete=models.PROTECT, related_name="assessments", db_index=False)
    year = models.PositiveSmallIntegerField(_("year"))
    static_score = models.PositiveSmallIntegerField(_("static risk score"))
    dynamic_score = models.PositiveSmallIntegerField(_("dynamic risk score"))
    grade = models.CharField(_("risk grade"), max_length=1)
    assessed_on = models.DateField(_("assessed on"))

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        constraints = [models.UniqueConstraint(fields=["business", "year"], name="market_assessment_once")]

    def __str__(self):
        return f"{self.business_id} {self.year} {self.grade}"


class FoodInspection(models.Model):
    class Result(models.TextChoices):
        CONFORM = "conform", _("Conforms")
        BASIC = "basic", _("Basically conforms")
        NONCONFORM = "nonconform", _("Does not conform")

    business = models.ForeignKey(FoodBusiness, on_delete=models.PROTECT, related_name="inspections")
    done_on = models.DateField(_("done on"))
    inspector = models.CharField(_("inspectors"), max_length=80)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    findings = models.TextField(_("findings"), max_length=2000, blank=True)
    rectification = models.CharField(_("rectification required"), max_length=500, blank=True)
    case_id = models.BigIntegerField(_("rectification case"), null=True, blank=True)
    case_number = models.CharField(_("case number"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("food inspection")
        verbose_name_plural = _("food inspections")
        indexes = [models.Index(fields=["business", "done_on"], name="market_finsp_biz_idx")]

    def __str__(self):
        return f"{self.business_id} {self.done_on}"
