"""The review queue page: filters, the queue table, one item, and the actions on it."""

from __future__ import annotations

import html
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

import gradio as gr

from assistant.app import App
from assistant.records import Interaction
from assistant.transports.staff.actions import act, message
from assistant.transports.staff.labels import (
    ANY,
    CHANNELS,
    FILTER_TAGS,
    REASONS,
    REVIEW_TAGS,
    ROUTE_LABELS,
    ROUTES,
    STATES,
    STATUS_LABELS,
    TAG_LABELS,
)

QUEUE_HEADERS = [
    "Zeit / Time",
    "Kanal / Channel",
    "Sprache / Language",
    "Status",
    "Bewertung / Rating",
    "Grund / Reason",
    "Frage / Question",
    "ID",
]


def queue_filters(
    channel: str = "",
    language: str = "",
    reason: str = "",
    since: str | date | None = "",
    until: str | date | None = "",
    state: str = "",
    route: str = "",
    tag: str = "",
) -> dict[str, Any]:
    """ReviewService filter arguments from form values ("" and "alle / all" mean any)."""

    def value(text: str | None, allowed: list[str] | None = None) -> str | None:
        text = (text or "").strip()
        if not text or text == ANY:
            return None
        if allowed is not None and text not in allowed:
            raise ValueError(f"unknown value {text!r} (one of {', '.join(allowed)})")
        return text

    return {
        "channel": value(channel, CHANNELS),
        "language": value(language),
        "reason": value(reason, REASONS),
        "since": _day(since),
        "until": _day(until),
        "state": value(state, STATES),
        "route": value(route, ROUTES),
        "tag": value(tag, FILTER_TAGS),
    }


def _day(value: str | date | datetime | float | None) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value).date()
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValueError(f"not a date: {value!r} (write YYYY-MM-DD / JJJJ-MM-TT)") from None


def queue_rows(items: list[Interaction]) -> list[list[str]]:
    """The queue table: one row per item, the id last (selecting a row opens it)."""
    return [
        [
            item.created_at.strftime("%Y-%m-%d %H:%M"),
            item.channel,
            item.language,
            item.status,
            {"down": "👎 down", "up": "👍 up"}.get(item.rating or "", ""),
            item.reason or "",
            _shorten(item.question, 120),
            item.id,
        ]
        for item in items
    ]


def item_choices(items: list[Interaction]) -> list[tuple[str, str]]:
    return [(f"{item.created_at:%Y-%m-%d %H:%M} · {_shorten(item.question, 70)}", item.id) for item in items]


def render_item(item: Interaction) -> str:
    """HTML of one queue item: question, answer, status, rating, supporting and disagreeing sources.

    Everything citizens, documents or the model wrote is escaped (a question cannot inject markup).
    """
    esc = html.escape
    rating = {"down": "👎 negativ / thumbs down", "up": "👍 positiv / thumbs up"}.get(item.rating or "", "keine / none")
    parts = [
        f'<article class="staff-item" data-interaction-id="{esc(item.id)}">',
        f"<h3>Frage / Question ({esc(item.language)}, {esc(item.channel)}, {item.created_at:%Y-%m-%d %H:%M} UTC)</h3>",
        f"<blockquote>{esc(item.question)}</blockquote>",
        f"<p><strong>Status:</strong> {esc(STATUS_LABELS.get(item.status, item.status))} · "
        f"<strong>Bewertung / Rating:</strong> {rating}"
        + (f" · <strong>Grund / Reason:</strong> {esc(item.reason)}" if item.reason else "")
        + f" · <strong>Bearbeitung / Review:</strong> {esc(item.review_state)}</p>",
    ]
    route = f'<span class="staff-route">{esc(ROUTE_LABELS.get(item.route, item.route))}</span>'
    if item.corrected_route:
        corrected = esc(ROUTE_LABELS.get(item.corrected_route, item.corrected_route))
        route += f' → <span class="staff-corrected-route">korrigiert / corrected: {corrected}</span>'
    parts.append(f"<p><strong>Route:</strong> {route}</p>")
    if item.tags:
        tags = ", ".join(esc(TAG_LABELS.get(tag, tag)) for tag in item.tags)
        parts.append(f'<p class="staff-tags"><strong>Stichworte / Tags:</strong> {tags}</p>')
    if item.ticket is not None:
        parts.append(
            '<section class="staff-ticket"><h4>Rückruf-Wunsch / Ticket '
            f"({item.ticket.created_at:%Y-%m-%d %H:%M} UTC)</h4>"
            f"<p><strong>Kontakt / Contact:</strong> {esc(item.ticket.contact) or '–'}</p>"
            + (
                f"<p><strong>Nachricht / Message:</strong> {esc(item.ticket.message)}</p>"
                if item.ticket.message
                else ""
            )
            + "</section>"
        )
    if item.comment:
        parts.append(f"<p><strong>Kommentar / Comment:</strong> {esc(item.comment)}</p>")
    parts.append(f"<h4>Antwort / Answer</h4><p>{esc(item.answer).replace(chr(10), '<br>')}</p>")
    if item.supporting:
        parts.append("<h4>Quellen / Supporting sources</h4><ol>")
        parts += [
            f'<li value="{ev.n}">{source_line(ev.title, ev.doc_id, ev.url, ev.updated)}'
            f"<blockquote>{esc(ev.quote)}</blockquote></li>"
            for ev in item.supporting
        ]
        parts.append("</ol>")
    if item.disagreeing:
        parts.append("<h4>Abweichende Quellen / Disagreeing sources</h4><ul>")
        parts += [
            f"<li>{source_line(d.title, d.doc_id, d.url, d.updated)} (zu / against [{d.conflicts_with}]: "
            f"{esc(d.reason)})<blockquote>{esc(d.quote)}</blockquote></li>"
            for d in item.disagreeing
        ]
        parts.append("</ul>")
    if item.curated_id is not None:
        parts.append(f"<p>Korrigiert / corrected: curated answer {item.curated_id}</p>")
    parts.append("</article>")
    return "\n".join(parts)


def source_line(title: str, doc_id: str, url: str, updated: date | None) -> str:
    esc = html.escape
    name = (
        f'<a href="{esc(url)}" target="_blank" rel="noopener">{esc(title)}</a>'
        if url.startswith("https://")
        else esc(title)
    )
    return f"{name} <code>{esc(doc_id)}</code> (Stand {updated.isoformat() if updated else 'ohne Datum'})"


def source_doc_choices(item: Interaction) -> list[str]:
    """The item's documents, supporting first, each once."""
    return list(dict.fromkeys([ev.doc_id for ev in item.supporting] + [d.doc_id for d in item.disagreeing]))


def csv_link(path: str, filters: dict[str, Any], queue_only: bool = False) -> str:
    query = {key: (value.isoformat() if isinstance(value, date) else value) for key, value in filters.items() if value}
    if queue_only:
        query["queue"] = "true"
    href = f"{path}/export.csv" + (f"?{urlencode(query)}" if query else "")
    return f'<a id="staff-csv" href="{html.escape(href)}" download>CSV herunterladen / Download CSV</a>'


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def frame(rows: list[list[str]]):
    import pandas as pd

    return pd.DataFrame(rows, columns=QUEUE_HEADERS)


class QueuePage:
    """The queue tab's callbacks: fetch from ``app.review`` and render with the functions above."""

    def __init__(self, app: App, path: str) -> None:
        self.app = app
        self.path = path

    def refresh(self, channel, language, reason, since, until, state, route, tag):
        try:
            filters = queue_filters(channel, language, reason, since, until, state, route, tag)
        except ValueError as exc:
            return gr.skip(), gr.skip(), message(str(exc), error=True), gr.skip()
        items = self.app.review.queue(**filters)
        table = frame(queue_rows(items))
        note = f"{len(items)} Einträge / items"
        return table, gr.update(choices=item_choices(items), value=None), message(note), csv_link(self.path, filters)

    def select_row(self, event: gr.SelectData):
        row = event.row_value or []
        return row[-1] if row else gr.skip()

    def show(self, interaction_id):
        if not interaction_id:
            return (
                "<p>Bitte einen Eintrag wählen. / Please choose an item.</p>",
                gr.update(choices=[]),
                gr.update(choices=[], value=None),
                gr.update(value=None),
                gr.update(value=[]),
            )
        item = self.app.review.item(interaction_id)
        own = source_doc_choices(item)
        everything = own + sorted(doc for doc in self.app.index.documents if doc not in own)
        return (
            render_item(item),
            gr.update(choices=everything, value=own[0] if own else None),
            gr.update(choices=own, value=own[0] if own else None),
            gr.update(value=item.corrected_route or item.route),
            gr.update(value=[tag for tag in item.tags if tag in REVIEW_TAGS]),
        )

    def correct(self, interaction_id, text, doc_id, quote, request: gr.Request):
        def run(user, interaction_id, text, doc_id, quote):
            if not interaction_id:
                raise ValueError("Bitte zuerst einen Eintrag wählen. / Choose an item first.")
            curated = self.app.review.correct(interaction_id, text or "", doc_id or "", quote or "", staff=user)
            return f"Gespeichert: geprüfte Antwort {curated.id}. / Saved as curated answer {curated.id}."

        note, ok = act(run, interaction_id, text, doc_id, quote, request=request)
        return (note, "", "") if ok else (note, gr.skip(), gr.skip())  # keep the text after an error

    def dismiss(self, interaction_id, request: gr.Request):
        def run(user, interaction_id):
            if not interaction_id:
                raise ValueError("Bitte zuerst einen Eintrag wählen. / Choose an item first.")
            self.app.review.dismiss(interaction_id, staff=user)
            return "Verworfen. / Dismissed."

        return act(run, interaction_id, request=request)[0]

    def correct_route(self, interaction_id, route, request: gr.Request):
        def run(user, interaction_id, route):
            if not interaction_id:
                raise ValueError("Bitte zuerst einen Eintrag wählen. / Choose an item first.")
            item = self.app.review.correct_route(interaction_id, route or "", staff=user)
            label = ROUTE_LABELS.get(item.corrected_route or "", item.corrected_route)
            return f"Route gespeichert: {label} (Trainingsbeispiel). / Route saved as a training example."

        note, ok = act(run, interaction_id, route, request=request)
        return note, (render_item(self.app.review.item(interaction_id)) if ok else gr.skip())

    def save_tags(self, interaction_id, tags, request: gr.Request):
        def run(user, interaction_id, tags):
            if not interaction_id:
                raise ValueError("Bitte zuerst einen Eintrag wählen. / Choose an item first.")
            item = self.app.review.set_tags(interaction_id, list(tags or []), staff=user)
            shown = ", ".join(TAG_LABELS[tag] for tag in item.tags) or "keine / none"
            return f"Stichworte gespeichert / tags saved: {shown}."

        note, ok = act(run, interaction_id, tags, request=request)
        return note, (render_item(self.app.review.item(interaction_id)) if ok else gr.skip())
