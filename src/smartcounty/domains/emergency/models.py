"""Emergency management: resources on the map (depots with a stock ledger, rescue teams with members, experts,
vehicles and equipment; shelters), incidents with their links, timeline, tasks and public warnings, and the fire
detectors of public buildings."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Resource(models.Model):
    """A resource with a place: a supply depot, a rescue team, an expert, a vehicle or a piece of equipment."""

    class Kind(models.TextChoices):
        DEPOT = "depot", _("Supply depot")
        TEAM = "team", _("Rescue team")
        EXPERT = "expert", _("Expert")
        VEHICLE = "vehicle", _("Vehicle")
        EQUIPMENT = "equipment", _("Equipment")

    class Status(models.TextChoices):
        READY = "ready", _("Ready")
        DEPLOYED = "deployed", _("Deployed")
        OUT = "out", _("Out of service")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    town_code = models.CharField(_("town"), max_length=9, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.READY)
    #: Team: members; vehicle/equipment: pieces; depot: 0 (its stock is the ledger's).
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    #: Team skills, expert fields, equipment type: short words.
    skills = models.CharField(_("skills or fields"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    #: The organisation that answers for it (a team's tasks go to its queue).
    organisation_id = models.BigIntegerField(_("organisation"), null=True, blank=True)

    class Meta:
        verbose_name = _("emergency resource")
        verbose_name_plural = _("emergency resources")
        # (lat, lon, kind, status): the box and the counts read the index alone
        indexes = [models.Index(fields=["lat", "lon", "kind", "status"], name="emerg_res_latlon_idx"),
                   models.Index(fields=["kind", "lat", "lon"], name="emerg_res_kind_idx"),
                   models.Index(fields=["town_code", "kind"], name="emerg_res_town_idx")]

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    on_duty = models.BooleanField(_("on duty"), default=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        indexes = [models.Index(fields=["team", "name"], name="emerg_member_team_idx")]

    def __str__(self):
        return self.name


class Shelter(models.Model):
    """An emergency shelter (应急避难场所) classified by GB/T 44013-2024 (避难时长 class)."""

    class Class(models.TextChoices):
        URGENT = "urgent", _("Immediate shelter")
        SHORT = "short", _("Short-term shelter")
        MEDIUM = "medium", _("Medium-term shelter")
        LONG = "long", _("Long-term shelter")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    shelter_class = models.CharField(_("class"), max_length=8, choices=Class.choices)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    town_code = models.CharField(_("town"), max_length=9, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    effective_area_m2 = models.PositiveIntegerField(_("effective shelter area (m²)"))
    capacity = models.PositiveIntegerField(_("capacity (persons)"))
    service_radius_m = models.PositiveIntegerField(_("service radius (m)"))
    occupied = models.PositiveIntegerField(_("people sheltered now"), default=0)
    contact_name = models.CharField(_("contact"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("shelter")
        verbose_name_plural = _("shelters")
        indexes = [models.Index(fields=["lat", "lon"], name="emerg_shelter_latlon_idx"),
                   models.Index(fields=["town_code"], name="emerg_shelter_town_idx")]
        constraints = [models.CheckConstraint(condition=Q(occupied__lte=models.F("capacity")),
                                              name="emerg_shelter_not_over")]

    def __str__(self):
        return self.name


class Item(models.Model):
    """A kind of supply (帐篷, 棉被, 饮用水 ...)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=80)
    unit = models.CharField(_("unit"), max_length=12)

    class Meta:
        verbose_name = _("supply item")
        verbose_name_plural = _("supply items")

    def __str__(self):
        return self.name


class Stock(models.Model):
    """The balance of one item in one depot; only the ledger changes it, never below zero."""

    depot = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="stock")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="stock")
    quantity = models.BigIntegerField(_("quantity"), default=0)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [models.UniqueConstraint(fields=["depot", "item"], name="emerg_stock_once"),
                       models.CheckConstraint(condition=Q(quantity__gte=0), name="emerg_stock_never_negative")]

    def __str__(self):
        return f"{self.depot_id}:{self.item_id}={self.quantity}"


class StockMove(models.Model):
    """One line of the stock ledger: an amount into or out of a depot, with the balance after it."""

    class Kind(models.TextChoices):
        IN = "in", _("Received")
        OUT = "out", _("Issued")
        TRANSFER_OUT = "transfer_out", _("Transferred out")
        TRANSFER_IN = "transfer_in", _("Transferred in")
        COUNT = "count", _("Stock count")

    depot = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="moves")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="moves")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    #: Signed change of the balance (a count records the difference it found).
    delta = models.BigIntegerField(_("change"))
    balance = models.BigIntegerField(_("balance after"))
    at = models.DateTimeField(_("time"))
    actor_id = models.BigIntegerField(_("by"), null=True, blank=True)
    #: The two lines of a transfer share one reference; an import's lines share the file's.
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    incident_id = models.BigIntegerField(_("incident"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [models.Index(fields=["depot", "item", "at"], name="emerg_move_depot_idx"),
                   models.Index(fields=["incident_id"], name="emerg_move_incident_idx")]
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="emerg_move_balance_not_negative")]

    def __str__(self):
        return f"{self.kind} {self.delta}"


class Incident(models.Model):
    class Level(models.IntegerChoices):
        ORDINARY = 1, _("Ordinary (IV)")
        MAJOR = 2, _("Major (III)")
        SERIOUS = 3, _("Serious (II)")
        GRAVE = 4, _("Especially serious (I)")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    town_code = models.CharField(_("town"), max_length=9, blank=True)
    address = models.CharField(_("place"), max_length=200, blank=True)
    #: The affected area: a circle of this radius around the place.
    radius_m = models.PositiveIntegerField(_("affected radius (m)"), default=500)
    #: manual | alert | case
    source = models.CharField(_("source"), max_length=8)
    description = models.TextField(_("description"), blank=True)
    opened_at = models.DateTimeField(_("opened"))
    opened_by_id = models.BigIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    review = models.TextField(_("review"), blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["state", "opened_at"], name="emerg_incident_state_idx"),
                   models.Index(fields=["level", "state"], name="emerg_incident_level_idx")]

    def __str__(self):
        return self.number


class IncidentLink(models.Model):
    """An alert, case or sensing thing that belongs to an incident."""

    class Kind(models.TextChoices):
        ALERT = "alert", _("Alert")
        CASE = "case", _("Case")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    ref_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "ref_id", "incident"], name="emerg_link_once")]
        indexes = [models.Index(fields=["kind", "ref_id"], name="emerg_link_ref_idx")]

    def __str__(self):
        return f"{self.kind}:{self.ref_id}"


class TimelineEntry(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    #: opened, level, linked, task, task_step, stock, warning, withdrawn, notice, note, closed
    kind = models.CharField(max_length=12)
    text = models.CharField(max_length=500)
    actor_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["incident", "at"], name="emerg_timeline_idx")]

    def __str__(self):
        return self.text[:40]


class Task(models.Model):
    """A task given to a team in an incident; its progress is a case of the ``emergency.task`` workflow."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    team = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="tasks")
    case_id = models.BigIntegerField(unique=True)
    title = models.CharField(_("task"), max_length=200)
    deadline = models.DateTimeField(_("deadline"))
    distance_m = models.PositiveIntegerField(_("distance (m)"), default=0)
    #: The case's state, kept in step from ``cases.transitioned`` (lists need no read of the cases).
    state = models.CharField(_("state"), max_length=16, default="issued")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["incident", "created_at"], name="emerg_task_incident_idx")]

    def __str__(self):
        return self.title


class Warning(models.Model):
    """A public warning an incident published (a public alert on the portal, and CAP 1.2 XML)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="warnings")
    identifier = models.CharField(max_length=80, unique=True)
    alert_id = models.BigIntegerField(null=True, blank=True)
    headline = models.CharField(_("headline"), max_length=160)
    instruction = models.CharField(_("instruction"), max_length=1000)
    area_desc = models.CharField(_("area"), max_length=200)
    level = models.PositiveSmallIntegerField(_("level"))
    sent_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["incident", "sent_at"], name="emerg_warning_incident_idx"),
                   models.Index(fields=["cancelled_at", "sent_at"], name="emerg_warning_live_idx")]

    def __str__(self):
        return self.identifier


class Building(models.Model):
    """A public building with fire detectors (sensing things) and a contact for alarms."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    town_code = models.CharField(_("town"), max_length=9, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact"), max_length=40)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    contact_user_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("public building")
        verbose_name_plural = _("public buildings")

    def __str__(self):
        return self.name


class Detector(models.Model):
    """A fire detector of a building: a sensing thing; ``alarm_since`` while its alarm is on."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="detectors")
    thing_id = models.BigIntegerField(unique=True)
    property = models.CharField(max_length=40, default="smoke")
    alarm_alert_id = models.BigIntegerField(null=True, blank=True)
    alarm_since = models.DateTimeField(null=True, blank=True)
    offline_since = models.DateTimeField(null=True, blank=True)
    maintenance_case_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["alarm_since"], name="emerg_detector_alarm_idx"),
                   models.Index(fields=["offline_since"], name="emerg_detector_offline_idx")]

    def __str__(self):
        return f"detector {self.thing_id}"


class Notice(models.Model):
    """A message to a person or a duty desk about an incident (shown on the duty page; the SMS gateway, where
    one is configured, sends those with a phone)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notices")
    organisation_id = models.BigIntegerField(null=True, blank=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    name = models.CharField(max_length=40, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    message = models.CharField(max_length=500)
    at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation_id", "at"], name="emerg_notice_org_idx"),
                   models.Index(fields=["user_id", "at"], name="emerg_notice_user_idx")]

    def __str__(self):
        return self.message[:40]
