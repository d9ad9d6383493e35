"""What staff review changes in the answer path: curated answers, flagged documents, contacts."""

import pytest

from assistant.answering.curated import CuratedMatcher
from assistant.answering.pipeline import AnswerPipeline
from assistant.records import CuratedAnswer

FAMILIENKASSE = "Anträge auf Kindergeld bearbeitet die Familienkasse der Bundesagentur für Arbeit."
CURATED = CuratedAnswer(
    id=7,
    question="Wie beantrage ich Kindergeld?",
    language="de",
    answer="Kindergeld beantragen Sie bei der Familienkasse, nicht bei der Stadt.",
    doc_id="kindergeld",
    quote=FAMILIENKASSE,
    created_by="anna",
)


def service(app, curated=(), flagged=frozenset(), source=None) -> AnswerPipeline:
    store = app.settings.store
    matcher = CuratedMatcher(
        source or (lambda: list(curated)),
        app.embedder,
        store.curated_min_similarity,
        store.curated_min_similarity_with_page,
        store.curated_page_rank,
    )
    return AnswerPipeline(app.settings, app.index, app.embedder, None, curated=matcher, flagged=lambda: set(flagged))


def test_a_paraphrase_gets_the_staff_verified_answer_with_its_source(corpus_app):
    answer = service(corpus_app, [CURATED]).answer("Wo kann ich Kindergeld beantragen?")
    assert answer.verified_by_staff and answer.curated_id == 7 and answer.status == "answered"
    assert answer.answer == CURATED.answer
    cited = answer.supporting[0]
    assert cited.doc_id == "kindergeld" and cited.quote == FAMILIENKASSE
    assert corpus_app.index.documents["kindergeld"].text[cited.start : cited.end] == FAMILIENKASSE


def test_a_paraphrase_whose_search_agrees_with_the_curated_questions_gets_the_verified_answer(corpus_app):
    # the paraphrase's search ranks the contact page third (behind the 115 page and the appointments);
    # the curated question's search finds the same pages first: the searches agree
    switchboard = CuratedAnswer(
        id=11,
        question="Wie lautet die Telefonnummer der Stadtverwaltung (Zentrale)?",
        language="de",
        answer="Die Zentrale der Stadtverwaltung erreichen Sie unter 0761 555-0.",
        doc_id="impressum-kontakt",
        quote="Zentrale der Stadtverwaltung: 0761 555-0",
    )
    question = "Unter welcher Nummer erreiche ich die Telefonzentrale der Stadtverwaltung?"
    store = corpus_app.settings.store

    def answer(agreement_rank):
        matcher = CuratedMatcher.from_settings(
            lambda: [switchboard],
            corpus_app.embedder,
            store.model_copy(update={"curated_agreement_rank": agreement_rank}),
        )
        pipeline = AnswerPipeline(
            corpus_app.settings, corpus_app.index, corpus_app.embedder, None, curated=matcher, flagged=set
        )
        return pipeline.answer(question)

    verified = answer(store.curated_agreement_rank)
    assert verified.verified_by_staff and verified.answer == switchboard.answer
    assert verified.supporting[0].doc_id == "impressum-kontakt" and "0761 555-0" in verified.supporting[0].quote
    assert not answer(None).verified_by_staff  # the contact page is not among the first two found


@pytest.mark.parametrize(
    "question",
    [
        "Wie beantrage ich Elterngeld?",  # closer to the curated question in e5 than some paraphrases
        "How do I apply for parental allowance?",  # another language, a neighbouring benefit
        "Was kostet ein Personalausweis?",
    ],
)
def test_other_questions_are_answered_from_the_documents(corpus_app, question):
    answer = service(corpus_app, [CURATED]).answer(question)
    assert not answer.verified_by_staff and answer.answer != CURATED.answer


def test_the_same_question_in_english_gets_the_german_verified_answer_with_a_note(corpus_app):
    # the search finds the English child-benefit page first and the German page staff corrected
    # from as the first German one
    answer = service(corpus_app, [CURATED]).answer("How do I apply for child benefit?")
    assert answer.verified_by_staff and answer.curated_id == 7
    assert answer.answer.startswith("City staff checked this answer in another language:")
    assert answer.answer.endswith(CURATED.answer)
    assert answer.supporting[0].doc_id == "kindergeld"


def test_a_short_follow_up_does_not_get_the_curated_answer_to_the_question_before(corpus_app):
    adult = CuratedAnswer(
        id=8, question="Was kostet ein Reisepass für Erwachsene?", language="de", answer="70 Euro.", doc_id="reisepass"
    )
    pipeline = service(corpus_app, [adult])
    assert pipeline.answer(adult.question).curated_id == 8  # the question itself: verified
    history = [{"role": "user", "content": adult.question}, {"role": "assistant", "content": adult.answer}]
    # searched as "Was kostet ein Reisepass für Erwachsene? Und für Kinder?", which e5 puts at 0.98 to the
    # curated question: the children's fee must not be answered with the adults'
    follow_up = pipeline.answer("Und für Kinder?", history)
    assert not follow_up.verified_by_staff and follow_up.answer != adult.answer


def test_a_store_that_is_down_does_not_stop_answering(corpus_app):
    def unavailable():
        raise ConnectionError("database is down")

    answer = service(corpus_app, source=unavailable).answer("Wo kann ich Kindergeld beantragen?")
    assert answer.status == "referred" and not answer.verified_by_staff


def test_a_flagged_document_no_longer_supports_answers(corpus_app):
    question = "Wie hoch ist die Hundesteuer für den ersten Hund?"
    before = service(corpus_app).answer(question)
    assert before.supporting[0].doc_id == "hundesteuer"
    after = service(corpus_app, flagged={"hundesteuer"}).answer(question)
    assert "hundesteuer" not in {e.doc_id for e in after.supporting}


def test_talk_to_a_person_names_the_responsible_office_from_the_corpus(corpus_app):
    answer = corpus_app.answers.answer("Wie hoch ist die Hundesteuer für den ersten Hund?")
    assert answer.contact.phone == "0761 555-3200" and "Zimmer 2.08" in answer.contact.office
    assert answer.contact.doc_id == "hundesteuer"


def test_unanswered_questions_point_to_the_citizens_office_with_its_hours(corpus_app):
    answer = corpus_app.answers.answer("Wie beantrage ich einen Angelschein für den Mond?")
    assert answer.status == "abstained"
    assert answer.contact.phone == "0761 555-1000"
    assert "Samstag: 9:00 bis 12:00 Uhr" in answer.contact.hours


def test_with_the_defaults_a_translation_further_apart_gets_the_verified_answer_and_a_neighbour_does_not(
    corpus_app, second_encoder
):
    library = CuratedAnswer(
        id=13,
        question="Wann hat die Stadtbibliothek geöffnet?",
        language="de",
        answer="Die Stadtbibliothek hat Dienstag bis Freitag von 10 bis 19 Uhr geöffnet.",
        doc_id="stadtbibliothek",
        quote="Dienstag bis Freitag: 10:00 bis 19:00 Uhr",
    )
    matcher = CuratedMatcher.from_settings(
        lambda: [library, CURATED], corpus_app.embedder, corpus_app.settings.store, second_encoder.similarity
    )
    pipeline = AnswerPipeline(
        corpus_app.settings, corpus_app.index, corpus_app.embedder, None, curated=matcher, flagged=set
    )
    # e5 puts the translation at 0.88 (below 0.89); the second encoder finds it 0.79 alike
    answer = pipeline.answer("What are the opening hours of the city library?")
    assert answer.verified_by_staff and answer.curated_id == 13
    assert answer.answer.startswith("City staff checked this answer in another language:")
    neighbour = pipeline.answer("How do I apply for parental allowance?")  # e5 0.88 to Kindergeld, USE 0.72
    assert not neighbour.verified_by_staff and CURATED.answer not in neighbour.answer
