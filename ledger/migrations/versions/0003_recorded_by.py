"""who recorded each journal entry, meeting, loan, purchase, price post and lot event

Revision ID: 0003_recorded_by
Revises: 0002_enrolment
Create Date: 2026-12-02 08:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0003_recorded_by"
down_revision = "0002_enrolment"
branch_labels = None
depends_on = None

#: The tables whose rows say who created them (``ledger.authors``).
TABLES = ("entries", "meetings", "loans", "purchases", "price_posts", "lot_events")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("recorded_by", sa.String(length=24), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("recorded_by")
