"""site status history and expiry, the status a purchase was made under, flags reviewed and
announced, underpayment flags, coordinator alerts

Revision ID: 0008_gold_chain
Revises: 0007_broadcasts
Create Date: 2026-12-02 10:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0008_gold_chain"
down_revision = "0007_broadcasts"
branch_labels = None
depends_on = None

OLD_MESSAGE_KINDS = (
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
NEW_MESSAGE_KINDS = (*OLD_MESSAGE_KINDS, "alert")
OLD_FLAG_KINDS = (
    "site_capacity",
    "miner_outlier",
    "unregistered_seller",
    "multi_site_day",
    "site_status",
    "price_above_posted",
    "cash_count_difference",
    "payout_unknown",
)
NEW_FLAG_KINDS = (*OLD_FLAG_KINDS, "underpayment")
SITE_STATUSES = ("green", "yellow", "red", "not_inspected")


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def upgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inspected_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("deadline", sa.Date(), nullable=True))
    # A rating given before inspection days were kept counts from the site's creation.
    op.execute(
        "UPDATE sites SET inspected_on = CAST(created_at AS DATE)"
        " WHERE status IN ('green', 'yellow', 'red')"
    )

    op.create_table(
        "site_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("old_value", sa.String(length=24), nullable=True),
        sa.Column("new_value", sa.String(length=24), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.String(length=24), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_site_changes_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_changes")),
    )
    with op.batch_alter_table("site_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_changes_site_id"), ["site_id"], unique=False)

    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("site_status", _enum("sitestatus", SITE_STATUSES), nullable=True)
        )

    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                _enum("flagstatus", ("open", "confirmed", "dismissed")),
                server_default="open",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("review_note", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("notified_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_flags_notified_at"), ["notified_at"], unique=False)
        batch_op.alter_column(
            "kind",
            existing_type=_enum("flagkind", OLD_FLAG_KINDS),
            type_=_enum("flagkind", NEW_FLAG_KINDS),
            existing_nullable=False,
        )
    # Flags raised before the digest existed are not news: no flood on the first run.
    op.execute("UPDATE flags SET notified_at = updated_at")

    for table in ("messages", "broadcasts"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "kind",
                existing_type=_enum("messagekind", OLD_MESSAGE_KINDS),
                type_=_enum("messagekind", NEW_MESSAGE_KINDS),
                existing_nullable=False,
            )


def downgrade() -> None:
    for table in ("broadcasts", "messages"):
        op.execute(f"DELETE FROM {table} WHERE kind = 'alert'")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                "kind",
                existing_type=_enum("messagekind", NEW_MESSAGE_KINDS),
                type_=_enum("messagekind", OLD_MESSAGE_KINDS),
                existing_nullable=False,
            )
    op.execute("DELETE FROM flags WHERE kind = 'underpayment'")
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.alter_column(
            "kind",
            existing_type=_enum("flagkind", NEW_FLAG_KINDS),
            type_=_enum("flagkind", OLD_FLAG_KINDS),
            existing_nullable=False,
        )
        batch_op.drop_index(batch_op.f("ix_flags_notified_at"))
        batch_op.drop_column("notified_at")
        batch_op.drop_column("review_note")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_constraint(batch_op.f("ck_flags_flagstatus"), type_="check")
        batch_op.drop_column("status")
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_purchases_sitestatus"), type_="check")
        batch_op.drop_column("site_status")
    with op.batch_alter_table("site_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_changes_site_id"))
    op.drop_table("site_changes")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("deadline")
        batch_op.drop_column("inspected_on")
