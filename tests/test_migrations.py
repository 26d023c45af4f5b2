"""Migrations build the schema the models describe, on SQLite and on PostgreSQL."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from app import migrate
from app.db import make_engine
from tests.databases import fresh_database


@pytest.fixture
def empty_database(tmp_path):
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        yield url, engine
        engine.dispose()


def differences(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(context, SQLModel.metadata)


def test_upgrade_head_matches_the_models(empty_database):
    url, engine = empty_database
    migrate.upgrade(url)
    assert differences(engine) == []
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())


def test_downgrade_to_base_and_back(empty_database):
    url, engine = empty_database
    migrate.upgrade(url)
    command.downgrade(migrate.alembic_config(url), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(url)
    assert differences(engine) == []


def test_migration_files_follow_the_naming_scheme():
    import re

    names = [path.name for path in (migrate.MIGRATIONS / "versions").glob("*.py")]
    assert names and all(re.fullmatch(r"\d{8}_\d{4}_[0-9a-f]{12}_[a-z0-9_]+\.py", name) for name in names), names
