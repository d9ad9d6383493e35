"""English questions over German pages: an English answer, the German quote kept beside it, every
number checked against the German evidence.

The gate is under test with a scripted model (subclassing the real streaming interface) that
translates correctly in one sentence and alters the numbers in another; the real quality model
(Qwen2.5-Coder-1.5B, `make model`) is tested where installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk

from assistant.answering.facts.values import extract_facts
from assistant.app import App
from assistant.components.llm import StreamingChatModel
from assistant.ingest.pipeline import ingest
from assistant.text import detect_language
from tests.conftest import make_settings, markdown, write
from tests.quality_model import load_quality_model, needs_quality_model

FEES = (
    "Der Personalausweis kostet für Personen ab 24 Jahren 37,00 Euro. "
    "Für Personen unter 24 Jahren kostet der Personalausweis 22,80 Euro.\n\n"
    "Die Bearbeitung dauert etwa drei Wochen."
)
# names the German word: without it the cross-lingual similarity stays under the relevance gate (0.80 < 0.83)
QUESTION = "What is the fee for a German identity card (Personalausweis) for adults aged 24 and over?"


class ScriptedModel(StreamingChatModel):
    """Writes the given reply word by word and keeps the prompts it was given."""

    reply: str
    prompts: list[list[BaseMessage]] = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _stream(self, messages, stop=None, run_manager=None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        self.prompts.append(messages)
        for word in self.reply.split(" "):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))


@pytest.fixture(scope="module")
def german_index(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("german-pages")
    write(folder / "corpus" / "personalausweis.md", markdown("Personalausweis", "## Gebühren\n\n" + FEES))
    write(
        folder / "corpus" / "hundesteuer.md",
        markdown("Hundesteuer", "Die Hundesteuer beträgt 120,00 Euro im Jahr für den ersten Hund."),
    )
    settings = make_settings(folder / "index")
    settings.llm.mode = "extractive"
    report = ingest([folder / "corpus"], settings, embedder)
    assert not report.skipped
    return settings


def app_with(settings, embedder, model) -> App:
    settings = settings.model_copy(deep=True)
    settings.llm.mode = "llamacpp"
    return App(settings, embedder=embedder, chat_model=model)


def numbers(text: str) -> set[str]:
    return {f.value for f in extract_facts(text)}


def test_an_altered_number_is_dropped_and_the_german_quote_stays_visible(german_index, embedder):
    model = ScriptedModel(
        reply="For people aged 24 and over, the ID card costs 37.00 euros [1]. "
        "For people aged 30 and over, the ID card costs 42.00 euros [1].",
        prompts=[],
    )
    answer = app_with(german_index, embedder, model).answers.answer(QUESTION)
    assert "Answer in English" in str(model.prompts[0][0].content)  # the model was asked to translate
    assert answer.status == "answered" and answer.language == "en"
    assert "42" not in answer.answer and "30" not in answer.answer  # the invented fee never reaches the citizen
    assert any("37,00 Euro" in e.quote for e in answer.supporting)  # the German original, verbatim
    german = " ".join(e.quote for e in answer.supporting)
    for sentence in answer.sentences:
        assert numbers(sentence.text) <= numbers(german)
    assert {"37", "24"} <= numbers(answer.answer)
    assert answer.model_sentences == 2 and answer.model_sentences_kept == 1  # the translation, not the quote
    assert "costs 37.00 euros" in answer.answer


@pytest.mark.slow
@needs_quality_model
def test_the_quality_model_answers_in_english_and_keeps_every_number(german_index, embedder):
    answer = app_with(german_index, embedder, load_quality_model()).answers.answer(QUESTION)
    assert answer.status == "answered" and answer.language == "en"
    german = " ".join(e.quote for e in answer.supporting)
    assert "37,00 Euro" in german
    assert answer.model_sentences_kept, f"no translated sentence passed the gate: {answer.answer}"
    assert detect_language(answer.answer, ("de", "en"), "de") == "en", answer.answer
    for sentence in answer.sentences:
        assert numbers(sentence.text) <= numbers(german), sentence.text
    assert "37" in numbers(answer.answer), answer.answer  # the fee asked about, as in the German page
