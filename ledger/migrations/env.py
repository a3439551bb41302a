"""Alembic environment: runs on the connection ``ledger.schema`` hands it."""

from alembic import context

import ledger.models  # noqa: F401  (registers the tables)
from ledger.db import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
