"""The staff review service over a real SQLite file, the sample corpus index and the e5 model."""

from __future__ import annotations

import copy
import csv
import io
import logging
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from assistant.components.store import InteractionRow, RatingRow, Store, read_revision
from assistant.evaluation.golden import load_cases
from assistant.feedback.review import REVIEW_REVISION, NotFoundError, ReviewError, ReviewService, key_facts
from assistant.records import Evidence

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PA_QUOTE = "Antragstellerinnen und Antragsteller ab 24 Jahren: 37,00 Euro"


@pytest.fixture
def review(tmp_path, corpus_app) -> ReviewService:
    settings = corpus_app.settings.model_copy(deep=True)
    settings.store.url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    settings.staff.curated_eval_path = tmp_path / "eval" / "curated.jsonl"
    store = Store(settings.store.url)
    store.migrate()
    return ReviewService(settings, store, corpus_app.index, corpus_app.embedder)


def log(
    review: ReviewService,
    question: str,
    status: str = "answered",
    *,
    rating: str | None = None,
    reason: str | None = None,
    comment: str = "",
    channel: str = "kiosk",
    language: str = "de",
    when: datetime = NOW,
    supporting: list[Evidence] | None = None,
) -> str:
    interaction_id = uuid.uuid4().hex
    with review.store.session() as session:
        session.add(
            InteractionRow(
                id=interaction_id,
                created_at=when,
                channel=channel,
                language=language,
                question=question,
                answer=f"Antwort auf: {question}",
                status=status,
                supporting=[ev.model_dump(mode="json") for ev in supporting or []],
                disagreeing=[],
            )
        )
    if rating:
        rate(review, interaction_id, rating, when, reason, comment=comment)
    return interaction_id


def rate(
    review: ReviewService,
    interaction_id: str,
    rating: str,
    when: datetime,
    reason: str | None = None,
    client: str = "",
    comment: str = "",
) -> None:
    with review.store.session() as session:
        session.add(
            RatingRow(
                id=uuid.uuid4().hex,
                interaction_id=interaction_id,
                created_at=when,
                rating=rating,
                reason=reason,
                comment=comment,
                client=client,
            )
        )


def test_queue_holds_thumbs_down_and_unanswered_newest_first(review):
    liked = log(review, "Was kostet ein Personalausweis?", rating="up")
    unrated = log(review, "Wann hat das Bürgerbüro offen?")
    down = log(review, "Was kostet ein Reisepass?", rating="down", reason="wrong", when=NOW - timedelta(hours=1))
    missing = log(review, "Wo melde ich mein Boot an?", status="abstained", when=NOW - timedelta(hours=2))
    changed_mind = log(review, "Wie beantrage ich Elterngeld?", rating="down", when=NOW - timedelta(hours=3))
    rate(review, changed_mind, "up", NOW)  # the latest rating counts

    ids = [item.id for item in review.queue()]
    assert ids == [down, missing]
    assert liked not in ids and unrated not in ids and changed_mind not in ids
    item = review.item(down)
    assert (item.rating, item.reason, item.review_state) == ("down", "wrong", "open")


def test_queue_filters(review):
    kiosk_de = log(review, "Was kostet ein Reisepass?", rating="down", reason="wrong", when=NOW - timedelta(days=3))
    widget_en = log(
        review,
        "How much is a passport?",
        rating="down",
        reason="outdated",
        channel="widget",
        language="en",
        when=NOW - timedelta(days=1),
    )
    abstained = log(review, "Wo melde ich mein Boot an?", status="abstained", when=NOW)

    def ids(**filters) -> set[str]:
        return {item.id for item in review.queue(**filters)}

    assert ids(channel="widget") == {widget_en}
    assert ids(language="de") == {kiosk_de, abstained}
    assert ids(reason="wrong") == {kiosk_de}
    assert ids(since=(NOW - timedelta(days=1)).date()) == {widget_en, abstained}
    assert ids(until=(NOW - timedelta(days=1)).date()) == {kiosk_de, widget_en}
    assert len(review.queue(limit=1)) == 1
    review.dismiss(abstained, staff="anna")
    assert ids() == {kiosk_de, widget_en}
    assert ids(state="dismissed") == {abstained}
    assert ids(state=None) == {kiosk_de, widget_en, abstained}


def test_csv_export_selects_what_the_queue_selects(review):
    kiosk_de = log(review, "Was kostet ein Reisepass?", rating="down", reason="wrong")
    widget_en = log(review, "How much is a passport?", rating="down", channel="widget", language="en")
    review.dismiss(widget_en, staff="anna")

    def exported(**filters) -> set[str]:
        return {row["id"] for row in csv.DictReader(io.StringIO(review.export_csv(**filters)))}

    assert exported(channel="kiosk", state="open") == {item.id for item in review.queue(channel="kiosk")} == {kiosk_de}
    assert exported() == {kiosk_de, widget_en}  # the export covers every review state unless asked
    assert {item.id for item in review.queue()} == {kiosk_de}
    with pytest.raises(ValueError):  # a misspelt filter is an error, not a filter left out
        review.queue(chanel="kiosk")


def test_correction_is_stored_resolves_the_item_and_is_exported(review):
    question = "Was kostet der Personalausweis ab 24?"
    interaction_id = log(review, question, rating="down", reason="wrong")
    curated = review.correct(
        interaction_id,
        "Ab 24 Jahren kostet der Personalausweis 37,00 Euro.",
        "personalausweis",
        quote=PA_QUOTE,
        staff="anna",
    )

    assert curated.id is not None and curated.question == question and curated.language == "de"
    assert curated.title == "Personalausweis beantragen" and curated.created_by == "anna"
    assert [c.id for c in review.curated_answers()] == [curated.id]
    item = review.item(interaction_id)
    assert item.review_state == "resolved" and item.curated_id == curated.id
    assert interaction_id not in {i.id for i in review.queue()}

    cases, _notes = load_cases([review.settings.staff.curated_eval_path])
    assert len(cases) == 1
    case = cases[0]
    assert (case.question, case.language, case.expected_status) == (question, "de", "answered")
    assert case.expected_docs == ["personalausweis"] and case.expected_evidence == [PA_QUOTE]
    assert "37,00 Euro" in case.key_facts and case.source == f"feedback:{interaction_id}"


def test_eval_export_keeps_the_newest_correction_per_question(review, tmp_path):
    first = log(review, "Was kostet ein Personalausweis?", rating="down")
    again = log(review, "was kostet ein  Personalausweis", rating="down")  # same question, other spelling
    english = log(review, "How much is an ID card?", rating="down", language="en")
    review.correct(first, "Er kostet 22,80 Euro.", "personalausweis", staff="anna")
    newest = review.correct(again, "Ab 24 Jahren kostet er 37,00 Euro.", "personalausweis", staff="ben")
    review.correct(english, "It costs 37.00 euros from the age of 24.", "personalausweis", staff="ben")

    assert review.export_eval_cases(tmp_path / "out.jsonl") == 2
    cases, _notes = load_cases([tmp_path / "out.jsonl"])
    german = next(case for case in cases if case.language == "de")
    assert german.id == f"curated-{newest.id}-de" and german.key_facts == ["24", "37,00 Euro"]
    # the older German answer is no longer used for new questions either
    assert {c.answer for c in review.curated_answers()} == {
        "Ab 24 Jahren kostet er 37,00 Euro.",
        "It costs 37.00 euros from the age of 24.",
    }
    assert not list(tmp_path.glob(".out.jsonl.*"))  # no temp file left behind


def test_correction_refuses_unknown_documents_and_quotes_not_in_the_document(review):
    interaction_id = log(review, "Was kostet ein Reisepass?", rating="down")
    with pytest.raises(ReviewError, match="not in the index"):
        review.correct(interaction_id, "70,00 Euro", "reisepass-gibt-es-nicht")
    with pytest.raises(ReviewError, match="does not occur"):
        review.correct(interaction_id, "70,00 Euro", "personalausweis", quote="Der Ausweis kostet 99,00 Euro")
    with pytest.raises(ReviewError, match="empty"):
        review.correct(interaction_id, "  ", "personalausweis")
    with pytest.raises(NotFoundError):
        review.correct("0" * 32, "37,00 Euro", "personalausweis")
    assert review.curated_answers() == [] and review.item(interaction_id).review_state == "open"


def test_quote_may_differ_in_line_breaks_and_bullet_but_is_stored_verbatim(review):
    interaction_id = log(review, "Was kostet ein Ausweis?", rating="down")
    curated = review.correct(
        interaction_id,
        "37,00 Euro",
        "personalausweis",
        quote="- Antragstellerinnen und Antragsteller\n ab 24 Jahren:  37,00 Euro",
    )
    assert curated.quote == PA_QUOTE


def test_flag_and_unflag_documents(review):
    flagged = review.flag_document("personalausweis-gebuehren-2021", "outdated", note="Gebühren von 2021", staff="anna")
    assert flagged.title and flagged.problem == "outdated"
    assert review.flagged_doc_ids() == {"personalausweis-gebuehren-2021"}
    review.flag_document("personalausweis-gebuehren-2021", "wrong", staff="ben")  # flagging again updates
    assert [(f.doc_id, f.problem, f.flagged_by) for f in review.flagged()] == [
        ("personalausweis-gebuehren-2021", "wrong", "ben")
    ]
    with pytest.raises(ReviewError):
        review.flag_document("gibt-es-nicht", "wrong")
    assert review.unflag("personalausweis-gebuehren-2021") is True
    assert review.unflag("personalausweis-gebuehren-2021") is False
    assert review.flagged() == [] and review.flagged_doc_ids() == set()


def test_cached_lists_are_reread_after_cache_time(review):
    review.settings.store.cache_s = 3600
    assert review.flagged_doc_ids() == set()
    other_instance = ReviewService(review.settings, review.store, review.index, review.embedder)
    other_instance.flag_document("hundesteuer", "outdated")
    assert review.flagged_doc_ids() == set()  # still cached here
    review.settings.store.cache_s = 0
    assert review.flagged_doc_ids() == {"hundesteuer"}


def revision(review: ReviewService) -> int:
    with review.store.session() as session:
        return read_revision(session, REVIEW_REVISION)


def test_every_change_to_curated_answers_or_flags_raises_the_revision_once(review):
    assert revision(review) == 0  # the migration starts it
    first = log(review, "Was kostet der Personalausweis ab 24?", rating="down")
    review.correct(first, "37,00 Euro.", "personalausweis", quote=PA_QUOTE)
    assert revision(review) == 1
    again = log(review, "Was kostet der Personalausweis ab 24?", rating="down")
    review.correct(again, "Ab 24 Jahren: 37,00 Euro.", "personalausweis")  # also retires the first
    assert revision(review) == 2
    review.flag_document("hundesteuer", "outdated")
    review.flag_document("hundesteuer", "wrong")  # flagging again changes the row
    assert revision(review) == 4
    assert review.unflag("hundesteuer") is True and revision(review) == 5
    assert review.unflag("hundesteuer") is False and revision(review) == 5  # nothing changed
    review.dismiss(log(review, "Wer bin ich?", rating="down"), staff="anna")
    with pytest.raises(ReviewError):
        review.flag_document("gibt-es-nicht", "wrong")
    assert revision(review) == 5


def test_lists_stay_in_memory_and_are_read_again_only_after_a_change(review):
    """Between changes a check is one SELECT of the revision; the lists are read once per change."""
    review.settings.store.cache_s = 0  # check on every call
    other_instance = ReviewService(review.settings, Store(review.settings.store.url), review.index, review.embedder)
    statements: list[str] = []
    event.listen(review.store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    curated = review.curated_answers()
    for _ in range(5):
        assert review.curated_answers() is curated and review.flagged_doc_ids() == frozenset()
    reads = [s for s in statements if "curated_answers" in s or "flagged_documents" in s]
    assert len(reads) == 2 and sum("revisions" in s for s in statements) == 11

    other_instance.flag_document("hundesteuer", "outdated")
    assert review.flagged_doc_ids() == {"hundesteuer"} and review.curated_answers() is not curated
    assert len([s for s in statements if "curated_answers" in s or "flagged_documents" in s]) == 4
    other_instance.store.engine.dispose()


def test_a_store_that_goes_down_keeps_the_last_known_lists_and_warns_once(review, caplog):
    review.settings.store.cache_s = 0  # would read the database for every question
    review.flag_document("hundesteuer", "outdated")
    interaction_id = log(review, "Was kostet der Personalausweis ab 24?", rating="down")
    curated = review.correct(interaction_id, "37,00 Euro.", "personalausweis", quote=PA_QUOTE)
    assert review.curated_answers() == [curated]

    database = Path(review.store.url.removeprefix("sqlite:///"))
    review.store.engine.dispose()
    database.rename(database.with_name("moved-away"))
    database.mkdir()  # the database cannot be opened at all (as when its disk or server is gone)
    with caplog.at_level(logging.WARNING, logger="assistant.feedback.review"):
        for _ in range(3):
            assert review.curated_answers() == [curated] and review.flagged_doc_ids() == {"hundesteuer"}
    assert len(caplog.records) == 1 and "could not be read" in caplog.records[0].getMessage()

    database.rmdir()
    database.with_name("moved-away").rename(database)
    assert review.unflag("hundesteuer") is True  # back: a change is seen again
    assert review.flagged_doc_ids() == frozenset()


def test_dashboard_counts_and_groups_unanswered_topics(review):
    today = NOW.date()
    boat = ["Wo kann ich mein Boot anmelden?", "Bootsanmeldung wo?", "Wo melde ich ein Motorboot an?"]
    fishing = ["Wo bekomme ich einen Angelschein?", "Wie bekomme ich einen Fischereischein?"]
    for n, question in enumerate(boat):
        log(review, question, status="abstained", when=NOW - timedelta(days=n))
    log(review, boat[0], status="abstained", when=NOW)  # asked twice
    grilling = ["Kann ich im Stadtpark grillen?", "Ist Grillen im Park erlaubt?"]
    for question in fishing:
        log(review, question, status="abstained", language="de", channel="widget")
    for question in grilling:
        log(review, question, status="abstained", when=NOW - timedelta(days=45))  # outside the window
    log(review, "How much is a passport?", language="en", channel="widget", rating="down")
    log(review, "Was kostet ein Reisepass?", rating="up")
    log(review, "Welche Partei soll ich wählen?", status="refused")
    log(review, "Ganz alt", when=NOW - timedelta(days=40))  # outside the window

    board = review.dashboard(days=30, today=today)
    assert {frozenset(g.questions) for g in review.dashboard(days=60, today=today).unanswered_topics} == {
        frozenset(boat),
        frozenset(fishing),
        frozenset(grilling),
    }
    assert board.questions == 9 and board.status_counts["abstained"] == 6
    assert board.status_rates["refused"] == pytest.approx(1 / 9)
    assert (board.rated, board.down, board.down_rate) == (2, 1, 0.5)
    assert board.per_language == {"de": 8, "en": 1} and board.per_channel == {"kiosk": 6, "widget": 3}
    assert len(board.per_day) == 30 and board.per_day[-1].day == today and board.per_day[-1].questions == 7
    assert board.open_items == 9  # the whole queue, older items included

    groups = {frozenset(group.questions): group for group in board.unanswered_topics}
    assert set(groups) == {frozenset(boat), frozenset(fishing)}, [g.questions for g in groups.values()]
    assert board.unanswered_topics[0].count == 4 and board.unanswered_topics[0].representative in boat


def test_csv_has_one_row_per_interaction_with_rating_and_sources(review):
    evidence = Evidence(n=1, doc_id="reisepass", title="Reisepass", quote="70,00 Euro", start=0, end=10, score=0.9)
    down = log(review, '=HYPERLINK("http://x")', rating="down", reason="wrong", comment="falsch", supporting=[evidence])
    log(review, "Was kostet ein Reisepass?", rating="up", when=NOW - timedelta(hours=1))
    log(review, "Wo ist das Bürgerbüro?", when=NOW - timedelta(hours=2))

    rows = list(csv.DictReader(io.StringIO(review.export_csv())))
    assert len(rows) == 3
    first = rows[0]
    assert (first["id"], first["rating"], first["reason"], first["comment"]) == (down, "down", "wrong", "falsch")
    assert first["supporting_doc_ids"] == "reisepass" and first["question"].startswith("'=")  # no formula
    assert len(list(csv.DictReader(io.StringIO(review.export_csv(queue_only=True))))) == 1


def test_key_facts_keep_the_written_amount():
    assert key_facts("Er kostet 37,00 Euro [1] und ist ab 8:00 Uhr abholbereit.") == ["37,00 Euro", "8:00"]


def test_a_curated_answer_whose_source_page_changed_goes_back_to_the_queue(review):
    question = "Was kostet der Personalausweis ab 24?"
    interaction_id = log(review, question, rating="down", reason="wrong")
    answer = "Ab 24 Jahren kostet der Personalausweis 37,00 Euro."
    curated = review.correct(interaction_id, answer, "personalausweis", quote=PA_QUOTE, staff="anna")
    assert review.recheck_sources() == []  # the page is unchanged: the answer stays

    # the next index version holds an edited page (another content hash)
    new_index = copy.copy(review.index)
    page = new_index.documents["personalausweis"]
    edited = page.model_copy(update={"text": page.text.replace("37,00", "46,00"), "content_hash": "edited"})
    new_index.documents = {**new_index.documents, "personalausweis": edited}
    review.index = new_index

    assert review.recheck_sources() == [curated.id]
    assert review.curated_answers() == []  # no longer given to citizens
    item = review.item(interaction_id)
    assert item.review_state == "open" and interaction_id in {i.id for i in review.queue()}
    assert review.recheck_sources() == []  # retired once


def cited(doc_id: str) -> list[Evidence]:
    return [Evidence(n=1, doc_id=doc_id, title=doc_id, quote="x", start=0, end=1, score=0.9)]


def rate_as(review: ReviewService, interaction_id: str, client: str, rating="down", reason="outdated") -> None:
    rate(review, interaction_id, rating, NOW, reason=reason, client=client)


def test_twenty_ratings_from_one_client_change_nothing(review):
    for n in range(20):
        rate_as(review, log(review, f"Hundesteuer Frage {n}", supporting=cited("hundesteuer")), client="abuser")
    prior = {p.doc_id: p for p in review.document_priors()}["hundesteuer"]
    assert prior.down_clients == 1 and prior.weight == 1.0
    assert review.rating_weights() == {}
    assert review.dashboard(today=NOW.date()).rated_pages == []


def test_a_page_rated_outdated_by_several_clients_ranks_lower_and_is_listed(review):
    for client in ("a", "b", "c", "d"):
        rate_as(review, log(review, "Wie hoch ist die Hundesteuer?", supporting=cited("hundesteuer")), client)
    helpful = log(review, "Hundesteuer für zwei Hunde?", supporting=cited("hundesteuer"))
    rate_as(review, helpful, "e", rating="up", reason=None)
    rate_as(review, log(review, "Wo ist das Fundbüro?", supporting=cited("fundbuero")), "a", reason="wrong")

    priors = {p.doc_id: p for p in review.document_priors()}
    dog_tax = priors["hundesteuer"]
    assert (dog_tax.down_clients, dog_tax.up_clients, dog_tax.outdated_clients) == (4, 1, 4)
    assert dog_tax.weight == 0.7  # 3 net clients x 0.1
    assert priors["fundbuero"].weight == 1.0  # one client
    assert review.rating_weights() == {"hundesteuer": 0.7}
    assert [p.doc_id for p in review.dashboard(today=NOW.date()).rated_pages] == ["hundesteuer"]


def test_a_thumbs_down_for_a_wrong_answer_lowers_the_page_for_every_question_only_when_switched_so(review):
    for client in ("a", "b", "c"):
        rate_as(review, log(review, "Wo ist das Fundbüro?", supporting=cited("fundbuero")), client, reason="wrong")
    assert review.rating_weights() == {}  # wrong for that question: the question prior weighs it
    assert [(p.doc_id, p.down_clients) for p in review.document_priors()] == [("fundbuero", 3)]
    page_wide = review.settings.model_copy(deep=True)
    page_wide.staff.rating_prior_similarity = None  # every thumbs-down lowers the page for every question
    assert ReviewService(page_wide, review.store, review.index, review.embedder).rating_weights() == {"fundbuero": 0.7}


def test_a_low_quality_answer_is_in_the_queue_without_a_rating(review):
    low, high = log(review, "Wie beantrage ich einen Angelschein?"), log(review, "Wo ist das Fundbüro?")
    with review.store.session() as session:
        session.get(InteractionRow, low).quality = 0.1
        session.get(InteractionRow, high).quality = 0.9
    queued = {item.id: item for item in review.queue()}
    assert low in queued and high not in queued
    assert queued[low].quality == 0.1 and queued[low].rating is None
