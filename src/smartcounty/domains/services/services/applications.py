"""Applications (办件): submit online or at the window, take the workflow's steps, read one or a list.

Every step goes through ``step``: it takes the case's transition (the workflow engine checks who may, keeps
the clock and writes history, audit and events), then does what the step means here (the 补正 notice's list
of missing materials, the materials supplied, the licence issued, the delivery, the evaluation) and mirrors
the case's state onto the application."""

import hashlib
import re

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from smartcounty.domains.services import catalogue
from smartcounty.domains.services.models import Application, Material, ServiceItem, SubmittedMaterial
from smartcounty.domains.services.services import evaluation, joins, licences
from smartcounty.domains.services.services.scope import Scope, filter_applications, sees, window_id
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.cases import services as cases
from smartcounty.kernel import audit, events, masking
from smartcounty.kernel.problems import ApiError
from smartcounty.kernel.rows import Rows

KEY = catalogue.KEY
ID_RE = re.compile(r"^\d{17}[\dX]$")
PHONE_RE = re.compile(r"^1\d{10}$")
MAX_MATERIALS = 30
LIST_FIELDS = ("id", "number", "state", "applicant_name", "channel", "created_at", "closed_at", "on_time",
               "organisation_id", "item__code", "item__name", "rating", "bundle_id")
WORKDAY_SECONDS = 7.5 * 3600


def _window_owner() -> None:
    """The window owns the application type (it takes in and delivers): configured once."""
    owner, _sup = cases.case_type_organisations(KEY)
    if owner is None and window_id() is not None:
        cases.configure_case_type(KEY, owner_organisation_id=window_id())


def _check_applicant(name: str, id_number: str, phone: str) -> None:
    if not name or not name.strip() or len(name) > 60:
        raise ApiError(422, "invalid", "请填写申请人姓名（60字以内）", field="applicant_name")
    if id_number and not ID_RE.match(id_number):
        raise ApiError(422, "invalid", "身份证号码应为18位", field="applicant_id_number")
    if phone and not PHONE_RE.match(phone):
        raise ApiError(422, "invalid", "手机号码应为11位", field="applicant_phone")


def _sha256(upload) -> str:
    h = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        h.update(chunk)
    upload.seek(0)
    return h.hexdigest()


def _material_rows(app, item_materials: dict, given: list[dict], now, *, actor=None) -> list[SubmittedMaterial]:
    """The materials given: ``{material_id, upload}`` (a file, stored on the case), ``{material_id, file_name,
    size, sha256}`` (metadata of a file kept elsewhere) or ``{material_id, source: "paper"}`` (checked at the
    window)."""
    rows = []
    if len(given) > MAX_MATERIALS:
        raise ApiError(422, "invalid", f"一次最多提交{MAX_MATERIALS}份材料", field="materials")
    for g in given:
        m = item_materials.get(g.get("material_id"))
        if m is None:
            raise ApiError(422, "invalid", "材料不属于该事项", field="materials")
        upload = g.get("upload")
        name = str(getattr(upload, "name", "") or g.get("file_name") or "")[:200]
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        source = "paper" if g.get("source") == "paper" or not name else "upload"
        if source == "upload" and ext not in m.formats.split(","):
            raise ApiError(422, "invalid", f"“{m.name}”只接受 {m.formats} 格式的文件", field="materials")
        row = SubmittedMaterial(application=app, material=m, name=m.name, source=source, file_name=name,
                                size=int(g.get("size") or 0), sha256=str(g.get("sha256") or "")[:64], supplied_at=now)
        if upload is not None:
            row.sha256 = _sha256(upload)
            att = cases.add_attachment(app.case_id, upload, actor=actor, now=now)
            row.attachment_id, row.size = att.pk, att.size
        rows.append(row)
    return rows


def missing_materials(app_id: int) -> list[str]:
    """Required materials of the item that the application does not hold yet (the pre-check's list)."""
    app = Application.objects.select_related("item").get(pk=app_id)
    have = set(SubmittedMaterial.objects.filter(application_id=app_id).values_list("material_id", flat=True))
    return [m.name for m in app.item.materials.all() if m.required and m.id not in have]


def submit(actor, item_code: str, *, channel: str = "online", applicant_name: str = "", applicant_id_number: str = "",
           applicant_phone: str = "", materials: list[dict] | None = None, form: dict | None = None,
           consent: bool = False, window: str = "", bundle=None, now=None) -> dict:
    """A new application. Online: ``actor`` applies for himself. At the window (一窗受理): ``actor`` is a
    clerk of the window taking it in for an applicant who came in person (no account needed)."""
    now = now or timezone.now()
    item = ServiceItem.objects.filter(code=(item_code or "")[:24], is_published=True).first()
    if item is None:
        raise ApiError(404, "not-found", "没有该事项")
    if item.parts.exists() and bundle is None:
        raise ApiError(422, "invalid", "一件事请按套餐申请", field="item")
    if channel not in Application.Channel.values:
        raise ApiError(422, "invalid", "渠道只能是网上或窗口", field="channel")
    if channel == "window":
        from smartcounty.domains.services.services.scope import reader

        if not reader(actor).window:
            raise ApiError(403, "forbidden", "只有政务服务中心窗口人员可以窗口受理")
        applicant_id = None
    else:
        applicant_id = actor.pk
        applicant_name = applicant_name or getattr(actor, "display_name", "") or actor.get_username()
        applicant_phone = applicant_phone or getattr(actor, "phone", "") or ""
    _check_applicant(applicant_name, applicant_id_number, applicant_phone)
    cases.check_data_size(form or {}, "form")
    _window_owner()
    item_materials = {m.id: m for m in item.materials.all()}
    with transaction.atomic():
        case = cases.create_case(
            KEY, title=f"{item.name}（{masking.mask_name(applicant_name)}）", category=item.code,
            reporter=actor if channel == "online" else None, reporter_name=masking.mask_name(applicant_name),
            source=channel, organisation_id=item.organisation_id, data={"item": item.code}, actor=actor, now=now)
        app = Application.objects.create(
            case_id=case.pk, number=case.number, item=item, bundle=bundle, state=case.state,
            organisation_id=item.organisation_id, applicant_id=applicant_id, applicant_name=applicant_name.strip(),
            applicant_id_number=applicant_id_number, applicant_phone=applicant_phone, channel=channel,
            clerk_id=actor.pk if channel == "window" else None, window=window[:40], visits=1 if channel == "window" else 0,
            form_data=dict(form or {}), created_at=now)
        rows = _material_rows(app, item_materials, list(materials or []), now, actor=actor)
        SubmittedMaterial.objects.bulk_create(rows)
        filled = licences.fill_from_licences(app, [m for m in item_materials.values()
                                                   if m.id not in {r.material_id for r in rows}],
                                             consent=consent, now=now)
        audit.record("services.submit", actor=actor, obj=app, organisation_id=item.organisation_id,
                     detail={"number": app.number, "item": item.code, "channel": channel,
                             "materials": [{"name": r.name, "size": r.size, "sha256": r.sha256} for r in rows],
                             "from_licences": filled})
        events.publish("services.submitted", {"id": app.pk, "number": app.number, "item": item.code,
                                              "channel": channel, "organisation_id": item.organisation_id})
    return {"id": app.pk, "number": app.number, "state": app.state, "from_licences": filled,
            "missing": missing_materials(app.pk)}


def _get(scope: Scope, app_id: int) -> Application:
    app = Application.objects.select_related("item").filter(pk=app_id).first()
    if app is None or not sees(scope, app):
        raise ApiError(404, "not-found")
    return app


def _names_of(app: Application, names) -> list[str]:
    known = {m.name for m in app.item.materials.all()}
    names = [str(n).strip() for n in (names or []) if str(n).strip()]
    if not names:
        raise ApiError(422, "invalid", "请勾选需要补正的全部材料（一次性告知）", field="missing")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ApiError(422, "invalid", f"不是该事项的材料：{'、'.join(unknown)}", field="missing")
    return names


def step(actor, scope: Scope, app_id: int, key: str, *, note: str = "", data: dict | None = None,
         materials: list[dict] | None = None, now=None) -> dict:
    """Take step ``key`` of an application's workflow as ``actor`` (what it means here, see the module doc)."""
    now = now or timezone.now()
    data = dict(data or {})
    app = _get(scope, app_id)
    if app.case_id is None:
        raise ApiError(409, "conflict", "一件事套餐由各部门的子办件办理")
    if key in ("ask", "ask_review"):
        data["missing"] = _names_of(app, data.get("missing"))
    if key == "deliver":
        if data.get("delivery") not in Application.Delivery.values:
            raise ApiError(422, "invalid", "请选择送达方式", field="delivery")
        if data["delivery"] == "post" and not str(data.get("tracking_no") or "").strip():
            raise ApiError(422, "invalid", "邮寄送达请填写快递单号", field="tracking_no")
    if key == "evaluate":
        data["rating"] = evaluation.check_level(data.get("rating"))
    with transaction.atomic():
        if key in ("supply", "supply_review"):
            rows = _material_rows(app, {m.id: m for m in app.item.materials.all()}, list(materials or []), now,
                                  actor=actor)
            SubmittedMaterial.objects.bulk_create(rows)
            data["supplied"] = [r.name for r in rows]
            if getattr(actor, "organisation_id", None) is not None:  # brought to the window: one more visit
                app.visits += 1
        case = cases.transition(app.case_id, key, actor=actor, note=note, data=data, now=now)
        app.state = case.state
        if key == "issue":
            licences._issue(app, actor=actor, today=timezone.localtime(now).date())
        if key == "deliver":
            app.delivery = data["delivery"]
            app.tracking_no = str(data.get("tracking_no") or "")[:40]
        if case.is_closed and app.closed_at is None:
            app.closed_at = case.closed_at
            app.on_time = not case.ever_overdue and (case.legal_due_at is None or case.closed_at <= case.legal_due_at)
        if key == "evaluate":
            app.rating = data["rating"]
            evaluation._record(app, data["rating"], comment=str(data.get("comment") or "")[:500], now=now)
        app.save(update_fields=["state", "delivery", "tracking_no", "closed_at", "on_time", "rating", "visits"])
        if app.bundle_id:
            joins.join_if_done(app.bundle_id, actor=actor, now=now)
    return {"id": app.pk, "number": app.number, "state": app.state}


def _row(r: dict) -> dict:
    r = dict(r)
    r["item_code"], r["item_name"] = r.pop("item__code"), r.pop("item__name")
    r["state_name"] = state_name(r["state"])
    r["applicant_name"] = masking.mask_name(r["applicant_name"])
    return r


def state_name(key: str) -> str:
    try:
        return str(catalogue.CASE_TYPE.state(key).title)
    except KeyError:
        return joins.STATE_NAMES.get(key, key)


def applications(scope: Scope, *, state: str = "", q: str = "", item_code: str = "", mine: bool = False) -> Rows:
    """Applications in ``scope`` (newest first); ``mine``: the user's own only, whatever else he may see."""
    qs = Application.objects.filter(applicant_id=scope.user_id) if mine else filter_applications(scope, Application.objects.all())
    if state:
        qs = qs.filter(state=state)
    if item_code:
        qs = qs.filter(item__code=item_code[:24])
    if q:
        qs = qs.filter(Q(number=q[:30]) | Q(item__name__contains=q[:40]))
    return Rows(qs.order_by("-id"), _row, fields=LIST_FIELDS)


def state_counts(scope: Scope) -> dict[str, int]:
    qs = filter_applications(scope, Application.objects.all())
    return dict(qs.values_list("state").annotate(n=Count("id")).order_by())


def _clock(case) -> dict:
    c = cases.clock(case)
    legal = c.legal_remaining_seconds
    return {"level": c.level, "paused": c.paused, "legal_due_at": c.legal_due_at,
            "days_left": round(legal / WORKDAY_SECONDS, 1) if legal is not None else None,
            "state_due_at": c.due_at}


def detail(actor, scope: Scope, app_id: int) -> dict:
    """One application with its steps (the applicant reads the public ones), clock, materials and results."""
    app = _get(scope, app_id)
    if app.case_id is None:
        raise ApiError(404, "not-found")
    case = cases.get_case(app.case_id)
    own = app.applicant_id is not None and app.applicant_id == scope.user_id and not scope.handles
    events_ = cases.history(case, public_only=own)
    steps = [{"at": e.at, "action": e.action, "title": _step_title(e.action), "to": state_name(e.to_state),
              "note": e.note, "missing": (e.data or {}).get("missing") or [],
              "supplied": (e.data or {}).get("supplied") or [], "actor": "" if own else e.actor_name}
             for e in events_ if e.action not in ("remind", "attach")]
    allowed = [{"key": t.key, "title": str(t.title), "required": list(t.required)}
               for t in cases.allowed_transitions(case, actor)] if actor is not None else []
    org = accounts.organisation_by_id(app.organisation_id) if app.organisation_id else None
    lic = getattr(app, "licence", None) if hasattr(app, "licence") else None
    ev = getattr(app, "evaluation", None) if hasattr(app, "evaluation") else None
    mats = [{"name": m.name, "source": m.source, "source_name": m.get_source_display(), "file_name": m.file_name,
             "size": m.size, "supplied_at": m.supplied_at, "licence_number": m.licence.number if m.licence else ""}
            for m in app.materials.select_related("licence")]
    if scope.handles:
        audit.record("services.view", actor=actor, obj=app, detail={"number": app.number})
    return {
        "id": app.pk, "number": app.number, "state": app.state, "state_name": state_name(app.state),
        "item": {"code": app.item.code, "name": app.item.name, "promised_days": app.item.promised_days,
                 "instant": app.item.is_instant, "materials": [m.name for m in app.item.materials.all()]},
        "organisation_name": org.name if org else "", "channel": app.channel,
        "channel_name": app.get_channel_display(),
        "applicant_name": app.applicant_name if (scope.handles or own) else masking.mask_name(app.applicant_name),
        "applicant_id_number": masking.mask_id_number(app.applicant_id_number) if app.applicant_id_number else "",
        "applicant_phone": masking.mask_phone(app.applicant_phone) if app.applicant_phone else "",
        "created_at": app.created_at, "closed_at": app.closed_at, "on_time": app.on_time, "visits": app.visits,
        "delivery": app.delivery, "delivery_name": app.get_delivery_display(), "tracking_no": app.tracking_no,
        "clock": _clock(case), "steps": steps, "allowed": allowed, "materials": mats,
        "missing_now": missing_materials(app.pk),
        "licence": licences.licence_out(lic) if lic else None,
        "evaluation": evaluation.out(ev) if ev else None, "own": own, "bundle_id": app.bundle_id,
    }


def _step_title(action: str) -> str:
    names = {"create": "提交申请", "notify": "通知", "comment": "备注", "escalate": "超期督办"}
    if action in names:
        return names[action]
    try:
        return str(catalogue.CASE_TYPE.transition(action).title)
    except KeyError:
        return action


def material_choices(app_id: int) -> list[dict]:
    app = Application.objects.select_related("item").get(pk=app_id)
    return [{"id": m.id, "name": m.name, "formats": m.formats}
            for m in Material.objects.filter(item_id=app.item_id).order_by("order", "id")]
