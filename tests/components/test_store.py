"""The store's schema comes from Alembic migrations, on a real SQLite file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from assistant.components import migrations
from assistant.components.store import Base, InteractionRow, RevisionRow, Store, bump_revision, read_revision

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"interactions", "ratings", "curated_answers", "flagged_documents", "revisions", "review_tags", "tickets"}


def _version(store: Store) -> str | None:
    with store.engine.connect() as connection:
        return migrations.current(connection)


def _interaction(id: str = "a" * 32) -> InteractionRow:
    return InteractionRow(
        id=id,
        channel="cli",
        language="de",
        question="Was kostet ein Personalausweis?",
        answer="37,00 Euro.",
        status="answered",
        supporting=[],
        disagreeing=[],
    )


def test_fresh_file_gets_every_table_at_head(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db' / 'assistant.sqlite3'}")
    store.migrate()

    assert TABLES | {"alembic_version"} <= set(inspect(store.engine).get_table_names())
    assert _version(store) == migrations.head() is not None


def test_migrated_schema_matches_the_declared_tables(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'assistant.sqlite3'}")
    store.migrate()
    with store.engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert differences == []


def test_migrate_twice_is_a_no_op_and_keeps_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'assistant.sqlite3'}"
    store = Store(url)
    store.migrate()
    with store.session() as session:
        session.add(_interaction())
    store.migrate()
    Store(url).migrate()  # another instance starting later

    with store.session() as session:
        assert session.scalars(select(InteractionRow.id)).all() == ["a" * 32]
    assert _version(store) == migrations.head()


def test_rows_work_after_migration(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'assistant.sqlite3'}")
    store.migrate()
    with store.session() as session:
        session.add(_interaction())
    with store.session() as session:
        row = session.get(InteractionRow, "a" * 32)
        assert row.review_state == "open" and row.created_at is not None


def test_a_database_at_the_first_revision_gets_the_review_counter(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'assistant.sqlite3'}")
    with store.engine.begin() as connection:  # a database migrated before the counter existed
        config = migrations.config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        # a row as revision 0001 wrote it (the declared table has columns added by later revisions)
        connection.execute(
            text(
                "INSERT INTO interactions (id, created_at, channel, language, question, answer, status,"
                " supporting, disagreeing, model, index_version, latency_ms, review_state, reviewed_by)"
                " VALUES (:id, :now, 'cli', 'de', 'Was kostet ein Personalausweis?', '37,00 Euro.', 'answered',"
                " '[]', '[]', '', '', 0, 'open', '')"
            ),
            {"id": "a" * 32, "now": "2026-01-01 00:00:00"},
        )

    store.migrate()

    with store.session() as session:
        assert session.get(InteractionRow, "a" * 32).route == "answer"  # revision 0003 fills the new column
        assert session.scalars(select(RevisionRow.name)).all() == ["review"]
        assert read_revision(session, "review") == 0 and session.get(InteractionRow, "a" * 32) is not None
    for _ in range(2):
        with store.session() as session:
            bump_revision(session, "review")
    with store.session() as session:
        assert read_revision(session, "review") == 2 and read_revision(session, "never-raised") == 0


def test_database_from_the_create_all_placeholder_is_adopted(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'assistant.sqlite3'}")
    Base.metadata.create_all(store.engine)  # what migrate() used to do
    with store.session() as session:
        session.add(_interaction())

    store.migrate()

    assert _version(store) == migrations.head()
    with store.session() as session:
        assert session.get(InteractionRow, "a" * 32) is not None


def test_several_processes_migrating_at_once_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'assistant.sqlite3'}"
    code = f"from assistant.components.store import Store; Store({url!r}).migrate()"
    processes = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in range(3)
    ]
    errors = [process.communicate(timeout=120)[1] for process in processes]

    assert [process.returncode for process in processes] == [0, 0, 0], errors
    store = Store(url)
    assert _version(store) == migrations.head()
    assert set(inspect(store.engine).get_table_names()) >= TABLES
