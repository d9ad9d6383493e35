"""Why this answer? Each evidence sentence scored by ablation (AtMan-style attribution).

The model reads the same prompt as when it composes (system rules, numbered sources, the
question), and we measure the log-probability of the given answer text: once with every
sentence, and once with each sentence left out. A sentence whose removal makes the answer
less likely is one the answer rests on ("supports"); one whose removal makes it *more* likely
pulls against it (typically a disagreeing source). Sentence numbers stay as they were, so
the remaining citations still point to the same sources.

Cost: one pass over prompt + answer per sentence, plus one; the prompt's prefix up to the
removed sentence stays in llama.cpp's KV cache, so each pass re-reads only the rest
(measured in ``eval/bench/bench_profiles.py``).
"""

from __future__ import annotations

import time

from assistant.answering.compose import build_messages
from assistant.components.llm import LlamaCppChatModel
from assistant.records import Answer, Attribution, Effect, Evidence, Explanation

NEUTRAL_NATS = 0.5  # |score| below this (a likelihood ratio under 1.65) counts as neutral


def effect(score: float, neutral: float = NEUTRAL_NATS) -> Effect:
    """The label shown for a score.

    >>> effect(2.1), effect(-0.9), effect(0.2)
    ('supports', 'pulls against', 'neutral')
    """
    if score >= neutral:
        return "supports"
    if score <= -neutral:
        return "pulls against"
    return "neutral"


def _logprob(model: LlamaCppChatModel, question: str, evidence: list[Evidence], language: str, answer: str) -> float:
    messages, _ = build_messages(
        question, evidence, language, None, budget_tokens=10**6, history_turns=0, count_tokens=model.get_num_tokens
    )
    return sum(model.answer_logprobs(messages, answer))


def explain(
    model: LlamaCppChatModel,
    question: str,
    answer: str,
    evidence: list[Evidence],
    language: str,
    roles: dict[int, str] | None = None,
    neutral: float = NEUTRAL_NATS,
) -> tuple[float, int, list[Attribution]]:
    """(log-probability of ``answer`` with all of ``evidence``, its token count, one Attribution per sentence).

    ``roles`` maps a sentence number to "disagreeing" (default: "supporting"). Attributions are
    sorted by score, strongest support first.
    """
    full = _logprob(model, question, evidence, language, answer)
    attributions = []
    for item in evidence:
        rest = [other for other in evidence if other.n != item.n]
        score = full - _logprob(model, question, rest, language, answer)
        attributions.append(
            Attribution(
                n=item.n,
                role=(roles or {}).get(item.n, "supporting"),
                doc_id=item.doc_id,
                title=item.title,
                quote=item.quote,
                score=round(score, 3),
                effect=effect(score, neutral),
            )
        )
    tokens = len(model._llama.tokenize(answer.encode("utf-8"), add_bos=False, special=False))
    return full, tokens, sorted(attributions, key=lambda a: -a.score)


def explain_answer(model: LlamaCppChatModel, answer: Answer) -> Explanation:
    """The explanation of a finished answer: its cited sentences and the sources that disagree.

    The disagreeing quotes join the prompt after the cited ones (numbered on), so that their pull
    against the answer is measured too.
    """
    started = time.perf_counter()
    text = " ".join(sentence.text for sentence in answer.sentences).strip() or answer.answer
    evidence = list(answer.supporting)
    roles: dict[int, str] = {}
    next_n = max((e.n for e in evidence), default=0) + 1
    for offset, other in enumerate(answer.disagreeing):
        n = next_n + offset
        roles[n] = "disagreeing"
        evidence.append(
            Evidence(
                n=n,
                doc_id=other.doc_id,
                title=other.title,
                url=other.url,
                updated=other.updated,
                quote=other.quote,
                start=other.start,
                end=other.end,
                score=0.0,
            )
        )
    explanation = Explanation(question=answer.question, answer=text, status=answer.status, model=model.model_name)
    if evidence and text:
        logprob, tokens, attributions = explain(model, answer.question, text, evidence, answer.language, roles)
        explanation.logprob, explanation.answer_tokens = round(logprob, 3), tokens
        explanation.attributions = attributions
    explanation.timings_ms["explain"] = round((time.perf_counter() - started) * 1000, 1)
    return explanation
