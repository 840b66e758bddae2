"""`bench_scale.py`: bulk-load helpers: COPY of rows, the big tables' indexes off while loading."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import psycopg

BIG_TABLES = (
    "company",
    "company_domain",
    "person",
    "person_email",
    "employment",
    "tie",
    "interaction",
    "activity_item",
)


def _text(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def copy_rows(
    conn: psycopg.Connection[Any],
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
) -> int:
    """COPY rows (text format) into `table`; returns how many."""
    count = 0
    buffer: list[str] = []
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            buffer.append("\t".join(_text(v) for v in row))
            count += 1
            if len(buffer) >= 20_000:
                copy.write("\n".join(buffer) + "\n")
                buffer.clear()
        if buffer:
            copy.write("\n".join(buffer) + "\n")
    return count


def drop_secondary(conn: psycopg.Connection[Any]) -> list[str]:
    """Drop the big tables' unique constraints and secondary indexes; the statements that
    make them again (primary keys and foreign keys stay)."""
    again: list[str] = []
    for table in BIG_TABLES:
        for name, definition in conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'u'",
            (table,),
        ).fetchall():
            conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            again.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        for name, definition in conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            (table,),
        ).fetchall():
            conn.execute(f"DROP INDEX {name}")
            again.append(definition)
    return again
