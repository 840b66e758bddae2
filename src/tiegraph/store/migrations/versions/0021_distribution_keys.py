"""distribution-ready keys: org_id in every primary key and foreign key of tenant tables

Citus shards a table by one column and can only enforce a key on one node, so every primary key,
unique constraint and foreign key between tenant tables must hold org_id (docs/citus.md). Every
table already has org_id (NOT NULL, no backfill); what changes:

- PostgreSQL: the primary key of each table with an `id` becomes (id, org_id), and each foreign
  key from one tenant table to another, `x_id -> parent (id)`, becomes
  `(org_id, x_id) -> parent (org_id, id)`. Adding those keys checks every row: a row pointing
  into another organization stops the upgrade with PostgreSQL's error naming the key.
- SQLite: `id` stays the lone INTEGER PRIMARY KEY (the rowid: SQLite autoincrements nothing
  else), each parent table gets a UNIQUE INDEX (org_id, id), and the same composite foreign keys
  replace the single ones. SQLite cannot alter a constraint, so each child table is rebuilt:
  made anew from its own CREATE TABLE with the keys rewritten, its rows copied, its indexes and
  triggers made again (store/migrate.py turns foreign keys off around the migration and checks
  them all before it commits, SQLite's own recipe).

Both directions keep every row; downgrade restores the single-column keys.

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-06 02:45:00
"""

from __future__ import annotations

import re

from alembic import op
from sqlalchemy import Connection

revision = "0021"
down_revision = "0018"
branch_labels = None
depends_on = None

# Every foreign key between tenant tables at 0018, (table, column, parent): frozen here, as a
# migration must be, rather than read from the schema module that later migrations change.
TENANT_KEYS = (
    ("company_domain", "company_id", "company"),
    ("person", "company_id", "company"),
    ("education", "person_id", "person"),
    ("employment", "company_id", "company"),
    ("employment", "person_id", "person"),
    ("member", "person_id", "person"),
    ("person_email", "person_id", "person"),
    ("person_phone", "person_id", "person"),
    ("api_token", "member_id", "member"),
    ("connected_account", "member_id", "member"),
    ("contact", "person_id", "person"),
    ("contact", "member_id", "member"),
    ("import_job", "member_id", "member"),
    ("intro_request", "requester_id", "member"),
    ("intro_request", "introducer_id", "member"),
    ("intro_request", "person_id", "person"),
    ("member_activity_day", "member_id", "member"),
    ("member_address", "member_id", "member"),
    ("member_identity", "member_id", "member"),
    ("member_preference", "member_id", "member"),
    ("person_list", "owner_id", "member"),
    ("tie", "person_id", "person"),
    ("tie", "member_id", "member"),
    ("web_session", "member_id", "member"),
    ("activity_item", "import_job_id", "import_job"),
    ("contact_email", "contact_id", "contact"),
    ("contact_email", "member_id", "member"),
    ("contact_phone", "contact_id", "contact"),
    ("contact_phone", "member_id", "member"),
    ("contact_source", "import_job_id", "import_job"),
    ("contact_source", "member_id", "member"),
    ("contact_source", "contact_id", "contact"),
    ("custom_value", "contact_id", "contact"),
    ("custom_value", "property_id", "custom_property"),
    ("list_item", "list_id", "person_list"),
    ("list_item", "person_id", "person"),
    ("list_item", "company_id", "company"),
    ("list_item", "added_by", "member"),
    ("possible_match", "decided_by", "member"),
    ("possible_match", "contact_id", "contact"),
    ("possible_match", "person_id", "person"),
    ("sync_source", "member_id", "member"),
    ("sync_source", "account_id", "connected_account"),
    ("interaction", "member_id", "member"),
    ("interaction", "person_id", "person"),
    ("interaction", "activity_id", "activity_item"),
)

# The tenant tables whose primary key is `id` at 0018 (the others lead theirs with org_id).
ID_KEYED = (
    "activity_item",
    "api_token",
    "company",
    "company_domain",
    "connected_account",
    "contact",
    "contact_email",
    "contact_phone",
    "contact_source",
    "custom_property",
    "education",
    "employment",
    "import_job",
    "interaction",
    "intro_request",
    "list_item",
    "member",
    "member_address",
    "member_identity",
    "person",
    "person_email",
    "person_list",
    "person_phone",
    "possible_match",
    "sync_source",
    "web_session",
)

PARENTS = tuple(sorted({parent for _, _, parent in TENANT_KEYS}))


def _single(table: str, column: str, parent: str) -> str:
    return f"fk_{table}_{column}_{parent}"


def _composite(table: str, column: str, parent: str) -> str:
    return f"fk_{table}_org_id_{column}_{parent}"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for parent in PARENTS:
            op.execute(f"CREATE UNIQUE INDEX uq_{parent}_org_id_id ON {parent} (org_id, id)")
        _sqlite_rewrite_keys(bind, composite=True)
        return
    for table, column, parent in TENANT_KEYS:
        op.drop_constraint(_single(table, column, parent), table, type_="foreignkey")
    for table in ID_KEYED:
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, ["id", "org_id"])
    for table, column, parent in TENANT_KEYS:
        op.create_foreign_key(
            _composite(table, column, parent),
            table,
            parent,
            ["org_id", column],
            ["org_id", "id"],
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_rewrite_keys(bind, composite=False)
        for parent in PARENTS:
            op.execute(f"DROP INDEX uq_{parent}_org_id_id")
        return
    for table, column, parent in TENANT_KEYS:
        op.drop_constraint(_composite(table, column, parent), table, type_="foreignkey")
    for table in ID_KEYED:
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, ["id"])
    for table, column, parent in TENANT_KEYS:
        op.create_foreign_key(_single(table, column, parent), table, parent, [column], ["id"])


def _sqlite_rewrite_keys(bind: Connection, *, composite: bool) -> None:
    """Rebuild each child table with its tenant foreign keys composite (or single again)."""
    children: dict[str, list[tuple[str, str]]] = {}
    for table, column, parent in TENANT_KEYS:
        children.setdefault(table, []).append((column, parent))
    for table, keys in children.items():
        create = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar_one()
        for column, parent in keys:
            create = _rewrite_key(create, table, column, parent, composite=composite)
        _sqlite_rebuild(bind, table, create)


def _rewrite_key(create: str, table: str, column: str, parent: str, *, composite: bool) -> str:
    if composite:
        old = (_single(table, column, parent), rf"\(\s*{column}\s*\)", r"\(\s*id\s*\)")
        new = f"{_composite(table, column, parent)} FOREIGN KEY(org_id, {column}) "
        new += f"REFERENCES {parent} (org_id, id)"
    else:
        old = (_composite(table, column, parent), rf"\(org_id, {column}\)", r"\(org_id, id\)")
        new = f"{_single(table, column, parent)} FOREIGN KEY({column}) REFERENCES {parent} (id)"
    name, columns, referred = old
    pattern = (
        rf'CONSTRAINT\s+"?{name}"?\s+FOREIGN KEY\s*{columns}\s*REFERENCES\s+"?{parent}"?\s*'
        + referred
    )
    rewritten, found = re.subn(pattern, "CONSTRAINT " + new, create)
    if found != 1:
        raise RuntimeError(
            f"cannot rewrite foreign key {name} of table {table}: its CREATE TABLE does not "
            "have it as tiegraph made it (was the schema changed by hand?)"
        )
    return rewritten


def _sqlite_rebuild(bind: Connection, table: str, create: str) -> None:
    """SQLite's recipe for changing a table's constraints: a new table, the rows, the rest."""
    extras = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY type, name",
        (table,),
    ).scalars()
    extras_sql = list(extras)
    staged = f"{table}__0021"
    head = re.match(rf'\s*CREATE TABLE\s+"?{table}"?\s*\(', create)
    if head is None:
        raise RuntimeError(f"cannot read the CREATE TABLE of {table}")
    bind.exec_driver_sql(f"CREATE TABLE {staged} (" + create[head.end() :])
    bind.exec_driver_sql(f"INSERT INTO {staged} SELECT * FROM {table}")
    bind.exec_driver_sql(f"DROP TABLE {table}")
    bind.exec_driver_sql(f"ALTER TABLE {staged} RENAME TO {table}")
    for sql in extras_sql:
        bind.exec_driver_sql(sql)
