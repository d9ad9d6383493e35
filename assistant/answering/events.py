"""Typed events of a streamed answer: what transports render while the pipeline runs.

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
class Final:
    """The finished, checked answer: always the last event of a stream."""

    answer: Answer


Event = Token | Final
