"""An import remembers its uploads, so that one a stopped server left unfinished runs again

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 06:20:00

`import_job.uploads`: the upload ids of its files (services/uploads.py), in the order of
`files`. On SQLite, `tiegraph serve` runs again at start an import a stopped server left
queued or running when its uploads are all still stored (an import of the same files again is
the same import); imports from before this column have none and end failed as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("import_job", sa.Column("uploads", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("import_job", "uploads")
