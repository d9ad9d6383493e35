"""A model that takes too long: generation stops at the deadline, the cited evidence answers."""

from __future__ import annotations

import logging
import threading

import pytest

from assistant.app import App
from assistant.components.llm import GenerationTimeout, LlamaCppChatModel, bundled_model_path
from assistant.messages import message

QUESTION = "Was kostet ein Personalausweis?"


@pytest.fixture(scope="module")
def slow_model() -> LlamaCppChatModel:
    """The real bundled model with a deadline far shorter than any real generation."""
    return LlamaCppChatModel.load(bundled_model_path(), n_ctx=2048, max_tokens=400, timeout_s=0.05)


def test_generation_stops_at_the_deadline_and_the_evidence_answers(corpus_app, slow_model, caplog):
    settings = corpus_app.settings.model_copy(deep=True)
    settings.llm.mode = "llamacpp"
    settings.llm.languages = ["de"]  # the model is asked to write German here: only its deadline is under test
    app = App(settings, embedder=corpus_app.embedder, index=corpus_app.index, chat_model=slow_model)

    with caplog.at_level(logging.WARNING, logger="assistant.answering.stages.compose"):
        answer = app.answers.answer(QUESTION)

    assert "timed out" in caplog.text
    assert answer.status == "answered" and answer.supporting
    assert answer.answer.startswith(message("evidence_intro", "de"))  # the evidence, not a cut-off draft
    assert "37,00 Euro" in answer.answer


def test_a_model_busy_past_the_deadline_times_out_instead_of_queueing_forever(slow_model):
    from langchain_core.messages import HumanMessage

    held = threading.Event()
    release = threading.Event()

    def hold_the_model() -> None:
        with slow_model._lock:  # another generation that does not finish
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold_the_model)
    thread.start()
    held.wait(5)
    try:
        with pytest.raises(GenerationTimeout, match="busy"):
            list(slow_model.stream([HumanMessage(content="Hallo")]))
    finally:
        release.set()
        thread.join()
