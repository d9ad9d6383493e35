"""Staff corrections and thumbs-down answers become training pairs of the relevance model."""

from __future__ import annotations

from assistant.components.store import CuratedAnswerRow, InteractionRow, RatingRow, Store
from assistant.relevance.feedback import feedback_pairs


def test_curated_quotes_are_positives_and_rated_down_quotes_negatives(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'feedback.sqlite3'}")
    store.migrate()
    with store.session() as session:
        session.add(
            CuratedAnswerRow(
                question="Wie beantrage ich Kindergeld?",
                language="de",
                answer="Bei der Familienkasse.",
                quote="Zuständig ist die Familienkasse der Bundesagentur für Arbeit.",
            )
        )
        session.add(CuratedAnswerRow(question="Alt", language="de", answer="x", quote="Alte Antwort.", active=False))
        for key, rating in (("a" * 32, "down"), ("b" * 32, "up")):
            session.add(
                InteractionRow(
                    id=key,
                    channel="kiosk",
                    language="de",
                    question="Wie beantrage ich Elterngeld?",
                    answer="...",
                    status="answered",
                    supporting=[{"quote": "Das Kindergeld beträgt 255 Euro im Monat."}],
                )
            )
            session.add(RatingRow(id=key[::-1], interaction_id=key, rating=rating))
    pairs = feedback_pairs(store)
    assert [(p.question, p.line, p.label) for p in pairs] == [
        ("Wie beantrage ich Kindergeld?", "Zuständig ist die Familienkasse der Bundesagentur für Arbeit.", 1),
        ("Wie beantrage ich Elterngeld?", "Das Kindergeld beträgt 255 Euro im Monat.", 0),
    ]
