"""Solr syntax of CKAN's package_search (fq terms, ranges, dates with date maths, sort lists), and
the query count of package_search staying the same however many datasets a page holds."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from smartcounty.foundation.catalog.ckan import solr
from smartcounty.foundation.catalog.ckan.callers import CkanError
from smartcounty.foundation.catalog.tests import harvest_catalog

URLCONF = "smartcounty.foundation.catalog.tests.ckan_urls"
NOW = datetime(2026, 12, 4, 15, 30, 45, 123456, tzinfo=UTC)


def test_fq_terms_ranges_and_groups():
    terms = solr.parse_fq('metadata_modified:[2026-12-04T09:00:00.123456Z TO *] +organization:health '
                          '-tags:"空气 质量" AND groups:(environment OR daily-life) dataset_type:dataset')
    assert [(t.field, t.negated, t.is_range) for t in terms] == [
        ("metadata_modified", False, True), ("organization", False, False), ("tags", True, False),
        ("groups", False, False), ("dataset_type", False, False)]
    assert terms[0].low == "2026-12-04T09:00:00.123456Z" and terms[0].high is None
    assert terms[2].value == "空气 质量" and terms[3].values == ["environment", "daily-life"]
    exclusive = solr.parse_fq("metadata_created:{NOW-1DAY TO NOW]")[0]
    assert not exclusive.low_inclusive and exclusive.high_inclusive
    for bad in ("metadata_modified:[2026 TO", "name:(a", 'name:"open'):
        with pytest.raises(CkanError):
            solr.parse_fq(bad)


@pytest.mark.parametrize("text, expected", [
    ("2026-12-04T09:00:00Z", datetime(2026, 12, 4, 9, tzinfo=UTC)),
    ("2026-12-04T09:00:00.5Z", datetime(2026, 12, 4, 9, 0, 0, 500000, tzinfo=UTC)),
    ("2026-12-04T09:00:00.123456", datetime(2026, 12, 4, 9, 0, 0, 123456, tzinfo=UTC)),
    ("2026-12-04T17:00:00+08:00", datetime(2026, 12, 4, 9, tzinfo=UTC)),
    ("2026-12-04", datetime(2026, 12, 4, tzinfo=UTC)),
    ("NOW", NOW),
    ("NOW/DAY", datetime(2026, 12, 4, tzinfo=UTC)),
    ("NOW-1DAY", NOW - timedelta(days=1)),
    ("NOW/HOUR+2HOURS", datetime(2026, 12, 4, 17, tzinfo=UTC)),
    ("NOW-1MONTH/DAY", datetime(2026, 11, 4, tzinfo=UTC)),
    ("NOW+1YEAR", NOW.replace(year=2027)),
    ("2024-03-31T00:00:00Z-1MONTH", datetime(2024, 2, 29, tzinfo=UTC)),  # clamped to the month's end, like Solr
    ("NOW-90MINUTES", NOW - timedelta(minutes=90)),
])
def test_solr_dates(text, expected):
    assert solr.parse_date(text, now=NOW) == expected


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01T00:00:00Z", "NOW-1FORTNIGHT", "NOW-DAY", "2026-02-30"])
def test_bad_dates_are_validation_errors(bad):
    with pytest.raises(CkanError) as err:
        solr.parse_date(bad, now=NOW)
    assert err.value.status == 409


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2999, 1, 1)),
       st.sampled_from(["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"]), st.integers(0, 500))
def test_date_maths_is_monotonic_and_rounds_down(dt, unit, n):
    now = dt.replace(tzinfo=UTC)
    rounded = solr.parse_date(f"NOW/{unit}", now=now)
    assert rounded <= now and solr.parse_date(f"NOW/{unit}", now=rounded) == rounded
    assert solr.parse_date(f"NOW-{n}{unit}S", now=now) <= now <= solr.parse_date(f"NOW+{n}{unit}S", now=now)
    iso = now.replace(tzinfo=None).isoformat()
    assert solr.parse_date(iso + "Z") == now


def test_sort_lists():
    fields = {"id": "uuid", "name": "slug", "metadata_modified": "modified_at"}
    assert solr.parse_sort("metadata_modified desc, name asc,id", fields) == [
        ("modified_at", True), ("slug", False), ("uuid", False)]
    for bad in ("title asc", "name sideways", "name asc desc"):
        with pytest.raises(CkanError):
            solr.parse_sort(bad, fields)


@pytest.mark.urls(URLCONF)
def test_package_search_query_count_is_constant(orgs, people):
    from smartcounty.foundation.accounts import services as accounts

    key = accounts.issue_token(people["health_staff"], "ckan", ["catalog"])[1]

    def queries(params, **headers):
        with CaptureQueriesContext(connection) as ctx:
            r = Client().post("/api/3/action/package_search", json.dumps(params), content_type="application/json",
                              **headers)
        assert r.status_code == 200, r.content
        return len(ctx.captured_queries), len(r.json()["result"]["results"])

    params = {"rows": 1000, "sort": "id asc", "facet.field": ["organization", "groups", "tags"],
              "fq": "metadata_modified:[* TO NOW] +dataset_type:dataset", "include_private": True}
    harvest_catalog.build(orgs, n_open=2, n_meta=1, n_private=1)
    queries(params, HTTP_AUTHORIZATION=key)  # the token's first use records it once
    small = queries(params), queries(params, HTTP_AUTHORIZATION=key), queries({**params, "q": "冠县 数据集"})
    harvest_catalog.build_more(orgs, 30)
    large = queries(params), queries(params, HTTP_AUTHORIZATION=key), queries({**params, "q": "冠县 数据集"})
    assert [n for n, _ in small] == [n for n, _ in large]
    assert [rows for _, rows in large] > [rows for _, rows in small]
