"""How the tables spread over a distributed PostgreSQL (Citus), and the key rule that allows it.

Every table is a tenant table, sharded by org_id, unless it is named below as a reference table
(small, copied to every node) or a local one (kept on the coordinator), with the reason. A tenant
table holds org_id in its primary key, in every unique constraint or index, and in every foreign
key, which maps org_id to org_id when it points at another tenant table: then every key is
checked on the one node that holds the organization (docs/citus.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    ForeignKeyConstraint,
    FromClause,
    Index,
    MetaData,
    UniqueConstraint,
    and_,
)
from sqlalchemy.engine import Inspector

__all__ = [
    "LOCAL",
    "REFERENCE",
    "TableKeys",
    "citus_statements",
    "keys_from_inspector",
    "keys_from_metadata",
    "same_org",
    "table_kind",
    "violations",
]

DISTRIBUTION_COLUMN = "org_id"

REFERENCE = {
    "organization": "the tenants themselves: a few rows, which every tenant table's org_id "
    "points at (a foreign key from a distributed table may only reach a reference table)",
}

LOCAL = {
    "alembic_version": "the schema revision, one row",
    "sign_in_failure": "failed sign-ins, counted before anyone is known to belong to an "
    "organization (web/security.py)",
    "job_error": "the job queue's (migration 0018): a job may span organizations",
}
LOCAL_PREFIXES = {
    "procrastinate_": "procrastinate's job queue: workers lock and notify on one node",
}


def table_kind(name: str) -> str:
    """tenant | reference | local."""
    if name in REFERENCE:
        return "reference"
    if name in LOCAL or name.startswith(tuple(LOCAL_PREFIXES)):
        return "local"
    return "tenant"


@dataclass(frozen=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]


@dataclass(frozen=True)
class TableKeys:
    """A table's columns and keys, as read from the database or the schema module."""

    name: str
    columns: tuple[str, ...]
    primary_key: tuple[str, ...]
    uniques: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, columns)
    foreign_keys: tuple[ForeignKey, ...] = field(default=())


def keys_from_inspector(inspector: Inspector) -> list[TableKeys]:
    """Every table of the database's default schema (PostgreSQL after the migrations)."""
    found = []
    for name in inspector.get_table_names():
        pk = inspector.get_pk_constraint(name)
        uniques = [
            (u["name"] or "(unnamed)", u["column_names"])
            for u in inspector.get_unique_constraints(name)
        ]
        uniques += [
            (i["name"] or "(unnamed)", [c or "(expression)" for c in i["column_names"]])
            for i in inspector.get_indexes(name)
            if i["unique"] and not i.get("duplicates_constraint")
        ]
        found.append(
            TableKeys(
                name=name,
                columns=tuple(c["name"] for c in inspector.get_columns(name)),
                primary_key=tuple(pk["constrained_columns"]),
                uniques=tuple((n, tuple(cols)) for n, cols in uniques),
                foreign_keys=tuple(
                    ForeignKey(
                        f["name"] or "(unnamed)",
                        tuple(f["constrained_columns"]),
                        f["referred_table"],
                        tuple(f["referred_columns"]),
                    )
                    for f in inspector.get_foreign_keys(name)
                ),
            )
        )
    return found


def keys_from_metadata(metadata: MetaData) -> list[TableKeys]:
    """Every table the schema module declares."""
    found = []
    for table in metadata.sorted_tables:
        uniques = [
            (str(c.name or "(unnamed)"), tuple(col.name for col in c.columns))
            for c in table.constraints
            if isinstance(c, UniqueConstraint)
        ]
        uniques += [
            (str(i.name or "(unnamed)"), tuple(col.name for col in i.columns))
            for i in table.indexes
            if isinstance(i, Index) and i.unique
        ]
        found.append(
            TableKeys(
                name=table.name,
                columns=tuple(table.columns.keys()),
                primary_key=tuple(c.name for c in table.primary_key.columns),
                uniques=tuple(uniques),
                foreign_keys=tuple(
                    ForeignKey(
                        str(fk.name or "(unnamed)"),
                        tuple(fk.column_keys),
                        fk.referred_table.name,
                        tuple(e.column.name for e in fk.elements),
                    )
                    for fk in table.constraints
                    if isinstance(fk, ForeignKeyConstraint)
                ),
            )
        )
    return found


def violations(tables: Iterable[TableKeys]) -> list[str]:
    """What keeps each tenant table from being distributed by org_id: table, key and why."""
    found: list[str] = []
    org = DISTRIBUTION_COLUMN
    for table in tables:
        if table_kind(table.name) != "tenant":
            continue
        where = f"table {table.name}"
        if org not in table.columns:
            found.append(f"{where}: no {org} column (or name it in store/distribution.py)")
            continue
        if org not in table.primary_key:
            found.append(f"{where}: primary key {table.primary_key} lacks {org}")
        for name, columns in table.uniques:
            if org not in columns:
                found.append(f"{where}: unique {name} {columns} lacks {org}")
        for fk in table.foreign_keys:
            found += _foreign_key_violations(where, fk)
    return found


def _foreign_key_violations(where: str, fk: ForeignKey) -> list[str]:
    org = DISTRIBUTION_COLUMN
    kind = table_kind(fk.parent)
    if org not in fk.columns:
        return [f"{where}: foreign key {fk.name} {fk.columns} lacks {org}"]
    if kind == "local":
        return [f"{where}: foreign key {fk.name} points at local table {fk.parent}"]
    if kind == "tenant" and fk.parent_columns[fk.columns.index(org)] != org:
        return [f"{where}: foreign key {fk.name} maps {org} to {fk.parent}'s non-{org} column"]
    return []


def citus_statements(tables: Iterable[TableKeys]) -> list[str]:
    """The calls that distribute a migrated store on Citus, parents before the tables that
    point at them (Citus distributes a table only after what its foreign keys reach)."""
    ordered = _parents_first(list(tables))
    statements = [
        f"SELECT create_reference_table('{t.name}');"
        for t in ordered
        if table_kind(t.name) == "reference"
    ]
    first = None
    for table in ordered:
        if table_kind(table.name) != "tenant":
            continue
        colocate = "'none'" if first is None else f"'{first}'"
        statements.append(
            f"SELECT create_distributed_table('{table.name}', '{DISTRIBUTION_COLUMN}', "
            f"colocate_with => {colocate});"
        )
        first = first or table.name
    return statements


def _parents_first(tables: list[TableKeys]) -> list[TableKeys]:
    by_name = {t.name: t for t in tables}
    done: dict[str, TableKeys] = {}

    def visit(table: TableKeys, path: tuple[str, ...]) -> None:
        if table.name in done or table.name in path:
            return
        for fk in table.foreign_keys:
            if fk.parent in by_name and fk.parent != table.name:
                visit(by_name[fk.parent], (*path, table.name))
        done[table.name] = table

    for table in sorted(tables, key=lambda t: t.name):
        visit(table, ())
    return list(done.values())


def same_org(parent: FromClause, reference: ColumnElement[Any]) -> ColumnElement[bool]:
    """The join of a reference (`tie.c.person_id`) to its row of `parent` (person), matched on
    org_id too: on Citus a join on the distribution column stays on one node (colocated)."""
    child = cast(FromClause, reference.table)
    return and_(parent.c.org_id == child.c.org_id, parent.c.id == reference)
