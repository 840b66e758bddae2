"""Opening the store: URL resolution, engine set-up per dialect, schema upgrade on open."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from tiegraph.errors import StoreBusyError, StoreError

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


@dataclass
class Store:
    """An opened store: the engine, and the writer discipline for SQLite."""

    engine: Engine
    url: str

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
        with _busy_as_error(), self.engine.connect() as conn:
            if self.dialect == "postgresql" and not streaming:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn

    @contextmanager
    def write(self, *, bulk: bool = False) -> Iterator[Connection]:
        """One transaction; on SQLite it takes the write lock at once (BEGIN IMMEDIATE).

        Taking the lock up front avoids the deadlock of two readers both upgrading to writers.
        `bulk` (an ingest of many rows): on SQLite the connection gets a page cache of
        BULK_CACHE_KIB for this transaction, as the indexes written outgrow the default 2 MB
        (100,000 messages: 15% less time in SQLite). A writer that waited the busy timeout
        for another's lock raises StoreBusyError: nothing was written; try again.
        """
        with _busy_as_error(), self.engine.connect() as conn:
            driver: Any = conn.connection.dbapi_connection
            usual = None
            if bulk and self.dialect == "sqlite":  # on the driver: no SQLAlchemy autobegin
                usual = driver.execute("PRAGMA cache_size").fetchone()[0]
                driver.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
            # The flag lives on the pooled connection: it must end with this transaction, or
            # the connection's later reads would queue for the write lock too.
            conn.info[_WRITE_FLAG] = True
            try:
                with conn.begin():
                    yield conn
            finally:
                conn.info.pop(_WRITE_FLAG, None)
                if usual is not None:  # pooled connections go back to the usual size
                    driver.execute(f"PRAGMA cache_size={int(usual)}")

    def analyze(self) -> None:
        """Refresh the planner's statistics after a bulk change.

        Without them SQLite reads `org_id = ? AND id IN (...)` through an org-wide index
        (every person of the organization) instead of the primary key. A sampled ANALYZE
        (analysis_limit) takes well under a second even on millions of rows.
        """
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")
            conn.commit()

    def analyze_after(self, rows: int) -> None:
        """Analyze after a bulk change of at least ANALYZE_AFTER_ROWS rows (small ones: no)."""
        if rows >= ANALYZE_AFTER_ROWS:
            self.analyze()

    def dispose(self) -> None:
        self.engine.dispose()


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

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.info.get(_WRITE_FLAG, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


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


def create_store_engine(
    url: str, *, echo: bool = False, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
) -> Engine:
    """An engine for the URL, or a StoreError saying what is wrong with it.

    `busy_timeout`: seconds a SQLite write waits for another's write lock before giving up."""
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
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "postgresql":
            parsed, connect_args = postgres_options(parsed)
        return create_engine(
            parsed,
            echo=echo,
            pool_pre_ping=True,
            pool_size=POOL_SIZE,
            max_overflow=POOL_SIZE,
            connect_args=connect_args,
        )
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
