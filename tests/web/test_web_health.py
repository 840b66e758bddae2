"""GET /healthz answers a load balancer: 200 while the database answers, 503 when it does not."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.servers import free_port, silent_port

from tiegraph.store import Store
from tiegraph.store.engine import create_store_engine
from tiegraph.web.app import create_app
from tiegraph.web.routes.health import TIMEOUT_SECONDS
from tiegraph.web.settings import WebSettings


def _client(store: Store) -> TestClient:
    return TestClient(create_app(store, WebSettings(secret_key="k" * 32)))


def test_ok_without_sign_in_and_nothing_private(store: Store) -> None:
    with _client(store) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "set-cookie" not in response.headers


def test_unavailable_when_nothing_listens() -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"
    store = Store(engine=create_store_engine(url), url=url)
    with _client(store) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (a hung database host)."""
    with silent_port() as port:
        yield port


def test_unavailable_within_its_timeout_when_the_database_hangs(silent_server: int) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{silent_server}/hung"
    store = Store(engine=create_store_engine(url), url=url)
    with _client(store) as client:
        started = time.monotonic()
        response = client.get("/healthz")
        took = time.monotonic() - started
    assert response.status_code == 503
    assert TIMEOUT_SECONDS <= took < TIMEOUT_SECONDS + 1.5
