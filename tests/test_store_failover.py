"""A failover seen from one process, on the real PostgreSQL test server: connections terminated
with pg_terminate_backend (as a primary that died or was demoted drops them). A pooled dead
connection is replaced unseen; a transaction whose connection is lost before its commit wrote
nothing and its web request runs again, the write landing once; one lost during the commit is
not run again; no primary at all is waited for within a bound, then refused in one line."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, event, select
from tests.processes import terminate_backend
from tests.servers import free_port

from tiegraph.errors import StoreUnavailableError
from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import create_org
from tiegraph.store import Store
from tiegraph.store.engine import create_store_engine
from tiegraph.store.failover import is_connection_lost, may_run_again, unit_of_work
from tiegraph.store.schema import person_list
from tiegraph.web.app import create_app
from tiegraph.web.settings import WebSettings

pytestmark = pytest.mark.postgres


def _pid(conn: Connection) -> int:
    return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def test_a_pooled_connection_that_died_is_replaced_unseen(pg_store: Store) -> None:
    with pg_store.read() as conn:
        first = _pid(conn)
    terminate_backend(pg_store, first)
    with pg_store.write() as conn:  # the pool's pre-ping finds it dead and connects anew
        assert _pid(conn) != first
        conn.exec_driver_sql("CREATE TABLE probe (n int)")


def test_a_connection_lost_before_the_commit_wrote_nothing(pg_store: Store) -> None:
    with pg_store.write() as conn:
        conn.exec_driver_sql("CREATE TABLE probe (n int)")
    with (
        unit_of_work() as unit,
        pytest.raises(StoreUnavailableError) as lost,
        pg_store.write() as conn,
    ):
        conn.exec_driver_sql("INSERT INTO probe VALUES (1)")
        terminate_backend(pg_store, _pid(conn))
        conn.exec_driver_sql("INSERT INTO probe VALUES (2)")
    assert lost.value.written is False and "nothing was changed" in str(lost.value)
    assert may_run_again(lost.value, unit)
    with pg_store.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM probe").scalar_one() == 0


def _web(store: Store, tmp_path: Path) -> TestClient:
    org = create_org(store, "acme")
    seller = add_member(store, org, email="seller@acme.example", name="Sam Seller")
    _, token = create_token(store, org, seller, "test")
    settings = WebSettings(secret_key="test-secret-key-0123456789")
    return TestClient(create_app(store, settings), headers={"Authorization": f"Bearer {token}"})


def _lists(store: Store, name: str) -> int:
    with store.read() as conn:
        return len(conn.execute(select(person_list).where(person_list.c.name == name)).all())


def test_a_request_whose_connection_is_lost_runs_again_and_writes_once(
    pg_store: Store, tmp_path: Path
) -> None:
    client = _web(pg_store, tmp_path)
    attempts = []

    @event.listens_for(pg_store.engine, "before_cursor_execute")
    def lose_the_first(conn: Connection, cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT INTO person_list"):
            attempts.append(statement)
            if len(attempts) == 1:  # as a primary that died under the transaction
                terminate_backend(pg_store, cursor.connection.info.backend_pid)

    answer = client.post("/api/v1/lists", json={"name": "Q3 leads"})
    assert answer.status_code == 201, answer.text
    assert len(attempts) == 2  # run again once, after the lost one
    assert _lists(pg_store, "Q3 leads") == 1


def test_a_connection_lost_during_the_commit_is_not_run_again(
    pg_store: Store, tmp_path: Path
) -> None:
    client = _web(pg_store, tmp_path)
    commits = []

    @event.listens_for(pg_store.engine, "commit")
    def lose_at_commit(conn: Connection) -> None:
        if conn.info.pop("lose_at_commit", False):
            commits.append(1)
            terminate_backend(pg_store, conn.connection.dbapi_connection.info.backend_pid)  # type: ignore[union-attr]

    @event.listens_for(pg_store.engine, "before_cursor_execute")
    def mark(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT INTO person_list"):
            conn.info["lose_at_commit"] = True

    answer = client.post("/api/v1/lists", json={"name": "Q4 leads"})
    assert answer.status_code == 503
    assert "may or may not be saved" in answer.json()["error"]["message"]
    assert commits == [1]  # answered, not run again: the commit may have happened


def test_no_primary_is_waited_for_then_refused_in_one_line() -> None:
    engine = create_store_engine(
        f"postgresql+psycopg://u@127.0.0.1:{free_port()}/d?connect_timeout=1"
    )
    store = Store(engine=engine, url=str(engine.url))
    started = time.monotonic()
    with (
        unit_of_work(seconds=1.5),
        pytest.raises(StoreUnavailableError) as refused,
        store.read(),
    ):
        pass
    waited = time.monotonic() - started
    assert 0.5 < waited < 3, waited  # it tried again for about its budget, not for ever
    assert refused.value.written is False
    assert "did not answer as the primary" in str(refused.value)
    engine.dispose()


def test_which_errors_mean_the_primary_is_gone() -> None:
    import psycopg

    assert is_connection_lost(psycopg.errors.ConnectionTimeout("connection timeout expired"))
    assert is_connection_lost(psycopg.OperationalError("connection failed: session is read-only"))
    assert is_connection_lost(psycopg.errors.AdminShutdown("terminating connection"))
    assert is_connection_lost(psycopg.errors.ReadOnlySqlTransaction("read-only transaction"))
    assert not is_connection_lost(psycopg.errors.UniqueViolation("duplicate key"))
    assert not is_connection_lost(psycopg.errors.QueryCanceled("statement timeout"))
    assert not is_connection_lost(ValueError("not a database error"))
