"""Schema, migrations, engine set-up, bulk upserts and queries."""

from tiegraph.store.engine import Store, check_connection, create_store_engine, resolve_url
from tiegraph.store.migrate import upgrade

__all__ = ["Store", "open_store"]


def open_store(url: str | None = None, *, echo: bool = False) -> Store:
    """Open the store at `url` (or $TIEGRAPH_DATABASE_URL, or ./tiegraph.db), upgrading its schema.

    A store behind the code is upgraded rather than refused, so every command can open it.
    """
    resolved = resolve_url(url)
    engine = create_store_engine(resolved, echo=echo)
    try:
        check_connection(engine)
        upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine=engine, url=resolved)
