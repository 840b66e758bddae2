"""While another process holds the write lock, pages answer and writes say "busy", never 500:
on SQLite (its write lock) and on PostgreSQL (a writer's transaction holding row and table
locks, as an import's does)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from tests.conftest import _drop_pg_database, _pg_database
from tests.test_store_concurrency import write_lock_held
from tests.web.conftest import PASSWORD, Browser, api_client, build_orgs, settings, sign_in
from tests.web.test_web_errors import assert_envelope

from tiegraph.store import Store, open_store
from tiegraph.web.app import create_app

# What an import or an ingest writes: locked against other writers (not readers), as the
# tables a writer changes are for as long as its transaction lasts.
WRITTEN = (
    "person", "person_email", "person_phone", "company", "company_domain", "employment",
    "education", "contact", "contact_email", "contact_phone", "contact_source",
    "possible_match", "interaction", "activity_item", "tie", "member_activity_day",
    "person_list", "list_item", "custom_property", "custom_value", "member",
)  # fmt: skip
# rows of these updated (row locks), as an import's do
UPDATED = ("person", "contact", "tie", "member")

Busy = tuple[FastAPI, Store, Callable[[], AbstractContextManager[None]]]


@contextmanager
def postgres_write_held(url: str) -> Iterator[None]:
    """Another connection's transaction writes every row of UPDATED and locks WRITTEN against
    other writers until the block ends."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            held = conn.begin()
            for table in UPDATED:
                conn.exec_driver_sql(f"UPDATE {table} SET org_id = org_id")
            conn.exec_driver_sql(f"LOCK TABLE {', '.join(WRITTEN)} IN SHARE ROW EXCLUSIVE MODE")
            try:
                yield
            finally:
                held.rollback()
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def busy(request: pytest.FixtureRequest, built_db: Path, tmp_path: Path) -> Iterator[Busy]:
    """The two organizations, and what holds the lock another writer would hold."""
    if request.param == "sqlite":
        path = tmp_path / "orgs.db"
        shutil.copy(built_db, path)
        url = f"sqlite:///{path}"
        name = ""
        held: Callable[[], AbstractContextManager[None]] = lambda: write_lock_held(path)  # noqa: E731
    else:
        name, url = _pg_database(request.getfixturevalue("pg_template"))
        built = open_store(url)
        build_orgs(built, tmp_path)
        built.dispose()
        held = lambda: postgres_write_held(url)  # noqa: E731
    store = open_store(url, busy_timeout=0.3)
    app = create_app(store, settings(tmp_path))
    yield app, store, held
    app.state.imports.shutdown(wait=True)
    store.dispose()
    if name:
        _drop_pg_database(name)


def test_page_views_answer_while_another_process_writes(busy: Busy) -> None:
    app, _, held = busy
    ana = sign_in(app, "ana@us.example")
    ana.post("/lists", {"name": "Warm-up", "kind": "leads"})  # the pool's connections wrote
    api = api_client(app, busy[1], "ana@us.example")
    with held(), ThreadPoolExecutor(8) as pool:
        pages = ["/gallery", "/", "/lists", "/accounts", "/gallery?q=smith"]
        answers = list(pool.map(lambda i: ana.client.get(pages[i % 5]).status_code, range(50)))
        assert answers == [200] * 50
        assert [
            a for a in pool.map(lambda _: api.get("/api/v1/gallery").status_code, range(10))
        ] == [200] * 10
        anonymous = TestClient(app).get("/api/v1/me")  # no token: the API's own answer, no 5xx
        assert anonymous.status_code == 401


def test_writes_while_another_process_writes_say_busy_and_keep_nothing(busy: Busy) -> None:
    app, store, held = busy
    ana: Browser = sign_in(app, "ana@us.example")
    api: TestClient = api_client(app, store, "ana@us.example")
    with held():
        answer = api.post("/api/v1/lists", json={"name": "Q3 leads", "kind": "leads"})
        error = assert_envelope(answer, 503)
        assert error["code"] == "busy" and "try again" in error["message"]
        assert answer.headers["retry-after"] == "5"
        page = ana.post("/lists", {"name": "Q3 leads", "kind": "leads"})
        assert page.status_code == 503  # type: ignore[attr-defined]
        assert "try again in a few seconds" in page.text  # type: ignore[attr-defined]
        assert page.headers["retry-after"] == "5"  # type: ignore[attr-defined]
        # A sign-in starts a session in the store: a write, which waits for SQLite's one
        # write lock, but on PostgreSQL for no lock an import holds.
        client = TestClient(app)
        page = client.get("/sign-in").text
        marker = 'name="csrf_token" value="'
        token = page[page.index(marker) + len(marker) :].split('"', 1)[0]
        form = {"email": "bo@us.example", "password": PASSWORD, "csrf_token": token}
        answer = client.post("/sign-in", data=form, follow_redirects=False)
        if store.dialect == "sqlite":
            assert answer.status_code == 503 and "try again" in answer.text
        else:
            assert answer.status_code == 303
    assert "Q3 leads" not in ana.client.get("/lists").text
    assert sign_in(app, "bo@us.example").client.get("/gallery").status_code == 200
    created = api.post("/api/v1/lists", json={"name": "Q3 leads", "kind": "leads"})
    assert created.status_code == 201, created.text
