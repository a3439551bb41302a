"""broadcasts: a price post's SMS recorded with it, written out by the worker in batches

Revision ID: 0007_broadcasts
Revises: 0006_console
Create Date: 2026-12-02 10:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0007_broadcasts"
down_revision = "0006_console"
branch_labels = None
depends_on = None

#: The message kinds at this revision (the model's ``MessageKind``).
KINDS = (
    "receipt",
    "reminder_eve",
    "reminder_day",
    "price",
    "reply",
    "enrolment",
    "meeting",
    "leaver",
    "share_out",
    "premium",
)


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                *KINDS, name="messagekind", native_enum=False, create_constraint=True, length=24
            ),
            nullable=False,
        ),
        sa.Column("cause", sa.String(length=40), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("price_post_id", sa.Integer(), nullable=True),
        sa.Column("after_member_id", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_broadcasts_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["price_post_id"],
            ["price_posts.id"],
            name=op.f("fk_broadcasts_price_post_id_price_posts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
        sa.UniqueConstraint("cause", name=op.f("uq_broadcasts_cause")),
    )
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.create_index("ix_broadcasts_done_at", ["done_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_index("ix_broadcasts_done_at")
    op.drop_table("broadcasts")
