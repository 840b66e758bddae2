"""Set-based, batched inserts and upserts for the import and ingest paths, per dialect."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

BATCH_SIZE = 5000

Row = Mapping[str, Any]


def batches(rows: Iterable[Row], size: int = BATCH_SIZE) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _dialect_insert(conn: Connection, table: Table) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT (both dialects spell it the same)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for dialect {conn.dialect.name}")


def insert_rows(
    conn: Connection, table: Table, rows: Iterable[Row], *, size: int = BATCH_SIZE
) -> int:
    """Plain inserts, one executemany per batch; returns the number of rows."""
    count = 0
    for chunk in batches(rows, size):
        conn.execute(table.insert(), chunk)
        count += len(chunk)
    return count


def insert_ignore(
    conn: Connection,
    table: Table,
    rows: Iterable[Row],
    *,
    key: Sequence[str],
    size: int = BATCH_SIZE,
) -> int:
    """Insert rows whose `key` is new; rows already there are left as they are."""
    count = 0
    for chunk in batches(rows, size):
        stmt = _dialect_insert(conn, table).on_conflict_do_nothing(index_elements=list(key))
        result = conn.execute(stmt, chunk)
        count += max(result.rowcount, 0)
    return count


def upsert_rows(
    conn: Connection,
    table: Table,
    rows: Iterable[Row],
    *,
    key: Sequence[str],
    update: Sequence[str] | None = None,
    size: int = BATCH_SIZE,
) -> int:
    """Insert, or update the `update` columns (default: all but the key) where `key` exists."""
    count = 0
    for chunk in batches(rows, size):
        stmt = _dialect_insert(conn, table)
        columns = update if update is not None else [c for c in chunk[0] if c not in key]
        if columns:
            stmt = stmt.on_conflict_do_update(
                index_elements=list(key), set_={c: stmt.excluded[c] for c in columns}
            )
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
        conn.execute(stmt, chunk)
        count += len(chunk)
    return count


def insert_returning(
    conn: Connection,
    table: Table,
    rows: Sequence[Row],
    returning: Sequence[str],
    *,
    size: int = BATCH_SIZE,
) -> list[tuple[Any, ...]]:
    """Insert rows and return the `returning` columns, in the order of `rows`."""
    out: list[tuple[Any, ...]] = []
    cols = [table.c[name] for name in returning]
    for chunk in batches(rows, size):
        stmt = table.insert().returning(*cols, sort_by_parameter_order=True)
        out.extend(tuple(r) for r in conn.execute(stmt, chunk))
    return out
