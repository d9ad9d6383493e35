"""The ask use case on the real sample corpus and a real SQLite feedback log: answered, logged once, rateable."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from assistant.answering.ask import AskService
from assistant.answering.events import Final, Token
from assistant.components.store import InteractionRow, Store
from assistant.feedback.log import FeedbackService
from assistant.records import Feedback
from assistant.settings import StoreSettings

QUESTION = "Was kostet ein Personalausweis?"


class Switchable:
    """A store factory whose database can be 'down' (raises, as a failed connection would)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.down = False
        self.store: Store | None = None

    def __call__(self) -> Store:
        if self.down:
            raise ConnectionRefusedError("database server is not answering")
        if self.store is None:
            self.store = Store(self.url)
            self.store.migrate()
        return self.store

    def interactions(self) -> int:
        with self().session() as session:
            return session.scalar(select(func.count()).select_from(InteractionRow))


@pytest.fixture
def factory(tmp_path) -> Switchable:
    return Switchable(f"sqlite:///{tmp_path / 'assistant.sqlite3'}")


@pytest.fixture
def feedback(tmp_path, factory) -> FeedbackService:
    settings = StoreSettings(url=factory.url, spool_path=tmp_path / "spool.jsonl")
    return FeedbackService(settings, factory)  # no retry thread: the tests flush the spool themselves


@pytest.fixture
def asking(corpus_app, feedback) -> AskService:
    return AskService(lambda: corpus_app.answers, feedback)


def test_ask_answers_and_logs_the_answer_once_for_its_channel(asking, feedback, factory):
    answer = asking.ask(QUESTION, None, "widget")
    assert answer.status == "answered" and "37,00 Euro" in answer.answer
    assert answer.interaction_id
    assert factory.interactions() == 1
    logged = feedback.interaction(answer.interaction_id)
    assert logged.channel == "widget" and logged.question == QUESTION and logged.answer == answer.answer
    feedback.rate(Feedback(interaction_id=answer.interaction_id, rating="up"))  # citizens rate it by that id
    assert feedback.interaction(answer.interaction_id).rating == "up"


def test_the_stream_ends_with_the_logged_answer(asking, feedback, factory):
    events = list(asking.stream(QUESTION, [], "kiosk"))
    *drafts, last = events
    assert isinstance(last, Final) and all(isinstance(event, Token) for event in drafts)
    assert last.answer.interaction_id and factory.interactions() == 1
    logged = feedback.interaction(last.answer.interaction_id)
    assert logged.channel == "kiosk" and logged.answer == last.answer.answer
    assert last.answer.answer == asking.ask(QUESTION, [], "kiosk").answer  # the same answer as ``ask``
    assert factory.interactions() == 2


def test_a_store_that_is_down_still_gives_a_logged_answer(asking, feedback, factory):
    factory.down = True
    answer = asking.ask(QUESTION, None, "api")
    streamed = list(asking.stream(QUESTION, None, "api"))[-1].answer
    assert answer.status == "answered" and streamed.status == "answered"
    assert answer.interaction_id and streamed.interaction_id and answer.interaction_id != streamed.interaction_id
    assert feedback.spooled() == 2  # waiting in the spool, nothing lost

    factory.down = False  # the store is back: the spool is written, each answer once
    assert feedback.flush_spool() == 2
    assert factory.interactions() == 2
    assert feedback.interaction(answer.interaction_id).channel == "api"


def test_the_app_asks_through_its_own_feedback_log(corpus_app):
    answer = corpus_app.asking.ask(QUESTION, None, "cli")
    assert corpus_app.asking is corpus_app.asking  # built once
    assert corpus_app.feedback.interaction(answer.interaction_id).question == QUESTION
