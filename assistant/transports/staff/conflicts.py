"""The conflicting pages view: pages that disagree about a fee or opening hours."""

from __future__ import annotations

import html

from assistant.answering.facts.answers import PageConflict, page_conflicts
from assistant.app import App


def render_conflicts(conflicts: list[PageConflict]) -> str:
    """Pages that disagree about a fee or opening hours: which fact, which values, which dates."""
    if not conflicts:
        return "<p>Keine widersprüchlichen Seiten. / No conflicting pages.</p>"
    esc = html.escape

    def side(fact) -> str:
        updated = fact.updated.isoformat() if fact.updated else "–"
        doc = f"{esc(fact.title)} <small>({esc(fact.doc_id)}, {updated})</small>"
        return f"<td>{doc}</td><td><mark>{esc(fact.raw)}</mark></td>"

    rows = "".join(f"<tr><td>{esc(c.row)}</td>{side(c.current)}{side(c.older)}</tr>" for c in conflicts)
    return (
        f"<p>{len(conflicts)} Widersprüche / conflicts. Die Antworten folgen der aktuellen Seite; bitte die ältere "
        "korrigieren oder entfernen. / Answers follow the current page; please fix or remove the older one.</p>"
        '<table class="staff-conflicts"><tr><th>Angabe / Fact</th><th>Aktuelle Seite / Current page</th>'
        "<th>Wert / Value</th><th>Ältere Seite / Older page</th><th>Wert / Value</th></tr>"
        f"{rows}</table>"
    )


class ConflictsPage:
    """The conflicting pages tab's callback."""

    def __init__(self, app: App) -> None:
        self.app = app

    def view(self):
        return render_conflicts(page_conflicts(self.app.answers.resources.facts))
