"""Traffic notices: checked input, the portal page, the public API and the open dataset in the catalog."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from smartcounty.domains.traffic import notices
from smartcounty.domains.traffic.models import Notice
from smartcounty.domains.traffic.tests.test_api_pages import signed_in
from smartcounty.foundation.catalog import services as catalog
from smartcounty.kernel.problems import ApiError

pytestmark = pytest.mark.django_db


def test_publish_checks_everything_first(roads):
    now = datetime.now(UTC)
    ok = {"title": "测试封闭", "kind": "closure", "area": "测试路", "starts_at": now, "ends_at": now + timedelta(hours=2)}
    for bad, field in (({"kind": "party"}, "kind"), ({"area": " "}, "area"), ({"ends_at": now}, "ends_at"),
                       ({"segment_codes": ["A1", "ZZ"]}, "segment_codes"), ({"title": ""}, "title")):
        with pytest.raises(ApiError) as e:
            notices.publish(**{**ok, **bad})
        assert e.value.field == field
    assert not Notice.objects.exists()


def test_portal_api_and_open_data(roads, orgs):
    now = datetime.now(UTC)
    body = {"title": "测试路夜间封闭<script>", "kind": "closure", "area": "测试路全线", "detour": "经测试街绕行",
            "starts_at": (now - timedelta(hours=1)).isoformat(), "ends_at": (now + timedelta(days=1)).isoformat(),
            "segment_codes": ["A1"]}

    def post(c):
        return c.post("/api/v1/traffic/notices", data=json.dumps(body), content_type="application/json")

    assert post(Client()).status_code == 401
    assert post(signed_in(orgs.housing)).status_code == 403
    assert post(signed_in(orgs.transport)).status_code == 201
    old = Notice.objects.create(title="已结束", kind="diversion", area="旧路", starts_at=now - timedelta(days=3),
                                ends_at=now - timedelta(days=2))
    items = Client().get("/api/v1/traffic/notices").json()["items"]
    assert [i["title"] for i in items] == ["测试路夜间封闭<script>"]
    html = Client().get("/traffic/notices/").content.decode()
    assert "测试路夜间封闭&lt;script&gt;" in html and "<script>" not in html.split("</header>")[-1].split("<footer")[0]
    assert "道路封闭" in html and "实施中" in html and "已结束" not in html
    res = catalog.get_resource(notices.OPEN_DATA_CODE)
    assert res.open_type == "open"
    rows = notices.open_data_rows()
    assert {r["title"] for r in rows} == {"测试路夜间封闭<script>", old.title}
    assert rows[0]["kind"] in ("道路封闭", "绕行")
