"""Conversation ids that were closed (rotated after a report was sent).

Holds a digest of the id and when it was closed: nothing about the conversation.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closed_conversations",
        sa.Column("id_digest", sa.String(64), primary_key=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("closed_conversations")
