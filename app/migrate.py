"""Running Alembic from the app: `flask db-upgrade`, `flask db-revision`, and tests."""

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str | None = None, connection=None) -> AlembicConfig:
    config = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    if database_url:
        config.attributes["database_url"] = database_url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def schema_state(connection) -> tuple[str | None, str]:
    """The database's migration revision and the latest one."""
    return MigrationContext.configure(connection).get_current_revision(), head_revision()


def upgrade(database_url: str | None = None, connection=None, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url, connection), revision)


def revision(database_url: str, message: str) -> None:
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
