"""The fee-table stage: a gate's "nothing found" gives way to the fitting rows of the named service's fee table."""

from __future__ import annotations

import pytest

from assistant.answering.context import AnswerContext
from assistant.answering.stages.fee_table import unless_a_fee_table_answers
from assistant.answering.stages.question import embed_question
from assistant.answering.stages.retrieve import retrieve


def _nothing_found(ctx, res):
    return ctx.abstain()


@pytest.mark.parametrize("route", ["answer", "other_authority"])
def test_a_gates_nothing_found_gives_way_to_the_fee_rows_also_when_routed_to_another_authority(corpus_app, route):
    # "nothing found" on a question routed to another authority is the route's referral, not an abstention:
    # the fee table answers it all the same (the Familienkasse asks for the city's certificate)
    res = corpus_app.answers.resources
    question = "Die Familienkasse will eine Meldebescheinigung von mir – was kostet die?"
    ctx = AnswerContext(question=question, language="de", history=None)
    embed_question(ctx, res)
    retrieve(ctx, res)
    ctx.route = route
    assert ctx.abstain().status == ("referred" if route == "other_authority" else "abstained")

    assert unless_a_fee_table_answers(_nothing_found)(ctx, res) is None  # the path goes on with the rows
    assert any("8,00 Euro" in e.quote for e in ctx.evidence)


def test_a_gate_that_lets_the_question_pass_is_left_alone(corpus_app):
    res = corpus_app.answers.resources
    ctx = AnswerContext(question="Was kostet eine Meldebescheinigung?", language="de", history=None)
    assert unless_a_fee_table_answers(lambda ctx, res: None)(ctx, res) is None
    assert ctx.evidence == []
