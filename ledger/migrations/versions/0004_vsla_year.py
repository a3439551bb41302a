"""the savings-group year: charge period, leaver rule, meeting SMS switch; a meeting's cash
count and close; attendance by a representative; a loan's charge period and reversal;
a savings group's flags (cash-count difference); meeting, leaver and share-out SMS

Revision ID: 0004_vsla_year
Revises: 0003_recorded_by
Create Date: 2026-12-02 10:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0004_vsla_year"
down_revision = "0003_recorded_by"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


OLD_LOAN = ("open", "overdue", "repaid", "written_off")
NEW_LOAN = (*OLD_LOAN, "reversed")
OLD_FLAG = (
    "site_capacity",
    "miner_outlier",
    "unregistered_seller",
    "multi_site_day",
    "site_status",
    "price_above_posted",
)
NEW_FLAG = (*OLD_FLAG, "cash_count_difference")
OLD_MESSAGE = ("receipt", "reminder_eve", "reminder_day", "price", "reply", "enrolment")
NEW_MESSAGE = (*OLD_MESSAGE, "meeting", "leaver", "share_out")


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "charge_period",
                _enum("chargeperiod", "30_days", "4_weeks"),
                server_default="30_days",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "leaver_rule",
                _enum("leaverrule", "savings_only", "savings_and_profit"),
                server_default="savings_only",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("meeting_sms", sa.Boolean(), server_default=sa.true(), nullable=False)
        )

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        for column in (
            "loan_fund_counted",
            "social_fund_counted",
            "loan_fund_books",
            "social_fund_books",
        ):
            batch_op.add_column(sa.Column(column, sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("counted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("represented", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("period_days", sa.Integer(), server_default="30", nullable=False)
        )
        batch_op.alter_column(
            "status",
            existing_type=_enum("loanstatus", *OLD_LOAN),
            type_=_enum("loanstatus", *NEW_LOAN),
            existing_nullable=False,
        )

    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_flags_group_id"), ["group_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_flags_group_id_groups"), "groups", ["group_id"], ["id"]
        )
        batch_op.alter_column("cooperative_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column(
            "kind",
            existing_type=_enum("flagkind", *OLD_FLAG),
            type_=_enum("flagkind", *NEW_FLAG),
            existing_nullable=False,
        )

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.alter_column(
            "kind",
            existing_type=_enum("messagekind", *OLD_MESSAGE),
            type_=_enum("messagekind", *NEW_MESSAGE),
            existing_nullable=False,
        )


def downgrade() -> None:
    op.execute("DELETE FROM messages WHERE kind IN ('meeting', 'leaver', 'share_out')")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.alter_column(
            "kind",
            existing_type=_enum("messagekind", *NEW_MESSAGE),
            type_=_enum("messagekind", *OLD_MESSAGE),
            existing_nullable=False,
        )

    op.execute("DELETE FROM flags WHERE group_id IS NOT NULL OR cooperative_id IS NULL")
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.alter_column(
            "kind",
            existing_type=_enum("flagkind", *NEW_FLAG),
            type_=_enum("flagkind", *OLD_FLAG),
            existing_nullable=False,
        )
        batch_op.alter_column("cooperative_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f("fk_flags_group_id_groups"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_flags_group_id"))
        batch_op.drop_column("group_id")

    # A reversed loan never happened: it has no place in the older books' statuses.
    op.execute("UPDATE loans SET status = 'written_off' WHERE status = 'reversed'")
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=_enum("loanstatus", *NEW_LOAN),
            type_=_enum("loanstatus", *OLD_LOAN),
            existing_nullable=False,
        )
        batch_op.drop_column("period_days")

    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_column("represented")

    with op.batch_alter_table("meetings", schema=None) as batch_op:
        for column in (
            "closed_at",
            "counted_at",
            "social_fund_books",
            "loan_fund_books",
            "social_fund_counted",
            "loan_fund_counted",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("groups", schema=None) as batch_op:
        # Plain text first, so no check constraint outlives its column.
        batch_op.alter_column(
            "leaver_rule",
            existing_type=_enum("leaverrule", "savings_only", "savings_and_profit"),
            type_=sa.String(24),
        )
        batch_op.alter_column(
            "charge_period",
            existing_type=_enum("chargeperiod", "30_days", "4_weeks"),
            type_=sa.String(24),
        )
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("meeting_sms")
        batch_op.drop_column("leaver_rule")
        batch_op.drop_column("charge_period")
