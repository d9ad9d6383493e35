"""Revisions: a counter per kind of shared data ("review": curated answers and flagged documents).

Every instance keeps curated answers and flagged documents in memory and reloads
them only when the counter changed; each change to those tables raises it in the
same transaction.

Revision ID: 0002
Revises: 0001
Create Date: 2026-03-12
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

revisions = sa.table("revisions", sa.column("name", sa.String), sa.column("value", sa.Integer))


def upgrade() -> None:
    # a database made by the old create_all placeholder (adopted as 0001) may have the table already
    if not sa.inspect(op.get_bind()).has_table("revisions"):
        op.create_table(
            "revisions",
            sa.Column("name", sa.String(length=32), nullable=False),
            sa.Column("value", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("name"),
        )
    present = op.get_bind().execute(sa.select(revisions.c.name).where(revisions.c.name == "review")).first()
    if present is None:
        op.bulk_insert(revisions, [{"name": "review", "value": 0}])


def downgrade() -> None:
    op.drop_table("revisions")
