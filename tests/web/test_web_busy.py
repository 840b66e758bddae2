"""While another process holds the write lock, pages answer and writes say "busy", never 500."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.test_store_concurrency import write_lock_held
from tests.web.conftest import PASSWORD, Browser, api_client, settings, sign_in
from tests.web.test_web_errors import assert_envelope

from tiegraph.store import Store, open_store
from tiegraph.web.app import create_app


@pytest.fixture
def busy(built_db: Path, tmp_path: Path) -> Iterator[tuple[FastAPI, Store, Path]]:
    path = tmp_path / "orgs.db"
    shutil.copy(built_db, path)
    store = open_store(f"sqlite:///{path}", busy_timeout=0.3)
    app = create_app(store, settings(tmp_path))
    yield app, store, path
    app.state.imports.shutdown(wait=True)
    store.dispose()


def test_page_views_answer_while_another_process_writes(
    busy: tuple[FastAPI, Store, Path],
) -> None:
    app, _, path = busy
    ana = sign_in(app, "ana@us.example")
    ana.post("/lists", {"name": "Warm-up", "kind": "leads"})  # the pool's connections wrote
    with write_lock_held(path), ThreadPoolExecutor(8) as pool:
        pages = list(pool.map(lambda _: ana.client.get("/gallery").status_code, range(50)))
        assert pages == [200] * 50
        api = ana.client.get("/api/v1/me")  # no token: the API's own answer, not a 5xx
        assert api.status_code == 401


def test_writes_while_another_process_writes_say_busy_and_keep_nothing(
    busy: tuple[FastAPI, Store, Path],
) -> None:
    app, store, path = busy
    ana: Browser = sign_in(app, "ana@us.example")
    api: TestClient = api_client(app, store, "ana@us.example")
    with write_lock_held(path):
        answer = api.post("/api/v1/lists", json={"name": "Q3 leads", "kind": "leads"})
        error = assert_envelope(answer, 503)
        assert error["code"] == "busy" and "try again" in error["message"]
        assert answer.headers["retry-after"] == "5"
        page = ana.post("/lists", {"name": "Q3 leads", "kind": "leads"})
        assert page.status_code == 503  # type: ignore[attr-defined]
        assert "try again in a few seconds" in page.text  # type: ignore[attr-defined]
        assert page.headers["retry-after"] == "5"  # type: ignore[attr-defined]
        client = TestClient(app)  # a sign-in starts a session in the store: a write
        page = client.get("/sign-in").text
        marker = 'name="csrf_token" value="'
        token = page[page.index(marker) + len(marker) :].split('"', 1)[0]
        form = {"email": "bo@us.example", "password": PASSWORD, "csrf_token": token}
        answer = client.post("/sign-in", data=form, follow_redirects=False)
        assert answer.status_code == 503 and "try again" in answer.text
    assert "Q3 leads" not in ana.client.get("/lists").text
    assert sign_in(app, "bo@us.example").client.get("/gallery").status_code == 200
    created = api.post("/api/v1/lists", json={"name": "Q3 leads", "kind": "leads"})
    assert created.status_code == 201, created.text
