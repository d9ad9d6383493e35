"""Two App instances sharing one database need no per-process state: what one learns, the other uses.

Curated answers and flagged documents live in the database; each instance keeps them in memory
and reloads them when the database's revision counter changed (checked every ``store.cache_s``);
staff sessions are signed tokens (``staff.session_secret``, the same on every instance).
Runs on a SQLite file, and on PostgreSQL too when ``ASSISTANT_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import time

import pytest

from assistant.app import App
from assistant.feedback.auth import StaffAuth
from tests.postgres import server_url, temporary_database

QUESTION = "Was kostet ein Personalausweis für Erwachsene?"
CURATED = "Für Erwachsene ab 24 Jahren kostet der Personalausweis 37,00 Euro."
PA_QUOTE = "Antragstellerinnen und Antragsteller ab 24 Jahren: 37,00 Euro"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        return
    with temporary_database(server_url()) as url:
        yield url


CHECK_S = 0.2  # how often an instance checks the revision in the tests that do not check every question


def instance(corpus_app: App, store_url: str, tmp_path, name: str, cache_s: float = 0.0) -> App:
    """One app process's worth of objects: its own engine, caches, spool and services."""
    settings = corpus_app.settings.model_copy(deep=True)
    settings.store.url = store_url
    settings.store.spool_path = tmp_path / f"{name}-spool.jsonl"
    settings.store.cache_s = cache_s  # 0: check at once (default 5 s: the delay before other instances see it)
    settings.staff.session_secret = "shared-secret-from-the-env-file"
    settings.staff.curated_eval_path = tmp_path / f"{name}-curated.jsonl"
    return App(settings, embedder=corpus_app.embedder, index=corpus_app.index)


def test_curated_answer_written_on_one_instance_answers_on_the_other(corpus_app, store_url, tmp_path):
    first, second = (instance(corpus_app, store_url, tmp_path, name) for name in ("a", "b"))
    before = second.answers.answer(QUESTION)
    assert not before.verified_by_staff

    answer = first.answers.answer(QUESTION)
    interaction_id = first.feedback.log_answer(answer, "kiosk")
    first.review.correct(interaction_id, CURATED, "personalausweis", quote=PA_QUOTE, staff="anna")

    after = second.answers.answer(QUESTION)
    assert after.verified_by_staff and after.answer == CURATED
    assert after.supporting[0].doc_id == "personalausweis"
    assert second.review.item(interaction_id).review_state == "resolved"


def test_a_document_flagged_on_one_instance_is_left_out_on_the_other(corpus_app, store_url, tmp_path):
    first, second = (instance(corpus_app, store_url, tmp_path, name) for name in ("a", "b"))
    cited = second.answers.answer("Wo ist das Fundbüro?").supporting[0].doc_id

    first.review.flag_document(cited, "outdated", staff="anna")

    assert cited not in {e.doc_id for e in second.answers.answer("Wo ist das Fundbüro?").supporting}


def test_a_staff_correction_on_one_instance_is_used_by_the_next_answer_on_another(corpus_app, store_url, tmp_path):
    first, second = (instance(corpus_app, store_url, tmp_path, name, cache_s=CHECK_S) for name in ("a", "b"))
    assert not second.answers.answer(QUESTION).verified_by_staff  # its lists are in memory now
    answer = first.answers.answer(QUESTION)

    first.review.correct(first.feedback.log_answer(answer, "kiosk"), CURATED, "personalausweis", quote=PA_QUOTE)
    assert first.answers.answer(QUESTION).answer == CURATED  # the instance that made the change: at once
    time.sleep(CHECK_S)  # the other one: at its next check of the revision

    after = second.answers.answer(QUESTION)
    assert after.verified_by_staff and after.answer == CURATED
    cited = second.answers.answer("Wo ist das Fundbüro?").supporting[0].doc_id
    first.review.flag_document(cited, "wrong", staff="anna")
    time.sleep(CHECK_S)
    assert cited not in {e.doc_id for e in second.answers.answer("Wo ist das Fundbüro?").supporting}


def test_an_instance_whose_store_goes_down_keeps_answering_with_the_curated_answers_it_knows(corpus_app, tmp_path):
    database = tmp_path / "db" / "shared.sqlite3"
    first, second = (instance(corpus_app, f"sqlite:///{database}", tmp_path, name) for name in ("a", "b"))
    answer = first.answers.answer(QUESTION)
    first.review.correct(first.feedback.log_answer(answer, "kiosk"), CURATED, "personalausweis", quote=PA_QUOTE)
    assert second.answers.answer(QUESTION).verified_by_staff

    for app in (first, second):
        app.store.engine.dispose()
    (tmp_path / "db").rename(tmp_path / "db-gone")  # the database cannot be opened any more

    after = second.answers.answer(QUESTION)
    assert after.verified_by_staff and after.answer == CURATED
    assert second.answers.answer("Wie hoch ist die Hundesteuer für den ersten Hund?").status == "answered"


def test_staff_session_from_one_instance_is_valid_on_the_other_only_with_the_shared_secret(corpus_app, tmp_path):
    first, second = (instance(corpus_app, "sqlite://", tmp_path, name) for name in ("a", "b"))
    first.settings.staff.users = second.settings.staff.users = {"anna": "unused-hash"}
    token = StaffAuth(first.settings.staff).issue("anna")

    assert StaffAuth(second.settings.staff).user_from_token(token) == "anna"
    second.settings.staff.session_secret = ""  # the default: a random secret per process
    assert StaffAuth(second.settings.staff).user_from_token(token) is None
