def test_answer_quotes_the_document_verbatim_with_offsets(corpus_app):
    answer = corpus_app.answers.answer("Was kostet der Personalausweis für Erwachsene?")
    assert answer.status == "answered" and answer.language == "de"
    assert answer.supporting
    for evidence in answer.supporting:
        text = corpus_app.index.documents[evidence.doc_id].text
        assert text[evidence.start:evidence.end] == evidence.quote
    # a fee from a Personalausweis page is quoted (which version wins is the conflict step's job)
    assert any("personalausweis" in e.doc_id and "Euro" in e.quote for e in answer.supporting)
    assert [e.n for e in answer.supporting] == list(range(1, len(answer.supporting) + 1))


def test_english_question_gets_english_frame(corpus_app):
    answer = corpus_app.answers.answer("How much is the dog tax for one dog?")
    assert answer.language == "en"
    assert answer.status == "answered"
    assert answer.answer.startswith("This is what the city's documents say")


def test_nothing_relevant_means_abstain_and_point_to_help(corpus_app):
    answer = corpus_app.answers.answer("Wie hoch ist der Eintritt im Zoo von Sydney?")
    assert answer.status == "abstained"
    assert answer.supporting == []
    assert "115" in answer.answer
