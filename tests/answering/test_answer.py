"""The answer path on the real sample corpus: one test per status, and the planted conflicts."""

from datetime import date


def test_answer_quotes_the_document_verbatim_with_offsets(corpus_app):
    answer = corpus_app.answers.answer("Was kostet der Personalausweis für Erwachsene?")
    assert answer.status == "answered" and answer.language == "de"
    for evidence in answer.supporting:
        text = corpus_app.index.documents[evidence.doc_id].text
        assert text[evidence.start : evidence.end] == evidence.quote
    assert [e.n for e in answer.supporting] == list(range(1, len(answer.supporting) + 1))
    assert all(s.citations for s in answer.sentences)


def test_planted_fee_conflict_follows_the_current_page_and_shows_the_old_one(corpus_app):
    answer = corpus_app.answers.answer("Was kostet ein Personalausweis?")
    assert "37,00 Euro" in answer.answer and "28,80" not in answer.answer
    old = [d for d in answer.disagreeing if d.doc_id == "personalausweis-gebuehren-2021"]
    assert old and old[0].updated == date(2021, 5, 1)
    cited = {e.n: e for e in answer.supporting}[old[0].conflicts_with]
    assert cited.doc_id == "personalausweis" and cited.updated == date(2025, 3, 1)


def test_planted_notice_conflict_saturday_closure(corpus_app):
    answer = corpus_app.answers.answer("Hat das Bürgerbüro samstags geöffnet?")
    assert answer.status == "answered"
    assert answer.supporting[0].doc_id == "hinweis-buergerbuero-samstag"
    assert any(d.doc_id == "buergerbuero-oeffnungszeiten" and d.updated == date(2025, 2, 3) for d in answer.disagreeing)


def test_planted_dog_tax_conflicts_across_versions_and_languages(corpus_app):
    german = corpus_app.answers.answer("Wie hoch ist die Hundesteuer für den ersten Hund?")
    assert "120,00 Euro" in german.answer
    assert any(d.doc_id == "hundesteuer-satzung-2019" for d in german.disagreeing)
    english = corpus_app.answers.answer("How much is the dog tax for the first dog?")
    assert english.language == "en"
    assert any(d.doc_id == "en/dog-tax" and "96.00" in d.reason for d in english.disagreeing)


def test_abstains_with_a_pointer_to_help_when_the_documents_do_not_answer(corpus_app):
    for question in ("Wie hoch ist der Eintritt im Zoo von Sydney?", "Was kostet ein Fischereischein?"):
        answer = corpus_app.answers.answer(question)
        assert answer.status == "abstained", question
        assert answer.supporting == [] and "115" in answer.answer


def test_refers_to_the_responsible_authority(corpus_app):
    answer = corpus_app.answers.answer("Wo beantrage ich Kindergeld?")
    assert answer.status == "referred"
    assert "Familienkasse" in answer.answer
    assert answer.supporting[0].doc_id == "kindergeld"


def test_asks_back_when_the_question_fits_two_topics(corpus_app):
    answer = corpus_app.answers.answer("Verkehr auf der B 37")
    assert answer.status == "clarify"
    assert "Vollsperrung" in answer.answer and "Verkehrszählung" in answer.answer
    assert answer.supporting == []


def test_refuses_voting_advice_but_answers_election_facts(corpus_app):
    refused = corpus_app.answers.answer("Welche Partei soll ich bei der Kommunalwahl wählen?")
    assert refused.status == "refused" and "neutral" in refused.answer
    factual = corpus_app.answers.answer("Wie beantrage ich Briefwahl?")
    assert factual.status == "answered" and factual.supporting[0].doc_id in {"briefwahl", "wahlen"}


def test_follow_up_question_uses_the_conversation(corpus_app):
    history = [
        {"role": "user", "content": "Was kostet ein Reisepass?"},
        {"role": "assistant", "content": "Ein Reisepass kostet 70,00 Euro."},
    ]
    answer = corpus_app.answers.answer("Und für Kinder?", history=history)
    assert answer.status == "answered"
    assert {e.doc_id for e in answer.supporting} & {"reisepass", "kinderreisepass"}


def test_planted_notice_conflict_bulky_waste_fee(corpus_app):
    answer = corpus_app.answers.answer("Was kostet die Sperrmüllabholung?")
    assert answer.status == "answered" and "25,00 Euro" in answer.answer
    assert answer.supporting[0].doc_id == "hinweis-sperrmuell-gebuehr-2026"
    old = [d for d in answer.disagreeing if d.doc_id == "sperrmuell"]
    assert old and old[0].updated == date(2025, 2, 14) and "kostenlos" in old[0].quote


def test_one_dog_is_answered_from_the_first_dog_row_and_the_old_statute_disagrees_in_german(corpus_app):
    # the kiosk once said 180,00 Euro here, quoting "jeder weitere Hund"
    answer = corpus_app.answers.answer("Was kostet die Hundesteuer für einen Hund?")
    assert answer.status == "answered"
    assert "120,00 Euro" in answer.answer and "180,00" not in answer.answer
    statute = [d for d in answer.disagreeing if d.doc_id == "hundesteuer-satzung-2019"]
    assert len(statute) == 1  # one entry for the page, not one per row
    assert "28.11.2019" in statute[0].reason and "heute gilt 120,00 Euro" in statute[0].reason
    assert {s.doc_id for s in answer.sources} == {"hundesteuer"}


def test_an_english_question_gets_the_german_fee_row_in_english_and_the_german_line_as_its_source(corpus_app):
    answer = corpus_app.answers.answer("How much is the dog tax for one dog?")
    assert answer.status == "answered"
    assert "first dog: EUR 120.00 per year" in answer.answer and "180" not in answer.answer
    assert "German original" in answer.answer
    assert any(e.quote == "- erster Hund: 120,00 Euro im Jahr" for e in answer.supporting)
