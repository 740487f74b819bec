"""One-window government services (一网通办): the service-item catalogue (事项清单) with its materials, the
applications (办件, each one a case of the ``services.application`` workflow), their materials, electronic
licences (电子证照) with the holders' consents to reuse them, evaluations (好差评) and rectification tasks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemType(models.TextChoices):
    LICENSING = "01", _("Administrative licensing")
    PAYMENT = "05", _("Administrative payment")
    CONFIRMATION = "07", _("Administrative confirmation")
    REWARD = "08", _("Administrative reward")
    RULING = "09", _("Administrative ruling")
    OTHER_POWER = "10", _("Other administrative power")
    FILING = "11", _("Administrative filing")
    PUBLIC_SERVICE = "20", _("Public service")


class Situation(models.TextChoices):
    NEW = "01", _("New")
    CHANGE = "02", _("Change")
    RENEWAL = "03", _("Renewal")
    CANCEL = "04", _("Cancellation")


class ServiceItem(models.Model):
    """A service item (事项) with the basic elements of GB/T 39046; ``parts`` make it a bundle (一件事)."""

    code = models.CharField(_("item code"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=120)
    item_type = models.CharField(_("item type"), max_length=2, choices=ItemType.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("main item"))
    situation = models.CharField(_("handling situation"), max_length=2, choices=Situation.choices, blank=True)
    organisation_code = models.CharField(_("implementing organisation"), max_length=40)
    organisation_id = models.BigIntegerField(_("implementing organisation id"), null=True, blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    legal_days = models.PositiveSmallIntegerField(_("legal time limit (working days)"), default=20)
    promised_days = models.PositiveSmallIntegerField(_("promised time limit (working days, 0: on the spot)"),
                                                     default=5)
    fee = models.CharField(_("fee"), max_length=120, blank=True)
    fee_basis = models.CharField(_("fee basis"), max_length=200, blank=True)
    visits = models.PositiveSmallIntegerField(_("visits in person"), default=0)
    online_depth = models.PositiveSmallIntegerField(_("online depth (1-4)"), default=4)
    place = models.CharField(_("handling place"), max_length=200, blank=True)
    hours = models.CharField(_("handling hours"), max_length=120, blank=True)
    consult_phone = models.CharField(_("consultation phone"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=40, blank=True)
    result_name = models.CharField(_("result"), max_length=80, blank=True)
    #: The licence type the result is issued as (an electronic licence); blank: a document only.
    licence_type = models.CharField(_("licence type"), max_length=60, blank=True)
    licence_years = models.PositiveSmallIntegerField(_("licence validity (years, 0: unlimited)"), default=0)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    #: name, code, keywords and organisation name in one lower-case text, searched with LIKE (see the bench).
    search_text = models.CharField(_("search text"), max_length=600, blank=True, editable=False)
    parts = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="bundles",
                                   verbose_name=_("items of the bundle"))
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ("code",)
        indexes = [models.Index(fields=["is_published", "code"], name="svc_item_pub_code"),
                   models.Index(fields=["organisation_id", "code"], name="svc_item_org_code"),
                   models.Index(fields=["item_type", "code"], name="svc_item_type_code")]

    def __str__(self):
        return self.name

    @property
    def is_instant(self) -> bool:
        return self.promised_days == 0


class Material(models.Model):
    class Form(models.TextChoices):
        ORIGINAL = "original", _("Original")
        COPY = "copy", _("Copy")
        BOTH = "both", _("Original and copy")
        ELECTRONIC = "electronic", _("Electronic")

    item = models.ForeignKey(ServiceItem, models.CASCADE, related_name="materials", verbose_name=_("item"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("name"), max_length=120)
    form = models.CharField(_("form"), max_length=10, choices=Form.choices, default=Form.ORIGINAL)
    count = models.PositiveSmallIntegerField(_("copies"), default=1)
    required = models.BooleanField(_("required"), default=True)
    condition = models.CharField(_("needed when"), max_length=120, blank=True)
    formats = models.CharField(_("allowed formats"), max_length=60, default="pdf,jpg,png")
    blank_form = models.CharField(_("blank form"), max_length=200, blank=True)
    sample = models.CharField(_("sample"), max_length=200, blank=True)
    #: An electronic licence of this type, issued by the platform, may stand in for the material (免提交).
    licence_type = models.CharField(_("licence that stands in"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ("item", "order", "id")

    def __str__(self):
        return self.name


class Application(models.Model):
    """An application (办件): one case of the services workflow, with what the services module keeps about it.

    ``state``, ``number``, ``closed_at`` and ``on_time`` mirror the case (written by the module's one step
    function), so lists and statistics read one table."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        WINDOW = "window", _("At the window")

    class Delivery(models.TextChoices):
        PICKUP = "pickup", _("Pick up at the window")
        POST = "post", _("By post")
        ELECTRONIC = "electronic", _("Electronic licence only")

    case_id = models.BigIntegerField(_("case id"), unique=True, null=True, blank=True)
    number = models.CharField(_("number"), max_length=30, blank=True, db_index=True)
    item = models.ForeignKey(ServiceItem, models.PROTECT, related_name="applications", verbose_name=_("item"))
    bundle = models.ForeignKey("self", models.CASCADE, null=True, blank=True, related_name="parts",
                               verbose_name=_("bundle application"))
    state = models.CharField(_("state"), max_length=30, default="submitted")
    organisation_id = models.BigIntegerField(_("implementing organisation id"), null=True, blank=True)
    applicant_id = models.BigIntegerField(_("applicant account id"), null=True, blank=True)
    applicant_name = models.CharField(_("applicant"), max_length=60)
    applicant_id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    clerk_id = models.BigIntegerField(_("window clerk id"), null=True, blank=True)
    window = models.CharField(_("window"), max_length=40, blank=True)
    visits = models.PositiveSmallIntegerField(_("visits in person"), default=0)
    delivery = models.CharField(_("delivery"), max_length=12, choices=Delivery.choices, default=Delivery.PICKUP)
    tracking_no = models.CharField(_("tracking number"), max_length=40, blank=True)
    form_data = models.JSONField(_("form"), default=dict, blank=True)
    created_at = models.DateTimeField(_("submitted"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    on_time = models.BooleanField(_("finished in time"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["applicant_id", "-id"], name="svc_app_applicant"),
                   models.Index(fields=["organisation_id", "-id"], name="svc_app_org"),
                   models.Index(fields=["state", "-id"], name="svc_app_state"),
                   models.Index(fields=["item", "created_at"], name="svc_app_item_time")]

    def __str__(self):
        return self.number or f"#{self.pk}"


class SubmittedMaterial(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", _("Uploaded")
        PAPER = "paper", _("Paper, checked at the window")
        LICENCE = "licence", _("Electronic licence (no submission)")

    application = models.ForeignKey(Application, models.CASCADE, related_name="materials")
    material = models.ForeignKey(Material, models.SET_NULL, null=True, blank=True)
    name = models.CharField(_("name"), max_length=120)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    attachment_id = models.BigIntegerField(_("case attachment id"), null=True, blank=True)
    licence = models.ForeignKey("Licence", models.SET_NULL, null=True, blank=True)
    supplied_at = models.DateTimeField(_("supplied"))

    class Meta:
        verbose_name = _("submitted material")
        verbose_name_plural = _("submitted materials")
        ordering = ("application", "id")

    def __str__(self):
        return self.name


class Licence(models.Model):
    """An electronic licence or result document (电子证照) the platform issued."""

    number = models.CharField(_("licence number"), max_length=40, unique=True)
    licence_type = models.CharField(_("licence type"), max_length=60)
    item = models.ForeignKey(ServiceItem, models.PROTECT, related_name="licences")
    application = models.OneToOneField(Application, models.PROTECT, null=True, blank=True, related_name="licence")
    holder_id = models.BigIntegerField(_("holder account id"), null=True, blank=True)
    holder_name = models.CharField(_("holder"), max_length=60)
    holder_id_number = models.CharField(_("holder ID number"), max_length=18, blank=True)
    issuer_id = models.BigIntegerField(_("issuing organisation id"), null=True, blank=True)
    issuer_name = models.CharField(_("issuer"), max_length=60)
    issued_on = models.DateField(_("issued"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    verify_code = models.CharField(_("verification code"), max_length=16, unique=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("electronic licence")
        verbose_name_plural = _("electronic licences")
        indexes = [models.Index(fields=["holder_id", "licence_type"], name="svc_lic_holder")]

    def __str__(self):
        return self.number


class Consent(models.Model):
    """The holder's consent that his licences stand in for the materials of one application (免提交)."""

    holder_id = models.BigIntegerField(_("holder account id"))
    application = models.ForeignKey(Application, models.CASCADE, related_name="consents")
    licence = models.ForeignKey(Licence, models.CASCADE, related_name="consents")
    given_at = models.DateTimeField(_("given"))

    class Meta:
        verbose_name = _("consent to reuse a licence")
        verbose_name_plural = _("consents to reuse a licence")

    def __str__(self):
        return f"{self.holder_id} → {self.licence_id}"


class Evaluation(models.Model):
    """好差评 (GB/T 39735): five levels, 5 非常满意 … 1 非常不满意, of one application and its window."""

    application = models.OneToOneField(Application, models.CASCADE, related_name="evaluation")
    level = models.PositiveSmallIntegerField(_("level"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    window = models.CharField(_("window"), max_length=40, blank=True)
    organisation_id = models.BigIntegerField(_("organisation id"), null=True, blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        indexes = [models.Index(fields=["organisation_id", "at"], name="svc_eval_org")]

    def __str__(self):
        return f"{self.application_id}: {self.level}"


class Rectification(models.Model):
    """The rectification task a poor rating opens (差评整改), with its deadline and the return visit (回访)."""

    evaluation = models.OneToOneField(Evaluation, models.CASCADE, related_name="rectification")
    organisation_id = models.BigIntegerField(_("organisation id"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"))
    measures = models.TextField(_("measures taken"), blank=True)
    rectified_at = models.DateTimeField(_("rectified"), null=True, blank=True)
    visited_at = models.DateTimeField(_("return visit"), null=True, blank=True)
    visit_note = models.CharField(_("return visit result"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("rectification task")
        verbose_name_plural = _("rectification tasks")

    def __str__(self):
        return f"{self.evaluation_id}"
