"""console: staff passwords with their lockout, and the forms already saved

Revision ID: 0006_console
Revises: 0005_premiums
Create Date: 2026-12-02 10:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0006_console"
down_revision = "0005_premiums"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("members", sa.Column("password_hash", sa.String(length=200), nullable=True))
    op.add_column(
        "members",
        sa.Column("password_failures", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("members", sa.Column("password_locked_until", sa.DateTime(), nullable=True))
    op.create_table(
        "console_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("console_submissions")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("password_locked_until")
        batch.drop_column("password_failures")
        batch.drop_column("password_hash")
