"""The staff dashboard's figures: counts, unanswered topics, accuracy over time, evaluation runs."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.feedback.review.builders import NOW, log

TODAY = NOW.date()


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


def test_accuracy_over_time_counts_reviewed_answers_by_week_and_lists_eval_runs(review, tmp_path):
    this_monday = TODAY - timedelta(days=TODAY.weekday())
    last_week = NOW - timedelta(days=7)
    dismissed = [log(review, f"Frage {n}?", rating="down", when=last_week) for n in range(3)]
    corrected = log(review, "Was kostet ein Personalausweis?", rating="down", when=last_week)
    rerouted = log(review, "Wen soll ich wählen?", when=NOW)
    log(review, "Noch offen?", rating="down", when=NOW)  # not reviewed: not counted
    for interaction_id in dismissed:
        review.dismiss(interaction_id, staff="anna")
    review.correct(corrected, "Der Personalausweis kostet 37,00 Euro.", "personalausweis", staff="anna")
    review.correct_route(rerouted, "political_opinion", staff="anna")

    report = tmp_path / "reports" / "nightly"
    report.mkdir(parents=True)
    metrics = {"cases": 40, "behaviour_accuracy": 0.725, "key_fact_accuracy": 0.7083, "recall_at_5": 0.9167}
    run = {"set_name": "sample", "config": "full", "metrics": metrics | {"grounded_number_rate": 1.0}}
    (report / "report.json").write_text(json.dumps({"created": "2026-03-01T22:05:48Z", "runs": [run]}))
    (tmp_path / "reports" / "broken").mkdir()
    (tmp_path / "reports" / "broken" / "report.json").write_text("{not json")

    board = review.dashboard(days=14, today=TODAY)
    weeks = {week.week: (week.reviewed, week.right, week.corrected) for week in board.accuracy}
    assert weeks == {this_monday - timedelta(days=7): (4, 3, 1), this_monday: (1, 0, 1)}
    assert board.accuracy[0].right_share == pytest.approx(0.75)
    [figures] = board.eval_runs  # the broken report is skipped
    assert (figures.set_name, figures.config, figures.cases, figures.key_fact_accuracy) == (
        "sample",
        "full",
        40,
        0.7083,
    )
    assert figures.created == datetime(2026, 3, 1, 22, 5, 48, tzinfo=UTC)

    from assistant.transports.staff.dashboard import render_dashboard

    page = render_dashboard(board)
    assert "Accuracy over time" in page and "75%" in page and "71%" in page  # week share, key facts
    assert (this_monday - timedelta(days=7)).isoformat() in page and "nightly" in page
    assert date(2026, 3, 1).isoformat() in page
