"""Alembic migrations of the shared database, run by ``Store.migrate()``.

The scripts live in ``versions/``; ``upgrade(engine)`` runs ``alembic upgrade
head`` in code, so neither the app nor an operator needs ``alembic.ini``.

A new revision (developers): migrate a scratch database to head, then
``ASSISTANT_STORE__URL=sqlite:///scratch.sqlite3 .venv/bin/alembic -c
assistant/components/migrations/alembic.ini revision --autogenerate -m "what"``
and read and edit the script it writes.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

HERE = Path(__file__).resolve().parent
FIRST_REVISION = "0001"
# alembic's `context` and `op` are process-wide proxies: one migration per process at a time
_process_lock = threading.Lock()
_POSTGRES_LOCK_KEY = 861_407_2025  # any constant shared by every instance of the app


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE).replace("%", "%%"))  # configparser interpolation
    return cfg


def head() -> str | None:
    return ScriptDirectory.from_config(config()).get_current_head()


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, busy_timeout_ms: int = 30_000) -> None:
    """``alembic upgrade head`` on ``engine``'s database; a no-op when it is at head already."""
    target = head()
    with _process_lock:
        with engine.connect() as connection:
            if current(connection) == target:  # the common start: nothing to do, no write lock taken
                return
        migration_engine = _locking_engine(engine, busy_timeout_ms)
        try:
            with migration_engine.connect() as connection, connection.begin():
                _lock_database(connection)
                # re-read under the lock: another process may have migrated while we waited
                version = current(connection)
                if version == target:
                    return
                cfg = config()
                cfg.attributes["connection"] = connection
                if version is None and inspect(connection).has_table("interactions"):
                    command.stamp(cfg, FIRST_REVISION)  # made by the old create_all placeholder
                command.upgrade(cfg, "head")
        finally:
            if migration_engine is not engine:
                migration_engine.dispose()


def _locking_engine(engine: Engine, busy_timeout_ms: int) -> Engine:
    """For SQLite, an engine whose transactions start with ``BEGIN IMMEDIATE`` (the write lock).

    pysqlite would otherwise run DDL outside any transaction, and two processes
    creating the same table at once would collide.
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine
    locking = create_engine(engine.url, poolclass=NullPool)

    @event.listens_for(locking, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(locking, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return locking


def _lock_database(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # released at the end of the transaction, also when the process dies
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_LOCK_KEY})
