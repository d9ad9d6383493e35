"""Route: every question gets one route before retrieval; refusal routes end with their fixed reply.

The router (:mod:`assistant.safety.router`) reuses the question vector of the question stage.
``answer`` and ``other_authority`` go on to retrieval (for ``other_authority`` an abstention
becomes a referral, see ``AnswerContext.abstain``); ``crisis`` ends with the emergency and
crisis numbers from the city's own pages first; the other routes end ``refused`` with the
route's text in the question's language. A question whose crisis probability reached the router's
floor but not its threshold gets the same numbers before its answer, or before its personal-advice,
abuse or out-of-scope refusal (:func:`numbers_first`, applied when the answer is finished).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from assistant.answering.citations import join
from assistant.answering.context import AnswerContext, Ending, Resources
from assistant.messages import message
from assistant.records import AnswerSentence, Evidence
from assistant.safety.router import MODEL_PATH, QuestionRouter
from assistant.text import strip_markup

log = logging.getLogger(__name__)

REPLIES = {
    "political_opinion": "refused_political",
    "personal_advice": "refused_personal_advice",
    "abuse": "refused_abuse",
    "out_of_scope": "refused_out_of_remit",
    "injection": "refused_injection",
}


def route_question(ctx: AnswerContext, res: Resources) -> Ending | None:
    guard = res.settings.guard
    if not guard.safety:  # off only for the attack benchmark's baseline
        return None
    router = QuestionRouter.load(guard.router_model or MODEL_PATH)
    decision = router.route(ctx.question, ctx.question_vector, guard.pre_election, tuple(guard.candidates))
    ctx.route = decision.route
    ctx.crisis_first = decision.crisis_first
    ctx.timings["route"] = ctx.elapsed_ms()
    if decision.route in ("answer", "other_authority"):
        if decision.crisis_first:
            log.info("crisis numbers first (%s)", decision.reason)
        return None
    log.info("routed %s (%.2f, %s)", decision.route, decision.confidence, decision.reason)
    if decision.route == "crisis":
        return crisis_reply(ctx, res)
    return Ending("refused", message(REPLIES[decision.route], ctx.language), confidence=decision.confidence)


def crisis_reply(ctx: AnswerContext, res: Resources) -> Ending:
    """The city's own sentences with the emergency and crisis numbers first, then the fixed text."""
    lines = res.crisis_lines
    sentences = quoted(lines)
    text = "\n".join(part for part in (join(sentences), message("crisis", ctx.language)) if part)
    sentences.append(AnswerSentence(text=message("crisis", ctx.language)))
    return Ending("referred", text, sentences, list(lines), confidence=1.0)


def numbers_first(ending: Ending, lines: list[Evidence]) -> Ending:
    """``ending`` with the city's emergency and crisis numbers before it (a question the router was unsure
    was a crisis). The numbers are cited after the answer's own evidence, so its citations stay as they are."""
    if not lines:
        return ending
    after = max((e.n for e in ending.supporting), default=0)
    lines = [line.model_copy(update={"n": after + n}) for n, line in enumerate(lines, start=1)]
    numbers = quoted(lines)
    sentences = ending.sentences or [AnswerSentence(text=ending.text)]
    return replace(
        ending,
        text=f"{join(numbers)}\n{ending.text}",
        sentences=[*numbers, *sentences],
        supporting=[*lines, *ending.supporting],
    )


def quoted(lines: list[Evidence]) -> list[AnswerSentence]:
    """The emergency and crisis lines as answer sentences, each citing its own line."""
    return [AnswerSentence(text=strip_markup(e.quote), citations=[e.n]) for e in lines]
