"""The quality gate: ``eval/thresholds.toml`` checked against a report.

The file names the run it was measured on (``[run]``: sets, configurations,
cases per set) and bounds per set and configuration::

    [run]
    sets = ["sample"]
    configs = ["full"]
    limit = { sample = 40 }

    [thresholds.sample.full]
    min.recall_at_5 = 0.85
    max.forbidden_fact_rate = 0.10
    min."behaviour_accuracy_by_status.abstained" = 0.5

A metric is a field of the run's aggregate (``eval/METRICS.md``), or a dotted
path into it (``latency_ms.total.p95``, ``by_language.en.key_fact_accuracy``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from assistant.evaluation.configs import ConfigError
from assistant.evaluation.metrics import failing_cases
from assistant.evaluation.records import Aggregate, Report, RunResult

MAX_LISTED_CASES = 12


class RunSelection(BaseModel):
    sets: list[str] = Field(default_factory=list)
    configs: list[str] = Field(default_factory=list)
    limit: dict[str, int] = Field(default_factory=dict)  # cases per set


class Threshold(BaseModel):
    set_name: str
    config: str
    metric: str
    bound: Literal["min", "max"]
    value: float


class Gate(BaseModel):
    run: RunSelection
    thresholds: list[Threshold]


class Miss(BaseModel):
    threshold: Threshold
    actual: float | None
    cases: list[str] = Field(default_factory=list)

    def describe(self) -> str:
        t = self.threshold
        if self.actual is None:
            return f"{t.set_name} / {t.config}: {t.metric} was not measured ({t.bound} {t.value})"
        relation = "<" if t.bound == "min" else ">"
        text = f"{t.set_name} / {t.config}: {t.metric} = {self.actual:.3f} {relation} {t.bound} {t.value}"
        if self.cases:
            shown = ", ".join(self.cases[:MAX_LISTED_CASES])
            more = f" (+{len(self.cases) - MAX_LISTED_CASES} more)" if len(self.cases) > MAX_LISTED_CASES else ""
            text += f"; cases that broke it: {shown}{more}"
        return text


def _valid_metric(metric: str) -> bool:
    parts = metric.split(".")
    if parts[0] in ("by_language", "by_behaviour"):
        parts = parts[2:]
    return bool(parts) and parts[0] in Aggregate.model_fields


def load_gate(path: Path) -> Gate:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    thresholds: list[Threshold] = []
    for set_name, per_config in data.get("thresholds", {}).items():
        for config, bounds in per_config.items():
            for bound, metrics in bounds.items():
                if bound not in ("min", "max"):
                    raise ConfigError(
                        f"{path}: [thresholds.{set_name}.{config}]: use min.METRIC or max.METRIC, not '{bound}'"
                    )
                for metric, value in _flat(metrics).items():
                    if not _valid_metric(metric):
                        raise ConfigError(f"{path}: unknown metric '{metric}' (see eval/METRICS.md)")
                    thresholds.append(
                        Threshold(set_name=set_name, config=config, metric=metric, bound=bound, value=value)
                    )
    try:
        return Gate(run=RunSelection(**data.get("run", {})), thresholds=thresholds)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _flat(metrics: dict, prefix: str = "") -> dict[str, float]:
    flat: dict[str, float] = {}
    for key, value in metrics.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = float(value)
    return flat


def metric_value(run: RunResult, metric: str) -> float | None:
    """The value of a (dotted) metric in ``run``; ``None`` when it was not measured."""
    parts = metric.split(".")
    target: object = run if parts[0] in ("by_language", "by_behaviour") else run.metrics
    for part in parts:
        target = target.get(part) if isinstance(target, dict) else getattr(target, part, None)
        if target is None:
            return None
    return float(target) if isinstance(target, int | float) else None


def check(report: Report, gate: Gate) -> tuple[list[Miss], list[str]]:
    """``(misses, passes)``: every threshold checked against the report."""
    misses: list[Miss] = []
    passes: list[str] = []
    for threshold in gate.thresholds:
        run = report.run(threshold.set_name, threshold.config)
        actual = metric_value(run, threshold.metric) if run else None
        ok = actual is not None and (
            actual >= threshold.value if threshold.bound == "min" else actual <= threshold.value
        )
        if ok:
            passes.append(
                f"{threshold.set_name} / {threshold.config}: {threshold.metric} = {actual:.3f} "
                f"({threshold.bound} {threshold.value})"
            )
        else:
            cases = failing_cases(run.cases, threshold.metric) if run else []
            misses.append(Miss(threshold=threshold, actual=actual, cases=cases))
    return misses, passes
