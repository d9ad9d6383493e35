"""Fee table: a cost question that names a service with a fee table is answered from its rows,
even when a gate before would abstain (an English question over a German fee page)."""

from __future__ import annotations

from collections.abc import Callable

from assistant.answering.context import WORD, AnswerContext, Ending, Resources
from assistant.answering.facts.answers import fee_rows_for

Gate = Callable[[AnswerContext, Resources], Ending | None]


def unless_a_fee_table_answers(gate: Gate) -> Gate:
    """``gate``, except that its abstention (also the referral of a question routed to another authority when
    nothing is found) gives way to the fitting rows of the named service's fee table."""

    def checked(ctx: AnswerContext, res: Resources) -> Ending | None:
        ending = gate(ctx, res)
        if ending is None or not ending.nothing_found or res.settings.answer.conflicts != "facts":
            return ending
        if names_something_unknown(ctx.question, res):
            return ending  # "... in Vienna?": the pages may have the service, not the place asked about
        rows = fee_rows_for(ctx.search_text or ctx.question, ctx.language, ctx.hits, res.facts.without(ctx.flagged))
        if not rows:
            return ending
        ctx.evidence = rows
        return None

    checked.__name__ = checked.__qualname__ = gate.__name__
    checked.__doc__ = gate.__doc__
    return checked


def names_something_unknown(question: str, res: Resources) -> bool:
    """The question names something (a capitalised word after the first) that no document mentions.

    >>> class Known:
    ...     vocabulary = frozenset({"how", "much", "is", "a", "parking", "permit", "in", "musterstadt"})
    >>> names_something_unknown("How much is a parking permit in Vienna?", Known())
    True
    >>> names_something_unknown("How much is a parking permit in Musterstadt?", Known())
    False
    """
    named = [word for word in WORD.findall(question)[1:] if word[:1].isupper()]
    return any(word.lower() not in res.vocabulary for word in named)
