"""Replayable feedback benchmark: does staff review make the next answer better?

    .venv/bin/python eval/bench/bench_feedback.py --set sample --set munich --config extractive

For each golden set: ask every question (logged, as a citizen would), let a simulated staff
member work through the real review queue for half of the wrong ones (log in, correct with
the right page and a verbatim quote, flag the older page, dismiss noise), then ask the same
questions, paraphrases of them (eval/sets/feedback_paraphrases.jsonl: other wording, other
language) and every other question again. Prints accuracy before/after per group, the share
of staff effort that changed an answer, regressions on unrelated questions and wrong curated
answers served. The loop itself is ``assistant/evaluation/feedback_loop.py``.

Then, in a store of its own, learning from ratings without staff (``--raters``, default 3; 0
skips it): one client rates 20 right answers 👎 (nothing may change), then that many citizens
rate every fact-stating answer as they find it (👍 right, 👎 wrong); everything is asked again.
Prints the wrong answers fixed, the right ones broken, and the paraphrases fixed and broken.

A fresh SQLite store per set in a temporary folder (or --work DIR); the cached indexes under
index/eval-<set> are used as ``assistant eval`` uses them. The quality score's ROC AUC needs
scikit-learn (the ``dev`` extra). About 10 minutes for sample + munich on 2 idle cores (6 without
the ratings-only part).
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # this checkout's package, also from a git worktree (the venv's is main's)

from assistant.app import App  # noqa: E402
from assistant.evaluation.configs import load_configs, load_sets  # noqa: E402
from assistant.evaluation.feedback_loop import (  # noqa: E402
    NOISE_SHARE,
    STAFF_USER,
    Asked,
    ask,
    can_be_curated,
    load_paraphrases,
    paraphrase_case,
    rate_as_citizens,
    rate_down,
    stable_order,
    staff_half,
    work_queue,
)
from assistant.evaluation.metrics import FACT_STATUSES  # noqa: E402
from assistant.evaluation.runner import Runner, plan_configs, plan_sets  # noqa: E402
from assistant.feedback.auth import hash_password  # noqa: E402
from assistant.settings import Settings  # noqa: E402

PARAPHRASES = Path("eval/sets/feedback_paraphrases.jsonl")
ONE_CLIENT_RATINGS = 20  # the abuse case: 20 ratings from one client must change nothing


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def share(items: list[Asked]) -> str:
    if not items:
        return "–"
    right = sum(item.right for item in items)
    return f"{right / len(items):.2f} ({right}/{len(items)})"


def quality_figures(asked: list[Asked], below: float) -> dict:
    """How well the answers' quality score predicts a wrong answer (before any feedback)."""
    from sklearn.metrics import roc_auc_score

    scored = [a for a in asked if a.answer is not None and a.answer.quality is not None]
    wrong = [not a.right for a in scored]
    auc = roc_auc_score(wrong, [-a.answer.quality for a in scored]) if len(set(wrong)) == 2 else None
    lowest = sorted(scored, key=lambda a: a.answer.quality)[: max(1, round(0.1 * len(scored)))]
    queued = [
        a
        for a in asked
        if a.answer is not None
        and (a.answer.status == "abstained" or (a.answer.quality is not None and a.answer.quality < below))
    ]
    return {
        "scored_answers": len(scored),
        "wrong_scored": sum(wrong),
        "roc_auc": None if auc is None else round(float(auc), 3),
        "lowest_10pct": len(lowest),
        "wrong_in_lowest_10pct": sum(not a.right for a in lowest),
        "threshold": below,
        "queued_without_rating": len(queued),
        "wrong_queued_without_rating": sum(not a.right for a in queued),
        "wrong_total": sum(not a.right for a in asked),
        "questions": len(asked),
    }


def bench_app(runner: Runner, settings: Settings, work_dir: Path, name: str) -> tuple[App, str]:
    """An App over the set's index with a fresh SQLite store of its own, and the staff password."""
    settings = settings.model_copy(deep=True)
    settings.store.url = f"sqlite:///{work_dir / f'{name}.sqlite3'}"
    settings.store.spool_path = work_dir / f"{name}-spool.jsonl"
    settings.store.cache_s = 0.0
    settings.staff.curated_eval_path = work_dir / f"{name}-curated.jsonl"  # never the project's file
    password = secrets.token_urlsafe(12)
    settings.staff.users = {STAFF_USER: hash_password(password)}
    app = App(
        settings,
        embedder=runner.embedder_for(settings),
        index=runner.index_for(settings),
        chat_model=runner.chat_model_for(settings),
    )
    return app, password


def said(asked: Asked) -> tuple[str, str] | None:
    return (asked.answer.status, asked.answer.answer) if asked.answer is not None else None


def ratings_only(
    runner: Runner,
    settings: Settings,
    name: str,
    cases: list,
    para_cases: list,
    para_before: list[Asked],
    languages: tuple[str, ...],
    work_dir: Path,
    raters: int,
) -> dict:
    """Learning from ratings without staff, in a store of its own: first one client rates
    ``ONE_CLIENT_RATINGS`` right answers 👎 (nothing may change), then ``raters`` citizens rate
    every fact-stating answer as they find it (``rate_as_citizens``); then everything is asked again."""
    app, _ = bench_app(runner, settings, work_dir, f"{name}-ratings")
    before = {case.id: ask(app, case, languages) for case in cases}
    right = sorted(
        (a for a in before.values() if a.right and a.answer is not None and a.answer.status in FACT_STATUSES),
        key=lambda a: stable_order(a.case.id),
    )[:ONE_CLIENT_RATINGS]
    one_client = rate_down(app, right, reason="wrong", client="one-client")
    after_one = {case.id: ask(app, case, languages) for case in cases}
    changed_by_one = sorted(i for i in before if said(before[i]) != said(after_one[i]))
    given = rate_as_citizens(app, list(before.values()), raters)
    after = {case.id: ask(app, case, languages) for case in cases}
    para_after = [ask(app, case, languages) for _, case in para_cases]
    wrong = sorted(i for i in before if not before[i].right)
    kept = sorted(i for i in before if before[i].right)
    table = [
        ("all questions", share(list(before.values())), share(list(after.values()))),
        ("  wrong before", share([before[i] for i in wrong]), share([after[i] for i in wrong])),
        ("  right before", share([before[i] for i in kept]), share([after[i] for i in kept])),
        ("paraphrases (all)", share(para_before), share(para_after)),
    ]
    lowered = [p for p in app.review.document_priors() if p.weight < 1.0]  # for every question ("outdated")
    return {
        "raters": raters,
        "ratings": given,
        "pages_ranked_lower": len(lowered),
        "table": table,
        "fixed": [i for i in wrong if after[i].right],
        "broken": [i for i in kept if not after[i].right],
        "paraphrases_fixed": sum(a.right and not b.right for b, a in zip(para_before, para_after, strict=True)),
        "paraphrases_broken": sum(b.right and not a.right for b, a in zip(para_before, para_after, strict=True)),
        "one_client_ratings": one_client,
        "changed_by_one_client": changed_by_one,
    }


def run_set(runner: Runner, planned, planned_config, paraphrases, work_dir: Path, raters: int) -> dict:
    name = planned.spec.name
    index_dir = runner.prepare_index(planned, planned_config, [])
    settings: Settings = planned_config.settings.model_copy(deep=True)
    settings.index_dir = index_dir
    app, password = bench_app(runner, settings, work_dir, name)
    cases = planned.cases
    by_id = {case.id: case for case in cases}
    languages = tuple(sorted(set(settings.languages) | {c.language for c in cases}))
    para_cases = [(p, paraphrase_case(by_id[p.of], p)) for p in paraphrases if p.of in by_id]

    started = time.perf_counter()
    before = {case.id: ask(app, case, languages) for case in cases}
    para_before = [ask(app, case, languages) for _, case in para_cases]
    log(
        f"{name}: before: {sum(a.right for a in before.values())}/{len(cases)} right, "
        f"{time.perf_counter() - started:.0f} s"
    )

    wrong = [before[case.id].case for case in cases if not before[case.id].right]
    quality = quality_figures(list(before.values()), settings.staff.review_below_quality)
    staff = staff_half(wrong)
    staff_ids = {case.id for case in staff}
    rate_down(app, [before[i] for i in staff_ids], reason="wrong")
    right_others = sorted(
        (a for a in before.values() if a.right and a.case.id not in staff_ids), key=lambda a: stable_order(a.case.id)
    )
    noise = right_others[: round(NOISE_SHARE * len(staff))]
    rate_down(app, noise, reason="other", comment="blabla")
    noise_ids = {a.answer.interaction_id for a in noise if a.answer and a.answer.interaction_id}
    logged = {before[case.id].answer.interaction_id: case for case in staff if before[case.id].answer}
    work = work_queue(app, logged, noise_ids, password, log)
    log(
        f"{name}: staff handled {work.items} items ({len(work.corrected)} corrected, "
        f"{sum(map(len, work.flagged.values()))} pages flagged, {len(work.dismissed)} dismissed)"
    )

    after = {case.id: ask(app, case, languages) for case in cases}
    para_after = [ask(app, case, languages) for _, case in para_cases]
    corrected = set(work.corrected)

    def group(selected: set[str]) -> tuple[list[Asked], list[Asked]]:
        return [before[i] for i in sorted(selected)], [after[i] for i in sorted(selected)]

    def para_group(kind: str, split: str | None) -> tuple[list[Asked], list[Asked]]:
        keep = [
            n
            for n, (p, _) in enumerate(para_cases)
            if p.of in corrected and p.kind == kind and (split is None or p.split == split)
        ]
        return [para_before[n] for n in keep], [para_after[n] for n in keep]

    unrelated = set(by_id) - staff_ids
    table = []
    for label, (b, a) in [
        ("staff half (same questions)", group(staff_ids)),
        ("  of which corrected", group(corrected)),
        ("paraphrases, same language", para_group("same", None)),
        ("  dev part", para_group("same", "dev")),
        ("  test part", para_group("same", "test")),
        ("paraphrases, other language", para_group("other", None)),
        ("  dev part", para_group("other", "dev")),
        ("  test part", para_group("other", "test")),
        ("unrelated (other half + rest)", group(unrelated)),
    ]:
        table.append((label, share(b), share(a)))

    regressions = sorted(i for i in unrelated if before[i].right and not after[i].right)
    everything_after = list(after.values()) + para_after
    curated_served = [a for a in everything_after if a.answer is not None and a.answer.verified_by_staff]
    wrong_curated = [a.case.id for a in curated_served if not a.right]
    curated_questions = {item.id: item.question for item in app.review.curated_answers()}
    wrong_curated_detail = [
        {"question": a.case.question, "case": a.case.id, "curated_question": curated_questions.get(a.answer.curated_id)}
        for a in curated_served
        if not a.right
    ]
    other_language_curated = [
        a.case.id for a in curated_served if a.metrics.answer_language and not a.metrics.language_ok
    ]
    changed = 0
    for case_id in staff_ids:
        own = [after[case_id]] + [para_after[n] for n, (p, _) in enumerate(para_cases) if p.of == case_id]
        was = [before[case_id]] + [para_before[n] for n, (p, _) in enumerate(para_cases) if p.of == case_id]
        changed += any(a.right and not b.right for a, b in zip(own, was, strict=True))
    ratings = (
        ratings_only(runner, settings, name, cases, para_cases, para_before, languages, work_dir, raters)
        if raters
        else None
    )
    if ratings is not None:
        log(
            f"{name}: ratings only: {ratings['ratings']} ratings, "
            f"{ratings['pages_ranked_lower']} pages ranked lower for every question"
        )
    return {
        "set": name,
        "cases": len(cases),
        "ratings_only": ratings,
        "wrong_before": len(wrong),
        "staff_cases": len(staff_ids),
        "curable": sum(can_be_curated(by_id[i]) for i in staff_ids),
        "corrected": len(corrected),
        "flagged": sum(map(len, work.flagged.values())),
        "dismissed": len(work.dismissed),
        "noise": len(noise),
        "items": work.items,
        "actions": work.actions,
        "items_that_changed_an_answer": changed,
        "table": table,
        "regressions": regressions,
        "wrong_curated_served": wrong_curated,
        "wrong_curated_detail": wrong_curated_detail,  # which curated answer each of them got
        "curated_served": len(curated_served),
        "curated_served_other_language": other_language_curated,
        "quality": quality,
        "seconds": round(time.perf_counter() - started, 1),
        "cases_after": {
            i: {
                "right_before": before[i].right,
                "right_after": after[i].right,
                "status_after": after[i].answer.status if after[i].answer else "error",
                "verified_by_staff": bool(after[i].answer and after[i].answer.verified_by_staff),
            }
            for i in by_id
        },
        "paraphrases": [
            {
                "of": p.of,
                "question": p.question,
                "kind": p.kind,
                "split": p.split,
                "corrected": p.of in corrected,
                "right_before": b.right,
                "right_after": a.right,
                "verified_by_staff": bool(a.answer and a.answer.verified_by_staff),
            }
            for (p, _), b, a in zip(para_cases, para_before, para_after, strict=True)
        ],
    }


def print_result(result: dict) -> None:
    print(
        f"\n{result['set']}: {result['cases']} cases, {result['wrong_before']} wrong before; "
        f"staff reviewed {result['staff_cases']} ({result['curable']} answerable by a curated answer)"
    )
    print("| group | right before | right after |\n|---|---|---|")
    for label, before, after in result["table"]:
        print(f"| {label} | {before} | {after} |")
    items = result["items"]
    print(
        f"staff effort: {items} queue items ({result['actions']} actions: {result['corrected']} corrections, "
        f"{result['flagged']} pages flagged, {result['dismissed']} dismissals incl. {result['noise']} noise); "
        f"items that changed an answer: {result['items_that_changed_an_answer']} of {items} "
        f"({result['items_that_changed_an_answer'] / items if items else 0:.2f})"
    )
    q = result["quality"]
    print(
        f"quality score: ROC AUC {q['roc_auc']} for a wrong answer over {q['scored_answers']} fact-stating answers "
        f"({q['wrong_scored']} wrong); lowest 10% ({q['lowest_10pct']}): {q['wrong_in_lowest_10pct']} wrong; "
        f"queue without any rating (abstained or quality < {q['threshold']}): {q['queued_without_rating']} of "
        f"{q['questions']} answers, holding {q['wrong_queued_without_rating']} of {q['wrong_total']} wrong ones"
    )
    print(f"regressions on unrelated questions: {len(result['regressions'])} {result['regressions'][:10]}")
    print(
        f"curated answers served: {result['curated_served']}; wrong: {len(result['wrong_curated_served'])} "
        f"{result['wrong_curated_served'][:10]}; in another language than the question: "
        f"{len(result['curated_served_other_language'])}"
    )
    for wrong in result["wrong_curated_detail"]:
        print(f"  wrong curated answer: {wrong['question']!r} got the answer to {wrong['curated_question']!r}")
    ratings = result["ratings_only"]
    if ratings is None:
        return
    print(
        f"\n{result['set']}, ratings only (no staff; {ratings['raters']} citizens rate each answer as they find it, "
        f"{ratings['ratings']} ratings; {ratings['pages_ranked_lower']} pages ranked lower for every question):"
    )
    print("| group | right before | right after |\n|---|---|---|")
    for label, before, after in ratings["table"]:
        print(f"| {label} | {before} | {after} |")
    print(
        f"fixed: {len(ratings['fixed'])} {ratings['fixed'][:10]}; broken: {len(ratings['broken'])} "
        f"{ratings['broken'][:10]}; paraphrases fixed {ratings['paraphrases_fixed']}, broken "
        f"{ratings['paraphrases_broken']}"
    )
    print(
        f"one client's {ratings['one_client_ratings']} thumbs-down on right answers changed "
        f"{len(ratings['changed_by_one_client'])} answers {ratings['changed_by_one_client'][:10]}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], help="golden set name (repeatable)")
    parser.add_argument("--config", default="extractive")
    parser.add_argument("--paraphrases", type=Path, default=PARAPHRASES)
    parser.add_argument("--limit", type=int, default=None, help="at most N cases per set (quick runs)")
    parser.add_argument("--work", type=Path, default=None, help="folder for the stores (default: temporary)")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    parser.add_argument(
        "--raters",
        type=int,
        default=3,
        help="citizens rating each answer in the ratings-only part (0: skip it; a page needs "
        "staff.rating_prior_min_clients of them)",
    )
    args = parser.parse_args()
    base = Settings()
    notes: list = []
    sets = plan_sets(args.set or ["sample", "munich"], load_sets(), base, args.limit, None, [], notes)
    configs = plan_configs([args.config], load_configs(), base, notes)
    paraphrases = load_paraphrases(args.paraphrases) if args.paraphrases.exists() else []
    for note in notes:
        log(f"note: {note.subject}: {note.text}")
    runner = Runner(log)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-feedback-") as temporary:
        work_dir = args.work or Path(temporary)
        work_dir.mkdir(parents=True, exist_ok=True)
        for planned in sets:
            result = run_set(runner, planned, configs[0], paraphrases, work_dir, args.raters)
            print_result(result)
            results.append(result)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
