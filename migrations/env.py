"""Alembic environment, driven from the app's config.

The connection comes from `config.attributes["connection"]` when the caller provides one (tests),
otherwise from the DATABASE_URL of an app made with the current environment.
"""

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401  (every table on SQLModel.metadata)

target_metadata = SQLModel.metadata


def _configure_and_run(connection):
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only change tables by copying them
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    from app.db import make_engine

    url = context.config.attributes.get("database_url")
    if url is None:
        from app import create_app

        url = create_app().config["DATABASE_URL"]
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _configure_and_run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run against a database.")
run_migrations_online()
