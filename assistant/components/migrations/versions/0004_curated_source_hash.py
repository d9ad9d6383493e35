"""Curated answers: the source page's content hash; interactions: the answer's quality score;
ratings: the rating client (salted hash), so that one client cannot move a page's rating prior.

``interactions.quality`` (assistant/answering/quality.py): answers scoring low enter the review
queue without a thumbs-down. Rows written before this revision have none (NULL).

When the page changes (a new index with another hash), the curated answer is retired and
its item goes back to the review queue (``ReviewService.recheck_sources``). Rows written
before this revision get "" (unknown: checked from the next correction on).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("curated_answers")}
    if "source_hash" not in columns:
        with op.batch_alter_table("curated_answers") as batch:
            batch.add_column(sa.Column("source_hash", sa.String(length=64), nullable=False, server_default=""))
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("interactions")}
    if "quality" not in columns:
        with op.batch_alter_table("interactions") as batch:
            batch.add_column(sa.Column("quality", sa.Float(), nullable=True))
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("ratings")}
    if "client" not in columns:
        with op.batch_alter_table("ratings") as batch:
            batch.add_column(sa.Column("client", sa.String(length=64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("ratings") as batch:
        batch.drop_column("client")
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("quality")
    with op.batch_alter_table("curated_answers") as batch:
        batch.drop_column("source_hash")
