"""The dashboard page: questions, outcomes, languages, channels, review tags, accuracy over time."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from assistant.app import App
from assistant.transports.staff.labels import STATUS_LABELS, TAG_LABELS

if TYPE_CHECKING:
    from assistant.feedback.review.dashboard import Dashboard


def render_dashboard(board: Dashboard) -> str:
    esc = html.escape
    rates = "".join(
        f"<tr><td>{esc(STATUS_LABELS[status])}</td><td>{board.status_counts.get(status, 0)}</td>"
        f"<td>{rate:.0%}</td></tr>"
        for status, rate in board.status_rates.items()
    )
    topics = "".join(
        f"<tr><td>{group.count}</td><td>{esc(group.representative)}</td>"
        f"<td>{esc(', '.join(group.languages))}</td>"
        f"<td>{esc(' | '.join(q for q in group.questions if q != group.representative)[:400])}</td></tr>"
        for group in board.unanswered_topics[:30]
    )
    return f"""<section class="staff-dashboard-figures">
<h3>{board.since.isoformat()} – {board.until.isoformat()} ({board.days} Tage / days)</h3>
<p><strong>{board.questions}</strong> Fragen / questions · <strong>{board.open_items}</strong> offen in der
Warteschlange / open in the queue · Daumen runter / thumbs down: <strong>{board.down_rate:.0%}</strong>
({board.down} von / of {board.rated} bewerteten / rated)</p>
<table><caption>Ergebnis / Outcome</caption><tr><th>Status</th><th>Anzahl / Count</th><th>Anteil / Share</th></tr>
{rates}</table>
<table><caption>Sprachen / Languages</caption>{_count_rows(board.per_language)}</table>
<table><caption>Kanäle / Channels</caption>{_count_rows(board.per_channel)}</table>
<table class="staff-tag-counts"><caption>Stichworte der Prüfung / Review tags</caption>
{_count_rows({TAG_LABELS.get(tag, tag): count for tag, count in board.tag_counts.items() if count})}</table>
{render_accuracy(board)}
<h3>Häufige unbeantwortete Themen / Frequent unanswered topics</h3>
<table><tr><th>Anzahl / Count</th><th>Typische Frage / Typical question</th><th>Sprachen / Languages</th>
<th>Ähnliche Fragen / Similar questions</th></tr>{topics or '<tr><td colspan="4">–</td></tr>'}</table>
</section>"""


def render_accuracy(board: Dashboard) -> str:
    """Accuracy over time: per week, the reviewed answers judged right (dismissed) and corrected; then
    the key figures of the evaluation runs by date."""
    weeks = "".join(
        f'<tr><th scope="row">{week.week.isoformat()}</th><td>{week.reviewed}</td><td>{week.right}</td>'
        f"<td>{week.corrected}</td><td>{_share(week.right_share)}</td></tr>"
        for week in board.accuracy
    )
    runs = "".join(
        f'<tr><th scope="row">{run.created:%Y-%m-%d %H:%M}</th><td>{html.escape(run.report)}</td>'
        f"<td>{html.escape(run.set_name)}</td><td>{html.escape(run.config)}</td>"
        f"<td>{'–' if run.cases is None else run.cases}</td><td>{_share(run.behaviour_accuracy)}</td>"
        f"<td>{_share(run.key_fact_accuracy)}</td><td>{_share(run.recall_at_5)}</td>"
        f"<td>{_share(run.grounded_number_rate)}</td></tr>"
        for run in reversed(board.eval_runs)
    )
    return (
        '<h3 id="staff-accuracy">Genauigkeit über die Zeit / Accuracy over time</h3>'
        '<table class="staff-accuracy"><caption>Geprüfte Antworten nach Woche der Antwort / Reviewed answers by '
        "week answered (richtig = verworfen, nichts zu korrigieren / right = dismissed, nothing to correct)</caption>"
        "<tr><th>Woche ab / Week of</th><th>geprüft / reviewed</th><th>richtig / right</th>"
        "<th>korrigiert / corrected</th><th>Anteil richtig / share right</th></tr>"
        f"{weeks or '<tr><td colspan=5>–</td></tr>'}</table>"
        '<table class="staff-eval-runs"><caption>Auswertungsläufe / Evaluation runs (assistant eval), newest first'
        "</caption><tr><th>Datum / Date</th><th>Bericht / Report</th><th>Satz / Set</th><th>Konfiguration / Config"
        "</th><th>Fälle / Cases</th><th>Verhalten / Behaviour</th><th>Kernfakten / Key facts</th>"
        "<th>Recall@5</th><th>belegte Zahlen / Grounded numbers</th></tr>"
        f"{runs or '<tr><td colspan=9>–</td></tr>'}</table>"
    )


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _count_rows(counts: dict[str, int]) -> str:
    ordered = sorted(counts.items(), key=lambda pair: -pair[1])
    return (
        "".join(f"<tr><td>{html.escape(key)}</td><td>{count}</td></tr>" for key, count in ordered)
        or "<tr><td>–</td></tr>"
    )


def render_per_day(board: Dashboard) -> str:
    """Questions per day as a bar chart in plain HTML (no script, readable by screen readers)."""
    most = max((d.questions for d in board.per_day), default=0) or 1
    rows = "".join(
        f'<tr><th scope="row">{d.day.isoformat()}</th><td>{d.questions}</td><td>{d.abstained}</td><td>{d.down}</td>'
        f'<td style="width:60%"><div style="background:#2f6fb3;height:.8em;width:{100 * d.questions / most:.1f}%">'
        f"</div></td></tr>"
        for d in board.per_day
    )
    return (
        '<table class="staff-per-day"><caption>Fragen pro Tag / Questions per day</caption><tr><th>Tag / Day</th>'
        "<th>Fragen / Questions</th><th>nicht beantwortet / abstained</th><th>👎</th><th></th></tr>"
        f"{rows}</table>"
    )


class DashboardPage:
    """The dashboard tab's callback: fresh figures from ``app.review``."""

    def __init__(self, app: App) -> None:
        self.app = app

    def view(self, days):
        board = self.app.review.dashboard(days=int(days or 30))
        return render_dashboard(board), render_per_day(board)
