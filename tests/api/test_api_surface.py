"""The whole /api/v1 surface: bounded integers, depth-limited JSON, documented errors, optional auth, CSRF."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from smartcounty.api import api
from smartcounty.foundation.accounts.services import issue_token
from smartcounty.kernel import jsonparse

BASE = "/api/v1"
HUGE = [2**63, 2**64, 10**30]


def _schema():
    return api.get_openapi_schema(path_prefix="/api/v1/")


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _unbounded_integers(schema: dict, components: dict, where: str, seen=()):
    schema = _resolve(schema, components)
    for alt in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        yield from _unbounded_integers(alt, components, where, seen)
    if schema.get("type") == "integer":
        low = "minimum" in schema or "exclusiveMinimum" in schema
        high = "maximum" in schema or "exclusiveMaximum" in schema
        if not (low and high):
            yield where
    if schema.get("type") == "array" and "items" in schema:
        yield from _unbounded_integers(schema["items"], components, where + "[]", seen)
    for name, sub in schema.get("properties", {}).items():
        yield from _unbounded_integers(sub, components, f"{where}.{name}", seen)


def _operations():
    doc = _schema()
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            yield doc, path, method, op


@pytest.mark.django_db  # the document includes the forms of the workflow definitions stored
def test_every_integer_an_operation_takes_is_bounded():
    """Path ids, query integers, offsets and body fields all say minimum and maximum (ids 1..2^63-1)."""
    unbounded = []
    for doc, path, method, op in _operations():
        components = doc["components"]["schemas"]
        for param in op.get("parameters", []):
            unbounded += [f"{method} {path} {w}" for w in _unbounded_integers(param["schema"], components, param["name"])]
        for content in op.get("requestBody", {}).get("content", {}).values():
            unbounded += [f"{method} {path} {w}" for w in _unbounded_integers(content["schema"], components, "body")]
    assert unbounded == []


@pytest.mark.django_db
def test_every_operation_documents_its_problem_statuses():
    missing = []
    for _doc, path, method, op in _operations():
        statuses = {str(s) for s in op["responses"]}
        wanted = {"400", "401", "403", "404", "422", "429"} | ({"409"} if method != "get" else set())
        wanted |= {"413"} if "requestBody" in op else set()
        missing += [f"{method} {path} {s}" for s in sorted(wanted - statuses)]
    assert missing == []
    doc = _schema()
    problem = doc["components"]["responses"]["Problem422"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    assert "Retry-After" in doc["components"]["responses"]["Problem429"]["headers"]


@pytest.mark.django_db
def test_the_ingest_operations_document_their_body():
    paths = _schema()["paths"]
    for path in (f"{BASE}/sensing/observations", f"{BASE}/sensing/CreateObservations"):
        body = paths[path]["post"]["requestBody"]
        assert body["required"] is True and "application/json" in body["content"]


@pytest.fixture
def platform(db):
    return get_user_model().objects.create_user("root-api", password=None, role="platform_admin", kind="staff",
                                                is_staff=True)


@pytest.fixture
def staff_token(platform):
    return issue_token(platform, "t", ["*"])[1]


def _problem(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    if code:
        assert body["code"] == code
    return body


@pytest.mark.parametrize("url", [
    "/alerts/rules/{n}", "/alerts/alerts/{n}", "/sensing/datastreams/{n}", "/sensing/datastreams/{n}/health",
    "/cases/{n}", "/cases/1/attachments/{n}", "/alerts/alerts?rule={n}", "/sensing/datastreams?thing={n}",
    "/sensing/things?offset={n}", "/alerts/rules?offset={n}", "/places/towns?offset={n}",
    "/catalog/resources?offset={n}", "/catalog/resources/x/rows?offset={n}", "/weather/signals?offset={n}",
    "/cases/?organisation_id={n}",
])
def test_huge_ids_and_offsets_are_invalid_fields_not_server_errors(url, platform, staff_token):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {staff_token}")
    for n in HUGE:
        body = _problem(client.get(BASE + url.format(n=n)), 422, "invalid")
        assert body["errors"], body


def test_huge_ids_in_bodies_and_unsafe_paths_are_invalid(platform, staff_token):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {staff_token}")
    _problem(client.delete(f"{BASE}/alerts/rules/{2**63}"), 422, "invalid")
    _problem(client.post(f"{BASE}/sensing/datastreams", {"thing": 2**63, "observed_property": "pm25"},
                         content_type="application/json"), 422, "invalid")
    _problem(client.post(f"{BASE}/sensing/things", {"code": "x1", "name": "x", "lon": 115.4, "lat": 36.5,
                                                    "organisation_id": 2**64}, content_type="application/json"),
             422, "invalid")
    # the largest id is a valid id: not found
    _problem(client.get(f"{BASE}/alerts/rules/{2**63 - 1}"), 404, "not-found")


def _deep(depth: int) -> bytes:
    return b'{"name": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("depth", [200_000, 1_000, jsonparse.MAX_DEPTH + 1])
def test_deep_json_bodies_are_a_400_problem(depth, platform, staff_token):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {staff_token}")
    for url in (f"{BASE}/accounts/tokens", f"{BASE}/alerts/rules"):
        _problem(client.post(url, _deep(depth), content_type="application/json"), 400, "json-too-deep")
    # ingest reads with orjson's own limit (1,024) and checks each item's depth: a deep item is rejected alone
    body = b"[" + b"[" * depth + b"]" * depth + b"]"
    response = client.post(f"{BASE}/sensing/observations", body, content_type="application/json")
    if depth > jsonparse.ORJSON_DEPTH:
        _problem(response, 400, "json-too-deep")
    else:
        assert response.status_code == 200 and response.json()["results"] == ["rejected"]


def test_json_within_the_depth_limit_is_read():
    ok = b"[" * jsonparse.MAX_DEPTH + b"]" * jsonparse.MAX_DEPTH
    assert jsonparse.too_deep(jsonparse.loads(ok)) is False
    with pytest.raises(jsonparse.JsonError):
        jsonparse.loads(b"[NaN]")


def test_a_multipart_body_without_boundary_is_a_400(platform, staff_token):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {staff_token}")
    response = client.generic("POST", f"{BASE}/cases/1/attachments", b"x", content_type="multipart/form-data")
    _problem(response, 400)


def test_public_endpoints_recognise_a_valid_token(platform, staff_token):
    """``auth=None`` is public with optional authentication: the token's user is seen, a bad token is 401."""
    anonymous = Client().get(f"{BASE}/cockpit/live")
    _problem(anonymous, 401, "not-authenticated")  # the cockpit is not public by default
    assert Client(HTTP_AUTHORIZATION=f"Bearer {staff_token}").get(f"{BASE}/cockpit/live").status_code == 200
    _problem(Client(HTTP_AUTHORIZATION="Bearer sc_nope_nope").get(f"{BASE}/places/county"), 401,
             "not-authenticated")
    assert Client().get(f"{BASE}/places/towns").status_code == 200


def test_anonymous_unsafe_calls_are_401_and_sessions_still_need_csrf(platform):
    anonymous = Client(enforce_csrf_checks=True)
    _problem(anonymous.post(f"{BASE}/alerts/rules", {}, content_type="application/json"), 401, "not-authenticated")
    _problem(anonymous.delete(f"{BASE}/accounts/tokens/1"), 401, "not-authenticated")
    session = Client(enforce_csrf_checks=True)
    session.force_login(platform)
    _problem(session.delete(f"{BASE}/accounts/tokens/1"), 403, "forbidden")


def test_an_api_url_that_matches_nothing_is_a_problem_404(platform, staff_token):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {staff_token}")
    _problem(client.get(f"{BASE}/cases/not-a-number/attachments/1"), 404, "not-found")
    _problem(client.get(f"{BASE}/no-such-module/"), 404, "not-found")
    assert "text/html" in Client().get("/no-such-page/")["Content-Type"]


@pytest.mark.django_db
def test_every_module_adds_its_component_schemas(caplog):
    """No module's schemas fail to build (a failure is logged and left out of the document)."""
    with caplog.at_level("ERROR", logger="smartcounty.api"):
        components = _schema()["components"]["schemas"]
    assert not [r.getMessage() for r in caplog.records if "openapi schemas of" in r.getMessage()]
    assert "Problem" in components
