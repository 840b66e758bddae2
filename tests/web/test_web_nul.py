"""A NUL character in any API request body or any web form is a 422 naming the field,
never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, build_orgs, settings, sign_in
from tests.web.test_web_errors import assert_envelope

from tiegraph.store import Store
from tiegraph.web.app import create_app


def test_a_nul_in_a_body_is_refused_and_nothing_is_made(ana_api: TestClient) -> None:
    answer = ana_api.post("/api/v1/lists", json={"name": "Q3\x00leads", "kind": "leads"})
    error = assert_envelope(answer, 422)
    assert error["message"] == "body.name: Value error, holds a NUL character (0x00)"
    answer = ana_api.post("/api/v1/properties", json={"name": "Stage\x00"})
    assert_envelope(answer, 422)
    assert ana_api.get("/api/v1/lists").json()["total"] == 0
    assert ana_api.post("/api/v1/lists", json={"name": "Q3 leads"}).status_code == 201


# Every form of the web app that writes text, with a NUL typed into one of its fields.
FORMS = [
    ("/lists", {"name": "Q3\x00leads", "kind": "leads"}),
    ("/lists/1/items", {"text": "robert.smith@acme.example\x00"}),
    ("/lists/add", {"list_id": "1", "kind": "person", "ids": "1", "note": "x\x00"}),
    ("/properties", {"name": "Stage\x00", "kind": "text"}),
    ("/contacts/1/values", {"p1": "big\x00deal"}),
    ("/persons/1/intros", {"introducer": "bo@us.example", "note": "hi\x00"}),
    ("/intros/1", {"subject": "Intro\x00", "body": "Hello", "action": "save"}),
    ("/settings/tokens", {"name": "laptop\x00"}),
    ("/settings/organization", {"name": "US\x00 team"}),
    ("/settings/signature", {"signature": "Ana\x00"}),
    ("/settings/intro-template", {"subject": "Hi\x00", "body": "x"}),
    ("/settings/password", {"current": "x\x00", "new": "y"}),
]


def test_a_nul_typed_into_any_form_is_refused_on_each_backend(store: Store, tmp_path: Path) -> None:
    """On PostgreSQL too (which refuses a NUL in text): 422 naming the field, never a 500,
    and nothing of the form stored."""
    build_orgs(store, tmp_path)
    app = create_app(store, settings(tmp_path))
    try:
        ana = sign_in(app, "ana@us.example")
        lists_before = ana.client.get("/lists").text
        for url, form in FORMS:
            answer: Any = ana.post(url, form)
            assert answer.status_code == 422, (url, answer.status_code)
            field = next(k for k, v in form.items() if "\x00" in v)
            assert f"The field &#39;{field}&#39; holds a NUL character" in answer.text, url
        assert ana.client.get("/lists").text == lists_before
        client = TestClient(app)
        page = client.get("/sign-in").text
        marker = 'name="csrf_token" value="'
        token = page[page.index(marker) + len(marker) :].split('"', 1)[0]
        form = {"email": "ana@us.example\x00", "password": PASSWORD, "csrf_token": token}
        assert client.post("/sign-in", data=form, follow_redirects=False).status_code == 422
        assert ana.post("/lists", {"name": "Q3 leads", "kind": "leads"}).status_code == 303  # type: ignore[attr-defined]
    finally:
        app.state.imports.shutdown(wait=True)
