"""The relevance gate: a best chunk in another language than the question has its own threshold."""

from __future__ import annotations

from assistant.answering.context import AnswerContext
from assistant.answering.stages import question, retrieve
from assistant.answering.stages.relevance import abstain_if_irrelevant, best_cosine


def searched(app, text: str, language: str) -> AnswerContext:
    ctx = AnswerContext(question=text, history=None, language=language)
    question.embed_question(ctx, app.answers.resources)
    retrieve.retrieve(ctx, app.answers.resources)
    return ctx


def test_an_english_question_over_a_german_page_is_judged_by_the_other_language_threshold(corpus_app, monkeypatch):
    res = corpus_app.answers.resources
    ctx = searched(corpus_app, "What does a marriage at the registry office cost?", "en")
    relevance, language = best_cosine(ctx, res)
    assert language == "de"  # the sample corpus has the wedding page in German only
    evidence = res.settings.evidence
    monkeypatch.setattr(evidence, "min_dense_score", relevance + 0.01)  # the same-language bar: not cleared

    monkeypatch.setattr(evidence, "min_dense_score_other_language", relevance - 0.01)
    assert abstain_if_irrelevant(ctx, res) is None  # cleared: the question goes on to the evidence
    assert ctx.relevance == relevance

    monkeypatch.setattr(evidence, "min_dense_score_other_language", None)  # off: the same-language bar
    ending = abstain_if_irrelevant(ctx, res)
    assert ending is not None and ending.status == "abstained"


def test_a_question_over_a_page_in_its_own_language_keeps_the_same_language_threshold(corpus_app, monkeypatch):
    res = corpus_app.answers.resources
    ctx = searched(corpus_app, "Wie melde ich meine Eheschließung beim Standesamt an?", "de")
    relevance, language = best_cosine(ctx, res)
    assert language == "de"
    evidence = res.settings.evidence
    monkeypatch.setattr(evidence, "min_dense_score", relevance + 0.01)
    monkeypatch.setattr(evidence, "min_dense_score_other_language", relevance - 0.01)  # not for German pages
    ending = abstain_if_irrelevant(ctx, res)
    assert ending is not None and ending.status == "abstained"
