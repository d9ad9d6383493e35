"""The same migrations, feedback log, spool and review service on a real PostgreSQL server.

Each test gets a new empty database on the server named by ``ASSISTANT_TEST_POSTGRES_URL``
(``scripts/start-postgres.sh``; ``.ci/run`` starts it). Without it these tests are skipped.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from assistant.components import migrations
from assistant.components.store import Base, CuratedAnswerRow, InteractionRow, RatingRow, Store
from assistant.feedback.log import FeedbackService, StoreUnavailable, UnknownInteraction
from assistant.feedback.review.service import ReviewService
from assistant.records import Feedback
from assistant.settings import StoreSettings
from tests.feedback.test_log import REDACTOR, make_answer
from tests.postgres import server_url, temporary_database

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"interactions", "ratings", "curated_answers", "flagged_documents"}
PA_QUOTE = "Antragstellerinnen und Antragsteller ab 24 Jahren: 37,00 Euro"


@pytest.fixture
def pg_url() -> str:
    with temporary_database(server_url()) as url:
        yield url


@pytest.fixture
def store(pg_url) -> Store:
    store = Store(pg_url)
    store.migrate()
    yield store
    store.engine.dispose()


def count(store: Store, table) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(table))


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SwitchableServer:
    """A store factory that is either the real server or a loopback port where no server listens."""

    def __init__(self, url: str) -> None:
        self.store = Store(url)
        self.store.migrate()
        self.nowhere = Store(f"postgresql+psycopg://postgres@127.0.0.1:{unused_port()}/gone?connect_timeout=2")
        self.down = False

    def __call__(self) -> Store:
        return self.nowhere if self.down else self.store


# -- migrations ------------------------------------------------------------------------------------------


def test_migrations_bring_an_empty_database_to_head_matching_the_declared_tables(store):
    assert store.engine.dialect.name == "postgresql"
    assert TABLES | {"alembic_version"} <= set(inspect(store.engine).get_table_names())
    with store.engine.connect() as connection:
        assert migrations.current(connection) == migrations.head()
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert differences == []


def test_several_processes_migrating_at_once_all_succeed_and_keep_rows(pg_url):
    code = f"from assistant.components.store import Store; Store({pg_url!r}).migrate()"
    processes = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in range(3)
    ]
    errors = [process.communicate(timeout=120)[1] for process in processes]
    assert [process.returncode for process in processes] == [0, 0, 0], errors

    store = Store(pg_url)
    with store.session() as session:
        session.add(
            InteractionRow(
                id="a" * 32,
                channel="cli",
                language="de",
                question="?",
                answer="!",
                status="answered",
                supporting=[],
                disagreeing=[],
            )
        )
    store.migrate()  # at head: a no-op that keeps the rows
    with store.session() as session:
        assert session.scalars(select(InteractionRow.id)).all() == ["a" * 32]
    store.engine.dispose()


# -- feedback and its spool ------------------------------------------------------------------------------


def test_answer_and_rating_are_stored_redacted_read_back_and_purged(store, tmp_path):
    settings = StoreSettings(url=store.url, spool_path=tmp_path / "spool.jsonl")
    service = FeedbackService(settings, lambda: store, REDACTOR)

    interaction_id = service.log_answer(make_answer(), "api")
    service.rate(
        Feedback(
            interaction_id=interaction_id, rating="down", reason="outdated", comment="Ich bin Frau Weber, 0761 555-1234"
        )
    )
    with pytest.raises(UnknownInteraction):
        service.rate(Feedback(interaction_id="0" * 32, rating="up"))

    item = service.interaction(interaction_id)
    assert item.channel == "api" and item.rating == "down" and item.reason == "outdated"
    assert "max@example.org" not in item.question and "Weber" not in item.comment
    assert item.supporting[0].quote == "Der Personalausweis kostet 37,00 Euro."  # JSON column round trip
    assert item.created_at.tzinfo is not None
    assert service.status()["store_reachable"] is True
    assert service.purge(older_than_days=0) == 1
    assert (count(store, InteractionRow), count(store, RatingRow)) == (0, 0)


def test_server_unreachable_spools_and_a_flush_writes_every_record_once(pg_url, tmp_path):
    factory = SwitchableServer(pg_url)
    settings = StoreSettings(url=pg_url, spool_path=tmp_path / "spool.jsonl")
    service = FeedbackService(settings, factory, REDACTOR)
    written = service.log_answer(make_answer(), "kiosk")

    factory.down = True
    spooled = service.log_answer(make_answer(), "widget")
    service.rate(Feedback(interaction_id=spooled, rating="down", reason="incomplete"))
    service.rate(Feedback(interaction_id=written, rating="up"))
    assert service.status()["store_reachable"] is False and service.spooled() == 3
    with pytest.raises(StoreUnavailable):
        service.flush_spool()

    factory.down = False
    assert service.flush_spool() == 3
    assert service.flush_spool() == 0
    assert (count(factory.store, InteractionRow), count(factory.store, RatingRow)) == (2, 2)
    assert service.interaction(spooled).rating == "down"
    factory.store.engine.dispose()


def test_concurrent_writers_from_two_instances_lose_nothing(store, tmp_path):
    services = [
        FeedbackService(StoreSettings(url=store.url, spool_path=tmp_path / f"spool-{n}.jsonl"), lambda: store, REDACTOR)
        for n in range(2)
    ]  # two app instances, one database
    ids: list[str] = []

    def log_some(service: FeedbackService) -> None:
        for _ in range(10):
            interaction_id = service.log_answer(make_answer("Wann ist das Bürgerbüro geöffnet?"), "api")
            service.rate(Feedback(interaction_id=interaction_id, rating="up"))
            ids.append(interaction_id)

    threads = [threading.Thread(target=log_some, args=(services[n % 2],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(ids)) == 40
    assert (count(store, InteractionRow), count(store, RatingRow)) == (40, 40)
    assert all(service.spooled() == 0 for service in services)


# -- review: curated answers and flags shared by every instance ------------------------------------------


def test_curated_answer_and_flag_written_on_one_instance_are_read_by_another(store, corpus_app, tmp_path):
    settings = corpus_app.settings.model_copy(deep=True)
    settings.store.url = store.url
    settings.staff.curated_eval_path = tmp_path / "curated.jsonl"
    settings.store.cache_s = 0
    feedback = FeedbackService(
        StoreSettings(url=store.url, spool_path=tmp_path / "spool.jsonl"), lambda: store, REDACTOR
    )
    first = ReviewService(settings, store, corpus_app.index, corpus_app.embedder)
    second_store = Store(store.url)  # the other instance has its own engine and connections
    second = ReviewService(settings, second_store, corpus_app.index, corpus_app.embedder)

    interaction_id = feedback.log_answer(make_answer("Was kostet der Personalausweis ab 24?"), "kiosk")
    feedback.rate(Feedback(interaction_id=interaction_id, rating="down", reason="wrong"))
    assert [item.id for item in second.queue()] == [interaction_id]
    curated = first.correct(
        interaction_id,
        "Ab 24 Jahren kostet der Personalausweis 37,00 Euro.",
        "personalausweis",
        quote=PA_QUOTE,
        staff="anna",
    )
    first.flag_document("hundesteuer", "outdated", staff="anna")

    assert [c.id for c in second.curated_answers()] == [curated.id]
    assert second.curated_answers()[0].quote == PA_QUOTE
    assert second.flagged_doc_ids() == {"hundesteuer"}
    assert second.item(interaction_id).review_state == "resolved" and second.queue() == []
    with second_store.session() as session:
        assert session.scalar(select(func.count()).select_from(CuratedAnswerRow)) == 1
    second_store.engine.dispose()
