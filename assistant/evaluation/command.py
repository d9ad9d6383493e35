"""What ``assistant eval`` does; ``assistant/cli.py`` only parses the options.

Three modes:

* run (default): sets x configurations -> ``report.json`` + ``report.html`` and a summary table;
* ``--check FILE``: run what the thresholds file names (unless sets, configurations or a
  limit are given), then exit 1 when a threshold is missed;
* ``--compare OLD NEW``: print case regressions and improvements; exit 1 on a
  regression only with ``--fail-on-regression``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field
from rich.console import Console

from assistant.components.embeddings import E5Embeddings
from assistant.evaluation.compare import compare_reports, print_comparison
from assistant.evaluation.configs import DEFAULT_CONFIGS_FILE, DEFAULT_SETS_FILE, load_configs, load_sets
from assistant.evaluation.gate import Gate, check, load_gate
from assistant.evaluation.html_report import write_html
from assistant.evaluation.records import Note, Report, load_report, save_report
from assistant.evaluation.runner import Runner, plan_configs, plan_sets
from assistant.evaluation.summary import print_summary
from assistant.progress import progress_bar
from assistant.settings import Settings

DEFAULT_REPORTS = Path("eval/reports")


class EvalOptions(BaseModel):
    sets: list[str] = Field(default_factory=list)
    configs: list[str] = Field(default_factory=list)
    report_dir: Path | None = None
    limit: int | None = None
    index: Path | None = None
    corpus: list[Path] = Field(default_factory=list)
    compare: tuple[Path, Path] | None = None
    fail_on_regression: bool = False
    check: Path | None = None
    sets_file: Path = DEFAULT_SETS_FILE
    configs_file: Path = DEFAULT_CONFIGS_FILE


def run_compare(options: EvalOptions, out: Console) -> int:
    old_path, new_path = options.compare
    comparison = compare_reports(load_report(old_path), load_report(new_path))
    print_comparison(comparison, out)
    return 1 if options.fail_on_regression and comparison.regressions else 0


def run_evaluation(
    options: EvalOptions, out: Console, err: Console, gate: Gate | None = None, embedder: E5Embeddings | None = None
) -> tuple[Report, Path]:
    """Run the sets and configurations (those of ``gate`` unless options name them), write
    the report folder; returns (report, folder)."""
    settings = Settings()
    sets_arg, configs_arg, limits = options.sets, options.configs, {}
    if gate is not None:  # the gate's run, except what the options name
        if options.sets or options.configs or options.limit is not None:
            err.print(
                f"note: the thresholds in {options.check} were measured on the run its [run] "
                "table names; --set/--config/--limit change that run",
                highlight=False,
            )
        sets_arg = options.sets or gate.run.sets
        configs_arg = options.configs or gate.run.configs
        limits = {} if options.limit is not None else gate.run.limit
    notes: list[Note] = []
    planned_sets = plan_sets(
        sets_arg,
        load_sets(options.sets_file),
        settings,
        options.limit,
        options.index,
        options.corpus,
        notes,
        limits=limits,
    )
    planned_configs = plan_configs(configs_arg, load_configs(options.configs_file), settings, notes)
    for note in notes:  # say what is skipped before the long part starts
        err.print(f"note: {note.subject}: {note.text}", highlight=False)
    shown = len(notes)

    with progress_bar(err) as progress:
        runner = Runner(log=lambda line: err.print(line, highlight=False), progress=progress, embedder=embedder)
        report = runner.run(planned_sets, planned_configs, notes, limit=options.limit, limits=limits)
    for note in report.notes[shown:]:
        err.print(f"note: {note.subject}: {note.text}", highlight=False)

    folder = options.report_dir or DEFAULT_REPORTS / datetime.now().strftime("%Y%m%d-%H%M%S")
    save_report(report, folder / "report.json")
    write_html(report, folder / "report.html")
    print_summary(report, out)
    out.print(f"report: {folder / 'report.json'}, {folder / 'report.html'}", highlight=False)
    return report, folder


def run_command(
    options: EvalOptions, out: Console | None = None, err: Console | None = None, embedder: E5Embeddings | None = None
) -> int:
    """The exit code of ``assistant eval``; raises ConfigError / GoldenSetError / ValueError
    for setup problems (the CLI prints them as one ``error:`` line, exit 2)."""
    out = out or Console()
    if not out.is_terminal:
        out.width = 160  # logs and CI: no wrapping of the side-by-side table
    err = err or Console(stderr=True)
    if not err.is_terminal:
        err.width = 200  # one log line per message
    if options.compare:
        return run_compare(options, out)
    gate = load_gate(options.check) if options.check else None
    report, _folder = run_evaluation(options, out, err, gate=gate, embedder=embedder)
    if gate is None:
        return 0
    misses, passes = check(report, gate)
    for line in passes:
        out.print(f"ok    {line}", highlight=False)
    for miss in misses:
        out.print(f"FAIL  {miss.describe()}", highlight=False)
    out.print(f"quality gate: {len(passes)} thresholds met, {len(misses)} missed", highlight=False)
    return 1 if misses else 0
