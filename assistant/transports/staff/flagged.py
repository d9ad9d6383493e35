"""The flagged documents page: the list for the web team, flagging and removing flags."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import gradio as gr

from assistant.app import App
from assistant.transports.staff.actions import act
from assistant.transports.staff.queue import source_line

if TYPE_CHECKING:
    from assistant.records import FlaggedDocument


def render_flagged(flagged: list[FlaggedDocument]) -> str:
    """The list for the web team: which pages to fix."""
    if not flagged:
        return "<p>Keine markierten Dokumente. / No flagged documents.</p>"
    esc = html.escape
    rows = "".join(
        f"<tr><td>{source_line(f.title, f.doc_id, f.url, None).split(' (Stand')[0]}</td>"
        f"<td>{'veraltet / outdated' if f.problem == 'outdated' else 'falsch / wrong'}</td>"
        f"<td>{esc(f.note)}</td><td>{esc(f.flagged_by)}</td>"
        f"<td>{f.created_at.date().isoformat() if f.created_at else ''}</td></tr>"
        for f in flagged
    )
    return (
        "<table><tr><th>Dokument / Document</th><th>Problem</th><th>Notiz / Note</th>"
        f"<th>Von / By</th><th>Datum / Date</th></tr>{rows}</table>"
    )


class FlaggedPage:
    """The flagged documents tab's callbacks (flagging itself is offered beside a queue item)."""

    def __init__(self, app: App) -> None:
        self.app = app

    def flag(self, doc_id, problem, note, request: gr.Request):
        def run(user, doc_id, problem, note):
            flagged = self.app.review.flag_document(doc_id or "", problem, note or "", staff=user)
            return f"Markiert / flagged: {flagged.doc_id} ({flagged.problem})."

        return act(run, doc_id, problem, note, request=request)[0]

    def unflag(self, doc_id, request: gr.Request):
        def run(_user, doc_id):
            removed = self.app.review.unflag(doc_id or "")
            return "Markierung aufgehoben. / Flag removed." if removed else "War nicht markiert. / Was not flagged."

        return act(run, doc_id, request=request)[0]

    def view(self):
        flagged = self.app.review.flagged()
        return render_flagged(flagged), gr.update(choices=[f.doc_id for f in flagged], value=None)
