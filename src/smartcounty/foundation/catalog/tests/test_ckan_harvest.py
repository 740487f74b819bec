"""CKAN clients against a live server: ckanapi's RemoteCKAN, and the request sequence of
ckanext-harvest's CKAN harvester (gather with ``sort=id asc`` paged to the end, incremental runs
with ``fq=metadata_modified:[<last run>Z TO *]``, ``package_show`` for each dataset)."""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from ckanapi import NotFound, RemoteCKAN, ValidationError

from smartcounty.foundation.accounts import services as accounts
from smartcounty.foundation.catalog import services
from smartcounty.foundation.catalog.tests import harvest_catalog

URLCONF = "smartcounty.foundation.catalog.tests.ckan_urls"
pytestmark = pytest.mark.urls(URLCONF)


@pytest.fixture
def catalog(orgs):
    return harvest_catalog.build(orgs)


def _public_ids(catalog):
    return sorted(str(r.uuid) for r in catalog["open"] + catalog["metadata"])


class Harvester:
    """What ckanext-harvest's CkanHarvester sends (gather_stage, _search_for_datasets, fetch)."""

    def __init__(self, base: str, rows: int = 100, api_key: str | None = None):
        self.base, self.rows = base, rows
        self.headers = {"Authorization": api_key} if api_key else {}
        self.requests = 0

    def _get(self, action: str, params: dict) -> dict:
        self.requests += 1
        r = requests.get(f"{self.base}/api/3/action/{action}?{urlencode(params)}", headers=self.headers, timeout=30)
        assert r.status_code == 200, (action, params, r.text)
        body = r.json()
        assert body["success"] is True
        return body["result"]

    def gather(self, last_run: datetime | None = None) -> list[dict]:
        params = {"rows": str(self.rows), "start": "0", "sort": "id asc"}
        if last_run is not None:
            since = (last_run - timedelta(hours=1)).replace(tzinfo=None).isoformat()
            params["fq"] = f"metadata_modified:[{since}Z TO *]"
        pkgs, ids = [], set()
        while True:
            page = self._get("package_search", params)["results"]
            for pkg in page:
                if pkg["id"] not in ids:
                    ids.add(pkg["id"])
                    pkgs.append(pkg)
            if not page:
                return pkgs
            params["start"] = str(int(params["start"]) + int(params["rows"]))

    def fetch(self, pkgs: list[dict]) -> list[dict]:
        return [self._get("package_show", {"id": p["id"]}) for p in pkgs]


@pytest.mark.parametrize("rows", [5, 100])
def test_a_harvester_gathers_everything_then_only_what_changed(catalog, live_server, rows):
    harvester = Harvester(live_server.url, rows=rows)
    gathered = harvester.gather()
    # sort=id asc: every public dataset once, in id order, none private
    assert [p["id"] for p in gathered] == _public_ids(catalog)
    fetched = harvester.fetch(gathered)
    assert [p["name"] for p in fetched] == [p["name"] for p in gathered]
    assert all(p["private"] is False and p["resources"][0]["url"].startswith("http") for p in fetched)
    pages = -(-len(gathered) // rows) + 1  # the last, empty page ends the gather
    assert harvester.requests == pages + len(gathered)
    # an incremental run: only the datasets modified since the last run (less the harvester's hour)
    last_run = datetime.now(UTC)
    changed = [catalog["open"][3], catalog["metadata"][1]]
    for res in changed:
        services.update_resource(res, {"summary": res.summary + "（已更新）"})
    services.update_resource(catalog["private"][0], {"summary": "私有的也更新了"})
    again = Harvester(live_server.url, rows=rows).gather(last_run)
    assert [p["id"] for p in again] == sorted(str(r.uuid) for r in changed)
    assert all(p["notes"].endswith("（已更新）") for p in Harvester(live_server.url).fetch(again))
    # a run from now on finds nothing
    assert Harvester(live_server.url).gather(datetime.now(UTC) + timedelta(hours=2)) == []


def test_ckanapi_remote_calls(catalog, live_server, people):
    ckan = RemoteCKAN(live_server.url, user_agent="smartcounty-tests/1.0")
    public = _public_ids(catalog)
    assert ckan.action.package_list() == sorted(r.slug for r in catalog["open"] + catalog["metadata"])
    assert ckan.action.package_list(limit=3, offset=2) == ckan.action.package_list()[2:5]
    found = ckan.action.package_search(sort="id asc", rows=1000)
    assert found["count"] == len(public) and [p["id"] for p in found["results"]] == public
    by_name = ckan.action.package_search(sort="name desc", rows=3, start=1)["results"]
    assert [p["name"] for p in by_name] == sorted((r.slug for r in catalog["open"] + catalog["metadata"]),
                                                  reverse=True)[1:4]
    # several keys: organisation-independent modified date ties broken by name
    tied = ckan.action.package_search(sort="metadata_modified asc, name asc", rows=1000)["results"]
    assert [p["metadata_modified"] for p in tied] == sorted(p["metadata_modified"] for p in tied)
    modified = [p["metadata_modified"] for p in ckan.action.package_search(sort="metadata_modified desc",
                                                                          rows=1000)["results"]]
    assert modified == sorted(modified, reverse=True)
    # fq ranges with Solr dates, open ends and NOW maths
    assert ckan.action.package_search(fq="metadata_modified:[* TO NOW-1DAY]")["count"] == len(public)
    assert ckan.action.package_search(fq="metadata_modified:[NOW-1DAY TO *]")["count"] == 0
    assert ckan.action.package_search(fq="metadata_modified:[NOW/DAY-3DAYS TO NOW]")["count"] == len(public)
    assert ckan.action.package_search(fq="metadata_created:[NOW-1HOUR TO NOW+1HOUR] +organization:health",
                                      rows=0)["count"] == sum(
        1 for r in catalog["open"] + catalog["metadata"] if r.provider_org_code == "health")
    one = catalog["open"][0]
    assert [p["name"] for p in ckan.action.package_search(fq=f'id:"{one.uuid}"')["results"]] == [one.slug]
    with pytest.raises(ValidationError):
        ckan.action.package_search(fq="metadata_modified:[yesterday TO *]")
    with pytest.raises(ValidationError):
        ckan.action.package_search(sort="popularity desc")
    # CKAN's maximums: rows at most 1000, organisation dicts at most 25
    assert len(ckan.action.package_search(rows=5000)["results"]) == len(public)
    orgs = ckan.action.organization_list(all_fields=True, sort="package_count desc")
    assert sorted(o["name"] for o in orgs) == ["ecology-environment", "health"]
    assert orgs[0]["package_count"] >= orgs[1]["package_count"] and orgs[1]["package_count"] > 0
    assert ckan.action.organization_list(limit=1, offset=1, sort="name asc") == ["health"]
    assert ckan.action.group_list(limit=2, offset=1) == ckan.action.group_list()[1:3]
    assert "空气质量" in ckan.action.tag_list() and ckan.action.tag_list(query="标签")[0] == "标签0"
    assert {lic["id"] for lic in ckan.action.license_list()} >= {"other-open"}
    assert "sort" in ckan.action.help_show(name="package_search")
    listed = ckan.action.current_package_list_with_resources(limit=4, offset=0)
    assert len(listed) == 4 and all(p["resources"] for p in listed)
    # resources and the datastore
    pkg = ckan.action.package_show(id=one.slug)
    res_id = pkg["resources"][0]["id"]
    assert ckan.action.resource_show(id=res_id)["url"] == pkg["resources"][0]["url"]
    assert ckan.action.resource_search(query="name:" + one.name)["count"] == 1
    assert ckan.action.datastore_info(id=res_id)["meta"]["count"] == 3
    assert requests.get(pkg["resources"][0]["url"], timeout=30).status_code == 200
    assert requests.get(f"{live_server.url}/api/3", timeout=30).json() == {"version": 3}
    assert ckan.action.status_show()["ckan_version"].startswith("2.11")
    with pytest.raises(NotFound):
        ckan.action.package_show(id=catalog["private"][0].slug)


def test_datastore_search_semantics(catalog, live_server):
    ckan = RemoteCKAN(live_server.url)
    res = catalog["open"][4]  # 7 rows
    rid = str(res.datastore_uuid)
    plain = ckan.action.datastore_search(resource_id=rid)
    assert plain["total"] == 7 and plain["records"][0]["contact"].startswith("138") and "*" in \
        plain["records"][0]["contact"]
    lists = ckan.action.datastore_search(resource_id=rid, records_format="lists", fields="station,aqi",
                                         sort="aqi desc", limit=2, offset=1)
    assert lists["records"] == [[6, "站5", 45], [5, "站4", 44]]
    assert [f["id"] for f in lists["fields"]] == ["_id", "station", "aqi"]
    as_csv = ckan.action.datastore_search(resource_id=rid, records_format="csv", fields=["station", "aqi"],
                                          sort="aqi asc", limit=3)
    assert list(csv.reader(io.StringIO(as_csv["records"]))) == [["1", "站0", "40"], ["2", "站1", "41"],
                                                                ["3", "站2", "42"]]
    tsv = ckan.action.datastore_search(resource_id=rid, records_format="tsv", fields="station", limit=1)
    assert tsv["records"] == "1\t站0\r\n"
    no_total = ckan.action.datastore_search(resource_id=rid, include_total=False, limit=1)
    assert "total" not in no_total and no_total["include_total"] is False
    assert ckan.action.datastore_search(resource_id=rid, q="站3")["total"] == 1
    assert ckan.action.datastore_search(resource_id=rid, q={"station": "站"})["total"] == 7
    assert ckan.action.datastore_search(resource_id=rid, sort="aqi desc, station asc")["records"][0]["aqi"] == 46
    # the masked phone is neither searched nor sortable
    assert ckan.action.datastore_search(resource_id=rid, q="13806350003")["total"] == 0
    for bad in ({"q": {"contact": "138"}}, {"sort": "contact asc"}, {"filters": {"contact": "13806350001"}},
                {"records_format": "xml"}):
        with pytest.raises(ValidationError):
            ckan.action.datastore_search(resource_id=rid, **bad)


def test_private_datasets_stay_private(catalog, live_server, people):
    private = catalog["private"][0]
    staff = accounts.issue_token(people["health_staff"], "ckan", ["catalog"])[1]  # the right to see them
    resident = accounts.issue_token(people["resident"], "ckan", ["catalog"])[1]  # signed in, without it
    for key in (None, resident):
        ckan = RemoteCKAN(live_server.url, apikey=key)
        for params in ({}, {"include_private": True}, {"include_private": True, "fq": "capacity:private"},
                       {"q": private.name, "include_private": True}):
            names = {p["name"] for p in ckan.action.package_search(rows=1000, **params)["results"]}
            assert not names & {r.slug for r in catalog["private"]}, params
        assert private.slug not in ckan.action.package_list()
        with pytest.raises(NotFound):
            ckan.action.package_show(id=private.slug)
        with pytest.raises(NotFound):
            ckan.action.resource_show(id=str(private.datastore_uuid))
        with pytest.raises(NotFound):
            ckan.action.datastore_search(resource_id=str(private.datastore_uuid))
        dump = requests.get(f"{live_server.url}/datastore/dump/{private.datastore_uuid}",
                            headers={"Authorization": key} if key else {}, timeout=30)
        assert dump.status_code == 404
        assert private.slug not in json.dumps(ckan.action.current_package_list_with_resources(limit=1000))
        assert ckan.action.organization_show(id="health")["package_count"] == sum(
            1 for r in catalog["open"] + catalog["metadata"] if r.provider_org_code == "health")
    # with the right: only when asked for
    ckan = RemoteCKAN(live_server.url, apikey=staff)
    assert private.slug not in ckan.action.package_list()
    assert ckan.action.package_search(rows=1000)["count"] == len(catalog["open"]) + len(catalog["metadata"])
    with_private = ckan.action.package_search(rows=1000, include_private=True, fq="capacity:private")["results"]
    assert {p["name"] for p in with_private} >= {r.slug for r in catalog["private"]}
    assert all(p["private"] is True for p in with_private)
    pkg = ckan.action.package_show(id=private.slug)
    assert pkg["private"] is True
    # its resource URL answers this caller (the dump, as datastore_search decides: conditional, no grant)
    dump = requests.get(pkg["resources"][0]["url"], headers={"Authorization": staff}, timeout=30)
    assert dump.status_code == 403


def test_every_resource_url_is_usable_for_ckanapi_dump(catalog, live_server, tmp_path):
    """``ckanapi dump datasets --all -D DIR``: a data package per dataset, each resource downloaded."""
    out = tmp_path / "dp"
    bindir = Path(sys.executable).parent  # its workers run "ckanapi" from PATH
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([str(bindir / "ckanapi"), "dump", "datasets", "--all", "-D", str(out), "-r",
                           live_server.url, "-p", "1", "-q"], capture_output=True, timeout=300, text=True, env=env)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(r.slug for r in catalog["open"] + catalog["metadata"])
    one = catalog["open"][2]
    data = next((out / one.slug / "data").iterdir()).read_text("utf-8-sig").splitlines()
    assert data[0] == "station,aqi,contact" and len(data) == 1 + 5
    package = json.loads((out / one.slug / "datapackage.json").read_text())
    assert [f["name"] for f in package["resources"][0]["schema"]["fields"]] == ["station", "aqi", "contact"]
    meta = catalog["metadata"][0]
    assert (out / meta.slug / "datapackage.json").exists()  # its URL answered (403 to the public), no crash
