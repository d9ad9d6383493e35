"""The citizen's use case: answer a question and log the answer, so that it can be rated.

Every transport that serves citizens (the JSON API and its stream, the OpenAI-compatible
endpoint, the kiosk) asks through :class:`AskService`; the logged answer carries the
``interaction_id`` a rating refers to. Logging never fails an answer: when the feedback
store is down, the feedback service spools the record and still returns its id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from assistant.answering.events import Event, Final
from assistant.records import Answer, Channel


class Answerer(Protocol):
    """The answer pipeline as the use case needs it (``App.answers``)."""

    def answer(self, question: str, history: list[dict[str, str]] | None = None) -> Answer: ...

    def stream(self, question: str, history: list[dict[str, str]] | None = None) -> Iterator[Event]: ...


class AnswerLog(Protocol):
    """Where answers are logged (``FeedbackService``)."""

    def log_answer(self, answer: Answer, channel: Channel) -> str: ...


class AskService:
    """``ask`` answers and logs; ``stream`` yields the same answer as events, its ``Final`` logged."""

    def __init__(self, answers: Callable[[], Answerer], log: AnswerLog) -> None:
        self._answers = answers  # the pipeline on the index version in use, fetched once per question
        self._log = log

    def ask(self, question: str, history: list[dict[str, str]] | None, channel: Channel) -> Answer:
        """The answer to ``question``, logged for ``channel``, with its ``interaction_id`` set."""
        return self._logged(self._answers().answer(question, history), channel)

    def stream(self, question: str, history: list[dict[str, str]] | None, channel: Channel) -> Iterator[Event]:
        """The pipeline's events as they come (``EvidenceAnswer``, ``Token``...), then ``Final`` with the
        logged answer. Only the ``Final`` is logged: the evidence answer is shown, not rated."""
        for event in self._answers().stream(question, history):
            match event:
                case Final(answer=answer):
                    yield Final(self._logged(answer, channel))
                case _:  # EvidenceAnswer and Token pass through unlogged
                    yield event

    def _logged(self, answer: Answer, channel: Channel) -> Answer:
        answer.interaction_id = self._log.log_answer(answer, channel)
        return answer
