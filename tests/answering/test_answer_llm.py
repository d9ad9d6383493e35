"""The answer path with the real bundled model composing (SmolLM2-135M, weak by design)."""

from assistant.answering.events import Final, Token
from assistant.answering.facts.values import extract_facts
from assistant.app import App
from assistant.messages import message


def test_streamed_answer_is_grounded_and_timed(llm_app):
    events = list(llm_app.answers.stream("Where is the lost and found office?"))
    tokens = [event.text for event in events if isinstance(event, Token)]
    assert isinstance(events[-1], Final) and tokens  # the model streamed before the final record
    answer = events[-1].answer
    assert answer.status == "answered" and answer.language == "en"
    assert answer.model.startswith("SmolLM2") and answer.prompt_tokens > 0
    assert "first_token" in answer.timings_ms
    cited = " ".join(e.quote for e in answer.supporting)
    allowed = {f.value for f in extract_facts(cited)}
    for sentence in answer.sentences:  # whatever the model wrote, only grounded facts survive
        assert sentence.citations
        assert {f.value for f in extract_facts(sentence.text)} <= allowed


def test_weak_model_output_never_loses_the_evidence(llm_app):
    answer = llm_app.answers.answer("Was kostet ein Personalausweis?")
    assert answer.status == "answered"
    assert "37,00 Euro" in answer.answer or any("37,00 Euro" in e.quote for e in answer.supporting)
    assert "28,80" not in answer.answer


def test_the_default_model_writes_no_german(llm_app):
    # SmolLM2 writes English only: a German question gets the quoted evidence with the German frame
    events = list(llm_app.answers.stream("Wo ist das Fundbüro?"))
    assert not [event for event in events if isinstance(event, Token)]  # the model wrote nothing
    answer = events[-1].answer
    assert answer.status == "answered" and answer.language == "de" and answer.prompt_tokens == 0
    assert answer.answer.startswith(message("evidence_intro", "de"))
    assert answer.sentences and all(s.citations for s in answer.sentences)


def test_a_profile_declared_for_german_lets_the_model_write_it(llm_app):
    settings = llm_app.settings.model_copy(deep=True)
    settings.llm.languages = ["de", "en"]
    app = App(settings, embedder=llm_app.embedder, index=llm_app.index, chat_model=llm_app.answers.resources.chat_model)
    events = list(app.answers.stream("Wo ist das Fundbüro?"))
    assert [event for event in events if isinstance(event, Token)]  # now the model composes
    assert events[-1].answer.prompt_tokens > 0
