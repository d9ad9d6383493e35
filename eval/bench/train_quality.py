"""Train the per-answer quality score: a logistic regression over the Answer record's own signals.

    nice .venv/bin/python eval/bench/train_quality.py collect --set omosqa-train
    nice .venv/bin/python eval/bench/train_quality.py collect --set sample --set munich --set omosqa-dev
    nice .venv/bin/python eval/bench/train_quality.py fit --train omosqa-train --train sample

The shipped model: every OMoS-QA train question plus the sample golden set (OMoS-QA train
alone ranked the sample set's answers worse than the hand weights did); Munich and OMoS-QA dev
are the held-out sets (docs/evaluation.md, "Quality score"). About 3 minutes per 200 questions
on 2 cores with the extractive configuration and the cached indexes.

``collect`` asks every case of a set as a citizen would (``eval/bench/bench_feedback.py``'s ``ask``:
logged in a temporary store, scored with ``assistant eval``'s ``score_case``) and writes each
answer with its label to ``<cache>/<set>.jsonl`` (default ``index/quality-answers``). A case is
**wrong** as the feedback benchmark counts it (``feedback_loop.is_right``: behaviour, key facts,
no forbidden fact, a cited expected page); an OMoS-QA case (no key facts) is also wrong when it
answers but its quotes miss every gold line of the page — the closest the data gets to "the
key fact is not stated".

``fit`` computes :func:`assistant.answering.quality.answer_features` of the fact-stating
answers of the ``--train`` sets, fits a standardised logistic regression (scikit-learn,
lbfgs, deterministic: the same answers give the same numbers) and writes its coefficients
(standardisation folded in) to ``assistant/answering/quality_model.json``; it prints ROC AUC
and wrong answers among the lowest 10 % per collected set for the old hand-weighted score
(recomputed from the stored answers) and the new one. Needs the ``dev`` extra (scikit-learn).
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
from pathlib import Path

from assistant.answering.quality import FACT_STATUSES, MODEL_PATH, answer_features, answer_quality, subject_coverage
from assistant.records import Answer
from assistant.settings import Settings

CACHE = Path("index/quality-answers")
C = 0.3  # inverse regularisation strength: a little stronger than scikit-learn's 1.0 (few, correlated signals)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def collect(set_names: list[str], config: str, limit: int | None, cache: Path) -> None:
    from assistant.app import App
    from assistant.evaluation.configs import load_configs, load_sets
    from assistant.evaluation.feedback_loop import ask
    from assistant.evaluation.omosqa import LineMaps
    from assistant.evaluation.runner import Runner, plan_configs, plan_sets
    from assistant.feedback.auth import hash_password

    base = Settings()
    notes: list = []
    sets = plan_sets(set_names, load_sets(), base, limit, None, [], notes)
    planned_config = plan_configs([config], load_configs(), base, notes)[0]
    for note in notes:
        log(f"note: {note.subject}: {note.text}")
    runner = Runner(log)
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="train-quality-") as temporary:
        work = Path(temporary)
        for planned in sets:
            name = planned.spec.name
            settings = planned_config.settings.model_copy(deep=True)
            settings.index_dir = runner.prepare_index(planned, planned_config, [])
            settings.store.url = f"sqlite:///{work / f'{name}.sqlite3'}"
            settings.store.spool_path = work / f"{name}-spool.jsonl"
            settings.staff.curated_eval_path = work / f"{name}-curated.jsonl"
            settings.staff.users = {"bench-staff": hash_password(secrets.token_urlsafe(12))}
            index = runner.index_for(settings)
            app = App(
                settings,
                embedder=runner.embedder_for(settings),
                index=index,
                chat_model=runner.chat_model_for(settings),
            )
            languages = tuple(sorted(set(settings.languages) | {c.language for c in planned.cases}))
            line_of = LineMaps(planned.pages, index.documents) if planned.pages else None
            rows = []
            for n, case in enumerate(planned.cases):
                asked = ask(app, case, languages)
                right = asked.right
                answer = asked.answer
                if right and case.expected_lines and answer is not None and answer.status in FACT_STATUSES:
                    gold = {(d, line) for d, lines in case.expected_lines.items() for line in lines}
                    quoted = {
                        (e.doc_id, line)
                        for e in answer.supporting
                        for line in (line_of(e.doc_id, e.start, e.end) or ())
                    }
                    right = bool(gold & quoted)
                rows.append(
                    {"case": case.id, "right": right, "answer": answer.model_dump(mode="json") if answer else None}
                )
                if (n + 1) % 25 == 0:
                    log(f"{name}: {n + 1}/{len(planned.cases)}")
            path = cache / f"{name}.jsonl"
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
            log(f"{name}: {len(rows)} answers, {sum(not r['right'] for r in rows)} wrong -> {path}")


def load(cache: Path, name: str) -> list[tuple[Answer, bool]]:
    rows = [json.loads(line) for line in (cache / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if line]
    return [(Answer.model_validate(r["answer"]), r["right"]) for r in rows if r["answer"] is not None]


def figures(scored: list[tuple[float, bool]]) -> str:
    """ROC AUC of the score for a wrong answer and wrong answers among the lowest 10 %."""
    from sklearn.metrics import roc_auc_score

    wrong = [not right for _, right in scored]
    auc = roc_auc_score(wrong, [-score for score, _ in scored]) if len(set(wrong)) == 2 else float("nan")
    lowest = sorted(scored, key=lambda pair: pair[0])[: max(1, round(0.1 * len(scored)))]
    return f"AUC {auc:.3f}, lowest 10 % ({len(lowest)}): {sum(not r for _, r in lowest)} wrong of {sum(wrong)}"


def fit(train: list[str], cache: Path, out: Path, min_dense_score: float) -> dict:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    answers = [pair for name in train for pair in load(cache, name)]
    rows = [(answer_features(a, min_dense_score), right) for a, right in answers if a.status in FACT_STATUSES]
    names = list(rows[0][0])
    x = np.array([[features[n] for n in names] for features, _ in rows], dtype=float)
    y = np.array([int(right) for _, right in rows])  # the score is P(right)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=1000).fit((x - mean) / scale, y)
    weights = model.coef_[0] / scale
    model_json = {
        "command": f"eval/bench/train_quality.py fit {' '.join(f'--train {name}' for name in train)}",
        "label": "right as eval/bench/bench_feedback.py counts it; OMoS-QA: and a quote covers a gold line",
        "trained_on": {name: len(load(cache, name)) for name in train},
        "fact_stating_answers": len(rows),
        "right": int(y.sum()),
        "C": C,
        "intercept": round(float(model.intercept_[0] - (weights * mean).sum()), 6),
        "weights": {n: round(float(w), 6) for n, w in zip(names, weights, strict=True)},
        "standardised_weights": {n: round(float(w), 4) for n, w in zip(names, model.coef_[0], strict=True)},
    }
    out.write_text(json.dumps(model_json, indent=1) + "\n", encoding="utf-8")
    return model_json


def report(names: list[str], cache: Path, min_dense_score: float, model: dict) -> None:
    for name in names:
        answers = [(a, r) for a, r in load(cache, name) if a.status in FACT_STATUSES]
        old = [(hand_weighted(a, min_dense_score), r) for a, r in answers]
        new = [(answer_quality(a, min_dense_score, model), r) for a, r in answers]
        print(f"{name}: {len(answers)} fact-stating answers; hand weights: {figures(old)}; trained: {figures(new)}")


def hand_weighted(answer: Answer, min_dense_score: float) -> float:
    """The hand-weighted score used before the trained one (kept here to report before/after from the same answers)."""
    if answer.verified_by_staff:
        return 1.0
    margin = (answer.confidence - min_dense_score) / max(1.0 - min_dense_score, 1e-6)
    score = min(max(margin, 0.0), 1.0) + 0.05 * subject_coverage(answer)
    if answer.model_sentences:
        score -= 0.2 * (1.0 - (answer.model_sentences_kept or 0) / answer.model_sentences)
    return round(min(max(score, 0.0), 1.0), 3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("collect", help="ask the sets' questions and store answers with labels")
    run.add_argument("--set", action="append", required=True)
    run.add_argument("--config", default="extractive")
    run.add_argument("--limit", type=int, default=None)
    run.add_argument("--cache", type=Path, default=CACHE)
    train = commands.add_parser("fit", help="fit the score on the --train sets, report every collected set")
    train.add_argument("--train", action="append", required=True)
    train.add_argument("--report", action="append", default=[], help="sets to report (default: every collected set)")
    train.add_argument("--cache", type=Path, default=CACHE)
    train.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    if args.command == "collect":
        collect(args.set, args.config, args.limit, args.cache)
        return 0
    min_dense_score = Settings().evidence.min_dense_score
    model = fit(args.train, args.cache, args.out, min_dense_score)
    print(json.dumps(model["standardised_weights"]))
    report(args.report or sorted(p.stem for p in args.cache.glob("*.jsonl")), args.cache, min_dense_score, model)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
