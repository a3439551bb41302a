"""exporters and refiners, a lot's exporter, refiner, export certificate and packages,
taxes paid against a purchase or a lot

Revision ID: 0009_chain
Revises: 0008_gold_chain
Create Date: 2026-12-03 07:42:26.558034
"""

from alembic import op
import sqlalchemy as sa


revision = "0009_chain"
down_revision = "0008_gold_chain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "exporter",
                "refiner",
                name="partnerkind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("licence", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=24), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
        sa.UniqueConstraint(
            "kind", "country", "licence", name=op.f("uq_partners_kind_country_licence")
        ),
    )
    op.create_table(
        "tax_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cooperative_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("purchase_id", sa.Integer(), nullable=True),
        sa.Column(
            "place",
            sa.Enum(
                "site",
                "cooperative",
                name="taxplace",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("tax", sa.String(length=80), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payee", sa.String(length=80), nullable=False),
        sa.Column("receipt_number", sa.String(length=64), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=24), nullable=True),
        sa.CheckConstraint(
            "(lot_id IS NULL) <> (purchase_id IS NULL)", name=op.f("ck_tax_payments_one_subject")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_tax_payments_amount")),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_tax_payments_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_tax_payments_lot_id_lots")),
        sa.ForeignKeyConstraint(
            ["purchase_id"], ["purchases.id"], name=op.f("fk_tax_payments_purchase_id_purchases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_payments")),
    )
    with op.batch_alter_table("tax_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tax_payments_cooperative_id"), ["cooperative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tax_payments_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_tax_payments_purchase_id"), ["purchase_id"], unique=False
        )

    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exporter_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("refiner_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("export_certificate", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("package_type", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("nr_of_packages", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_lots_exporter_id_partners"), "partners", ["exporter_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_lots_refiner_id_partners"), "partners", ["refiner_id"], ["id"]
        )
        batch_op.create_check_constraint(batch_op.f("ck_lots_nr_of_packages"), "nr_of_packages > 0")


def downgrade() -> None:
    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_lots_nr_of_packages"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_lots_refiner_id_partners"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_lots_exporter_id_partners"), type_="foreignkey")
        batch_op.drop_column("nr_of_packages")
        batch_op.drop_column("package_type")
        batch_op.drop_column("export_certificate")
        batch_op.drop_column("refiner_id")
        batch_op.drop_column("exporter_id")

    with op.batch_alter_table("tax_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tax_payments_purchase_id"))
        batch_op.drop_index(batch_op.f("ix_tax_payments_lot_id"))
        batch_op.drop_index(batch_op.f("ix_tax_payments_cooperative_id"))

    op.drop_table("tax_payments")
    op.drop_table("partners")
