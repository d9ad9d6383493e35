"""Interactions: the route staff corrected (training examples for the question router);
review tags (the review vocabulary: wrong fact, outdated source, ...); tickets (a citizen's
request for a person to get back to them, with the contact the citizen typed).

``interactions.corrected_route`` is NULL until staff correct the route; ``route`` keeps what the
router said, so both stay visible. ``review_tags`` holds one row per (interaction, tag); a
ticket also tags its interaction ``ticket``. Both tables are purged with their interaction
(``FeedbackService.purge``): the contact is kept no longer than the rest of the log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    columns = {column["name"] for column in inspector.get_columns("interactions")}
    if "corrected_route" not in columns:
        with op.batch_alter_table("interactions") as batch:
            batch.add_column(sa.Column("corrected_route", sa.String(length=24), nullable=True))
            batch.add_column(sa.Column("route_corrected_by", sa.String(length=100), nullable=False, server_default=""))
            batch.add_column(sa.Column("route_corrected_at", sa.DateTime(timezone=True), nullable=True))
            batch.create_index("ix_interactions_corrected_route", ["corrected_route"])
    tables = set(inspector.get_table_names())
    if "review_tags" not in tables:
        op.create_table(
            "review_tags",
            sa.Column(
                "interaction_id",
                sa.String(length=32),
                sa.ForeignKey("interactions.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column("tag", sa.String(length=32), primary_key=True),
            sa.Column("tagged_by", sa.String(length=100), nullable=False, server_default=""),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index("ix_review_tags_tag", "review_tags", ["tag"])
    if "tickets" not in tables:
        op.create_table(
            "tickets",
            sa.Column("id", sa.String(length=32), primary_key=True),
            sa.Column(
                "interaction_id",
                sa.String(length=32),
                sa.ForeignKey("interactions.id", ondelete="CASCADE"),
                nullable=False,
            ),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("contact", sa.Text(), nullable=False, server_default=""),
            sa.Column("message", sa.Text(), nullable=False, server_default=""),
        )
        op.create_index("ix_tickets_interaction_id", "tickets", ["interaction_id"])
        op.create_index("ix_tickets_created_at", "tickets", ["created_at"])


def downgrade() -> None:
    op.drop_table("tickets")
    op.drop_table("review_tags")
    with op.batch_alter_table("interactions") as batch:
        batch.drop_index("ix_interactions_corrected_route")
        batch.drop_column("route_corrected_at")
        batch.drop_column("route_corrected_by")
        batch.drop_column("corrected_route")
