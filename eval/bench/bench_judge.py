"""What a local judge model would add to curated matching and the quality score (measured, not shipped).

    nice .venv/bin/python eval/bench/bench_judge.py answers --set munich --set omosqa-dev   # about 20 minutes
    nice .venv/bin/python eval/bench/bench_judge.py pairs                                   # about 10 minutes

A national peer scores every live answer with a judge model; the quality score is built without
one, and this script measures what the only judge model that installs offline here (the quality
profile's Qwen2.5-Coder-1.5B-Instruct, ``make model``) would add. It asks a yes/no question and
takes P(yes) = p("Yes") / (p("Yes") + p("No")) from ``LlamaCppChatModel.answer_logprobs``: one
forward pass each, nothing generated.

``answers``: the stored answers of ``eval/bench/train_quality.py collect`` (fact-stating answers only,
labelled right or wrong as the feedback benchmark counts it). The judge reads the question and the
answer's first four quotes with their page titles: "do these excerpts answer exactly this
question?". Printed per set: ROC AUC for a wrong answer and wrong answers among the lowest 10 %
for the shipped quality score, the judge alone, and both (the sum of their log-odds, the judge's
weighted 0.25, 0.5 and 1).

``pairs``: the dev paraphrases of ``eval/sets/feedback_paraphrases.jsonl`` (sample and Munich),
each with its own golden question (a right curated match) and the two other golden questions e5
puts closest (wrong ones). The judge reads both questions: "would one answer answer both?". Printed
per kind (same language, other language) for the pairs with e5 in the band where the matcher's
thresholds decide (0.83-0.93): ROC AUC of e5 and of the judge, and right and wrong pairs at each
judge threshold; the same ROC AUC for the second encoder (USE multilingual, ``SecondEncoder``).
Then the pairs that must never match (the Elterngeld/Kindergeld case of the
curated matcher's tests) beside their right twins.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
from langchain_core.messages import HumanMessage, SystemMessage
from rich.console import Console
from train_quality import CACHE, figures, load

from assistant.answering.quality import FACT_STATUSES, MODEL_PATH, answer_quality
from assistant.components.embeddings import E5Embeddings, SecondEncoder
from assistant.components.llm import LlamaCppChatModel, profile_model_path
from assistant.evaluation.configs import load_sets
from assistant.evaluation.feedback_loop import load_paraphrases
from assistant.evaluation.golden import load_cases
from assistant.progress import ProgressCallback, progress_bar
from assistant.records import Answer
from assistant.settings import Settings

PARAPHRASES = Path("eval/sets/feedback_paraphrases.jsonl")
BAND = (0.83, 0.93)
# questions that must never share a curated answer, each beside the pair that should
NEVER = [
    ("How do I apply for parental allowance?", "Wie beantrage ich Kindergeld?"),
    ("How do I apply for parental allowance?", "Wie beantrage ich Elterngeld?"),
    ("How do I apply for child benefit?", "Wie beantrage ich Kindergeld?"),
    ("How much is a children's passport?", "Was kostet ein Reisepass?"),
    ("Is the Citizens' Office open on Saturdays?", "Wann hat das Bürgerbüro am Mittwoch geöffnet?"),
]


def p_yes(model: LlamaCppChatModel, text: str) -> float:
    """P("Yes") / (P("Yes") + P("No")) as the model's reply to ``text``."""
    messages = [SystemMessage(content="You are a careful reviewer."), HumanMessage(content=text)]
    yes, no = (sum(model.answer_logprobs(messages, word)) for word in ("Yes", "No"))
    return 1.0 / (1.0 + math.exp(no - yes))


def answers_prompt(answer: Answer) -> str:
    quotes = "\n".join(f"- ({source.title}) {source.quote}" for source in answer.supporting[:4])
    return (
        f"A citizen's question: {answer.question}\n\nExcerpts from the city's pages:\n{quotes}\n\n"
        "Do these excerpts contain the answer to exactly this question? Answer only Yes or No."
    )


def pairs_prompt(question: str, other: str) -> str:
    return (
        f"Question A: {question}\nQuestion B: {other}\n\nWould one answer fully and correctly answer both "
        "questions, i.e. do they ask for the same information about the same service (possibly in "
        "different languages)? Answer only Yes or No."
    )


def log_odds(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def judge_answers(model: LlamaCppChatModel, sets: list[str], limit: int | None, progress: ProgressCallback) -> None:
    settings = Settings()
    weights = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    for name in sets:
        answers = [(a, right) for a, right in load(CACHE, name) if a.status in FACT_STATUSES][:limit]
        rows = []
        for n, (answer, right) in enumerate(answers, 1):
            quality = answer_quality(answer, settings.evidence.min_dense_score, weights)
            rows.append((quality, p_yes(model, answers_prompt(answer)), right))
            progress(f"{name}: answers judged", n, len(answers))
        print(f"{name}: {len(rows)} fact-stating answers, {sum(not r for *_, r in rows)} wrong")
        print(f"  quality score: {figures([(q, r) for q, _, r in rows])}")
        print(f"  judge alone:   {figures([(j, r) for _, j, r in rows])}")
        for weight in (0.25, 0.5, 1.0):
            both = [(log_odds(q) + weight * log_odds(j), r) for q, j, r in rows]
            print(f"  both ({weight}):   {figures(both)}")


def judge_pairs(model: LlamaCppChatModel, progress: ProgressCallback) -> None:
    from sklearn.metrics import roc_auc_score

    embedder, second = E5Embeddings(), SecondEncoder()
    paraphrases = load_paraphrases(PARAPHRASES)
    pairs: list[tuple[str, float, float, bool, float]] = []  # kind, e5, second encoder, right match, judge
    for name in ("sample", "munich"):
        cases, _ = load_cases(load_sets()[name].files)
        by_id = {case.id: case for case in cases}
        ids = sorted({p.of for p in paraphrases if p.of in by_id})
        asked = [p for p in paraphrases if p.of in by_id and p.split == "dev"]
        similarities = (
            np.asarray(embedder.embed_queries([p.question for p in asked]))
            @ np.asarray(embedder.embed_queries([by_id[i].question for i in ids])).T
        )
        for n, (paraphrase, row) in enumerate(zip(asked, similarities, strict=True), 1):
            own = ids.index(paraphrase.of)
            closest = [int(j) for j in np.argsort(-row) if j != own][:2]
            for j in [own, *closest]:
                if BAND[0] <= row[j] < BAND[1]:
                    other = by_id[ids[j]].question
                    use = second.similarity(paraphrase.question, other)
                    judged = p_yes(model, pairs_prompt(paraphrase.question, other))
                    pairs.append((paraphrase.kind, float(row[j]), use, j == own, judged))
            progress(f"{name}: paraphrases judged", n, len(asked))
    print(f"pairs with e5 in [{BAND[0]}, {BAND[1]}): a paraphrase and its own golden question (right) or one of")
    print("the two other golden questions e5 puts closest (wrong)")
    for kind in ("same", "other"):
        rows = [row for row in pairs if row[0] == kind]
        right = [is_right for *_, is_right, _ in rows]
        if len(set(right)) < 2:
            continue
        auc = [roc_auc_score(right, [row[n] for row in rows]) for n in (1, 2, 4)]
        print(
            f"{kind} language: {len(rows)} pairs, {sum(right)} right; "
            f"ROC AUC e5 {auc[0]:.3f}, second encoder (USE) {auc[1]:.3f}, judge {auc[2]:.3f}"
        )
        for threshold in (0.6, 0.65, 0.7, 0.75):
            above = [is_right for *_, is_right, judged in rows if judged >= threshold]
            print(f"  judge >= {threshold}: {sum(above)} right, {len(above) - sum(above)} wrong")
    print("pairs that must not match, beside the ones that should:")
    vectors = embedder.embed_queries([text for pair in NEVER for text in pair])
    for n, (question, other) in enumerate(NEVER):
        e5, use = float(np.dot(vectors[2 * n], vectors[2 * n + 1])), second.similarity(question, other)
        judged = p_yes(model, pairs_prompt(question, other))
        print(f"  judge {judged:.3f}, e5 {e5:.3f}, USE {use:.3f}: {question} | {other}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["answers", "pairs"])
    parser.add_argument("--set", action="append", default=[], help="answers: the stored sets (default munich)")
    parser.add_argument("--limit", type=int, default=None, help="answers: the first N of each set")
    args = parser.parse_args()
    llm = Settings().llm.model_copy(update={"profile": "quality"})
    model = LlamaCppChatModel.load(profile_model_path(llm), n_ctx=2048, n_threads=llm.n_threads)
    with progress_bar(Console(stderr=True)) as progress:
        if args.part == "answers":
            judge_answers(model, args.set or ["munich"], args.limit, progress)
        else:
            judge_pairs(model, progress)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
