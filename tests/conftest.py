"""Shared fixtures: a fresh store per test on SQLite and, when a server is given, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tiegraph.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

# e.g. postgresql+psycopg://postgres@127.0.0.1:54329/postgres — .ci/run starts such a server.
PG_URL = os.environ.get("TIEGRAPH_TEST_POSTGRES_URL", "")
REQUIRE_PG = os.environ.get("TIEGRAPH_REQUIRE_POSTGRES", "") == "1"


def _pg_admin_url() -> str:
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("TIEGRAPH_REQUIRE_POSTGRES=1 but TIEGRAPH_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server (set TIEGRAPH_TEST_POSTGRES_URL; .ci/run starts one)")
    return PG_URL


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A database migrated once; each test clones it, which is much faster than migrating."""
    admin = _pg_admin_url()
    name = f"tiegraph_tpl_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    open_store(url).dispose()
    yield name
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _pg_database(template: str) -> tuple[str, str]:
    admin = _pg_admin_url()
    name = f"tiegraph_t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    engine.dispose()
    return name, make_url(admin).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(name: str) -> None:
    engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture
def pg_store(pg_template: str) -> Iterator[Store]:
    """A store of its own on the PostgreSQL test server, cloned from the migrated template."""
    name, url = _pg_database(pg_template)
    opened = open_store(url)
    yield opened
    opened.dispose()
    _drop_pg_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty, migrated store: one test, two backends."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tiegraph.db'}"
        open_store(url).dispose()
        yield url
        return
    template = request.getfixturevalue("pg_template")
    name, url = _pg_database(template)
    yield url
    _drop_pg_database(name)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    yield opened
    opened.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """SQLite only, for tests about one dialect or too slow to run twice."""
    opened = open_store(f"sqlite:///{tmp_path / 'tiegraph.db'}")
    yield opened
    opened.dispose()
