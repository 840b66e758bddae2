"""API strictness, walked over every route: moments in UTC with their offset, days only as
YYYY-MM-DD, unknown body fields refused, and the `Allow` header naming every method a path has."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from tests.web.conftest import LINKEDIN, api_client, build_orgs, settings
from tests.web.test_web_errors import assert_envelope
from tests.web.test_web_pages import wait_for_import

from tiegraph.services.jobs.queue import uses_queue
from tiegraph.services.jobs.worker import WorkerSettings, WorkerThread
from tiegraph.store import Store
from tiegraph.web.app import create_app
from tiegraph.web.schemas.common import ApiInput, ApiOutput

MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(?P<zone>Z|[+-]\d{2}:\d{2})?$")
WRONG_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def route_table(app: FastAPI) -> dict[str, set[str]]:
    """Every path of the app (pages and API) with the methods its routes serve."""
    table: dict[str, set[str]] = defaultdict(set)
    for context in iter_route_contexts(app.routes):
        if context.methods and context.path_format:
            table[context.path_format] |= set(context.methods)
    return table


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def moments(value: Any) -> list[str]:
    """Every string in an answer that reads as a date and time."""
    if isinstance(value, str):
        return [value] if MOMENT.match(value) else []
    if isinstance(value, list):
        return [m for v in value for m in moments(v)]
    if isinstance(value, dict):
        return [m for v in value.values() for m in moments(v)]
    return []


def test_options_and_405_name_every_method_of_the_path(app: FastAPI) -> None:
    client = TestClient(app)
    table = route_table(app)
    assert len(table) >= 90
    shared = [path for path, methods in table.items() if len(methods - {"HEAD"}) > 1]
    assert len(shared) >= 11  # the paths two routes serve, where Starlette named one
    for path, methods in table.items():
        url = concrete(path)
        expected = methods | {"OPTIONS"}
        if path == "/lists/add":
            expected |= table["/lists/{list_id}"]  # "add" reads as a list id too
        options = client.options(url)
        assert options.status_code == 204, (path, options.text)
        assert set(options.headers["allow"].split(", ")) == expected, path
        wrong = next(m for m in WRONG_METHODS if m not in expected)
        answer = client.request(wrong, url)
        assert answer.status_code == 405, (path, wrong)
        assert set(answer.headers["allow"].split(", ")) == expected, (path, wrong)
        if path.startswith("/api/"):
            assert_envelope(answer, 405)


def test_a_path_served_by_two_routes_allows_both(ana_api: TestClient) -> None:
    answer = ana_api.delete("/api/v1/lists")
    assert answer.headers["allow"] == "GET, POST, OPTIONS"
    assert_envelope(answer, 405)
    assert ana_api.options("/api/v1/settings/smtp").headers["allow"] == "GET, PUT, DELETE, OPTIONS"
    assert ana_api.options("/nowhere").status_code == 404


def test_every_request_body_is_an_api_input_that_refuses_unknown_fields(app: FastAPI) -> None:
    bodies = []
    spec = app.openapi()
    for context in iter_route_contexts(app.routes):
        body = getattr(context, "body_field", None)
        if body is None or not context.path_format.startswith("/api/"):
            continue
        model = body.field_info.annotation
        operation = spec["paths"][context.path_format][next(iter(context.methods)).lower()]
        if "multipart/form-data" in operation["requestBody"]["content"]:
            continue  # files (an upload): FastAPI's own model of the form
        assert isinstance(model, type) and issubclass(model, ApiInput), context.path_format
        bodies.append(model)
    assert len(bodies) >= 10
    json_bodies = [
        operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
        for operations in spec["paths"].values()
        for operation in operations.values()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    assert len(json_bodies) == len(bodies)
    for name in json_bodies:  # the published schema says so too
        assert spec["components"]["schemas"][name]["additionalProperties"] is False, name


def test_unknown_body_field_is_422_and_writes_nothing(ana_api: TestClient) -> None:
    answer = ana_api.post("/api/v1/lists", json={"name": "Q3", "kind": "leads", "owner": 7})
    error = assert_envelope(answer, 422)
    assert error["details"][0]["location"] == "body.owner"
    assert "not permitted" in error["message"]
    assert ana_api.get("/api/v1/lists").json()["total"] == 0
    answer = ana_api.put("/api/v1/settings/sharing", json={"contact_sync": True, "sharing": 1})
    assert "body.sharing" in assert_envelope(answer, 422)["message"]


def test_every_answer_model_serializes_moments_in_utc(app: FastAPI) -> None:
    models = 0
    for context in iter_route_contexts(app.routes):
        model = getattr(context, "response_model", None)
        if context.path_format.startswith("/api/v1/") and isinstance(model, type):
            assert issubclass(model, ApiOutput), context.path_format
            models += 1
    assert models >= 40


@pytest.mark.parametrize(
    "as_of", ["0", "1700000000", "2025-13-01", "2025-02-30", "1800-01-01", "3000-01-01", "25-1-1"]
)
def test_a_day_is_yyyy_mm_dd_or_422(ana_api: TestClient, as_of: str) -> None:
    answer = ana_api.get("/api/v1/nurture", params={"as_of": as_of})
    error = assert_envelope(answer, 422)
    assert error["details"][0]["location"] == "query.as_of", error


def test_every_day_parameter_is_strict(app: FastAPI, ana_api: TestClient, ana: Any) -> None:
    days = [
        (path, p["name"])
        for path, operations in app.openapi()["paths"].items()
        for p in operations.get("get", {}).get("parameters", [])
        if '"date"' in str(p["schema"]).replace("'", '"')
    ]
    assert days
    for path, name in days:
        assert ana_api.get(concrete(path), params={name: "0"}).status_code == 422, path
        assert ana_api.get(concrete(path), params={name: "2025-03-31"}).status_code == 200, path
    assert ana.client.get("/nurture", params={"as_of": "0"}).status_code == 422
    assert ana.client.get("/nurture", params={"as_of": "2025-03-31"}).status_code == 200


def test_moments_come_with_their_zone_on_each_backend(store: Store, tmp_path: Path) -> None:
    """Imports, tokens and lists made through the API, then every GET read back."""
    build_orgs(store, tmp_path)
    app = create_app(store, settings(tmp_path))
    # On PostgreSQL the upload goes to the job queue: a worker (here in a thread) runs it.
    worker = WorkerThread(store, WorkerSettings()).start() if uses_queue(store) else None
    try:
        api = api_client(app, store, "ana@us.example")
        job = api.post(
            "/api/v1/imports", files={"files": ("Connections.csv", LINKEDIN.encode(), "text/csv")}
        ).json()
        wait_for_import(api, f"/api/v1/imports/{job['id']}")
        listed = api.post("/api/v1/lists", json={"name": "Q3", "kind": "leads"}).json()
        seen: list[str] = []
        for path in (
            "/api/v1/imports",
            f"/api/v1/imports/{job['id']}",
            "/api/v1/tokens",
            "/api/v1/lists",
            f"/api/v1/lists/{listed['id']}",
        ):
            answer = api.get(path)
            assert answer.status_code == 200, (path, answer.text)
            seen += moments(answer.json())
        assert len(seen) >= 6
        for moment in seen:
            zone = MOMENT.match(moment)
            assert zone and zone["zone"] in ("Z", "+00:00"), moment
    finally:
        app.state.imports.shutdown(wait=True)
        if worker is not None:
            worker.stop()
