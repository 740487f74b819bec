import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.foundation.catalog import codes, domains, services
from smartcounty.foundation.catalog.models import OpenType, Resource
from smartcounty.kernel.models import AuditEntry
from smartcounty.kernel.problems import ApiError

from .conftest import AQI_ITEMS


def test_the_plan_has_22_domains_in_its_order():
    assert len(domains.DOMAINS) == 22
    assert [d.name_zh for d in domains.DOMAINS][:3] == ["信用服务", "医疗卫生", "社保就业"]
    assert domains.DOMAINS[20].name_zh == "地名地址" and domains.DOMAINS[-1].name_zh == "机构团体"
    assert len({d.slug for d in domains.DOMAINS}) == 22


@pytest.mark.parametrize("code", ["210001/00001", "101001001/0001", "3150010001/12345678"])
def test_valid_codes(code):
    assert codes.parse_code(code)["classification"] == code.split("/")[0]


@pytest.mark.parametrize("code", ["410001/00001", "200001/00001", "210000/00001", "210001/0000", "210001-00001",
                                  "210001/00000", "2100010000001/0001", ""])
def test_invalid_codes(code):
    with pytest.raises(codes.ResourceCodeError):
        codes.parse_code(code)


@given(st.from_regex(r"[1-3](0[1-9]|[1-9]\d)(00[1-9]|0[1-9]\d|[1-9]\d\d)\d{0,6}/\d{3}[1-9]", fullmatch=True))
def test_generated_codes_round_trip(code):
    assert codes.is_valid(code)
    assert not codes.is_valid(code.replace("/", ""))


def test_create_resource_records_metadata_and_audit(aqi):
    assert aqi.classification == "210001" and aqi.provider_org_code == "ecology-environment"
    assert [i.name for i in aqi.items.all()] == ["station", "day", "aqi"]
    assert AuditEntry.objects.filter(action="catalog.resource_create", object_id=str(aqi.pk)).exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"sharing_type": "none"}, "legal_basis"),
    ({"sharing_type": "conditional"}, "sharing_conditions"),
    ({"code": "21001/1"}, "code"),
    ({"domain": "23"}, "domain"),
    ({"slug": "Bad Slug"}, "slug"),
    ({"related_codes": ["x"]}, "related_codes"),
])
def test_bad_metadata_is_refused_naming_the_field(orgs, change, field):
    data = {"code": "210001/00002", "slug": "x-aqi", "name": "测试", "domain": "10", "sharing_type": "unconditional",
            **change}
    with pytest.raises(ApiError) as err:
        services.create_resource(data, AQI_ITEMS, provider_org_id=orgs["health"].pk)
    assert err.value.field == field
    assert not Resource.objects.filter(slug="x-aqi").exists()


def test_not_shared_needs_and_keeps_its_legal_basis(orgs):
    res = services.create_resource({"code": "101001/00001", "slug": "hh", "name": "户籍", "domain": "04",
                                    "sharing_type": "none", "legal_basis": "《居民身份证法》"},
                                   AQI_ITEMS, provider_org_id=orgs["health"].pk)
    with pytest.raises(ApiError):
        services.update_resource(res, {"legal_basis": ""})


def test_open_is_only_through_the_open_action(aqi):
    with pytest.raises(ApiError):
        services.update_resource(aqi, {"open_type": OpenType.OPEN})


def test_chinese_search_segments_words(aqi, allowance):
    assert services.query_terms("空气质量日报") == ["空气质量", "日报"]
    found = list(services.search("空气质量", public=False))
    assert found == [aqi]
    assert list(services.search("低保", public=False)) == [allowance]
    assert list(services.search("空气 低保", public=False)) == []
    # the portal only lists resources whose metadata is public
    assert list(services.search("空气质量", public=True)) == []
    services.update_resource(aqi, {"open_type": "metadata"})
    assert list(services.search("空气", public=True)) == [aqi]


def test_search_ranks_title_matches_first(orgs, aqi):
    other = services.create_resource({"code": "210001/00003", "slug": "noise", "name": "噪声监测",
                                      "summary": "与空气质量同站监测", "domain": "10",
                                      "sharing_type": "unconditional"}, AQI_ITEMS,
                                     provider_org_id=orgs["ecology-environment"].pk)
    assert list(services.search("空气质量", public=False)) == [aqi, other]


def test_index_counts_agree_with_the_rows_returned(orgs):
    for n, (name, open_type) in enumerate([("清泉街道空气质量日报", "metadata"), ("贾镇空气质量月报", "closed"),
                                           ("清泉街道公共厕所", "metadata"), ("贾镇公共厕所分布", "metadata")]):
        services.create_resource({"code": f"210001/{n + 10:05d}", "slug": f"c{n}", "name": name, "domain": "10",
                                  "sharing_type": "unconditional", "open_type": open_type},
                                 AQI_ITEMS, provider_org_id=orgs["health"].pk)
    for q in ("空气质量", "清泉街道", "公共厕所 贾镇", "贾镇", "日报 厕所", "冠县"):
        for public in (True, False):
            qs = services.search(q, public=public)
            assert qs.fast_count is not None or q == "冠县"  # no posting at all: an empty queryset
            rows = list(qs)
            assert qs.count() == len(rows) == Resource.objects.filter(pk__in=[r.pk for r in rows]).count()
            assert all(r.open_type != "closed" for r in rows) or not public
    assert [r.name for r in services.search("清泉街道", public=True)] == ["清泉街道公共厕所", "清泉街道空气质量日报"]
    assert services.search("空气质量", public=True).count() == 1
    assert services.search("空气质量", public=False).count() == 2
    assert services.search("空气质量", public=False, domain="06").count() == 0


def test_resources_modules_register_never_reuse_a_demo_code():
    """A module's registered resource with a demo dataset's code would take that dataset's place (the demo skips
    a code that exists), and the demo county would lose it."""
    from smartcounty.foundation.catalog import demo
    from smartcounty.kernel import registry

    demo_codes = {spec["code"] for spec in demo.RESOURCES}
    taken = {code: registry.catalog_resources._owners[code] for code in registry.catalog_resources if code in demo_codes}
    assert not taken, f"registered resources reuse demo codes: {taken}"
