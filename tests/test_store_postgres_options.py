"""Connections to PostgreSQL that notice a dead primary in seconds, try several hosts, and work
through pgbouncer in transaction mode (a real pgbouncer, Debian's, started by the test)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from tests.conftest import _drop_pg_database, _pg_database
from tests.servers import free_port
from tests.servers import silent_port as hung_port

from tiegraph.errors import StoreError
from tiegraph.services.jobs.queue import connector_options
from tiegraph.store import Store, open_store
from tiegraph.store.engine import check_connection, create_store_engine, postgres_options

PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else ""
)


def test_timeouts_are_set_unless_the_url_sets_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIEGRAPH_PGBOUNCER", raising=False)
    url, args = postgres_options(make_url("postgresql://u@db1/tiegraph"))
    assert url.drivername == "postgresql+psycopg"
    assert url.query["connect_timeout"] == "5" and url.query["tcp_user_timeout"] == "10000"
    assert args == {}
    own = make_url("postgresql+psycopg://u@h/d?connect_timeout=2&target_session_attrs=read-write")
    url, _ = postgres_options(own)
    assert url.query["connect_timeout"] == "2"
    assert url.query["target_session_attrs"] == "read-write"


def test_pgbouncer_mode_from_the_url_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIEGRAPH_PGBOUNCER", raising=False)
    url, args = postgres_options(make_url("postgresql+psycopg://u@h/d?pgbouncer=1"))
    assert args == {"prepare_threshold": None} and "pgbouncer" not in url.query
    monkeypatch.setenv("TIEGRAPH_PGBOUNCER", "1")
    assert postgres_options(make_url("postgresql+psycopg://u@h/d"))[1] == {
        "prepare_threshold": None
    }
    with pytest.raises(StoreError, match="pgbouncer='maybe' must be 1 or 0"):
        postgres_options(make_url("postgresql+psycopg://u@h/d?pgbouncer=maybe"))


def test_several_hosts_reach_the_queue_as_one_conninfo() -> None:
    options = connector_options(
        "postgresql+psycopg://u@/d?host=db1:5432&host=db2:5433&target_session_attrs=read-write"
    )
    conninfo = options["conninfo"]
    assert "host=db1,db2" in conninfo and "port=5432,5433" in conninfo
    assert "target_session_attrs=read-write" in conninfo and "connect_timeout=5" in conninfo


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    name, url = _pg_database(pg_template)
    yield url
    _drop_pg_database(name)


@pytest.mark.postgres
def test_a_dead_first_host_is_skipped_for_the_next(pg_url: str) -> None:
    real = make_url(pg_url)
    several = real.set(host=None, port=None).update_query_dict(
        {"host": [f"127.0.0.1:{free_port()}", f"{real.host}:{real.port}"]}
    )
    several = several.update_query_dict({"target_session_attrs": "read-write"})
    store = open_store(several.render_as_string(hide_password=False))
    try:
        with store.read() as conn:
            assert conn.execute(text("SELECT NOT pg_is_in_recovery()")).scalar_one()
    finally:
        store.dispose()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """Accepts connections and never answers: a primary whose host hung."""
    with hung_port() as port:
        yield port


def test_a_hung_primary_is_given_up_in_seconds(silent_port: int) -> None:
    engine = create_store_engine(f"postgresql://u@127.0.0.1:{silent_port}/d?connect_timeout=2")
    started = time.monotonic()
    with pytest.raises(StoreError, match="cannot open database"):
        check_connection(engine)
    assert time.monotonic() - started < 4
    engine.dispose()


@pytest.fixture
def pgbouncer(pg_url: str) -> Iterator[str]:
    """A pgbouncer in transaction mode in front of the test database; its URL."""
    if not PGBOUNCER:
        pytest.skip("no pgbouncer (Debian package pgbouncer; .ci/run installs it)")
    real = make_url(pg_url)
    folder = Path(tempfile.mkdtemp(prefix="tiegraph-pgbouncer-"))
    folder.chmod(0o755)  # pgbouncer refuses to run as root: it runs as nobody
    port = free_port()
    (folder / "users.txt").write_text(f'"{real.username}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"[databases]\n{real.database} = host={real.host} port={real.port}\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder}/users.txt\npool_mode = transaction\n"
        "default_pool_size = 2\nmax_client_conn = 100\n"
    )
    command = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.getuid() == 0:
        command[1:1] = ["-u", "nobody"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"pgbouncer did not start: {process.stderr.read()!r}")  # type: ignore[union-attr]
            time.sleep(0.1)
        yield real.set(port=port).render_as_string(hide_password=False)
    finally:
        process.terminate()
        process.wait(10)
        if process.stderr is not None:
            process.stderr.close()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.postgres
def test_the_store_works_through_pgbouncer_in_transaction_mode(pgbouncer: str) -> None:
    store = open_store(pgbouncer + "?pgbouncer=1")
    try:
        _same_statement_from_many_threads(store)
    finally:
        store.dispose()


def _same_statement_from_many_threads(store: Store) -> None:
    """psycopg prepares a statement run 5 times on a connection; through pgbouncer the next
    transaction may land on another server connection, where it does not exist."""

    def reads(n: int) -> int:
        total = 0
        for i in range(30):
            with store.read() as conn:
                total += conn.execute(text("SELECT :n + :i"), {"n": n, "i": i}).scalar_one()
            with store.write() as conn:
                conn.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": n})
        return total

    with ThreadPoolExecutor(6) as pool:
        totals = list(pool.map(reads, range(6)))
    assert totals == [30 * n + sum(range(30)) for n in range(6)]


@pytest.mark.postgres
def test_without_pgbouncer_mode_prepared_statements_break(
    pgbouncer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: without the mode, pgbouncer refuses the lock_timeout startup option (or, were
    it let through, prepared statements break), so the test above can fail."""
    monkeypatch.delenv("TIEGRAPH_PGBOUNCER", raising=False)
    with pytest.raises(Exception, match=r"prepared statement|unsupported startup parameter"):
        store = open_store(pgbouncer)
        try:
            _same_statement_from_many_threads(store)
        finally:
            store.dispose()
