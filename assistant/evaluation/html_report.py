"""The self-contained HTML report: inline CSS, plots as inline PNG, every text escaped.

Documents may contain anything (``<script>`` included), so every value from a
case, an answer or a document goes through ``_e`` before it reaches the page.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

from assistant.evaluation.records import CaseResult, Report, RunResult
from assistant.evaluation.summary import STATUSES, runs_by_set, summary_rows

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:1200px;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{margin-top:2.5rem;border-bottom:2px solid #ccc}h3{margin-top:1.5rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left}th{background:#f3f3f3}
.notes li{color:#8a5a00}.plots img{max-width:100%;border:1px solid #eee;margin:.3rem 0}
details.case{border:1px solid #ddd;border-radius:4px;margin:.3rem 0;padding:.2rem .6rem}
details.case>summary{cursor:pointer}.qid{font-family:monospace;color:#555}
.badge{display:inline-block;border-radius:3px;padding:0 .35rem;margin-left:.3rem;font-size:12px}
.ok{background:#dff3df;color:#185c18}.bad{background:#fbe0e0;color:#8b1a1a}
.cfg{border-left:3px solid #bbb;margin:.6rem 0;padding-left:.7rem}
.answer{white-space:pre-wrap;background:#fafafa;padding:.4rem;border-radius:3px}
li.match mark{background:#c8f0c8}li.nomatch{color:#555}.fail{color:#8b1a1a}
.expected{color:#444}.small{font-size:12px;color:#666}
.only-failing:checked~.cases details.passing{display:none}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _plot_png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plots(runs: list[RunResult]) -> list[tuple[str, str]]:
    """``(caption, base64 PNG)``; empty when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    plots = []
    key = "total" if any("total" in c.metrics.timings_ms for r in runs for c in r.cases) else "wall"
    figure, axis = plt.subplots(figsize=(max(4, 1.6 * len(runs) + 2), 3.2))
    series = [[c.metrics.timings_ms[key] for c in run.cases if key in c.metrics.timings_ms] for run in runs]
    axis.boxplot([s or [0.0] for s in series], showfliers=True)
    axis.set_xticks(range(1, len(runs) + 1), [run.config for run in runs])
    axis.set_ylabel(f"{key} latency per answer (ms)")
    axis.grid(axis="y", alpha=0.3)
    plots.append((f"Latency distribution per configuration ({key}, ms)", _plot_png(figure)))

    statuses = [s for s in STATUSES if any(s in r.metrics.behaviour_accuracy_by_status for r in runs)]
    figure, axis = plt.subplots(figsize=(max(4, 1.3 * len(statuses) + 2), 3.2))
    width = 0.8 / max(1, len(runs))
    for i, run in enumerate(runs):
        values = [run.metrics.behaviour_accuracy_by_status.get(s) or 0.0 for s in statuses]
        axis.bar([x + i * width for x in range(len(statuses))], values, width, label=run.config)
    axis.set_xticks([x + width * (len(runs) - 1) / 2 for x in range(len(statuses))], statuses)
    axis.set_ylim(0, 1.05)
    axis.set_ylabel("behaviour accuracy")
    axis.legend(fontsize=8)
    axis.grid(axis="y", alpha=0.3)
    plots.append(("Behaviour accuracy per expected status", _plot_png(figure)))
    return plots


def _summary_table(runs: list[RunResult]) -> str:
    head = "".join(f"<th>{_e(run.config)}</th>" for run in runs)
    rows = "".join(
        f"<tr><td>{_e(label)}</td>{''.join(f'<td>{_e(v)}</td>' for v in values)}</tr>"
        for label, values in summary_rows(runs)
    )
    return f"<table><tr><th>metric</th>{head}</tr>{rows}</table>"


def _breakdown_table(runs: list[RunResult], attribute: str, title: str) -> str:
    groups = sorted({g for run in runs for g in getattr(run, attribute)})
    head = "".join(
        f"<th>{_e(run.config)}<br><span class=small>behaviour / key facts / evidence F1</span></th>" for run in runs
    )
    rows = []
    for group in groups:
        cells = []
        for run in runs:
            agg = getattr(run, attribute).get(group)
            cells.append(
                "–"
                if agg is None
                else " / ".join(
                    "–" if v is None else f"{v:.2f}"
                    for v in (agg.behaviour_accuracy, agg.key_fact_accuracy, agg.evidence_f1)
                )
            )
        n = next((getattr(run, attribute)[group].cases for run in runs if group in getattr(run, attribute)), 0)
        rows.append(f"<tr><td>{_e(group)} (n={n})</td>{''.join(f'<td>{_e(c)}</td>' for c in cells)}</tr>")
    return f"<h3>{_e(title)}</h3><table><tr><th>group</th>{head}</tr>{''.join(rows)}</table>"


def _list(items: list[str], css: str = "") -> str:
    if not items:
        return "<span class=small>none</span>"
    return f"<ul class='{css}'>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


def _expected(result: CaseResult) -> str:
    case = result.case
    history = "".join(f"<li><b>{_e(t.role)}:</b> {_e(t.content)}</li>" for t in case.history)
    parts = [
        f"<div class=expected><b>expected:</b> {_e(case.expected_status)} · language {_e(case.language)}"
        f" · docs {_e(', '.join(case.expected_docs) or '–')}",
        f" · conflict between {_e(', '.join(case.conflict_docs))}" if case.conflict else "",
        f"<br><b>key facts:</b> {_e(' | '.join(case.key_facts) or '–')}"
        f" · <b>forbidden:</b> {_e(' | '.join(case.forbidden_facts) or '–')}",
        f"<br><b>history:</b><ul>{history}</ul>" if history else "",
        "<br><b>expected evidence:</b>" + _list(case.expected_evidence) if case.expected_evidence else "",
        "</div>",
    ]
    return "".join(parts)


def _config_block(config: str, result: CaseResult) -> str:
    metrics, answer = result.metrics, result.answer
    verdict = "ok" if not metrics.failures else "bad"
    status = answer.status if answer else "error"
    out = [f"<div class=cfg><b>{_e(config)}</b> <span class='badge {verdict}'>{_e(status)}</span>"]
    if result.error:
        out.append(f"<p class=fail>error: {_e(result.error)}</p>")
    if answer is not None:
        out.append(f"<div class=answer>{_e(answer.answer)}</div>")
        quotes = []
        for evidence in answer.supporting:
            matched = evidence.n in metrics.matched_quotes
            quote = f"<mark>{_e(evidence.quote)}</mark>" if matched else _e(evidence.quote)
            quotes.append(
                f"<li class={'match' if matched else 'nomatch'}>[{evidence.n}] "
                f"<span class=qid>{_e(evidence.doc_id)}</span> ({_e(evidence.updated or 'no date')}): "
                f"{quote}</li>"
            )
        out.append(
            "<b>supporting</b> (highlighted = matches expected evidence):"
            + (f"<ul>{''.join(quotes)}</ul>" if quotes else " <span class=small>none</span><br>")
        )
        if answer.disagreeing:
            items = "".join(
                f"<li><span class=qid>{_e(d.doc_id)}</span> ({_e(d.updated or 'no date')}, "
                f"vs [{d.conflicts_with}]): {_e(d.quote)} <i>{_e(d.reason)}</i></li>"
                for d in answer.disagreeing
            )
            out.append(f"<b>disagreeing</b>:<ul>{items}</ul>")
    if metrics.retrieved_docs:
        out.append(
            f"<div class=small>retrieved: {_e(', '.join(metrics.retrieved_docs[:5]))} "
            f"(rank of first expected doc: {_e(metrics.retrieval_rank or '–')})</div>"
        )
    if metrics.failures:
        out.append("<b class=fail>what failed</b>:" + _list(metrics.failures, "fail"))
    timings = ", ".join(f"{k} {v:.0f} ms" for k, v in metrics.timings_ms.items())
    out.append(f"<div class=small>answer language {_e(metrics.answer_language or '?')}; {_e(timings)}</div>")
    out.append("</div>")
    return "".join(out)


def _cases(runs: list[RunResult]) -> str:
    by_id: dict[str, list[tuple[str, CaseResult]]] = {}
    for run in runs:
        for result in run.cases:
            by_id.setdefault(result.case.id, []).append((run.config, result))
    blocks = []
    for case_id, per_config in by_id.items():
        case = per_config[0][1].case
        failing = any(r.metrics.failures for _, r in per_config)
        badges = "".join(
            f"<span class='badge {'bad' if r.metrics.failures else 'ok'}'>{_e(config)} "
            f"{'✗' + str(len(r.metrics.failures)) if r.metrics.failures else '✓'}</span>"
            for config, r in per_config
        )
        blocks.append(
            f"<details class='case {'failing' if failing else 'passing'}' id='case-{_e(case_id)}'>"
            f"<summary><span class=qid>{_e(case_id)}</span> {_e(case.question)}{badges}</summary>"
            f"{_expected(per_config[0][1])}{''.join(_config_block(c, r) for c, r in per_config)}</details>"
        )
    return "".join(blocks)


def render_html(report: Report) -> str:
    """The whole report as one HTML page."""
    limits = ", ".join(f"{name} {count}" for name, count in report.limits.items())
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width,initial-scale=1'>",
        f"<title>Evaluation report {_e(report.created.strftime('%Y-%m-%d %H:%M'))}</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Evaluation report</h1>",
        f"<p>{_e(report.created.strftime('%Y-%m-%d %H:%M UTC'))} · sets: {_e(', '.join(report.sets))} · "
        f"configurations: {_e(', '.join(report.configs))}"
        f"{' · limit ' + _e(report.limit) + ' cases per set' if report.limit else ''}"
        f"{' · cases per set: ' + _e(limits) if limits else ''}. "
        "Every figure is defined in eval/METRICS.md.</p>",
    ]
    if report.notes:
        parts.append(
            "<ul class=notes>" + "".join(f"<li>{_e(n.subject)}: {_e(n.text)}</li>" for n in report.notes) + "</ul>"
        )
    for set_name, runs in runs_by_set(report).items():
        parts.append(f"<h2>{_e(set_name)}</h2>")
        parts.append(_summary_table(runs))
        plots = _plots(runs)
        if plots:
            parts.append(
                "<div class=plots>"
                + "".join(
                    f"<figure><img alt='{_e(caption)}' src='data:image/png;base64,{png}'>"
                    f"<figcaption class=small>{_e(caption)}</figcaption></figure>"
                    for caption, png in plots
                )
                + "</div>"
            )
        else:
            parts.append("<p class=small>(plots need matplotlib: pip install matplotlib)</p>")
        parts.append(_breakdown_table(runs, "by_behaviour", "By expected behaviour"))
        parts.append(_breakdown_table(runs, "by_language", "By language"))
        failing = {r.case.id for run in runs for r in run.cases if r.metrics.failures}
        total = len({r.case.id for run in runs for r in run.cases})
        parts.append(f"<h3>Cases ({len(failing)} of {total} with a failure in some configuration)</h3>")
        toggle = f"only-failing-{_e(set_name)}"
        parts.append(
            f"<input type=checkbox class=only-failing id='{toggle}'><label for='{toggle}'> show "
            f"only cases with a failure</label><div class=cases>{_cases(runs)}</div>"
        )
    parts.append("</body></html>")
    return "".join(parts)


def write_html(report: Report, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path
