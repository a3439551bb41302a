"""enrolment codes, unmatched delivery reports, one resend after an unknown send, messages by
creation time

Revision ID: 0002_enrolment
Revises: 0001
Create Date: 2026-12-02 05:25:01
"""

from alembic import op
import sqlalchemy as sa


revision = "0002_enrolment"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD_KINDS = ("receipt", "reminder_eve", "reminder_day", "price", "reply")
NEW_KINDS = (*OLD_KINDS, "enrolment")


def _kind(kinds: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(
        *kinds, name="messagekind", native_enum=False, create_constraint=True, length=24
    )


def upgrade() -> None:
    op.create_table(
        "unmatched_reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("gateway_id", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "queued",
                "sending",
                "sent",
                "delivered",
                "failed",
                "rejected",
                "unknown",
                name="messagestatus",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=80), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unmatched_reports")),
    )
    with op.batch_alter_table("unmatched_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unmatched_reports_next_try_at"), ["next_try_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_unmatched_reports_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "enrolment_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["members.id"], name=op.f("fk_enrolment_codes_issued_by_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_enrolment_codes_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_tokens.id"], name=op.f("fk_enrolment_codes_token_id_api_tokens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_codes")),
    )
    with op.batch_alter_table("enrolment_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrolment_codes_member_id"), ["member_id"], unique=False
        )

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("resent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.alter_column(
            "kind", existing_type=_kind(OLD_KINDS), type_=_kind(NEW_KINDS), existing_nullable=False
        )
        batch_op.create_index("ix_messages_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM messages WHERE kind = 'enrolment'")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_created_at")
        batch_op.alter_column(
            "kind", existing_type=_kind(NEW_KINDS), type_=_kind(OLD_KINDS), existing_nullable=False
        )
        batch_op.drop_column("resent")

    with op.batch_alter_table("enrolment_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolment_codes_member_id"))
    op.drop_table("enrolment_codes")

    with op.batch_alter_table("unmatched_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unmatched_reports_received_at"))
        batch_op.drop_index(batch_op.f("ix_unmatched_reports_next_try_at"))
    op.drop_table("unmatched_reports")
