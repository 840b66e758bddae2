"""Schema, migrations, engine set-up, bulk upserts and queries."""

from tiegraph.store.engine import (
    Store,
    busy_timeout_from_env,
    check_connection,
    create_store_engine,
    resolve_url,
)
from tiegraph.store.migrate import upgrade

__all__ = ["Store", "open_store"]


def open_store(
    url: str | None = None, *, echo: bool = False, busy_timeout: float | None = None
) -> Store:
    """Open the store at `url` (or $TIEGRAPH_DATABASE_URL, or ./tiegraph.db), upgrading its schema.

    A store behind the code is upgraded rather than refused, so every command can open it.
    `busy_timeout`: seconds a write waits for another's lock (default: $TIEGRAPH_BUSY_TIMEOUT).
    """
    resolved = resolve_url(url)
    wait = busy_timeout_from_env() if busy_timeout is None else busy_timeout
    engine = create_store_engine(resolved, echo=echo, busy_timeout=wait)
    try:
        check_connection(engine)
        upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine=engine, url=resolved)
