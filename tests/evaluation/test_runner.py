"""End to end on the real sample-corpus index: cases in, reports and exit codes out."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import cli
from assistant.evaluation.configs import EvalConfig
from assistant.evaluation.golden import parse_cases
from assistant.evaluation.records import load_report
from assistant.evaluation.runner import PlannedConfig, PlannedSet, Runner

ROOT = Path(__file__).resolve().parents[2]
PICKED = ["pa-fee-adult-de", "ab-apostille-de", "rf-party-de", "rp-kids-followup-de"]


@pytest.fixture(scope="module")
def picked_cases():
    cases = {c.id: c for c in parse_cases(ROOT / "eval" / "sets" / "sample_golden.jsonl")}
    return [cases[i] for i in PICKED]


@pytest.mark.slow
def test_runner_scores_every_case_of_every_configuration(corpus_app, picked_cases):
    logged: list[str] = []
    runner = Runner(log=logged.append, embedder=corpus_app.embedder)
    planned = PlannedSet(
        spec={"name": "sample", "files": []}, cases=picked_cases, corpus=[], index_dir=corpus_app.settings.index_dir
    )
    configs = [
        PlannedConfig(
            config=EvalConfig(name=name, settings=overrides), settings=corpus_app.settings.model_copy(deep=True)
        )
        for name, overrides in (("full", {}), ("dense-only", {"retrieval": {"mode": "dense"}}))
    ]
    configs[1].settings.retrieval.mode = "dense"
    report = runner.run([planned], configs, notes=[])
    assert [(r.set_name, r.config) for r in report.runs] == [("sample", "full"), ("sample", "dense-only")]
    for run in report.runs:
        assert [r.case.id for r in run.cases] == PICKED
        assert run.metrics.cases == 4 and run.metrics.errors == 0
        for result in run.cases:
            assert result.answer is not None and result.answer.question == result.case.question
            assert result.metrics.behaviour_ok == (result.answer.status == result.case.expected_status)
            assert result.metrics.timings_ms["wall"] > 0
            if not result.metrics.behaviour_ok:  # every failure is explained
                assert result.metrics.failures[0].startswith("behaviour: expected")
        by_id = {r.case.id: r.metrics for r in run.cases}
        assert by_id["rp-kids-followup-de"].recall_at_5 is None  # follow-ups: no retrieval figure
        assert by_id["pa-fee-adult-de"].retrieval_rank is not None
    assert any("sample / full: done" in line for line in logged)


@pytest.mark.slow
def test_eval_command_writes_reports_and_enforces_thresholds(corpus_app, picked_cases, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("ASSISTANT_LLM__MODE", "extractive")
    cases_file = tmp_path / "tiny.jsonl"
    cases_file.write_text("".join(c.model_dump_json() + "\n" for c in picked_cases[:3]), encoding="utf-8")
    index = str(corpus_app.settings.index_dir)
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["eval", "--set", str(cases_file), "--config", "full", "--index", index, "--report", str(tmp_path / "report")],
    )
    assert result.exit_code == 0, result.output
    assert "tiny: 3 cases" in result.output and "key-fact accuracy" in result.output
    report = load_report(tmp_path / "report" / "report.json")
    assert [len(run.cases) for run in report.runs] == [3]
    assert "pa-fee-adult-de" in (tmp_path / "report" / "report.html").read_text(encoding="utf-8")

    gate = tmp_path / "thresholds.toml"
    gate.write_text(
        f"[run]\nsets = [{json.dumps(str(cases_file))}]\nconfigs = ['full']\n"
        "[thresholds.tiny.full]\nmin.behaviour_accuracy = 0.0\n"
        "max.forbidden_fact_rate = 1.0\n",
        encoding="utf-8",
    )
    passed = runner.invoke(
        cli, ["eval", "--check", str(gate), "--index", index, "--limit", "1", "--report", str(tmp_path / "gate1")]
    )
    assert passed.exit_code == 0, passed.output
    assert "quality gate: 2 thresholds met, 0 missed" in passed.output
    gate.write_text(gate.read_text(encoding="utf-8") + "min.recall_at_5 = 1.01\n", encoding="utf-8")
    failed = runner.invoke(
        cli, ["eval", "--check", str(gate), "--index", index, "--limit", "1", "--report", str(tmp_path / "gate2")]
    )
    assert failed.exit_code == 1
    assert "FAIL  tiny / full: recall_at_5 =" in failed.output and "< min 1.01" in failed.output


def test_eval_command_reports_setup_errors_in_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    missing = runner.invoke(cli, ["eval", "--set", "no-such-set"])
    assert missing.exit_code == 2 and "error: no set named 'no-such-set'" in missing.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "?", "language": "de", "expected_status": "perhaps"}\n')
    invalid = runner.invoke(cli, ["eval", "--set", str(bad), "--index", str(tmp_path)])
    assert invalid.exit_code == 2 and "bad.jsonl:1: expected_status" in invalid.output
