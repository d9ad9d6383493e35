"""The feedback store down, locked, or its writer killed: answers go on, no record is lost.

The service-level cases are in ``tests/feedback/test_log.py``
(``test_store_down_spools_and_a_flush_writes_every_record_once``,
``test_locked_database_spools_and_the_next_write_catches_up``,
``test_a_line_cut_short_by_a_crash_is_set_aside``); these add the HTTP app with its store down
and a writer process killed with SIGKILL in the middle of writing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from fastapi.testclient import TestClient
from sqlalchemy import select

from assistant.app import App
from assistant.components.store import InteractionRow, RatingRow, Store
from assistant.feedback.log import FeedbackService
from assistant.settings import StoreSettings
from assistant.transports.http import create_http_app
from tests.conftest import ROOT


def test_api_answers_and_takes_ratings_while_the_store_is_down(corpus_app, tmp_path):
    database = tmp_path / "assistant.sqlite3"
    database.mkdir()  # the database cannot be opened at all (as when its disk or server is gone)
    settings = corpus_app.settings.model_copy(deep=True)
    settings.store.url = f"sqlite:///{database}"
    settings.store.spool_path = tmp_path / "spool.jsonl"
    app = App(settings, embedder=corpus_app.embedder, index=corpus_app.index, chat_model=None)

    with TestClient(create_http_app(app)) as client:
        asked = client.post("/api/ask", json={"question": "Was kostet ein Personalausweis?"})
        assert asked.status_code == 200 and asked.json()["status"] == "answered"
        interaction_id = asked.json()["interaction_id"]
        rated = client.post(
            "/api/feedback", json={"interaction_id": interaction_id, "rating": "down", "reason": "outdated"}
        )
        assert rated.status_code == 201
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "degraded"
        assert health.json()["spooled"] == 2

    database.rmdir()  # the store is back: the spool is written, nothing was lost
    assert app.feedback.flush_spool() == 2
    assert app.feedback.interaction(interaction_id).rating == "down"


WRITER = textwrap.dedent("""
    import sys
    from datetime import date
    from assistant.records import Answer, AnswerSentence, Feedback
    from assistant.feedback.log import FeedbackService
    from assistant.settings import StoreSettings

    settings = StoreSettings(url=sys.argv[1], spool_path=sys.argv[2])
    from assistant.components.store import Store
    store = Store(settings.url)
    store.migrate()
    service = FeedbackService(settings, lambda: store)
    answer = Answer(question="Was kostet ein Personalausweis?", language="de", status="answered",
                    answer="37,00 Euro.", sentences=[AnswerSentence(text="37,00 Euro.")])
    while True:
        interaction_id = service.log_answer(answer, "api")
        service.rate(Feedback(interaction_id=interaction_id, rating="up"))
        print(interaction_id, flush=True)  # acknowledged: both records are written (or spooled)
""")


def test_writer_killed_mid_write_loses_no_acknowledged_record(tmp_path):
    url = f"sqlite:///{tmp_path / 'assistant.sqlite3'}"
    spool = tmp_path / "spool.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(spool)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    acknowledged: list[str] = []
    deadline = time.monotonic() + 120
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acknowledged.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)  # in the middle of the next write
    proc.wait()
    assert len(acknowledged) >= 50, "the writer did not get going"

    store = Store(url)  # the database opens; SQLite's journal rolled back the cut-off transaction
    store.migrate()
    with store.session() as session:
        assert session.execute(select(InteractionRow.id).limit(1)).first() is not None
        integrity = session.connection().exec_driver_sql("PRAGMA integrity_check").scalar()
    assert integrity == "ok"
    service = FeedbackService(StoreSettings(url=url, spool_path=spool), lambda: store)
    service.flush_spool()  # a spool (if the kill left one) replays cleanly
    with store.session() as session:
        interactions = set(session.scalars(select(InteractionRow.id)))
        rated = set(session.scalars(select(RatingRow.interaction_id)))
    missing = [i for i in acknowledged if i not in interactions or i not in rated]
    assert not missing
    assert service.spooled() == 0
