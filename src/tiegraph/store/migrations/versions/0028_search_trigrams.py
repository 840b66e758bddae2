"""The gallery's search on PostgreSQL: pg_trgm and trigram indexes on what it reads

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 06:20:00

A search is `lower(column) LIKE '%w%'` over persons, contacts, companies and emails
(services/contacts/gallery_query.py): no B-tree serves it. pg_trgm's GIN indexes do, on the very
expressions it reads (declared in store/schema.py too). The extension ships with Debian's
postgresql-15 (contrib); creating it needs a superuser, or the database's owner where pg_trgm
is trusted (it is, since PostgreSQL 13): docs/deploy.md. SQLite gets FTS5 trigram tables
instead, refreshed set-based once per write transaction (store/search_index.py).
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import exc, text

from tiegraph.errors import StoreError
from tiegraph.store.search_index import create_statements, drop_statements

# index -> (table, the expression the search reads), as store/schema.py declares them
TRIGRAM_INDEXES = {
    "ix_person_name_trgm": ("person", "name_sort"),
    "ix_person_title_trgm": ("person", "lower(title)"),
    "ix_person_email_trgm": ("person_email", "email"),
    "ix_company_name_trgm": ("company", "lower(name)"),
    "ix_contact_name_trgm": ("contact", "name_sort"),
    "ix_contact_company_trgm": ("contact", "lower(company)"),
    "ix_contact_title_trgm": ("contact", "lower(title)"),
    "ix_contact_email_trgm": ("contact_email", "email"),
}

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in create_statements():
            op.execute(statement)
        return
    present = bind.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first()
    if present is None:
        try:
            with bind.begin_nested():
                bind.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        except exc.DBAPIError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            raise StoreError(
                "migration 0028 needs PostgreSQL's pg_trgm extension and could not create it "
                f"({reason}); nothing was changed. Have a superuser run `CREATE EXTENSION "
                "pg_trgm;` in this database (Debian: it ships with postgresql-15), then migrate "
                "again (docs/deploy.md)"
            ) from error
    for index, (table, expression) in TRIGRAM_INDEXES.items():
        op.execute(f"CREATE INDEX {index} ON {table} USING gin (({expression}) gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in drop_statements():
            op.execute(statement)
        return
    for index in TRIGRAM_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {index}")
