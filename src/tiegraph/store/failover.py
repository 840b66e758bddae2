"""Riding out a PostgreSQL failover: which driver errors mean the connection or the primary is
gone, how long a unit of work waits for the new primary, and when it may be run again."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from tiegraph.errors import StoreBusyError, StoreUnavailableError

log = logging.getLogger(__name__)
T = TypeVar("T")
# A failover with Patroni takes about ttl (10-30 s); a dead primary is noticed within
# tcp_user_timeout (engine.py). A unit of work waits this long in all for a primary.
FAILOVER_SECONDS = 30.0
FIRST_PAUSE, LONGEST_PAUSE = 0.25, 2.0
# Runs in all of one idempotent step of a job (run_again_when_lost): a failover costs one.
STEP_RUNS = 3
# admin_shutdown, crash_shutdown, cannot_connect_now, read_only_sql_transaction (the server
# turned standby under us); class 08 is every connection_exception.
_LOST_STATES = ("57P01", "57P02", "57P03", "25006")
_LOST_KINDS = ("OperationalError", "InterfaceError")
# serialization_failure, deadlock_detected: the transaction was rolled back, nothing written.
_ROLLED_BACK_STATES = ("40001", "40P01")
UNAVAILABLE_MESSAGE = (
    "the database did not answer as the primary in time (a failover under way?) and nothing "
    "was changed: try again in a few seconds"
)
UNKNOWN_MESSAGE = (
    "the database connection was lost during the commit: the change may or may not be saved; "
    "look before trying again"
)


def is_connection_lost(exc: BaseException) -> bool:
    """Whether a PostgreSQL error (SQLAlchemy's, or the driver's own from a raw cursor) means
    the connection is gone or the server is no longer the primary."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        exc = exc.orig if exc.orig is not None else exc
    if not type(exc).__module__.startswith("psycopg"):
        return False
    state = getattr(exc, "sqlstate", None)
    if isinstance(state, str):
        return state.startswith("08") or state in _LOST_STATES
    # psycopg's "connection failed" (no host answered as a primary), its ConnectionTimeout, a
    # connection closed under a query: no SQLSTATE. (psycopg is optional: matched by name.)
    return any(
        kind.__module__.startswith("psycopg") and kind.__name__ in _LOST_KINDS
        for kind in type(exc).__mro__
    )


@dataclass
class Unit:
    """One unit of work (a web request): its deadline, and how many transactions it committed."""

    deadline: float
    commits: int = 0
    failure: BaseException | None = None  # what its last error answer was about (note_failure)


_unit: ContextVar[Unit | None] = ContextVar("tiegraph_unit", default=None)


@contextmanager
def unit_of_work(seconds: float = FAILOVER_SECONDS) -> Iterator[Unit]:
    """The store calls within share one failover budget and count their commits."""
    token = _unit.set(Unit(time.monotonic() + seconds))
    try:
        yield _unit.get()  # type: ignore[misc]
    finally:
        _unit.reset(token)


def current_unit() -> Unit | None:
    return _unit.get()


def note_commit() -> None:
    unit = _unit.get()
    if unit is not None:
        unit.commits += 1


def note_failure(exc: BaseException) -> None:
    """Remember the error a unit's answer reports, for deciding whether to run it again."""
    unit = _unit.get()
    if unit is not None:
        unit.failure = exc


def may_run_again(exc: BaseException, unit: Unit) -> bool:
    """Whether the unit may be run again from the start: it committed nothing, the failure wrote
    nothing (connection lost before the commit, or the transaction rolled back by the server),
    and its time is not up."""
    if unit.commits or time.monotonic() >= unit.deadline:
        return False
    if isinstance(exc, StoreUnavailableError):
        return exc.written is False
    cause = exc.__cause__
    return (
        isinstance(exc, StoreBusyError)
        and isinstance(cause, DBAPIError)
        and getattr(cause.orig, "sqlstate", None) in _ROLLED_BACK_STATES
    )


def pause(attempt: int) -> float:
    """Seconds to wait before the attempt after `attempt` (0, 1, …): widening, bounded."""
    return float(min(FIRST_PAUSE * 2**attempt, LONGEST_PAUSE))


def connect(engine: Engine) -> Connection:
    """A connection from the pool (pre-pinged), waiting through a failover: while no host
    answers as the primary, try again until the unit's deadline. Nothing was done yet, so
    waiting is always safe."""
    unit = _unit.get()
    deadline = unit.deadline if unit else time.monotonic() + FAILOVER_SECONDS
    attempt = 0
    while True:
        try:
            return engine.connect()
        except DBAPIError as exc:
            if engine.dialect.name != "postgresql" or not is_connection_lost(exc):
                raise
            wait = pause(attempt)
            if time.monotonic() + wait >= deadline:
                raise StoreUnavailableError(UNAVAILABLE_MESSAGE, written=False) from exc
            log.warning("no primary database answered; trying again in %.2f s", wait)
            time.sleep(wait)
            attempt += 1


@contextmanager
def lost_as_unavailable(conn: Connection, *, written: bool | None) -> Iterator[None]:
    """A lost connection (or a primary turned standby) within the block as a
    StoreUnavailableError saying whether anything was `written`."""
    try:
        yield
    except Exception as exc:
        if conn.dialect.name == "postgresql" and is_connection_lost(exc):
            message = UNAVAILABLE_MESSAGE if written is False else UNKNOWN_MESSAGE
            raise StoreUnavailableError(message, written=written) from exc
        raise


def lost_or_busy(exc: BaseException) -> bool:
    """Whether a failure was the store's, not the work's: busy (nothing written), a connection
    lost or a primary gone (before or during the commit)."""
    return isinstance(exc, StoreBusyError) or is_connection_lost(exc)


def run_again_when_lost(action: Callable[[], T], *, runs: int = STEP_RUNS) -> T:
    """An idempotent step of a job (one or a few transactions), run again, up to `runs` in all,
    when the store was busy or its connection was lost: before the commit nothing was written;
    during it, maybe, and an idempotent step run again makes what one run makes. The next run's
    connection waits through a failover (`connect`). Any other failure is raised at once."""
    for run in range(1, runs + 1):
        try:
            return action()
        except Exception as exc:
            if run == runs or not lost_or_busy(exc):
                raise
            log.warning("store lost or busy (run %d of %d): %s; running again", run, runs, exc)
            time.sleep(pause(run - 1))
    raise AssertionError("unreachable")
