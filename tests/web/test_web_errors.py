"""One error envelope: every error answer of /api/v1, on every route, has the same shape."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tiegraph.web.routes import api_people

API_PREFIX = "/api/v1"


def assert_envelope(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    content_type = answer.headers["content-type"]  # schemathesis gives a list per header
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith("application/json")
    body = answer.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "details"}
    assert error["status"] == status
    assert isinstance(error["code"], str) and re.fullmatch(r"[a-z_]+", error["code"])
    assert isinstance(error["message"], str) and error["message"]
    assert error["details"] is None or isinstance(error["details"], list)
    return dict(error)


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) of the API, from the OpenAPI document the app serves."""
    return [
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    ]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_api_route_is_listed(app: FastAPI) -> None:
    assert len(api_routes(app)) >= 25


def test_every_route_answers_401_in_the_envelope_without_a_token(app: FastAPI) -> None:
    client = TestClient(app)
    for method, path in api_routes(app):
        answer = client.request(method, concrete(path))
        error = assert_envelope(answer, 401)
        assert error["code"] == "unauthorized", (method, path)
        assert answer.headers["www-authenticate"] == "Bearer"


def test_every_route_answers_an_unknown_id_in_the_envelope(
    app: FastAPI, ana_api: TestClient
) -> None:
    """With a token, an id that is nobody's is 404 (or 422 for a body the route wants)."""
    for method, path in api_routes(app):
        if "{" not in path:
            continue
        answer = ana_api.request(method, re.sub(r"\{[^}]+\}", "987654", path), json={})
        assert answer.status_code in (404, 422), (method, path, answer.text)
        assert_envelope(answer, answer.status_code)


def test_bad_token_is_401(app: FastAPI) -> None:
    for token in ("nonsense", "tg_1_forged", "tg_x_y", "Bearer", "tg_" + "a" * 300):
        client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
        assert_envelope(client.get(f"{API_PREFIX}/me"), 401)


def test_unknown_path_is_404(ana_api: TestClient) -> None:
    assert assert_envelope(ana_api.get(f"{API_PREFIX}/nothing-here"), 404)["code"] == "not_found"


def test_wrong_method_is_405(ana_api: TestClient) -> None:
    answer = ana_api.delete(f"{API_PREFIX}/me")
    assert assert_envelope(answer, 405)["code"] == "method_not_allowed"


def test_validation_is_422_with_details(ana_api: TestClient) -> None:
    answer = ana_api.get(f"{API_PREFIX}/persons", params={"limit": "many"})
    error = assert_envelope(answer, 422)
    assert error["code"] == "invalid_input" and error["details"][0]["location"] == "query.limit"
    error = assert_envelope(ana_api.post(f"{API_PREFIX}/properties", json={"kind": "text"}), 422)
    assert "name" in error["message"]
    # A service's own refusal has the same shape.
    answer = ana_api.post(f"{API_PREFIX}/properties", json={"name": "x", "kind": "choice"})
    assert "choice" in assert_envelope(answer, 422)["message"]


def test_oversized_body_is_413(ana_api: TestClient) -> None:
    big = b"First Name,Last Name\n" + b"A,B\n" * 100_000
    answer = ana_api.post(f"{API_PREFIX}/imports", files={"files": ("big.csv", big, "text/csv")})
    assert "limit" in assert_envelope(answer, 413)["message"]


def test_forbidden_is_403(bo_api: TestClient) -> None:
    error = assert_envelope(bo_api.post(f"{API_PREFIX}/persons/1/archive"), 403)
    assert error["code"] == "forbidden"


def test_server_error_is_500_without_internals(
    app: FastAPI, ana_api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api_people, "list_members", broken)
    client = TestClient(app, headers=dict(ana_api.headers), raise_server_exceptions=False)
    answer = client.get(f"{API_PREFIX}/members")
    error = assert_envelope(answer, 500)
    assert "secret" not in answer.text and error["code"] == "internal_error"


def test_openapi_documents_the_envelope(ana_api: TestClient) -> None:
    spec = ana_api.get(f"{API_PREFIX}/openapi.json").json()
    assert "ErrorEnvelope" in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        assert path.startswith(API_PREFIX)
        for operation in operations.values():
            assert "401" in operation["responses"] and "404" in operation["responses"]


def test_every_list_is_paginated(app: FastAPI, ana_api: TestClient) -> None:
    """Each GET that answers a list answers a page: items, total, limit, offset, next."""
    spec = ana_api.get(f"{API_PREFIX}/openapi.json").json()
    lists = [
        path
        for path, ops in spec["paths"].items()
        if "get" in ops
        and "PageOut" in str(ops["get"]["responses"]["200"]["content"].get("application/json"))
    ]
    assert len(lists) >= 10
    for path in lists:
        # Routes about one person take its email; the others ignore it.
        params = {"limit": 1, "email": "robert.smith@acme.example"}
        page = ana_api.get(concrete(path), params=params)
        if page.status_code == 404:
            continue
        body = page.json()
        assert set(body) == {"items", "total", "limit", "offset", "next"}, path
        assert body["limit"] == 1 and len(body["items"]) <= 1
        if body["total"] > 1:
            assert body["next"] and "offset=1" in body["next"]
