"""Set-based, batched inserts and upserts for the import and ingest paths, per dialect."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

BATCH_SIZE = 5000
IN_CHUNK = 900  # values per IN (...): under SQLite's older limit of 999 variables

Row = Mapping[str, Any]


def batches(rows: Iterable[Row], size: int = BATCH_SIZE) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def dialect_insert(conn: Connection, table: Table) -> Any:
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
        if conn.dialect.name == "sqlite":
            _sqlite_many(conn, table, table.insert(), chunk)
        else:
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
    """Insert rows whose `key` is new; rows already there are left as they are.

    Returns how many rows were new. Counted from RETURNING, because a driver's rowcount after
    executemany is not reliable (psycopg reports -1).
    """
    count = 0
    first = table.c[key[0]]
    for chunk in batches(rows, size):
        stmt = dialect_insert(conn, table).on_conflict_do_nothing(index_elements=list(key))
        if conn.dialect.name == "sqlite":
            count += _sqlite_many(conn, table, stmt, chunk)
        else:
            count += len(conn.execute(stmt.returning(first), chunk).all())
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
        stmt = dialect_insert(conn, table)
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
    if conn.dialect.name == "sqlite" and tuple(returning) == ("id",):
        return _sqlite_insert_ids(conn, table, rows, size)
    cols = [table.c[name] for name in returning]
    for chunk in batches(rows, size):
        stmt = table.insert().returning(*cols, sort_by_parameter_order=True)
        out.extend(tuple(r) for r in conn.execute(stmt, chunk))
    return out


# --- SQLite fast path ----------------------------------------------------------------------
# The generic path builds and processes parameters row by row in Python; on SQLite that costs
# more than the insert itself. Here the statement is compiled once, each column's bind
# processor (e.g. datetimes to SQLite's text form) is applied directly, and the driver runs
# one executemany. Same SQL, same stored values.


def _sqlite_many(conn: Connection, table: Table, stmt: Insert, chunk: Sequence[Row]) -> int:
    """Run `stmt` for every row of `chunk` in one driver executemany; returns rows changed."""
    keys = list(chunk[0])
    compiled = stmt.compile(dialect=conn.dialect, column_keys=keys)
    order = compiled.positiontup or []
    processors = []
    for name in order:
        process = table.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        processors.append((name, process))
    params = [
        tuple(process(row[name]) if process else row[name] for name, process in processors)
        for row in chunk
    ]
    result = conn.exec_driver_sql(str(compiled), params)
    return max(result.rowcount, 0)


def _sqlite_insert_ids(
    conn: Connection, table: Table, rows: Sequence[Row], size: int
) -> list[tuple[Any, ...]]:
    """Insert rows with ids allocated here: safe because a SQLite writer holds the database lock.

    `Store.write()` begins SQLite transactions IMMEDIATE, so no other writer can take an id
    between reading the largest one and inserting.
    """
    if not conn.in_transaction():
        raise RuntimeError("ids can only be allocated inside a write transaction")
    last = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    out: list[tuple[Any, ...]] = []
    for chunk in batches(rows, size):
        numbered = [{**row, "id": last + i} for i, row in enumerate(chunk, start=1)]
        _sqlite_many(conn, table, table.insert(), numbered)
        out.extend((row["id"],) for row in numbered)
        last += len(chunk)
    return out


# --- rows as plain tuples ------------------------------------------------------------------
# The ingest path writes hundreds of thousands of rows: built as tuples in the driver's own
# form, they go to the driver without SQLAlchemy processing each value.


def _sqlite_moment(moment: datetime) -> str:
    """A moment as SQLAlchemy stores it in SQLite (UTC text), from any time zone."""
    if moment.tzinfo is not UTC and moment.tzinfo is not None:  # naive: UTC already
        moment = moment.astimezone(UTC)
    return moment.isoformat(" ", "microseconds")[:26]  # without the "+00:00"


def _as_is(value: Any) -> Any:
    return value


def driver_moment(conn: Connection) -> Callable[[datetime], Any]:
    """How to hand an aware datetime to this connection's driver in a plain row."""
    return _sqlite_moment if conn.dialect.name == "sqlite" else _as_is


def driver_day(conn: Connection) -> Callable[[date], Any]:
    """How to hand a date to this connection's driver in a plain row (SQLite: as SQLAlchemy
    stores it, ISO text)."""
    return date.isoformat if conn.dialect.name == "sqlite" else _as_is


def marker(conn: Connection) -> str:
    """The driver's placeholder for one parameter in plain SQL."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def first_per_key(
    conn: Connection,
    table: Table,
    key: str,
    columns: Sequence[str],
    where: Mapping[str, Any],
    keys: Sequence[Any],
    *,
    order_by: str | None = None,
    size: int = IN_CHUNK,
) -> dict[Any, tuple[Any, ...]]:
    """For each of `keys` found in `table.key` (rows matching `where`), the `columns` of its
    first row by `order_by`.

    SQLite: `key IN (?, ...)` in chunks of `size`, under its older 999-variable limit.
    PostgreSQL: one lookup per key (`unnest` and `LATERAL ... LIMIT 1`), which no planner can
    turn into a scan: during a big ingest the table has no statistics yet, and an `IN` list
    or array was filtered against every row of the organization.
    """
    found: dict[Any, tuple[Any, ...]] = {}
    if not keys:
        return found
    m = marker(conn)
    conditions = " AND ".join(f"{column} = {m}" for column in where)
    order = f" ORDER BY {order_by}" if order_by else ""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if conn.dialect.name == "postgresql":
            array = f"{table.c[key].type.compile(dialect=conn.dialect)}[]"
            cursor.execute(
                f"SELECT k.key, s.* FROM unnest(%s::{array}) AS k(key) CROSS JOIN LATERAL "
                f"(SELECT {', '.join(columns)} FROM {table.name} "
                f"WHERE {conditions} AND {key} = k.key{order} LIMIT 1) AS s",
                (list(keys), *where.values()),
                prepare=False,  # a generic plan would not see how many keys there are
            )
            return {row[0]: row[1:] for row in cursor.fetchall()}
        for start in range(0, len(keys), size):
            chunk = keys[start : start + size]
            cursor.execute(
                f"SELECT {key}, {', '.join(columns)} FROM {table.name} "
                f"WHERE {conditions} AND {key} IN ({', '.join([m] * len(chunk))}){order}",
                (*where.values(), *chunk),
            )
            for row in cursor.fetchall():
                found.setdefault(row[0], row[1:])
    finally:
        cursor.close()
    return found


def allocate_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """`count` new ids for `table`'s `id` column, to insert rows with them.

    SQLite: above the largest id, safe because `Store.write()` holds the database lock (BEGIN
    IMMEDIATE). PostgreSQL: drawn from the column's sequence.
    """
    if count == 0:
        return []
    if conn.dialect.name == "sqlite":
        if not conn.in_transaction():
            raise RuntimeError("ids can only be allocated inside a write transaction")
        last = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
        return list(range(last + 1, last + 1 + count))
    sql = "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)"
    return [row[0] for row in conn.exec_driver_sql(sql, (table.name, count))]


def insert_plain(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> int:
    """Insert new rows given as tuples in the driver's form (times by `driver_moment`).

    One executemany on SQLite, COPY on PostgreSQL; no conflict handling, so a row that
    breaks a unique key fails the transaction. Returns the number of rows.
    """
    if not rows:
        return 0
    names = ", ".join(columns)
    driver = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        statement = f"COPY {table.name} ({names}) FROM STDIN"
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return len(rows)
    holders = ", ".join([marker(conn)] * len(columns))
    cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({holders})", rows)
    finally:
        cursor.close()
    return len(rows)
