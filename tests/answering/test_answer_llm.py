"""The answer path with the real bundled model composing (SmolLM2-135M, weak by design)."""

from assistant.answering.events import Final, Token
from assistant.answering.facts.values import extract_facts


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
