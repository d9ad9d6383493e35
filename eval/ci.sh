#!/usr/bin/env bash
# CI quality gate: the subset of the golden sets named in eval/thresholds.toml ([run]:
# sets, configurations, cases per set) through the assistant, checked against the
# thresholds there. Exit 1 when a threshold is missed (the output names the metric and
# the cases that broke it), 2 on a setup error. Called from .ci/run after `make install`.
#
#   EVAL_REPORT_DIR  where report.json / report.html go (default eval/reports/ci)
#   EVAL_BASELINE    a previous report.json: print what regressed and improved (not fatal)
set -euo pipefail
cd "$(dirname "$0")/.."

report_dir="${EVAL_REPORT_DIR:-eval/reports/ci}"
started=$(date +%s)
status=0
.venv/bin/assistant eval --check eval/thresholds.toml --report "$report_dir" || status=$?
echo "eval/ci.sh: quality gate finished in $(( $(date +%s) - started )) s (exit $status)"

if [[ -n "${EVAL_BASELINE:-}" && -f "${EVAL_BASELINE}" ]]; then
    .venv/bin/assistant eval --compare "$EVAL_BASELINE" "$report_dir/report.json"
fi
exit "$status"
