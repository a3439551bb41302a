"""incident reports (SMS and USSD), each raising a flag of kind incident

Revision ID: 0010_incidents
Revises: 0009_chain
Create Date: 2026-12-03 08:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0010_incidents"
down_revision = "0009_chain"
branch_labels = None
depends_on = None

OLD_FLAG_KINDS = (
    "site_capacity",
    "miner_outlier",
    "unregistered_seller",
    "multi_site_day",
    "site_status",
    "price_above_posted",
    "cash_count_difference",
    "payout_unknown",
    "underpayment",
)
NEW_FLAG_KINDS = (*OLD_FLAG_KINDS, "incident")
CATEGORIES = ("armed_group", "child_labour", "violence", "illegal_tax", "other")
CHANNELS = ("sms", "ussd")


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def upgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.alter_column(
            "kind",
            existing_type=_enum("flagkind", OLD_FLAG_KINDS),
            type_=_enum("flagkind", NEW_FLAG_KINDS),
            existing_nullable=False,
        )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("category", _enum("incidentcategory", CATEGORIES), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("channel", _enum("incidentchannel", CHANNELS), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("reporter_member_id", sa.Integer(), nullable=True),
        sa.Column("reporter_phone", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_incidents_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(["flag_id"], ["flags.id"], name=op.f("fk_incidents_flag_id_flags")),
        sa.ForeignKeyConstraint(
            ["reporter_member_id"],
            ["members.id"],
            name=op.f("fk_incidents_reporter_member_id_members"),
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_incidents_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("flag_id", name=op.f("uq_incidents_flag_id")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incidents_cooperative_id"), ["cooperative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incidents_site_id"), ["site_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_site_id"))
        batch_op.drop_index(batch_op.f("ix_incidents_cooperative_id"))
    op.drop_table("incidents")
    op.execute("DELETE FROM flags WHERE kind = 'incident'")
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.alter_column(
            "kind",
            existing_type=_enum("flagkind", NEW_FLAG_KINDS),
            type_=_enum("flagkind", OLD_FLAG_KINDS),
            existing_nullable=False,
        )
