"""A running App switches to a new index version without a restart; answers under way keep theirs."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from assistant.app import App
from assistant.ingest.pipeline import ingest
from tests.conftest import make_settings, markdown, write

QUESTION = "Wo ist das Fundbüro?"


def fundbuero(room: str) -> str:
    return markdown(
        "Fundbüro",
        f"Das Fundbüro befindet sich im Rathaus in {room}. "
        "Dort können Sie gefundene Sachen abgeben und verlorene Sachen abholen.",
    )


@pytest.fixture
def site(tmp_path, embedder):
    """A small corpus, its index, and an App over it that checks for new versions every 50 ms."""
    corpus = tmp_path / "corpus"
    write(corpus / "fundbuero.md", fundbuero("Zimmer 12"))
    write(corpus / "hundesteuer.md", markdown("Hundesteuer", "Die Hundesteuer beträgt 120 Euro im Jahr."))
    settings = make_settings(tmp_path / "index")
    settings.llm.mode = "extractive"
    settings.index_reload_s = 0.05
    ingest([corpus], settings, embedder)
    return corpus, settings, App(settings, embedder=embedder)


def reingest(corpus, settings, embedder, room: str) -> str:
    write(corpus / "fundbuero.md", fundbuero(room))
    return ingest([corpus], settings, embedder).index_version


def wait_for_version(app: App, version: str, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = app.answers.answer(QUESTION)
        if answer.index_version == version:
            return answer
        time.sleep(0.06)
    pytest.fail(f"the app did not switch to index version {version}")


def test_new_version_is_used_by_the_next_answer_and_the_old_service_keeps_answering(site, embedder):
    corpus, settings, app = site
    before = app.answers.answer(QUESTION)
    assert before.status == "answered" and "Zimmer 12" in before.answer
    held = app.answers  # what a request that started before the ingest holds
    review = app.review  # built on the first version

    new_version = reingest(corpus, settings, embedder, "Zimmer 14")
    after = wait_for_version(app, new_version)

    assert "Zimmer 14" in after.answer and "Zimmer 12" not in after.answer
    assert app.index.version == new_version  # health and review see it too
    assert review.index.version == new_version
    # two more ingests prune the first version's folder (keep_versions=2): the held service lives in memory
    reingest(corpus, settings, embedder, "Zimmer 16")
    reingest(corpus, settings, embedder, "Zimmer 18")
    assert not (settings.index_dir / "versions" / before.index_version).exists()
    late = held.answer(QUESTION)
    assert late.index_version == before.index_version and "Zimmer 12" in late.answer


def test_a_stream_started_before_the_switch_finishes_on_its_version(site, embedder):
    corpus, settings, app = site
    stream = app.answers.stream(QUESTION)  # a request under way: it holds its service
    new_version = reingest(corpus, settings, embedder, "Zimmer 14")
    wait_for_version(app, new_version)

    events = list(stream)
    answer = events[-1].answer  # the Final event
    assert answer.index_version != new_version and "Zimmer 12" in answer.answer


def test_requests_during_a_switch_are_served_and_all_get_a_complete_answer(site, embedder):
    corpus, settings, app = site
    answers, errors = [], []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                answers.append(app.answers.answer(QUESTION))
            except Exception as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    new_version = reingest(corpus, settings, embedder, "Zimmer 14")
    wait_for_version(app, new_version)
    stop.set()
    for thread in threads:
        thread.join()

    assert not errors
    for answer in answers:  # each answer is entirely one version: never the old room with the new version
        assert answer.status == "answered"
        assert ("Zimmer 14" in answer.answer) == (answer.index_version == new_version)


def test_a_version_that_cannot_be_loaded_leaves_the_old_one_in_use(site, caplog):
    _corpus, settings, app = site
    version = app.answers.answer(QUESTION).index_version
    (settings.index_dir / "CURRENT").write_text("20990101T000000000000-missing\n", encoding="utf-8")
    time.sleep(0.06)

    with caplog.at_level(logging.WARNING):
        answer = app.answers.answer(QUESTION)

    assert answer.status == "answered" and answer.index_version == version
    assert any("could not be loaded" in record.getMessage() for record in caplog.records)


def test_reload_off_keeps_the_version_until_restart(site, embedder):
    corpus, settings, app = site
    app.settings.index_reload_s = 0
    version = app.answers.answer(QUESTION).index_version
    reingest(corpus, settings, embedder, "Zimmer 14")
    time.sleep(0.06)
    assert app.answers.answer(QUESTION).index_version == version
    restarted = App(settings, embedder=embedder)
    assert "Zimmer 14" in restarted.answers.answer(QUESTION).answer
