"""Precision and recall of curated-answer matching on paraphrases (issue 14).

    .venv/bin/python eval/bench_curated_match.py

Every golden question that ``eval/sets/feedback_paraphrases.jsonl`` paraphrases becomes a
curated answer (its page, its question); then the real ``CuratedMatcher`` is asked for

- each paraphrase (other wording in the same language, and the other language): right when
  it returns the curated answer of the question it paraphrases, wrong when another one;
- every other golden question of the same set (no follow-ups): any match is a wrong
  curated answer unless it is the paraphrased case itself.

Printed per rule and per part of the paraphrase file (dev: where thresholds are chosen;
test: reported), for the close match (same language, same subject words, same kind of
answer asked for, e5 >= ``store.curated_min_similarity``) alone and with the match by page
(``store.curated_min_similarity_with_page``, off by default).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from assistant.answering.curated import CuratedMatcher
from assistant.answering.retrieve import search
from assistant.components.embeddings import E5Embeddings
from assistant.components.index import HybridIndex
from assistant.evaluation.configs import load_sets
from assistant.evaluation.feedback_loop import load_paraphrases
from assistant.evaluation.golden import load_cases
from assistant.records import CuratedAnswer
from assistant.settings import Settings

PARAPHRASES = Path("eval/sets/feedback_paraphrases.jsonl")
RULES = {  # name -> (min_similarity_with_page, page_rank)
    "close match (default)": (None, 1),
    "+ page rank 1, e5 >= 0.88": (0.88, 1),
    "+ page rank 3, e5 >= 0.85": (0.85, 3),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[])
    args = parser.parse_args()
    settings = Settings()
    embedder = E5Embeddings()
    paraphrases = load_paraphrases(PARAPHRASES)
    counts: dict[tuple[str, str], Counter] = {}
    for name in args.set or ["sample", "munich"]:
        spec = load_sets()[name]
        cases, _ = load_cases(spec.files)
        by_id = {case.id: case for case in cases}
        curated_ids = sorted({p.of for p in paraphrases if p.of in by_id})
        curated = [
            CuratedAnswer(
                id=n, question=by_id[i].question, language=by_id[i].language, answer=i, doc_id=by_id[i].expected_docs[0]
            )
            for n, i in enumerate(curated_ids)
        ]
        index = HybridIndex.load(Path(settings.index_dir) / f"eval-{name}", embedding_model=embedder.model_id)
        probes = [(p.of, p.question, p.language, p.kind, p.split) for p in paraphrases if p.of in by_id]
        probes += [
            (case.id, case.question, case.language, "unrelated", "all")
            for case in cases
            if case.id not in curated_ids and not case.history
        ]
        source = tuple(curated)
        matchers = {
            rule: CuratedMatcher(
                lambda source=source: source, embedder, settings.store.curated_min_similarity, with_page, rank
            )
            for rule, (with_page, rank) in RULES.items()
        }
        vectors = embedder.embed_queries([question for _, question, *_ in probes])
        for (of, question, language, kind, split), vector in zip(probes, vectors, strict=True):
            hits = search(
                index,
                embedder,
                question,
                settings.retrieval,
                k=settings.retrieval.evidence_pool,
                query_language=language,
                query_vector=vector,
            )
            pages = [hit.chunk.doc_id for hit in hits]
            for rule, matcher in matchers.items():
                found = matcher.match(question, vector, language) or matcher.match_by_page(question, vector, pages)
                served = found[0].answer if found else None
                tally = counts.setdefault((rule, f"{kind} ({split})"), Counter())
                tally["n"] += 1
                tally["right"] += served == of and kind != "unrelated"
                tally["wrong"] += served is not None and served != of
    print("| rule | questions | n | right curated answer | wrong curated answer |\n|---|---|---|---|---|")
    for (rule, group), tally in sorted(counts.items()):
        right = "–" if group.startswith("unrelated") else f"{tally['right']} ({tally['right'] / tally['n']:.2f})"
        print(f"| {rule} | {group} | {tally['n']} | {right} | {tally['wrong']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
