import json

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from smartcounty.kernel.api import InputSchema, install_error_handlers
from smartcounty.kernel.problems import ApiError

api = NinjaAPI(urls_namespace="problems-test")
install_error_handlers(api)
STORE = []


class Item(InputSchema):
    name: str
    count: int


@api.post("/items")
def create(request, body: Item):
    STORE.append(body)
    return {"ok": True}


@api.get("/conflict")
def conflict(request):
    raise ApiError(409, "conflict", "already there", field="name")


@api.get("/busy")
def busy(request):
    raise ApiError(429, "rate-limited", "2 requests per minute", headers={"Retry-After": "12"})


client = TestClient(api)


def _problem(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["code"] == code and body["status"] == status and body["title"]
    return body


@pytest.fixture(autouse=True)
def _empty():
    STORE.clear()


def test_malformed_json_is_a_problem_and_changes_nothing():
    _problem(client.post("/items", data=b"{not json", content_type="application/json"), 400, "malformed-json")
    assert STORE == []


def test_wrong_types_name_the_field():
    body = _problem(client.post("/items", json={"name": "a", "count": "many"}), 422, "invalid")
    assert [e["field"] for e in body["errors"]] == ["count"]
    assert STORE == []


def test_unknown_fields_are_rejected():
    body = _problem(client.post("/items", json={"name": "a", "count": 1, "colour": "red"}), 422, "invalid")
    assert body["errors"][0]["field"] == "colour"
    assert STORE == []


def test_service_errors_keep_their_code_and_field():
    body = _problem(client.get("/conflict"), 409, "conflict")
    assert body["field"] == "name" and body["detail"] == "already there"


def test_headers_of_an_error_reach_the_response():
    response = client.get("/busy")
    body = _problem(response, 429, "rate-limited")
    assert response["Retry-After"] == "12" and body["detail"] == "2 requests per minute"
    assert "Retry-After" not in client.get("/conflict").headers  # only the error that asks for it


def test_valid_input_passes():
    assert client.post("/items", json={"name": "a", "count": 1}).json() == {"ok": True}
    assert len(STORE) == 1


def test_an_oversized_body_is_refused_before_any_parsing(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/api/v1/accounts/tokens", data=b"x" * 5000, content_type="application/json")
    body = _problem(response, 413, "body-too-large")
    assert "1000" in body["title"]
