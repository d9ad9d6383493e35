"""Alembic environment: migrates the connection that ``Store.migrate()`` hands over.

Run from the ``alembic`` command line (new revisions), it connects to
``ASSISTANT_STORE__URL`` (default: the settings' SQLite file) instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from assistant.components.store import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things in place
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:  # the alembic command line, for developers
    from assistant.settings import Settings

    engine = create_engine(Settings().store.url)
    with engine.begin() as own_connection:
        run_migrations(own_connection)
