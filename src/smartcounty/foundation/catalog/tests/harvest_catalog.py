"""A catalog of many datasets for the CKAN and DCAT tests: open ones with data, metadata-only ones
and private ones (not open), from two departments."""

from datetime import timedelta

from django.utils import timezone

from smartcounty.foundation.catalog import services
from smartcounty.foundation.catalog.models import Resource

ITEMS = [{"name": "station", "title": "监测站", "required": True},
         {"name": "aqi", "title": "空气质量指数", "data_type": "integer"},
         {"name": "contact", "title": "联系电话", "personal": "phone"}]


def build_more(orgs, n: int) -> dict[str, list[Resource]]:
    """More of each kind (for query counts): ``n`` open, ``n // 2`` metadata-only and private ones."""
    return build(orgs, n, n // 2, n // 2, prefix="m", first=100)


def build(orgs, n_open: int = 12, n_meta: int = 4, n_private: int = 5, *, prefix: str = "h",
          first: int = 0) -> dict[str, list[Resource]]:
    """Create the datasets; every one was last modified two days ago (so incremental runs see only
    what changes afterwards). Returns {"open": [...], "metadata": [...], "private": [...]}."""
    out = {"open": [], "metadata": [], "private": []}
    seq = first
    for kind, count in (("open", n_open), ("metadata", n_meta), ("private", n_private)):
        for i in range(count):
            seq += 1
            org = orgs["ecology-environment"] if seq % 2 else orgs["health"]
            res = services.create_resource(
                {"code": f"210{seq:03d}/0001", "slug": f"{prefix}-{kind}-{i:02d}", "name": f"冠县{kind}数据集{i:02d}",
                 "summary": f"采集测试数据集 {kind} {i}", "domain": "10" if seq % 3 else "16",
                 "sharing_type": "unconditional" if kind != "private" else "conditional",
                 "sharing_conditions": "仅用于测试" if kind == "private" else "",
                 "open_type": "metadata" if kind == "metadata" else "closed", "update_cycle": "daily",
                 "tags": ["空气质量", f"标签{seq % 4}"]}, ITEMS, provider_org_id=org.pk)
            if kind != "metadata":
                services.publish_dataset(res.code, [{"station": f"站{r}", "aqi": 40 + r, "contact": f"1380635{r:04d}"}
                                                    for r in range(3 + i)])
            if kind == "open":
                res.refresh_from_db()
                services.open_resource(res)
            out[kind].append(res)
    Resource.objects.filter(slug__startswith=f"{prefix}-").update(modified_at=timezone.now() - timedelta(days=2))
    for kind in out:
        out[kind] = [Resource.objects.get(pk=r.pk) for r in out[kind]]
    return out
