"""The curated answers and flagged documents the answer service reads, kept in memory by revision."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import event

from assistant.components.store import Store, read_revision
from assistant.feedback.review.cache import REVIEW_REVISION
from assistant.feedback.review.errors import ReviewError
from assistant.feedback.review.service import ReviewService
from tests.feedback.review.builders import PA_QUOTE, log


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
