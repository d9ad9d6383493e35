"""The feedback log on a real SQLite file: redacted, read back, purged, and never lost when the store is down."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from assistant.components.store import InteractionRow, RatingRow, Store
from assistant.feedback.log import FeedbackService, StoreUnavailable, UnknownInteraction
from assistant.records import Answer, AnswerSentence, Disagreement, Evidence, Feedback
from assistant.safety.redact import Redactor
from assistant.settings import StoreSettings

REDACTOR = Redactor()


class Switchable:
    """A store factory whose database can be 'down' (raises, as a failed connection would)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.down = False
        self._store: Store | None = None

    def __call__(self) -> Store:
        if self.down:
            raise ConnectionRefusedError("database server is not answering")
        if self._store is None:
            self._store = Store(self.url)
            self._store.migrate()
        return self._store


def make_answer(
    question: str = "Ich bin unter max@example.org oder 0761 555-1234 erreichbar. Was kostet ein Personalausweis?",
) -> Answer:
    evidence = Evidence(
        n=1,
        doc_id="personalausweis",
        title="Personalausweis beantragen",
        url="https://www.musterstadt.de/personalausweis",
        source="corpus/personalausweis.md",
        updated=date(2025, 3, 1),
        quote="Der Personalausweis kostet 37,00 Euro.",
        start=120,
        end=158,
        score=0.83,
    )
    older = Disagreement(
        doc_id="gebuehren-2021",
        title="Gebühren 2021",
        updated=date(2021, 5, 1),
        quote="Der Personalausweis kostet 28,80 Euro.",
        conflicts_with=1,
        reason="fee 28.80 EUR vs 37.00 EUR",
    )
    return Answer(
        question=question,
        language="de",
        status="answered",
        answer="Der Personalausweis kostet 37,00 Euro [1].",
        sentences=[AnswerSentence(text="Der Personalausweis kostet 37,00 Euro.", citations=[1])],
        supporting=[evidence],
        disagreeing=[older],
        confidence=0.8,
        timings_ms={"retrieval": 40.0, "first_token": 300.0, "total": 812.5},
        model="SmolLM2-135M-Instruct-Q8_0.gguf",
        index_version="20250301-120000",
    )


@pytest.fixture
def settings(tmp_path) -> StoreSettings:
    return StoreSettings(
        url=f"sqlite:///{tmp_path / 'assistant.sqlite3'}", spool_path=tmp_path / "spool.jsonl", spool_retry_s=0.1
    )


@pytest.fixture
def factory(settings) -> Switchable:
    return Switchable(settings.url)


@pytest.fixture
def service(settings, factory) -> FeedbackService:
    return FeedbackService(settings, factory, REDACTOR)


def count(store: Store, table) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_answer_is_logged_redacted_and_read_back(service, factory):
    interaction_id = service.log_answer(make_answer(), "kiosk")

    logged = service.interaction(interaction_id)
    assert logged.id == interaction_id and len(interaction_id) == 32
    assert logged.question == "Ich bin unter <E-MAIL> oder <PHONE> erreichbar. Was kostet ein Personalausweis?"
    assert logged.channel == "kiosk" and logged.language == "de" and logged.status == "answered"
    assert logged.supporting == make_answer().supporting
    assert logged.disagreeing[0].reason == "fee 28.80 EUR vs 37.00 EUR"
    assert logged.model == "SmolLM2-135M-Instruct-Q8_0.gguf" and logged.index_version == "20250301-120000"
    assert logged.latency_ms == 812.5
    assert logged.rating is None and logged.review_state == "open"
    assert abs(logged.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    raw = Path(factory.url.removeprefix("sqlite:///")).read_bytes()
    assert b"max@example.org" not in raw and b"555-1234" not in raw


def test_answer_echoing_personal_data_and_an_ip_is_redacted(service):
    answer = make_answer("Mein Name ist Max Mustermann, meine IP ist 192.168.2.14. Wo melde ich mich um?")
    answer.answer = "Guten Tag Herr Mustermann, die Ummeldung erfolgt im Bürgerbüro."

    logged = service.interaction(service.log_answer(answer, "widget"))

    assert logged.question == "Mein Name ist <NAME>, meine IP ist <IP>. Wo melde ich mich um?"
    assert logged.answer == "Guten Tag Herr <NAME>, die Ummeldung erfolgt im Bürgerbüro."


def test_rating_is_stored_with_a_redacted_comment(service, factory):
    interaction_id = service.log_answer(make_answer(), "api")
    service.rate(Feedback(interaction_id=interaction_id, rating="up"))
    time.sleep(0.01)  # the latest rating is the one read back
    service.rate(
        Feedback(
            interaction_id=interaction_id,
            rating="down",
            reason="outdated",
            comment="Die Gebühr ist veraltet. Rufen Sie mich an: 0176/12345678",
        )
    )

    logged = service.interaction(interaction_id)
    assert (logged.rating, logged.reason) == ("down", "outdated")
    assert logged.comment == "Die Gebühr ist veraltet. Rufen Sie mich an: <PHONE>"
    assert count(factory(), RatingRow) == 2


def test_rating_an_unknown_interaction_is_an_error(service, settings):
    with pytest.raises(UnknownInteraction, match="unknown interaction id 'f00'"):
        service.rate(Feedback(interaction_id="f00", rating="up"))
    assert not settings.spool_path.exists()
    assert service.interaction("f00") is None


def test_purge_deletes_old_records_and_keeps_new_ones(service, factory):
    old_id = service.log_answer(make_answer(), "kiosk")
    service.rate(Feedback(interaction_id=old_id, rating="down", reason="wrong"))
    new_id = service.log_answer(make_answer(), "kiosk")
    service.rate(Feedback(interaction_id=new_id, rating="up"))
    with factory().session() as session:
        session.execute(
            update(InteractionRow)
            .where(InteractionRow.id == old_id)
            .values(created_at=datetime.now(UTC) - timedelta(days=91))
        )

    assert service.purge(older_than_days=100) == 0
    assert service.purge() == 1  # the retention of the settings: 90 days

    assert service.interaction(old_id) is None
    assert service.interaction(new_id).rating == "up"
    assert count(factory(), RatingRow) == 1


def test_store_down_spools_and_a_flush_writes_every_record_once(service, factory, settings):
    interaction_id = service.log_answer(make_answer(), "kiosk")  # the store works: one row
    factory.down = True

    spooled_id = service.log_answer(make_answer(), "kiosk")
    service.rate(Feedback(interaction_id=spooled_id, rating="down", reason="incomplete", comment="Frau Weber"))
    service.rate(Feedback(interaction_id=interaction_id, rating="up"))

    status = service.status()
    assert status["store_reachable"] is False and status["spooled"] == 3
    spool_text = settings.spool_path.read_text()
    assert "Weber" not in spool_text and "max@example.org" not in spool_text  # the spool holds no personal data
    with pytest.raises(StoreUnavailable):
        service.flush_spool()

    factory.down = False
    assert service.flush_spool() == 3
    assert service.flush_spool() == 0
    assert not settings.spool_path.exists()
    store = factory()
    assert (count(store, InteractionRow), count(store, RatingRow)) == (2, 2)
    assert service.interaction(spooled_id).comment == "Frau <NAME>"
    assert service.status() == {
        "store_reachable": True,
        "spooled": 0,
        "spool_path": str(settings.spool_path),
        "last_error": "",
    }


def test_database_file_replaced_by_a_directory(tmp_path, settings):
    database = Path(settings.url.removeprefix("sqlite:///"))
    database.mkdir()  # not a database at all: every connection fails
    service = FeedbackService(settings, lambda: Store(settings.url), REDACTOR)

    interaction_id = service.log_answer(make_answer(), "kiosk")
    service.rate(Feedback(interaction_id=interaction_id, rating="up"))
    assert service.spooled() == 2 and "unable to open database file" in service.last_error

    database.rmdir()
    store = Store(settings.url)
    store.migrate()
    assert service.flush_spool() == 2
    assert service.interaction(interaction_id).rating == "up"


def test_locked_database_spools_and_the_next_write_catches_up(settings):
    store = Store(settings.url, busy_timeout_ms=100)
    store.migrate()
    service = FeedbackService(settings, lambda: store, REDACTOR)
    locker = sqlite3.connect(settings.url.removeprefix("sqlite:///"), isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another process holding the write lock
    try:
        first = service.log_answer(make_answer(), "kiosk")
        service.rate(Feedback(interaction_id=first, rating="down", reason="wrong"))
        assert service.spooled() == 2 and "database is locked" in service.last_error
    finally:
        locker.execute("ROLLBACK")
        locker.close()

    second = service.log_answer(make_answer(), "cli")  # writes the spool first, then itself

    assert service.spooled() == 0
    assert service.interaction(first).rating == "down"
    assert service.interaction(second).channel == "cli"
    assert (count(store, InteractionRow), count(store, RatingRow)) == (2, 1)


def test_a_replayed_spool_is_written_once(service, factory, settings):
    """A crash after the commit but before the spool was rewritten: the replay adds nothing twice."""
    factory.down = True
    interaction_id = service.log_answer(make_answer(), "kiosk")
    service.rate(Feedback(interaction_id=interaction_id, rating="up"))
    spool_before_crash = settings.spool_path.read_bytes()
    factory.down = False
    assert service.flush_spool() == 2

    settings.spool_path.write_bytes(spool_before_crash)  # as if the rewrite never happened
    assert service.flush_spool() == 2

    store = factory()
    assert (count(store, InteractionRow), count(store, RatingRow)) == (1, 1)


def test_a_rating_waits_in_the_spool_for_its_interaction(tmp_path, settings, factory):
    """Two instances: one spooled the answer, the other the rating; the rating waits until the answer is in."""
    kiosk = FeedbackService(settings, factory, REDACTOR)
    api = FeedbackService(settings.model_copy(update={"spool_path": tmp_path / "api-spool.jsonl"}), factory, REDACTOR)
    factory.down = True
    interaction_id = kiosk.log_answer(make_answer(), "kiosk")
    api.rate(Feedback(interaction_id=interaction_id, rating="down", reason="outdated"))
    factory.down = False

    assert api.flush_spool() == 0 and api.spooled() == 1  # its interaction is not in the store yet
    assert kiosk.flush_spool() == 1
    assert api.flush_spool() == 1 and api.spooled() == 0
    assert kiosk.interaction(interaction_id).rating == "down"


def test_a_rating_ahead_of_its_interaction_in_the_spool_is_written_after_it(service, factory, settings):
    factory.down = True
    interaction_id = service.log_answer(make_answer(), "kiosk")
    service.rate(Feedback(interaction_id=interaction_id, rating="up"))
    lines = settings.spool_path.read_text().splitlines()
    settings.spool_path.write_text("\n".join(reversed(lines)) + "\n")
    factory.down = False

    assert service.flush_spool() == 2
    assert service.interaction(interaction_id).rating == "up"


def test_the_spool_survives_a_restart(settings, factory):
    factory.down = True
    before = FeedbackService(settings, factory, REDACTOR)
    ids = [before.log_answer(make_answer(), "kiosk") for _ in range(3)]
    before.rate(Feedback(interaction_id=ids[0], rating="up"))
    del before  # the process ends

    factory.down = False
    after = FeedbackService(settings, factory, REDACTOR)
    assert after.spooled() == 4
    assert after.flush_spool() == 4
    assert [after.interaction(id) is not None for id in ids] == [True, True, True]


def test_a_line_cut_short_by_a_crash_is_set_aside(service, factory, settings):
    factory.down = True
    first = service.log_answer(make_answer(), "kiosk")
    with open(settings.spool_path, "a") as spool:
        spool.write('{"kind": "interaction", "id": "cut')  # the process died mid-append
    second = service.log_answer(make_answer(), "kiosk")
    factory.down = False

    assert service.flush_spool() == 2
    assert service.interaction(first) and service.interaction(second)
    rejected = settings.spool_path.with_name("spool.jsonl.rejected")
    assert rejected.read_text() == '{"kind": "interaction", "id": "cut\n'


def test_the_background_thread_writes_the_spool_when_the_store_returns(settings, factory):
    factory.down = True
    service = FeedbackService.create(settings, factory)  # starts the retry thread (every 0.1 s here)
    try:
        assert service._thread.daemon  # never keeps the process alive
        interaction_id = service.log_answer(make_answer(), "kiosk")
        factory.down = False
        deadline = time.monotonic() + 10
        while service.spooled() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert service.spooled() == 0
        assert service.interaction(interaction_id) is not None
    finally:
        service.stop()
    assert service._thread is None


def test_the_serving_process_applies_the_retention_by_itself(service, settings, factory):
    old_id = service.log_answer(make_answer(), "kiosk")
    new_id = service.log_answer(make_answer(), "kiosk")
    with factory().session() as session:
        session.execute(
            update(InteractionRow)
            .where(InteractionRow.id == old_id)
            .values(created_at=datetime.now(UTC) - timedelta(days=91))
        )
    service.start()  # what `assistant serve` runs: no cron job needed for the retention
    try:
        deadline = time.monotonic() + 10
        while service.interaction(old_id) is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert service.interaction(old_id) is None
        assert service.interaction(new_id) is not None
    finally:
        service.stop()


@pytest.mark.parametrize("down", [False, True])
def test_concurrent_writers_lose_nothing(service, factory, down):
    factory.down = down
    ids: list[str] = []

    def log_some() -> None:
        for _ in range(10):
            ids.append(service.log_answer(make_answer("Wann ist das Bürgerbüro geöffnet?"), "api"))

    threads = [threading.Thread(target=log_some) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    factory.down = False
    assert service.flush_spool() == (40 if down else 0)
    assert len(set(ids)) == 40 and count(factory(), InteractionRow) == 40


def test_feedback_commands_flush_and_purge(settings, factory, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli import cli

    monkeypatch.setenv("ASSISTANT_STORE__URL", settings.url)
    monkeypatch.setenv("ASSISTANT_STORE__SPOOL_PATH", str(settings.spool_path))
    factory.down = True
    service = FeedbackService(settings, factory, REDACTOR)
    interaction_id = service.log_answer(make_answer(), "kiosk")
    runner = CliRunner()

    flushed = runner.invoke(cli, ["feedback", "flush"])
    assert flushed.exit_code == 0, flushed.output
    assert flushed.stdout.startswith("wrote 1 spooled records to the database (0 still waiting")

    factory.down = False
    with factory().session() as session:
        session.execute(
            update(InteractionRow)
            .where(InteractionRow.id == interaction_id)
            .values(created_at=datetime.now(UTC) - timedelta(days=31))
        )
    kept = runner.invoke(cli, ["feedback", "purge"])
    assert kept.stdout.strip() == "deleted 0 interactions older than 90 days (with their ratings)"
    purged = runner.invoke(cli, ["feedback", "purge", "--days", "30"])
    assert purged.stdout.strip() == "deleted 1 interactions older than 30 days (with their ratings)"


def test_feedback_command_reports_an_unreachable_store_in_one_line(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli import cli

    (tmp_path / "db").mkdir()
    monkeypatch.setenv("ASSISTANT_STORE__URL", f"sqlite:///{tmp_path / 'db'}")
    result = CliRunner().invoke(cli, ["feedback", "purge"])

    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot purge old records: OperationalError")
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_rating_client_and_the_quality_score_are_stored_the_address_only_as_a_hash(service, factory):
    answer = make_answer()
    answer.quality = 0.42
    interaction_id = service.log_answer(answer, "api")
    service.rate(Feedback(interaction_id=interaction_id, rating="down", reason="outdated"), client="203.0.113.7")
    service.rate(Feedback(interaction_id=interaction_id, rating="down", reason="outdated"), client="203.0.113.7")
    service.rate(Feedback(interaction_id=interaction_id, rating="down", reason="outdated"), client="198.51.100.2")

    assert service.interaction(interaction_id).quality == 0.42
    with factory().session() as session:
        clients = list(session.scalars(select(RatingRow.client).order_by(RatingRow.created_at)))
    assert clients[0] == clients[1] != clients[2] and len(clients[0]) == 32
    raw = Path(factory.url.removeprefix("sqlite:///")).read_bytes()
    assert b"203.0.113.7" not in raw
