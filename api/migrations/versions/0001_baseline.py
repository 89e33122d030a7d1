"""Baseline: an empty schema under Alembic's control.

The referral tables arrive in later revisions; starting from a baseline means every
database, SQLite or PostgreSQL, is created the same way: by migrations only.

Revision ID: 0001
Revises:
"""

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
