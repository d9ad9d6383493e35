"""Typed events of a streamed answer: what transports render while the pipeline runs.

Order: ``EvidenceAnswer`` (when a model composes), ``Token``... (the model's unchecked draft:
for timing and debugging, never shown to citizens), then always one ``Final``.

>>> from assistant.records import Answer
>>> events = [Token("Die "), Token("Gebühr"), Final(Answer(question="q", language="de", status="answered", answer="a"))]
>>> "".join(e.text for e in events if isinstance(e, Token)), events[-1].answer.status
('Die Gebühr', 'answered')
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.records import Answer


@dataclass(frozen=True)
class Token:
    """A piece of the model's draft as it is written (not yet checked by the grounding gate)."""

    text: str


@dataclass(frozen=True)
class EvidenceAnswer:
    """The verified evidence answer (cited quotes and disagreeing sources), ready before the model writes.

    Transports show it at once; the :class:`Final` answer replaces it when the model's checked
    phrasing is ready. Sent only when a model composes (otherwise the final answer is the evidence).
    """

    answer: Answer


@dataclass(frozen=True)
class Final:
    """The finished, checked answer: always the last event of a stream."""

    answer: Answer


Event = EvidenceAnswer | Token | Final
