"""Exports: the CSV of interactions and the curated answers as evaluation cases."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from assistant.evaluation.golden import load_cases
from assistant.feedback.review.export import key_facts
from assistant.records import Evidence
from tests.feedback.review.builders import NOW, log


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
