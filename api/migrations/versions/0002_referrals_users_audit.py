"""Referrals to MASH, API users (hashed keys) and the audit trail.

Written by hand, not imported from api.models: a migration must keep creating the same
schema even after the models move on. Types are portable (JSON, timezone-aware
DateTime), so SQLite and PostgreSQL get the same tables.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(36), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_changed_by", sa.String(64), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("triage_level", sa.String(8), nullable=False),
        sa.Column("triage_reasons", sa.JSON(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("reference", name="uq_referrals_reference"),
        sa.UniqueConstraint("idempotency_key", name="uq_referrals_idempotency_key"),
        sa.CheckConstraint(
            "status IN ('received', 'in_progress', 'closed')", name="ck_referrals_status"
        ),
        sa.CheckConstraint(
            "triage_level IN ('red', 'amber', 'green')", name="ck_referrals_triage_level"
        ),
    )
    op.create_index("ix_referrals_status", "referrals", ["status"])
    op.create_index("ix_referrals_triage_level", "referrals", ["triage_level"])
    op.create_index("ix_referrals_created_at", "referrals", ["created_at"])

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("key_prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("username", name="uq_users_username"),
        sa.UniqueConstraint("key_prefix", name="uq_users_key_prefix"),
        sa.CheckConstraint("role IN ('staff', 'admin')", name="ck_users_role"),
    )

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("referral_reference", sa.String(32), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_referral_reference", "audit_events", ["referral_reference"])


def downgrade() -> None:
    op.drop_table("audit_events")
    op.drop_table("users")
    op.drop_index("ix_referrals_created_at", table_name="referrals")
    op.drop_index("ix_referrals_triage_level", table_name="referrals")
    op.drop_index("ix_referrals_status", table_name="referrals")
    op.drop_table("referrals")
