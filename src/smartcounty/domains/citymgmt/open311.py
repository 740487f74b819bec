"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at /citymgmt/open311/v2/.

Endpoints (each as ``.json`` or ``.xml``): ``discovery``, ``services``, ``services/<code>``,
``requests`` (GET with filters and ``page``/``page_size``; POST form-encoded with ``api_key``),
``requests/<id>``, and the ``servicerequestupdates`` extension (GET by date range; POST with
``api_key``). A report becomes a city-management case; ``status`` is ``open`` until the case is
closed (结案, evaluated or not registered) and ``status_notes`` is the latest public note.
Errors are a list of ``{code, description}`` (``<errors><error>`` in XML).
"""

import json
from datetime import timedelta
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from smartcounty.domains.citymgmt import services
from smartcounty.domains.citymgmt.catalogue import (
    CASE_TYPE,
    CATEGORIES,
    CLOSED_STATES,
    category_name,
    major_name,
)
from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.cases import services as cases
from smartcounty.foundation.cases.services import BEIJING
from smartcounty.kernel import masking
from smartcounty.kernel.problems import ApiError

FORMATS = ("json", "xml")
MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50
SEVERITY = [("normal", "一般"), ("serious", "较重"), ("urgent", "紧急")]


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# ----- rendering -----

def _xml_value(parent, key, value):
    el = ET.SubElement(parent, key)
    if isinstance(value, list):
        item = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
                "keywords": "keyword"}.get(key, "item")
        for v in value:
            _xml_value(el, item, v)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(el, k, v)
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    elif value is not None:
        el.text = str(value)
    return el


def render(fmt: str, data, root: str, item: str, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return HttpResponse(json.dumps(data, ensure_ascii=False), status=status,
                            content_type="application/json; charset=utf-8")
    top = ET.Element(root)
    for entry in (data if isinstance(data, list) else [data]):
        if isinstance(data, list):
            el = ET.SubElement(top, item)
            for k, v in entry.items():
                _xml_value(el, k, v)
        else:
            for k, v in entry.items():
                _xml_value(top, k, v)
    body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8", xml_declaration=False)
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt if fmt in FORMATS else "json", [{"code": status, "description": description}],
                  "errors", "error", status=status)


def endpoint(view):
    """Check the format and jurisdiction, and turn errors into Open311 error lists."""
    def wrapper(request, fmt, *args, **kwargs):
        if fmt not in FORMATS:
            return error("json", 400, f"format {fmt!r} is not supported: use json or xml")
        params = request.POST if request.method == "POST" else request.GET
        jurisdiction = params.get("jurisdiction_id")
        if jurisdiction and jurisdiction != settings.SMARTCOUNTY_COUNTY_CODE:
            return error(fmt, 404, f"jurisdiction_id {jurisdiction!r} not found")
        try:
            return view(request, fmt, *args, **kwargs)
        except Open311Error as exc:
            return error(fmt, exc.status, exc.description)
        except ApiError as exc:
            status = exc.status if exc.status in (400, 403, 404, 409, 413, 415) else 400
            return error(fmt, status, f"{exc.field + ': ' if exc.field else ''}{exc.detail or exc.code}")
    wrapper.__name__ = view.__name__
    return wrapper


def iso(dt) -> str | None:
    return dt.astimezone(BEIJING).isoformat(timespec="seconds") if dt else None


# ----- services -----

def _service(code: str) -> dict:
    name = category_name(code)
    return {"service_code": code, "service_name": name,
            "description": f"{major_name(code)}：{name}（{'部件' if code.startswith('C') else '事件'}）",
            "metadata": True, "type": "realtime",
            "keywords": ", ".join(k for k in ("部件" if code.startswith("C") else "事件", major_name(code), name) if k),
            "group": major_name(code)}


def _definition(code: str) -> dict:
    attributes = [
        {"variable": True, "code": "severity", "datatype": "singlevaluelist", "required": False,
         "datatype_description": "", "order": 1, "description": "严重程度",
         "values": [{"key": k, "name": v} for k, v in SEVERITY]},
    ]
    if code.startswith("C"):
        attributes.append({"variable": True, "code": "component_code", "datatype": "string", "required": False,
                           "datatype_description": "16位部件编码", "order": 2, "description": "部件编码"})
    else:
        attributes.append({"variable": True, "code": "ongoing", "datatype": "singlevaluelist", "required": False,
                           "datatype_description": "", "order": 2, "description": "问题是否仍在持续",
                           "values": [{"key": "yes", "name": "是"}, {"key": "no", "name": "否"}]})
    return {"service_code": code, "attributes": attributes}


@require_GET
@endpoint
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("citymgmt:open311-root"))
    data = {"changeset": "2026-11-28T00:00:00+08:00", "contact": "冠县数字化城市管理指挥中心",
            "key_service": "向冠县数字化城市管理指挥中心申请 API key",
            "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                           "changeset": "2026-11-28T00:00:00+08:00", "type": "production",
                           "formats": ["application/json", "text/xml"]}]}
    return render(fmt, data, "discovery", "")


@require_GET
@endpoint
def service_list(request, fmt):
    return render(fmt, [_service(code) for code in CATEGORIES], "services", "service")


@require_GET
@endpoint
def service_definition(request, fmt, code):
    if code not in CATEGORIES:
        raise Open311Error(404, f"service_code {code} not found")
    return render(fmt, _definition(code), "service_definition", "")


# ----- requests -----

def _parse_dt(value: str, name: str):
    dt = parse_datetime(value.replace(" ", "+")) if value else None
    if value and dt is None:
        raise Open311Error(400, f"{name} is not a W3C datetime")
    if dt is not None and timezone.is_naive(dt):
        dt = dt.replace(tzinfo=BEIJING)
    return dt


def _float(params, name, required=False):
    raw = params.get(name, "").strip()
    if not raw:
        if required:
            raise Open311Error(400, f"{name} is required")
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number") from None
    return value


def _org_names() -> dict[int, str]:
    return {o.id: o.name for o in accounts.organisations(active_only=False)}


#: States before the command centre has looked at a report (and "not registered": it never passes).
UNMODERATED = ("collected", "need_info", "rejected")
#: Decimals of published coordinates in the redacted mode (3: about 110 m north-south).
COORD_DECIMALS = 3


def _rounded(v):
    return None if v is None else round(v, COORD_DECIMALS)


def _public(case) -> dict:
    """What Open311 publishes of a report's text and place (``SMARTCOUNTY_OPEN311_PUBLISH``)."""
    media = case.data.get("media_url", "")
    media = media if media and cases.is_web_url(media) else ""
    if settings.SMARTCOUNTY_OPEN311_PUBLISH == "moderated":
        if case.state in UNMODERATED:
            return {"description": "", "address": "", "lat": None, "long": None, "media_url": ""}
        return {"description": case.description, "address": case.address, "lat": case.lat, "long": case.lon,
                "media_url": media}
    return {"description": masking.mask_text(case.description), "address": masking.mask_address(case.address),
            "lat": _rounded(case.lat), "long": _rounded(case.lon), "media_url": media}


def _public_note(note: str) -> str:
    if settings.SMARTCOUNTY_OPEN311_PUBLISH == "moderated":
        return note
    who, sep, rest = note.partition("：")
    if sep and len(who) <= 61 and masking.looks_like_name(who):
        note = masking.mask_name(who) + sep + rest
    return masking.mask_text(note)


def _request_out(case, names: dict[int, str]) -> dict:
    notice = ""
    if case.duplicate_of_id:
        notice = "疑似重复上报，已与附近同类案件关联"
    public = _public(case)
    return {"service_request_id": case.number, "status": "closed" if case.state in CLOSED_STATES else "open",
            "status_notes": _public_note(getattr(case, "last_public_note", None) or ""),
            "service_name": category_name(case.category), "service_code": case.category,
            "description": public["description"], "agency_responsible": names.get(case.organisation_id, ""),
            "service_notice": notice, "requested_datetime": iso(case.created_at),
            "updated_datetime": iso(case.updated_at),
            "expected_datetime": iso(case.due_at) if case.state not in CLOSED_STATES else None,
            "address": public["address"], "address_id": "", "zipcode": "", "lat": public["lat"],
            "long": public["long"], "media_url": public["media_url"]}


@csrf_exempt
@require_http_methods(["GET", "POST"])
@endpoint
def requests_view(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    p = request.GET
    qs = cases.cases_of_type(services.CASE_TYPE_KEY, with_public_note=True)
    ids = [s.strip() for s in p.get("service_request_id", "").split(",") if s.strip()]
    if ids:
        qs = qs.filter(number__in=ids)
    else:
        codes = [s.strip() for s in p.get("service_code", "").split(",") if s.strip()]
        if codes:
            qs = qs.filter(category__in=codes)
        start, end = _parse_dt(p.get("start_date", ""), "start_date"), _parse_dt(p.get("end_date", ""), "end_date")
        if start is None and end is None:
            start = timezone.now() - timedelta(days=90)
        if start:
            qs = qs.filter(created_at__gte=start)
        if end:
            qs = qs.filter(created_at__lte=end)
        statuses = {s.strip() for s in p.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status must be open and/or closed")
        if statuses == {"open"}:
            qs = qs.exclude(state__in=CLOSED_STATES)
        elif statuses == {"closed"}:
            qs = qs.filter(state__in=CLOSED_STATES)
    try:
        page = int(p.get("page", "1"))
        size = int(p.get("page_size", str(DEFAULT_PAGE_SIZE)))
    except ValueError:
        raise Open311Error(400, "page and page_size must be whole numbers") from None
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise Open311Error(400, f"page must be ≥ 1 and page_size 1-{MAX_PAGE_SIZE}")
    rows = list(qs.order_by("-created_at", "-id")[(page - 1) * size: page * size])
    names = _org_names()
    return render(fmt, [_request_out(c, names) for c in rows], "service_requests", "request")


def _create(request, fmt):
    p = request.POST
    if services.api_key_valid(p.get("api_key")) is None:
        raise Open311Error(403, "api_key is missing or not valid")
    code = p.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    if code not in CATEGORIES:
        raise Open311Error(404, f"service_code {code} not found")
    lat, lon = _float(p, "lat"), _float(p, "long")
    address = p.get("address_string", "").strip()
    if (lat is None or lon is None) and not address and not p.get("address_id"):
        raise Open311Error(400, "a location is required: lat and long, or address_string")
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat and long go together")
    attributes = {}
    for key, value in p.items():
        if key.startswith("attribute[") and key.endswith("]"):
            attributes[key[10:-1]] = value
    severity = attributes.get("severity")
    if severity and severity not in dict(SEVERITY):
        raise Open311Error(400, f"attribute[severity] must be one of {', '.join(k for k, _ in SEVERITY)}")
    description = p.get("description", "").strip()
    if len(description) > 4000:
        raise Open311Error(400, "description is longer than 4000 characters")
    media_url = p.get("media_url", "").strip()
    if media_url and (len(media_url) > 500 or not cases.is_web_url(media_url)):
        raise Open311Error(400, "media_url must be an http or https URL of at most 500 characters")
    name = " ".join(s for s in (p.get("last_name", "").strip(), p.get("first_name", "").strip()) if s)
    contact = ", ".join(s for s in (p.get("email", "").strip(), p.get("phone", "").strip()) if s)
    data = {"attributes": attributes, "device_id": p.get("device_id", ""), "account_id": p.get("account_id", ""),
            "media_url": media_url, "address_id": p.get("address_id", "")}
    case = services.report(category=code, description=description, lon=lon, lat=lat, address=address,
                           reporter_name=name[:60], reporter_contact=contact[:120], source="open311", data=data)
    notice = "已受理，将在1个工作小时内核实立案"
    if case.duplicate_of_id:
        notice += "；疑似重复上报"
    return render(fmt, [{"service_request_id": case.number, "service_notice": notice, "account_id": None}],
                  "service_requests", "request", status=201)


@require_GET
@endpoint
def request_detail(request, fmt, request_id):
    qs = cases.cases_of_type(services.CASE_TYPE_KEY, with_public_note=True).filter(number=request_id)
    case = qs.first()
    if case is None:
        raise Open311Error(404, f"service_request_id {request_id} not found")
    return render(fmt, [_request_out(case, _org_names())], "service_requests", "request")


# ----- servicerequestupdates extension -----

@csrf_exempt
@require_http_methods(["GET", "POST"])
@endpoint
def updates_view(request, fmt):
    if request.method == "POST":
        return _post_update(request, fmt)
    p = request.GET
    start, end = _parse_dt(p.get("start_date", ""), "start_date"), _parse_dt(p.get("end_date", ""), "end_date")
    if start is None:
        start = timezone.now() - timedelta(days=1)
    end = end or timezone.now()
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    try:
        page, size = int(p.get("page", "1")), int(p.get("page_size", str(DEFAULT_PAGE_SIZE)))
    except ValueError:
        raise Open311Error(400, "page and page_size must be whole numbers") from None
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise Open311Error(400, f"page must be ≥ 1 and page_size 1-{MAX_PAGE_SIZE}")
    evs = cases.public_updates(services.CASE_TYPE_KEY, start, end)[(page - 1) * size: page * size]
    titles = {t.key: str(t.title) for t in CASE_TYPE.transitions}
    out = [{"update_id": str(e.pk), "service_request_id": e.case.number,
            "status": "closed" if e.to_state in CLOSED_STATES else "open", "updated_datetime": iso(e.at),
            "description": _public_note(e.note) or titles.get(e.action, ""), "media_url": ""} for e in evs]
    return render(fmt, out, "service_request_updates", "request_update")


def _post_update(request, fmt):
    p = request.POST
    if services.api_key_valid(p.get("api_key")) is None:
        raise Open311Error(403, "api_key is missing or not valid")
    number = p.get("service_request_id", "").strip()
    case = cases.get_case_by_number(number) if number else None
    if case is None or case.case_type != services.CASE_TYPE_KEY:
        raise Open311Error(404, f"service_request_id {number!r} not found")
    description = p.get("description", "").strip()
    if not description:
        raise Open311Error(400, "description is required")
    who = " ".join(s for s in (p.get("last_name", "").strip(), p.get("first_name", "").strip()) if s) or "公众"
    ev = cases.comment(case.pk, actor=None, note=f"{who}：{description}"[:4000], public=True)
    return render(fmt, [{"update_id": str(ev.pk)}], "service_request_updates", "request_update", status=201)


def root(request):
    """The base URL of the endpoint (named in discovery); the documents live below it."""
    return HttpResponse("Open311 GeoReport v2: discovery.json, services.json, requests.json",
                        content_type="text/plain; charset=utf-8")

