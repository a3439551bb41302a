"""premiums paid back to the miners, their lines, payouts; new account, entry and SMS kinds

Revision ID: 0005_premiums
Revises: 0004_vsla_year
Create Date: 2026-12-02 10:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0005_premiums"
down_revision = "0004_vsla_year"
branch_labels = None
depends_on = None

OLD_ACCOUNTS = (
    "loan_fund_cash",
    "social_fund_cash",
    "savings",
    "loan_receivable",
    "social_contributions",
    "social_grants",
    "service_charge_income",
    "fine_income",
    "expenses",
    "write_offs",
    "cycle_profit",
    "gold_stock",
    "gold_cash",
)
NEW_ACCOUNTS = (*OLD_ACCOUNTS, "premium_received", "premium_payable", "community_payable")
OLD_ENTRIES = (
    "shares",
    "social_fund",
    "social_grant",
    "fine",
    "loan",
    "service_charge",
    "repayment",
    "write_off",
    "expense",
    "close_cycle",
    "share_out",
    "gold_purchase",
)
NEW_ENTRIES = (*OLD_ENTRIES, "premium", "premium_payout")
OLD_MESSAGES = (
    "receipt",
    "reminder_eve",
    "reminder_day",
    "price",
    "reply",
    "enrolment",
    "meeting",
    "leaver",
    "share_out",
)
NEW_MESSAGES = (*OLD_MESSAGES, "premium")
OLD_FLAGS = (
    "site_capacity",
    "miner_outlier",
    "unregistered_seller",
    "multi_site_day",
    "site_status",
    "price_above_posted",
    "cash_count_difference",
)
NEW_FLAGS = (*OLD_FLAGS, "payout_unknown")
#: (table, column, enum name, old values, new values); entries.kind also lists "reversal".
KINDS = (
    ("accounts", "kind", "accountkind", OLD_ACCOUNTS, NEW_ACCOUNTS),
    ("entries", "kind", "entrykind", (*OLD_ENTRIES, "reversal"), (*NEW_ENTRIES, "reversal")),
    ("messages", "kind", "messagekind", OLD_MESSAGES, NEW_MESSAGES),
    ("flags", "kind", "flagkind", OLD_FLAGS, NEW_FLAGS),
)


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=24)


def _kinds(old: int, new: int) -> None:
    for table, column, name, *values in KINDS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=_enum(name, values[old]),
                type_=_enum(name, values[new]),
                existing_nullable=False,
            )


def upgrade() -> None:
    _kinds(0, 1)
    op.create_table(
        "payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("cause", sa.String(length=40), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "cash",
                "mobile_money",
                name="payoutmethod",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "submitted",
                "paid",
                "failed",
                "unknown",
                name="payoutstate",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("failure_reason", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("unknown_since", sa.DateTime(), nullable=True),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.Column("paid_by", sa.String(length=24), nullable=True),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("recorded_by", sa.String(length=24), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payouts_amount")),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_payouts_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_payouts_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_payouts_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
        sa.UniqueConstraint("cause", name=op.f("uq_payouts_cause")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_payouts_provider_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_payouts_reference")),
    )
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payouts_cooperative_id"), ["cooperative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payouts_member_id"), ["member_id"], unique=False)
        batch_op.create_index("ix_payouts_state_id", ["state", "id"], unique=False)

    op.create_table(
        "premiums",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column(
            "basis",
            sa.Enum(
                "fine_grams",
                "grams",
                name="premiumbasis",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("lots", sa.String(length=400), nullable=True),
        sa.Column("period_from", sa.Date(), nullable=True),
        sa.Column("period_to", sa.Date(), nullable=True),
        sa.Column("community_ppm", sa.Integer(), nullable=False),
        sa.Column("community_amount", sa.BigInteger(), nullable=False),
        sa.Column("community_group_id", sa.Integer(), nullable=True),
        sa.Column(
            "method",
            sa.Enum(
                "cash",
                "mobile_money",
                name="payoutmethod",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "approved",
                name="premiumstatus",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("approved_by", sa.String(length=24), nullable=True),
        sa.Column("entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("recorded_by", sa.String(length=24), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_premiums_amount")),
        sa.CheckConstraint("community_amount >= 0", name=op.f("ck_premiums_community")),
        sa.ForeignKeyConstraint(
            ["community_group_id"],
            ["groups.id"],
            name=op.f("fk_premiums_community_group_id_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_premiums_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_premiums_entry_id_entries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_premiums")),
    )
    with op.batch_alter_table("premiums", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_premiums_cooperative_id"), ["cooperative_id"], unique=False
        )

    op.create_table(
        "premium_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("premium_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("lots", sa.String(length=400), nullable=False),
        sa.Column("weight_mg", sa.BigInteger(), nullable=False),
        sa.Column("counted_mg", sa.BigInteger(), nullable=False),
        sa.Column("unknown_fineness_mg", sa.BigInteger(), nullable=False),
        sa.Column("share", sa.BigInteger(), nullable=False),
        sa.Column("carried_in", sa.BigInteger(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "planned",
                "payable",
                "carried",
                "absorbed",
                "paid",
                name="linestate",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("carried_into_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("share >= 0", name=op.f("ck_premium_lines_share")),
        sa.ForeignKeyConstraint(
            ["carried_into_id"],
            ["premium_lines.id"],
            name=op.f("fk_premium_lines_carried_into_id_premium_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_premium_lines_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["premium_id"], ["premiums.id"], name=op.f("fk_premium_lines_premium_id_premiums")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_premium_lines")),
        sa.UniqueConstraint(
            "premium_id", "member_id", name=op.f("uq_premium_lines_premium_id_member_id")
        ),
    )
    with op.batch_alter_table("premium_lines", schema=None) as batch_op:
        batch_op.create_index("ix_premium_lines_carried", ["member_id", "state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("premium_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_premium_lines_carried")

    op.drop_table("premium_lines")
    with op.batch_alter_table("premiums", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_premiums_cooperative_id"))

    op.drop_table("premiums")
    with op.batch_alter_table("payouts", schema=None) as batch_op:
        batch_op.drop_index("ix_payouts_state_id")
        batch_op.drop_index(batch_op.f("ix_payouts_member_id"))
        batch_op.drop_index(batch_op.f("ix_payouts_cooperative_id"))

    op.drop_table("payouts")
    op.execute("DELETE FROM messages WHERE kind = 'premium'")
    op.execute("DELETE FROM flags WHERE kind = 'payout_unknown'")
    _kinds(1, 0)
