"""A fresh database per test on the PostgreSQL server named by ``ASSISTANT_TEST_POSTGRES_URL``.

``scripts/start-postgres.sh`` starts a throwaway server and prints the URL (``.ci/run`` exports
it); without the variable the PostgreSQL tests are skipped, and the suite runs on SQLite alone.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ENV = "ASSISTANT_TEST_POSTGRES_URL"
SKIP_REASON = (
    f"{ENV} is not set: no PostgreSQL server for these tests. Start one with "
    f"`export {ENV}=$(scripts/start-postgres.sh | tail -1)` (root installs Debian's postgresql); "
    "the rest of the suite runs on SQLite."
)


def server_url() -> str:
    url = os.environ.get(ENV, "")
    if not url:
        pytest.skip(SKIP_REASON)
    return url


@contextmanager
def temporary_database(url: str) -> Iterator[str]:
    """``CREATE DATABASE`` a new empty database on ``url``'s server; yields its URL; drops it afterwards."""
    name = f"assistant_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - a configured but unreachable server is a failure, said clearly
        admin.dispose()
        pytest.fail(f"{ENV}={url} is set but the server cannot be used: {exc}")
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
