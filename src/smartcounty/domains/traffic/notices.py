"""Traffic control notices (交通管制公告): published on the portal and as the catalog's open dataset.

The open dataset leaves the detour text out: the catalog's personal-data check takes a street-by-street
route for an address and would refuse to open the resource; the portal and the API show it."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from smartcounty.domains.traffic.models import Notice, RoadSegment
from smartcounty.foundation.catalog import services as catalog
from smartcounty.kernel import audit
from smartcounty.kernel.problems import ApiError

log = logging.getLogger("smartcounty.traffic")
OPEN_DATA_CODE = "206001/00001"
MAX_DAYS = 366


def publish(*, title: str, kind: str, area: str, starts_at: datetime, ends_at: datetime, detour: str = "",
            body: str = "", segment_codes=(), organisation_id=None, actor=None) -> int:
    """Publish a notice (and refresh the open dataset); every field is checked first, nothing half-written."""
    if not title.strip() or len(title) > 120:
        raise ApiError(422, "invalid", "a title of 1 to 120 characters", field="title")
    if kind not in Notice.Kind.values:
        raise ApiError(422, "invalid", "kind is closure, diversion or restriction", field="kind")
    if not area.strip() or len(area) > 200:
        raise ApiError(422, "invalid", "an area of 1 to 200 characters", field="area")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ApiError(422, "invalid", "times need a time zone", field="starts_at")
    if ends_at <= starts_at or ends_at - starts_at > timedelta(days=MAX_DAYS):
        raise ApiError(422, "invalid", "the end must be after the start, within a year", field="ends_at")
    codes = sorted(set(segment_codes))
    known = set(RoadSegment.objects.filter(code__in=codes).values_list("code", flat=True))
    if set(codes) - known:
        raise ApiError(422, "invalid", f"unknown segments: {', '.join(sorted(set(codes) - known))}",
                       field="segment_codes")
    with transaction.atomic():
        n = Notice.objects.create(title=title.strip(), kind=kind, area=area.strip(), detour=detour.strip(),
                                  body=body.strip(), starts_at=starts_at, ends_at=ends_at, segment_codes=codes,
                                  organisation_id=organisation_id)
        audit.record("traffic.notice_publish", actor=actor, obj=n, organisation_id=organisation_id,
                     detail={"title": n.title, "kind": kind})
        try:
            with transaction.atomic():
                publish_open_data(actor=actor)
        except ApiError as exc:  # the catalog refused the dataset (e.g. a column looks personal): the notice stands
            log.warning("traffic notices: open dataset not refreshed: %s", exc.detail)
    return n.pk


def current(now: datetime | None = None):
    """Notices in force or coming (not yet ended), soonest first."""
    now = now or timezone.now()
    return Notice.objects.filter(ends_at__gt=now).order_by("starts_at", "id")


def recent(days: int = 90, now: datetime | None = None):
    now = now or timezone.now()
    return Notice.objects.filter(ends_at__gt=now - timedelta(days=days)).order_by("-starts_at", "-id")


def open_data_rows() -> list[dict]:
    kinds = dict(Notice.Kind.choices)
    return [{"title": n.title, "kind": str(kinds[n.kind]), "area": n.area,
             "starts_at": timezone.localtime(n.starts_at).isoformat(), "ends_at": timezone.localtime(n.ends_at).isoformat(),
             "segments": ",".join(n.segment_codes)} for n in recent(366)[:5000]]


def publish_open_data(*, actor=None) -> int:
    """Replace the open dataset of notices with the last year's (no personal data in a notice)."""
    catalog.ensure_registered_resources(actor=actor)
    rows = open_data_rows()
    catalog.publish_dataset(OPEN_DATA_CODE, rows, actor=actor, note="交通管制公告", allow_empty=True)
    resource = catalog.get_resource(OPEN_DATA_CODE)
    if resource.open_type != "open":
        catalog.open_resource(resource, actor=actor)
    return len(rows)
