"""Web fixtures: two small organizations built once, copied per test; signed-in clients."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.servers import free_port

from tiegraph.services.activity.ingest import ingest_mail
from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.org.auth import create_token, hash_password, set_password_hash
from tiegraph.services.org.members import add_member, get_member, set_member_sharing
from tiegraph.services.org.orgs import create_org, resolve_org
from tiegraph.store import Store, open_store
from tiegraph.web.app import create_app
from tiegraph.web.settings import WebSettings

PASSWORD = "correct horse battery"
DIRECTORY = [
    {"type": "company", "id": "C1", "name": "Acme Corporation", "domains": ["acme.example"]},
    {"type": "company", "id": "C2", "name": "Globex GmbH", "domains": ["globex.example"]},
    {
        "type": "person",
        "id": "P1",
        "first_name": "Robert",
        "last_name": "Smith",
        "emails": ["robert.smith@acme.example"],
        "employment": [{"company_id": "C1", "start": "2019", "title": "VP Sales"}],
    },
    {
        "type": "person",
        "id": "P2",
        "first_name": "José",
        "last_name": "Núñez",
        "emails": ["jose@globex.example"],
        "employment": [{"company_id": "C2", "start": "2018"}],
    },
    {
        "type": "person",
        "id": "P3",
        "first_name": "Maria",
        "last_name": "Garcia",
        "employment": [{"company_id": "C2", "start": "2018"}],
    },
]
OTHER_DIRECTORY = [
    {"type": "company", "id": "X1", "name": "Othercorp", "domains": ["other.example"]},
    {
        "type": "person",
        "id": "X1P",
        "first_name": "Olga",
        "last_name": "Otherorg",
        "emails": ["olga@other.example"],
        "employment": [{"company_id": "X1", "start": "2019"}],
    },
]
LINKEDIN = """First Name,Last Name,URL,Email Address,Company,Position,Connected On
Robert,Smith,https://www.linkedin.com/in/bob-smith-1,,Acme Corp.,VP,22 Dec 2025
Zoe,Anaprivate,https://www.linkedin.com/in/zoe-1,,Nowhere Ltd,CEO,3 Jan 2024
"""
GOOGLE_BO = (
    "First Name,Middle Name,Last Name,Organization Name,E-mail 1 - Label,E-mail 1 - Value\n"
    "Bob,,Smith,Acme,* work,robert.smith@acme.example\n"
    "Yuri,,Bosecret,Secretco,* home,yuri@secret.example\n"
)
GOOGLE_CY = (
    "First Name,Middle Name,Last Name,Organization Name,E-mail 1 - Label,E-mail 1 - Value\n"
    "José,,Núñez,Globex,* work,jose@globex.example\n"
)
GOOGLE_DAN = (
    "First Name,Middle Name,Last Name,Organization Name,E-mail 1 - Label,E-mail 1 - Value\n"
    "Olga,,Otherorg,Othercorp,* work,olga@other.example\n"
    "Ivan,,Danprivate,Elsewhere,* home,ivan@elsewhere.example\n"
)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _jsonl(folder: Path, name: str, rows: list[dict[str, object]]) -> Path:
    return _write(folder, name, "\n".join(json.dumps(r) for r in rows) + "\n")


def build_orgs(store: Store, folder: Path) -> None:
    """Org `default`: Ana (admin), Bo (activity sharing off), Cy. Org `other`: Dan."""
    password_hash = hash_password(PASSWORD)
    org = resolve_org(store)
    import_directory(store, org, [_jsonl(folder, "d.jsonl", DIRECTORY)])
    books = {
        ("ana@us.example", "Ana Lima", "admin"): ("Connections.csv", LINKEDIN),
        ("bo@us.example", "Bo Chen", "member"): ("bo.csv", GOOGLE_BO),
        ("cy@us.example", "Cy Ode", "member"): ("cy.csv", GOOGLE_CY),
    }
    for (email, name, role), (file, text) in books.items():
        member = add_member(store, org, email=email, name=name, role=role)
        set_password_hash(store, org, member, password_hash)
        import_contacts(store, org, member, [_write(folder, file, text)])
    set_member_sharing(store, org, get_member(store, org, "bo@us.example"), activity_sharing=False)
    other = create_org(store, "other", "Other Inc")
    import_directory(store, other, [_jsonl(folder, "o.jsonl", OTHER_DIRECTORY)])
    dan = add_member(store, other, email="dan@other.example", name="Dan Other", role="admin")
    set_password_hash(store, other, dan, password_hash)
    import_contacts(store, other, dan, [_write(folder, "dan.csv", GOOGLE_DAN)])


SECRETCO = [{"type": "company", "id": "C3", "name": "Secretco", "domains": ["secret.example"]}]
MAIL = [  # (member, person, messages each way): Bo's ties are his own (activity sharing off)
    ("bo@us.example", "jose@globex.example", 8),
    ("bo@us.example", "robert.smith@acme.example", 4),
    ("ana@us.example", "robert.smith@acme.example", 3),
    ("cy@us.example", "jose@globex.example", 2),
]


def _mbox(folder: Path) -> Path:
    now = datetime.now(UTC).replace(microsecond=0)
    parts, n = [], 0
    for mine, theirs, count in MAIL:
        for i in range(count):
            for sender, to, hours in ((mine, theirs, 0), (theirs, mine, 3)):
                stamp = format_datetime(now - timedelta(days=2 + 5 * i, hours=hours))
                parts.append(
                    f"From {sender} {stamp}\nFrom: {sender}\nTo: {to}\nDate: {stamp}\n"
                    f"Message-ID: <w{n}@web.example>\nSubject: kept private\n\nnot kept\n\n"
                )
                n += 1
    return _write(folder, "mail.mbox", "".join(parts))


def add_activity(store: Store, folder: Path) -> None:
    """On top of `build_orgs`: mail between members and persons, and Secretco, the company of
    Bo's private contact, in the directory (his contact stays private)."""
    org = resolve_org(store)
    import_directory(store, org, [_jsonl(folder, "s.jsonl", SECRETCO)])
    ingest_mail(store, org, [_mbox(folder)])


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web-orgs")
    path = folder / "orgs.db"
    store = open_store(f"sqlite:///{path}")
    build_orgs(store, folder)
    store.dispose()
    return path


@pytest.fixture(scope="session")
def active_db(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two organizations with mail: ties of every strength, nurture suggestions."""
    folder = tmp_path_factory.mktemp("web-active")
    path = folder / "active.db"
    shutil.copy(built_db, path)
    store = open_store(f"sqlite:///{path}")
    add_activity(store, folder)
    store.dispose()
    return path


@pytest.fixture
def active_store(active_db: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "active.db"
    shutil.copy(active_db, path)
    store = open_store(f"sqlite:///{path}")
    yield store
    store.dispose()


@pytest.fixture
def web_store(built_db: Path, tmp_path: Path) -> Iterator[Store]:
    """A copy of the two organizations, fresh for each test."""
    path = tmp_path / "orgs.db"
    shutil.copy(built_db, path)
    store = open_store(f"sqlite:///{path}")
    yield store
    store.dispose()


@contextmanager
def running_app(app: FastAPI, port: int | None = None, **options: Any) -> Iterator[str]:
    """`app` served by a real uvicorn in a thread on loopback; yields its base URL."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.imports.shutdown(wait=True)


def settings(tmp_path: Path, **changes: object) -> WebSettings:
    values: dict[str, object] = {
        "secret_key": "test-secret-key-0123456789",
        "upload_limit_bytes": 256 * 1024,
    }
    values.update(changes)
    return WebSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def app(web_store: Store, tmp_path: Path) -> Iterator[FastAPI]:
    application = create_app(web_store, settings(tmp_path))
    yield application
    application.state.imports.shutdown(wait=True)
    application.state.deliveries.shutdown(wait=True)


@dataclass
class Browser:
    """A TestClient signed in through the sign-in form, with the page's CSRF token at hand."""

    client: TestClient

    def csrf(self) -> str:
        page = self.client.get("/settings")
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def post(self, url: str, data: dict[str, str] | None = None, **kwargs: object) -> object:
        form = {"csrf_token": self.csrf(), **(data or {})}
        return self.client.post(url, data=form, follow_redirects=False, **kwargs)  # type: ignore[arg-type]


def sign_in(app: FastAPI, email: str, password: str = PASSWORD) -> Browser:
    client = TestClient(app, base_url="http://testserver")
    page = client.get("/sign-in")
    marker = 'name="csrf_token" value="'
    start = page.text.index(marker) + len(marker)
    token = page.text[start : page.text.index('"', start)]
    answer = client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return Browser(client)


@pytest.fixture
def ana(app: FastAPI) -> Browser:
    return sign_in(app, "ana@us.example")


@pytest.fixture
def bo(app: FastAPI) -> Browser:
    return sign_in(app, "bo@us.example")


def api_client(app: FastAPI, store: Store, email: str, org_slug: str | None = None) -> TestClient:
    """A TestClient sending a fresh API token of this member."""
    org = resolve_org(store, org_slug)
    member = get_member(store, org, email)
    _, token = create_token(store, org, member, "tests")
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    return client


@pytest.fixture
def ana_api(app: FastAPI, web_store: Store) -> TestClient:
    return api_client(app, web_store, "ana@us.example")


@pytest.fixture
def bo_api(app: FastAPI, web_store: Store) -> TestClient:
    return api_client(app, web_store, "bo@us.example")


@pytest.fixture
def dan_api(app: FastAPI, web_store: Store) -> TestClient:
    return api_client(app, web_store, "dan@other.example", "other")


@pytest.fixture
def active_app(active_store: Store, tmp_path: Path) -> Iterator[FastAPI]:
    """The app over the organizations with mail (`active_db`)."""
    application = create_app(active_store, settings(tmp_path))
    yield application
    application.state.imports.shutdown(wait=True)
    application.state.deliveries.shutdown(wait=True)
