"""Documents staff flag as outdated or wrong."""

from __future__ import annotations

import pytest

from assistant.feedback.review.errors import ReviewError


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
