"""The database engine (one per app) and the request's Session (one per request, in flask.g)."""

from dataclasses import dataclass
from typing import Callable

from flask import current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine


@dataclass
class Database:
    engine: Engine
    session_factory: Callable[[], Session]


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite starts transactions late and breaks SAVEPOINT, so SQLAlchemy issues BEGIN itself.
        # IMMEDIATE takes the write lock at the start: concurrent requests then queue on the busy
        # timeout instead of failing with "database is locked" when a reader turns writer.
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    # pre-ping: a connection broken by a database restart is replaced on its next checkout, so the app
    # recovers by itself; connect_timeout: an unreachable server fails a request in seconds, not minutes.
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


def _sqlite_pragmas(dbapi_connection, _record):
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def init_app(app):
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db"] = Database(engine, lambda: Session(engine, expire_on_commit=False))
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    return current_app.extensions["db"].engine


def get_session() -> Session:
    """The request's Session, made on first use and closed when the request ends."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db"].session_factory()
    return g.db_session


def _close_session(_exc):
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
