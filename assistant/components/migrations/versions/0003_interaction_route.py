"""Interactions: the question router's route, so that staff can filter and correct routes.

Rows written before the router existed get ``answer``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("interactions")}
    if "route" not in columns:
        with op.batch_alter_table("interactions") as batch:
            batch.add_column(sa.Column("route", sa.String(length=24), nullable=False, server_default="answer"))
            batch.create_index("ix_interactions_route", ["route"])


def downgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.drop_index("ix_interactions_route")
        batch.drop_column("route")
