"""A NUL character in any API request body is a 422 in the envelope, never a 500."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.web.test_web_errors import assert_envelope


def test_a_nul_in_a_body_is_refused_and_nothing_is_made(ana_api: TestClient) -> None:
    answer = ana_api.post("/api/v1/lists", json={"name": "Q3\x00leads", "kind": "leads"})
    error = assert_envelope(answer, 422)
    assert error["message"] == "body.name: Value error, holds a NUL character (0x00)"
    answer = ana_api.post("/api/v1/properties", json={"name": "Stage\x00"})
    assert_envelope(answer, 422)
    assert ana_api.get("/api/v1/lists").json()["total"] == 0
    assert ana_api.post("/api/v1/lists", json={"name": "Q3 leads"}).status_code == 201
