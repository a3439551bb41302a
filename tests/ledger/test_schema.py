"""The migrations build exactly the schema the models describe, from empty, on each database."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from ledger import schema
from ledger.db import Base, make_engine
from tests import services


def test_migrations_match_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_from_empty_and_downgrade(tmp_path, database_url):
    url = (
        f"sqlite:///{tmp_path / 'fresh.db'}"
        if database_url.startswith("sqlite")
        else services.create_postgres_database()
    )
    engine = make_engine(url)
    try:
        schema.upgrade(engine)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        schema.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
        if not url.startswith("sqlite"):
            services.drop_postgres_database(url)


def test_db_upgrade_command(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "database at head" in result.output
