"""messages to coordinators about the service itself (kind "alert": the SMS credit runs low)

Revision ID: 0004_alerts
Revises: 0003_recorded_by
Create Date: 2026-12-02 10:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0004_alerts"
down_revision = "0003_recorded_by"
branch_labels = None
depends_on = None

OLD_KINDS = ("receipt", "reminder_eve", "reminder_day", "price", "reply", "enrolment")
NEW_KINDS = (*OLD_KINDS, "alert")


def _kind(kinds: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(
        *kinds, name="messagekind", native_enum=False, create_constraint=True, length=24
    )


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_kind(OLD_KINDS), type_=_kind(NEW_KINDS), existing_nullable=False
        )


def downgrade() -> None:
    op.execute("DELETE FROM messages WHERE kind = 'alert'")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=_kind(NEW_KINDS), type_=_kind(OLD_KINDS), existing_nullable=False
        )
