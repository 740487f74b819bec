"""Plan indicators the cockpit shows: catalog completeness per organisation, sharing requests
answered on time, open datasets and downloads per domain."""

from django.db.models import Count, Q, Sum
from django.utils import timezone

from smartcounty.foundation.catalog import domains
from smartcounty.foundation.catalog.models import InfoItem, OpenType, Resource, SharingRequest, Usage

#: Core metadata a complete entry has (《政务信息资源目录编制指南》): besides what the model requires.
COMPLETENESS_FIELDS = ("summary", "published_on", "update_cycle", "items", "data")


def _complete(res) -> bool:
    return bool(res.summary.strip() and res.published_on and res.update_cycle and res.n_items
                and res.current_version_id)


def completeness() -> list[dict]:
    """Per provider organisation: resources, complete entries (summary, publication date, update
    cycle, information items, loaded data) and the share complete."""
    out: dict[str, dict] = {}
    rows = Resource.objects.annotate(n_items=Count("items")).only(
        "provider_org_code", "provider_org_name", "summary", "published_on", "update_cycle", "current_version_id")
    for res in rows:
        entry = out.setdefault(res.provider_org_code, {"organisation": res.provider_org_code,
                                                       "name": res.provider_org_name, "resources": 0, "complete": 0})
        entry["resources"] += 1
        entry["complete"] += _complete(res)
    for entry in out.values():
        entry["ratio"] = round(entry["complete"] / entry["resources"], 4) if entry["resources"] else 0.0
    return sorted(out.values(), key=lambda e: (-e["ratio"], e["organisation"]))


def requests_on_time(today=None) -> dict:
    """Decided requests answered by their due date; pending ones already late count as not on time."""
    today = today or timezone.localdate()
    decided = SharingRequest.objects.filter(decided_at__isnull=False)
    total_decided = decided.count()
    on_time = sum(1 for at, due in decided.values_list("decided_at", "due_on") if timezone.localdate(at) <= due)
    late_pending = SharingRequest.objects.filter(status=SharingRequest.Status.PENDING, due_on__lt=today).count()
    pending = SharingRequest.objects.filter(status=SharingRequest.Status.PENDING).count()
    answered_or_late = total_decided + late_pending
    return {"decided": total_decided, "on_time": on_time, "pending": pending, "late_pending": late_pending,
            "ratio": round(on_time / answered_or_late, 4) if answered_or_late else None}


def per_domain() -> list[dict]:
    """For each of the 22 domains: open datasets, catalog entries, downloads, views and API calls."""
    counts = {r["domain"]: r for r in Resource.objects.values("domain").annotate(
        resources=Count("id"), open=Count("id", filter=Q(open_type=OpenType.OPEN)))}
    usage = {r["resource__domain"]: r for r in Usage.objects.values("resource__domain").annotate(
        downloads=Sum("downloads"), views=Sum("views"), api_calls=Sum("api_calls"))}
    out = []
    for d in domains.DOMAINS:
        c, u = counts.get(d.code, {}), usage.get(d.code, {})
        out.append({"domain": d.code, "slug": d.slug, "name": d.name_zh, "resources": c.get("resources", 0),
                    "open_datasets": c.get("open", 0), "downloads": u.get("downloads") or 0,
                    "views": u.get("views") or 0, "api_calls": u.get("api_calls") or 0})
    return out


def indicators() -> dict:
    """Everything above in one call (for the cockpit)."""
    return {"completeness": completeness(), "requests_on_time": requests_on_time(), "per_domain": per_domain(),
            "personal_items": InfoItem.objects.exclude(personal="").count()}
