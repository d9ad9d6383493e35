"""What a reader of the reports sees: the HTML page, --compare and the quality gate."""

import base64
import json

import pytest
from typer.testing import CliRunner

from assistant.cli import cli
from assistant.evaluation.compare import compare_reports
from assistant.evaluation.gate import check, load_gate
from assistant.evaluation.html_report import render_html
from assistant.evaluation.records import load_report, save_report
from tests.evaluation.builders import (
    ABSTAIN_CASE,
    FEE_CASE,
    abstained,
    answered,
    evidence,
    perfect_fee_answer,
    report_of,
    result,
    run_of,
)


def sample_runs():
    hostile = evidence('Gebühr: 37,00 Euro <script>alert("x")</script>')
    hostile_answer = answered(FEE_CASE, "Es kostet 37,00 Euro. [1]", [hostile])
    full = run_of(
        [result(FEE_CASE, perfect_fee_answer(), ["personalausweis"]), result(ABSTAIN_CASE, abstained(ABSTAIN_CASE))]
    )
    bm25 = run_of(
        [result(FEE_CASE, hostile_answer, ["reisepass"]), result(ABSTAIN_CASE, abstained(ABSTAIN_CASE))],
        config="bm25-only",
    )
    return full, bm25


def test_html_report_shows_every_case_and_escapes_document_text():
    page = render_html(report_of(*sample_runs()))
    assert page.startswith("<!doctype html>")
    assert "pa-fee-adult-de" in page and "ab-apostille-de" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<mark>- Antragstellerinnen und Antragsteller ab 24 Jahren: 37,00 Euro</mark>" in page
    assert "conflict not surfaced" in page and "no expected document in the top 5" in page  # in words
    assert "http://" not in page and "https://" not in page  # self-contained


def test_html_report_has_inline_plots():
    pytest.importorskip("matplotlib")
    page = render_html(report_of(*sample_runs()))
    images = page.split("data:image/png;base64,")[1:]
    assert len(images) == 2
    assert base64.b64decode(images[0].split("'")[0])[:4] == b"\x89PNG"


def test_report_json_round_trips(tmp_path):
    report = report_of(*sample_runs())
    path = save_report(report, tmp_path / "r" / "report.json")
    assert load_report(path) == report
    assert json.loads(path.read_text())["runs"][0]["cases"][0]["metrics"]["key_facts_ok"] is True


def planted_regression(tmp_path):
    old = report_of(
        run_of(
            [
                result(FEE_CASE, perfect_fee_answer(), ["personalausweis"]),
                result(ABSTAIN_CASE, answered(ABSTAIN_CASE, "Apostille: 20 Euro.", [])),
            ]
        )
    )
    new = report_of(
        run_of(
            [result(FEE_CASE, abstained(FEE_CASE), ["personalausweis"]), result(ABSTAIN_CASE, abstained(ABSTAIN_CASE))]
        )
    )
    return save_report(old, tmp_path / "old.json"), save_report(new, tmp_path / "new.json")


def test_compare_finds_the_planted_regression_and_the_improvement(tmp_path):
    old_path, new_path = planted_regression(tmp_path)
    comparison = compare_reports(load_report(old_path), load_report(new_path))
    [regression] = comparison.regressions
    assert regression.case_id == "pa-fee-adult-de"
    assert "behaviour answered → abstained (expected answered)" in regression.what
    assert "key facts (37,00 Euro)" in regression.what
    assert [c.case_id for c in comparison.improvements] == ["ab-apostille-de"]
    worse = {m.metric for m in comparison.metrics if m.direction == "worse"}
    assert "key_fact_accuracy" in worse and "behaviour_accuracy" not in worse  # 1 of 2 right before and after


def test_compare_command_exits_non_zero_only_when_asked(tmp_path):
    old_path, new_path = planted_regression(tmp_path)
    runner = CliRunner()
    plain = runner.invoke(cli, ["eval", "--compare", str(old_path), str(new_path)])
    assert plain.exit_code == 0, plain.output
    assert "regressed pa-fee-adult-de" in plain.output and "improved  ab-apostille-de" in plain.output
    strict = runner.invoke(cli, ["eval", "--compare", str(old_path), str(new_path), "--fail-on-regression"])
    assert strict.exit_code == 1
    same = runner.invoke(cli, ["eval", "--compare", str(new_path), str(new_path), "--fail-on-regression"])
    assert same.exit_code == 0 and "0 case regressions" in same.output
    missing = runner.invoke(cli, ["eval", "--compare", str(old_path), str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "error: cannot read" in missing.output


def test_gate_names_the_missed_metric_and_the_cases_that_broke_it(tmp_path):
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text(
        "[run]\nsets = ['sample']\nconfigs = ['full']\nlimit = { sample = 40 }\n"
        "[thresholds.sample.full]\nmin.key_fact_accuracy = 0.9\nmax.forbidden_fact_rate = 0.0\n"
        "min.'behaviour_accuracy_by_status.abstained' = 1.0\nmax.'latency_ms.total.p95' = 5000\n"
        "[thresholds.munich.full]\nmin.recall_at_5 = 0.8\n",
        encoding="utf-8",
    )
    gate = load_gate(thresholds)
    assert gate.run.limit == {"sample": 40}
    _old, new_path = planted_regression(tmp_path)
    misses, passes = check(load_report(new_path), gate)
    described = [m.describe() for m in misses]
    assert described[0] == ("sample / full: key_fact_accuracy = 0.000 < min 0.9; cases that broke it: pa-fee-adult-de")
    assert described[1] == "munich / full: recall_at_5 was not measured (min 0.8)"
    assert len(passes) == 3


def test_gate_refuses_an_unknown_metric(tmp_path):
    thresholds = tmp_path / "thresholds.toml"
    thresholds.write_text("[thresholds.sample.full]\nmin.recal_at_5 = 0.9\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown metric 'recal_at_5'"):
        load_gate(thresholds)


def test_compare_ignores_latency_noise_but_shows_a_real_slowdown():
    from assistant.evaluation.compare import LATENCY_TOLERANCE, MetricChange

    def change(new: float) -> str:
        return MetricChange(
            set_name="s",
            config="c",
            metric="latency total p95 ms",
            old=1000.0,
            new=new,
            lower_is_better=True,
            relative_tolerance=LATENCY_TOLERANCE,
        ).direction

    assert change(1100.0) == "same"
    assert change(1500.0) == "worse" and change(500.0) == "better"
