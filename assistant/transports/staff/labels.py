"""What the staff app shows for the review vocabulary: channels, reasons, states, routes, tags, statuses."""

from __future__ import annotations

from typing import get_args

from assistant.records import TICKET_TAG, Channel, Reason, ReviewState, ReviewTag, Route

ANY = "alle / all"
CHANNELS: list[str] = list(get_args(Channel))
REASONS: list[str] = list(get_args(Reason))
STATES: list[str] = list(get_args(ReviewState))
ROUTES: list[str] = list(get_args(Route))
REVIEW_TAGS: list[str] = list(get_args(ReviewTag))
FILTER_TAGS: list[str] = [*REVIEW_TAGS, TICKET_TAG]
ROUTE_LABELS = {
    "answer": "beantworten / answer",
    "other_authority": "andere Behörde / other authority",
    "political_opinion": "politische Meinung / political opinion",
    "personal_advice": "persönliche Beratung / personal advice",
    "crisis": "Krise / crisis",
    "abuse": "Beleidigung / abuse",
    "out_of_scope": "nicht zuständig / out of scope",
    "injection": "Manipulation / injection",
}
TAG_LABELS = {
    "wrong_fact": "falsche Angabe / wrong fact",
    "outdated_source": "veraltete Quelle / outdated source",
    "missing_source": "Quelle fehlt / missing source",
    "wrong_page": "falsche Seite / wrong page",
    "incomplete": "unvollständig / incomplete",
    "too_long": "zu lang / too long",
    "not_understood": "nicht verstanden / not understood",
    "should_have_referred": "hätte verweisen sollen / should have referred",
    TICKET_TAG: "Rückruf-Wunsch / ticket",
}
STATUS_LABELS = {
    "answered": "beantwortet / answered",
    "abstained": "nicht beantwortet / abstained",
    "referred": "verwiesen / referred",
    "clarify": "Rückfrage / clarify",
    "refused": "abgelehnt / refused",
}
