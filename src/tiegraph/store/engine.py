"""Opening the store: URL resolution, engine set-up per dialect, schema upgrade on open."""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from tiegraph.errors import StoreBusyError, StoreError
from tiegraph.store.failover import connect, lost_as_unavailable, note_commit
from tiegraph.store.pacing import (
    COMMIT_SECONDS,
    FIRST_SLICE_SECONDS,
    MAKE_WAY_SECONDS,
    announce_waiting,
    next_slice,
    someone_waits,
    waiting_flag,
)
from tiegraph.store.search_index import PENDING, refresh_pending

log = logging.getLogger(__name__)
DATABASE_URL_ENV = "TIEGRAPH_DATABASE_URL"
BUSY_TIMEOUT_ENV = "TIEGRAPH_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 30.0
DEFAULT_DATABASE_FILE = "tiegraph.db"
PGBOUNCER_ENV = "TIEGRAPH_PGBOUNCER"
# A dead or unreachable PostgreSQL primary is noticed in seconds, not after the kernel's TCP
# timeouts (minutes): libpq's connect_timeout (s) and tcp_user_timeout (ms), unless the URL
# sets its own. Several hosts and target_session_attrs=read-write pass through untouched.
POSTGRES_DEFAULTS = {"connect_timeout": "5", "tcp_user_timeout": "10000"}
# Connections kept open per process: as many as the web server's request threads
# (web/app.py), so that none waits for one, nor opens and closes one per request.
POOL_SIZE = 16


def resolve_url(url: str | None = None) -> str:
    """The store URL: the given one, else $TIEGRAPH_DATABASE_URL, else ./tiegraph.db."""
    if url:
        return url
    env = os.environ.get(DATABASE_URL_ENV, "").strip()
    if env:
        return env
    return f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}"


def safe_url(url: str | URL) -> str:
    """The URL with any password hidden, fit for messages and logs."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        return "<unparseable URL>"
    return parsed.render_as_string(hide_password=True)


def busy_timeout_from_env() -> float:
    """Seconds a write waits for another's write lock ($TIEGRAPH_BUSY_TIMEOUT, default 30)."""
    raw = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_BUSY_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 3600:
        raise StoreError(f"{BUSY_TIMEOUT_ENV}={raw!r} must be seconds between 0 and 3600")
    return seconds


# SQLite: SQLITE_BUSY and SQLITE_LOCKED (the low byte of extended codes such as BUSY_SNAPSHOT);
# PostgreSQL: lock_not_available, serialization_failure, deadlock_detected. Each means "another
# writer was first": nothing was written, and the same request may be tried again.
_SQLITE_BUSY_CODES = (5, 6)
_POSTGRES_BUSY_STATES = ("55P03", "40001", "40P01")
BUSY_MESSAGE = (
    "the store is busy with another change (an import or a sync, for instance) and nothing "
    "was changed: try again in a few seconds"
)


def is_busy(exc: DBAPIError) -> bool:
    """Whether a driver error means another writer held the lock (a retryable failure)."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _SQLITE_BUSY_CODES
    return getattr(exc.orig, "sqlstate", None) in _POSTGRES_BUSY_STATES


@contextmanager
def _busy_as_error() -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        if is_busy(exc):
            raise StoreBusyError(BUSY_MESSAGE) from exc
        raise


_WRITE_FLAG = "tiegraph_write"
ANALYZE_AFTER_ROWS = 5_000
BULK_CACHE_KIB = 64 * 1024
T = TypeVar("T")
# Told (seconds waited so far, seconds it will wait at most) when a write finds the store busy
# and goes on waiting for it: the CLI says "busy, retrying".
BusyCallback = Callable[[float, float], None]


def _quiet(waited: float, bound: float) -> None:
    """A busy callback that says nothing (web requests just wait)."""


class Turn(Generic[T]):
    """The items one transaction of a long write takes: until its seconds have passed."""

    def __init__(self, stream: Iterator[T], seconds: float) -> None:
        self.stream, self.seconds = stream, seconds
        self.ended = False  # the stream is exhausted

    def __iter__(self) -> Iterator[T]:
        deadline = time.monotonic() + self.seconds
        for item in self.stream:
            yield item
            if time.monotonic() >= deadline:
                return
        self.ended = True


@dataclass
class Store:
    """An opened store: the engine, and the writer discipline for SQLite."""

    engine: Engine
    url: str
    on_busy: BusyCallback = _quiet
    # How long one transaction of a long write lasts (Store.transactions).
    commit_seconds: float = COMMIT_SECONDS

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self, *, streaming: bool = False) -> Iterator[Connection]:
        """A connection for reading. On PostgreSQL in autocommit: at READ COMMITTED a
        transaction gives each statement its own snapshot anyway, and skipping BEGIN and
        ROLLBACK saves two round trips per request. `streaming`: in a transaction, which
        PostgreSQL's server-side cursors (`yield_per`) need. On SQLite a plain (deferred)
        transaction: in WAL mode it reads its snapshot while a writer holds the lock."""
        with _busy_as_error(), connect(self.engine) as conn:
            if self.dialect == "postgresql" and not streaming:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            with lost_as_unavailable(conn, written=False):
                yield conn

    @contextmanager
    def write(self, *, bulk: bool = False) -> Iterator[Connection]:
        """One transaction; on SQLite it takes the write lock at once (BEGIN IMMEDIATE).

        Taking the lock up front avoids the deadlock of two readers both upgrading to writers.
        `bulk` (an ingest of many rows): on SQLite the connection gets a page cache of
        BULK_CACHE_KIB for this transaction, as the indexes written outgrow the default 2 MB
        (100,000 messages: 15% less time in SQLite). A writer that waited the busy timeout
        for another's lock raises StoreBusyError: nothing was written; try again. On SQLite
        it waits in widening slices (store/pacing.py), telling `on_busy` after each.
        On PostgreSQL a connection waits through a failover (store/failover.py); one lost, or
        a server turned standby, raises StoreUnavailableError saying whether it was before the
        commit (nothing written) or during it (unknown).
        """
        with (
            _busy_as_error(),
            connect(self.engine) as conn,
            _bulk_cache(conn, bulk),
            _transaction(conn, self.on_busy),
        ):
            yield conn

    def transactions(
        self, items: Iterable[T], *, bulk: bool = False
    ) -> Iterator[tuple[Connection, Turn[T]]]:
        """A long write of `items` cut into transactions of about `commit_seconds` each.

        Yields each transaction's connection and the items to write in it (a Turn, whose
        `ended` says, once read, that this is the last), which the caller takes to the end
        before the transaction commits; then, on SQLite, a writer waiting for the lock gets
        its turn before the next one begins. One connection serves them all (its page cache
        stays warm). There is one transaction at least, even for no items. A write cut so must
        be idempotent: a crash keeps the transactions committed, and the same write again
        must make of them what one whole run makes.
        """
        stream = iter(items)
        with _busy_as_error(), connect(self.engine) as conn, _bulk_cache(conn, bulk):
            while True:
                turn = Turn(stream, self.commit_seconds)
                with _transaction(conn, self.on_busy):
                    yield conn, turn
                if turn.ended:
                    return
                self.make_way()

    def make_way(self) -> None:
        """Between two transactions of a long write: pause while another writer waits (SQLite)."""
        if self.dialect == "sqlite" and someone_waits(waiting_flag(self.engine.url.database or "")):
            time.sleep(MAKE_WAY_SECONDS)

    def analyze(self) -> None:
        """Refresh the planner's statistics after a bulk change.

        Without them SQLite reads `org_id = ? AND id IN (...)` through an org-wide index
        (every person of the organization) instead of the primary key. A sampled ANALYZE
        (analysis_limit) takes well under a second even on millions of rows. A writer like
        any other; when the store stays busy the statistics wait for the next bulk change (what
        was written is committed already).
        """
        try:
            with self.write() as conn:
                if self.dialect == "sqlite":
                    conn.exec_driver_sql("PRAGMA analysis_limit=1000")
                conn.exec_driver_sql("ANALYZE")
        except StoreBusyError:
            log.info("store busy: statistics left for the next bulk change")

    def analyze_after(self, rows: int) -> None:
        """Analyze after a bulk change of at least ANALYZE_AFTER_ROWS rows (small ones: no)."""
        if rows >= ANALYZE_AFTER_ROWS:
            self.analyze()

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _bulk_cache(conn: Connection, bulk: bool) -> Iterator[None]:
    """On SQLite, a page cache of BULK_CACHE_KIB while `bulk` writes go on (Store.write)."""
    if not bulk or conn.dialect.name != "sqlite":
        yield
        return
    driver: Any = conn.connection.dbapi_connection  # on the driver: no SQLAlchemy autobegin
    usual = driver.execute("PRAGMA cache_size").fetchone()[0]
    driver.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
    try:
        yield
    finally:  # pooled connections go back to the usual size
        driver.execute(f"PRAGMA cache_size={int(usual)}")


@contextmanager
def _transaction(conn: Connection, on_busy: BusyCallback) -> Iterator[None]:
    """A write transaction: on SQLite the begin event takes the write lock (BEGIN IMMEDIATE).
    The flag lives on the pooled connection: it must end with this transaction, or the
    connection's later reads would queue for the write lock too."""
    info = conn.info  # the pooled connection's own, reachable even once the connection is lost
    info[_WRITE_FLAG] = on_busy
    try:
        with lost_as_unavailable(conn, written=False):
            transaction = conn.begin()
        try:
            with lost_as_unavailable(conn, written=False):
                yield
            if conn.dialect.name == "sqlite" and _search_indexed(conn):
                refresh_pending(conn)  # the writes' search index rows, set-based, before commit
        except BaseException:
            with suppress(DBAPIError):  # a lost connection has nothing left to roll back
                transaction.rollback()
            raise
        with lost_as_unavailable(conn, written=None):
            transaction.commit()
        note_commit()
    finally:
        info.pop(_WRITE_FLAG, None)


def _search_indexed(conn: Connection) -> bool:
    """The store has the search index (SQLite, migration 0028; asked each time: a migration
    may add or drop it between two transactions of one pooled connection)."""
    found = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (PENDING,)
    ).first()
    return found is not None


def _sqlite_engine(url: URL, echo: bool, busy_timeout: float) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        parent = Path(database).expanduser().resolve().parent
        if not parent.is_dir():
            raise StoreError(
                f"cannot open database {safe_url(url)}: folder {parent} does not exist; "
                "create it or choose another path with --db or $TIEGRAPH_DATABASE_URL"
            )
    # isolation_level=None hands transaction control to the events below (pysqlite's own
    # implicit BEGIN would defeat BEGIN IMMEDIATE).
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"isolation_level": None, "timeout": busy_timeout},
        # An in-memory database lives in one connection (SQLAlchemy's own pool for it).
        **(
            {}
            if database in ("", ":memory:")
            else {"pool_size": POOL_SIZE, "max_overflow": POOL_SIZE}
        ),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        if database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    flag = waiting_flag(database)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        on_busy = conn.info.get(_WRITE_FLAG)
        if on_busy is None:
            conn.exec_driver_sql("BEGIN")
        else:
            _take_write_lock(conn.connection.dbapi_connection, busy_timeout, on_busy, flag)

    return engine


def _take_write_lock(driver: Any, bound: float, on_busy: BusyCallback, flag: Path | None) -> None:
    """BEGIN IMMEDIATE, waiting for another's lock up to `bound` seconds in widening slices;
    after each, the wait is announced (pacing.py) and `on_busy` told."""
    started = time.monotonic()
    wait = min(FIRST_SLICE_SECONDS, bound)
    try:
        while True:
            driver.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
            try:
                driver.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                waited = time.monotonic() - started
                if exc.sqlite_errorcode & 0xFF not in _SQLITE_BUSY_CODES:
                    raise
                if waited >= bound - 0.001:
                    raise StoreBusyError(BUSY_MESSAGE) from exc
                announce_waiting(flag)
                on_busy(waited, bound)
                wait = next_slice(wait, bound - waited)
    finally:
        driver.execute(f"PRAGMA busy_timeout={int(bound * 1000)}")


def postgres_options(url: URL) -> tuple[URL, dict[str, Any]]:
    """The psycopg URL with timeout defaults, and the driver's own arguments.

    pgbouncer in transaction mode (`pgbouncer=1` in the URL, or $TIEGRAPH_PGBOUNCER=1) hands
    each transaction to any server connection, where a statement prepared on another one does
    not exist: psycopg must not prepare statements (prepare_threshold=None)."""
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    query = dict(url.query)
    flag = query.pop("pgbouncer", None) or os.environ.get(PGBOUNCER_ENV, "")
    if isinstance(flag, tuple):
        flag = flag[-1]
    if flag.strip().lower() not in ("", "0", "1", "true", "false", "yes", "no", "on", "off"):
        raise StoreError(f"pgbouncer={flag!r} must be 1 or 0 (in the URL or ${PGBOUNCER_ENV})")
    url = url.set(query={**POSTGRES_DEFAULTS, **query})
    pgbouncer = flag.strip().lower() in ("1", "true", "yes", "on")
    return url, ({"prepare_threshold": None} if pgbouncer else {})


def _postgres_engine(url: URL, echo: bool, busy_timeout: float) -> Engine:
    url, connect_args = postgres_options(url)
    # A write waits for another's row or table lock as long as a SQLite write waits for the
    # write lock, then fails as busy (lock_not_available), rather than for ever. pgbouncer
    # refuses the `options` startup parameter: behind it, each transaction sets it.
    lock_timeout = max(1, int(busy_timeout * 1000))
    pgbouncer = "prepare_threshold" in connect_args
    if not pgbouncer:
        connect_args["options"] = f"-c lock_timeout={lock_timeout}"
    engine = create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=POOL_SIZE,
        connect_args=connect_args,
    )
    if pgbouncer:

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {lock_timeout}")

    return engine


def create_store_engine(
    url: str, *, echo: bool = False, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
) -> Engine:
    """An engine for the URL, or a StoreError saying what is wrong with it.

    `busy_timeout`: seconds a write waits for another's lock before giving up (SQLite's write
    lock; PostgreSQL's lock_timeout)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            f"cannot open database: {url!r} is not a database URL "
            "(expected e.g. sqlite:///tiegraph.db or postgresql+psycopg://user@host/db)"
        ) from None
    try:
        if parsed.get_backend_name() == "sqlite":
            return _sqlite_engine(parsed, echo, busy_timeout)
        if parsed.get_backend_name() != "postgresql":
            return create_engine(parsed, echo=echo, pool_pre_ping=True)
        return _postgres_engine(parsed, echo, busy_timeout)
    except NoSuchModuleError:
        raise StoreError(
            f"cannot open database {safe_url(parsed)}: unsupported kind of database "
            "(use sqlite:///FILE or postgresql+psycopg://…)"
        ) from None
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"cannot open database {safe_url(parsed)}: driver {exc.name!r} is not installed "
            "(for PostgreSQL: pip install 'tiegraph[postgres]')"
        ) from None


def check_connection(engine: Engine) -> None:
    """Connect once, turning driver failures into a one-line StoreError."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(
            f"cannot open database {safe_url(engine.url)}: {reason}; "
            "check --db or $TIEGRAPH_DATABASE_URL"
        ) from None
