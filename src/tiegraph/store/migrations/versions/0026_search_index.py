"""The gallery's search index: FTS5 trigram tables kept by triggers (SQLite only)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 04:10:00

See store/search_index.py. PostgreSQL gets nothing here: its search reads every row as before.
"""

from __future__ import annotations

from alembic import op

from tiegraph.store.search_index import create_statements, drop_statements

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in create_statements():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in drop_statements():
        op.execute(statement)
