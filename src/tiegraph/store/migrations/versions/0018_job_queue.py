"""job queue on PostgreSQL: procrastinate's own tables, and job_error (why a job failed)

procrastinate's schema is applied only where it is absent, so a database that already has it
(set up by hand with `procrastinate schema --apply`) is left as it is. SQLite runs jobs
in-process and needs neither.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 00:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if not sa.inspect(bind).has_table("procrastinate_jobs"):
        try:
            from procrastinate.schema import SchemaManager
        except ModuleNotFoundError:
            raise RuntimeError(
                "the job queue needs procrastinate on PostgreSQL: pip install 'tiegraph[postgres]'"
            ) from None
        bind.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))
    # Queue-side like procrastinate's tables (a job may span organizations): no org_id.
    op.create_table(
        "job_error",
        sa.Column("job_id", sa.BigInteger(), primary_key=True),
        sa.Column("task_name", sa.String(128), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_table("job_error")
