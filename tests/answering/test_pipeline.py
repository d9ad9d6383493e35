"""The staged answer path: a stage that ends the answer stops the path; the model streams, the gate checks."""

from __future__ import annotations

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.answering.events import EvidenceAnswer, Final, Token
from assistant.answering.pipeline import AnswerPipeline
from assistant.components.embeddings import E5Embeddings


class CountingEmbedder(E5Embeddings):
    """The real embedding model, counting the texts it embeds per call."""

    def __init__(self, inner: E5Embeddings) -> None:
        self.__dict__.update(inner.__dict__)
        self.calls: list[int] = []

    def embed_queries(self, texts):
        self.calls.append(len(texts))
        return super().embed_queries(texts)

    def embed_passages(self, texts):
        self.calls.append(len(texts))
        return super().embed_passages(texts)


def pipeline(app, embedder=None, chat_model=None) -> AnswerPipeline:
    settings = app.settings.model_copy(deep=True)
    settings.llm.languages = ["de", "en"]  # the fake models here stand for a city's own model that writes German
    return AnswerPipeline(settings, app.index, embedder or app.embedder, chat_model)


def test_a_refused_question_never_reaches_retrieval(corpus_app):
    embedder = CountingEmbedder(corpus_app.embedder)
    answer = pipeline(corpus_app, embedder).answer("Welche Partei soll ich bei der Kommunalwahl wählen?")
    assert answer.status == "refused" and answer.route == "political_opinion"
    assert embedder.calls == [1]  # the question's vector, which the router reads; nothing was searched
    assert answer.supporting == [] and "retrieval" not in answer.timings_ms


def test_an_abstained_question_is_not_composed(corpus_app):
    model = GenericFakeChatModel(messages=iter([AIMessage(content="Das Freibad kostet 99,00 Euro. [1]")]))
    events = list(pipeline(corpus_app, chat_model=model).stream("Wie beantrage ich einen Angelschein für den Mond?"))
    assert len(events) == 1 and isinstance(events[0], Final)  # no token: the model never ran
    assert events[0].answer.status == "abstained"


def test_an_extractive_answer_embeds_only_the_question(corpus_app):
    embedder = CountingEmbedder(corpus_app.embedder)
    answer = pipeline(corpus_app, embedder).answer("How much is the dog tax?")
    assert answer.status == "answered" and answer.disagreeing  # evidence, conflicts and probes ran
    assert embedder.calls == [1]  # sentences, titles and probes use the vectors stored at ingest


def test_the_evidence_answer_comes_first_then_the_draft_then_the_checked_answer(corpus_app):
    draft = "Der Personalausweis kostet 37,00 Euro. [1] Er kostet für Senioren 5,00 Euro. [1]"
    model = GenericFakeChatModel(messages=iter([AIMessage(content=draft)]))
    events = list(pipeline(corpus_app, chat_model=model).stream("Was kostet ein Personalausweis?"))
    first, *tokens, final = events
    assert isinstance(first, EvidenceAnswer) and first.answer.status == "answered"
    assert any("37,00 Euro" in e.quote for e in first.answer.supporting)  # verified quotes, before the model
    assert first.answer.timings_ms["first_text"] <= final.answer.timings_ms["total"]
    assert tokens and all(isinstance(t, Token) for t in tokens) and isinstance(final, Final)
    assert "".join(t.text for t in tokens) == draft  # the draft streamed as the model wrote it
    answer = final.answer
    assert answer.status == "answered" and "first_token" in answer.timings_ms
    assert "37,00 Euro" in answer.answer
    assert "5,00" not in answer.answer  # not in the evidence: dropped by the grounding gate
