"""Precision and recall of curated-answer matching on paraphrases (the feedback loop's curated answers).

    .venv/bin/python eval/bench/bench_curated_match.py [--set sample --set munich]

Every golden question that ``eval/sets/feedback_paraphrases.jsonl`` paraphrases becomes a
curated answer (its page, its question); then the real ``CuratedMatcher`` is asked, as the
answer path asks it (the same-language match, then the other-language match with the pages
the documents search finds), for

- each paraphrase (other wording in the same language, and the other language): right when
  it returns the curated answer of the question it paraphrases, wrong when another one;
- each paraphrase again with only the curated answers of the other half of the paraphrased
  questions (split by a hash of the case id), so that its own is missing, as for the half
  staff did not correct in the feedback benchmark: any match is a wrong curated answer;
- the golden question's own translation, where the set asks it in both languages (ids "...-de" and
  "...-en"; not counted as unrelated questions): right when it returns the
  curated answer of its twin;
- every other golden question of the same set (no follow-ups): any match is a wrong
  curated answer. They are split in two halves by a hash of the case id like the
  paraphrases: the dev half is where thresholds are chosen, the test half is reported.

Printed per rule and per part (dev: where thresholds are chosen; test: reported): the close
match alone (same language, more than half of the subject words shared), the settings'
defaults (``store.curated_*``: also the paraphrase match, with the curated page among the first
2 the search finds, and the other-language match, with the curated page among the first 2 found
in its language, or the question's and the curated question's searches agreeing), the same
without that agreement, the same with the page among the first 3, the older other-language
rules (the page among the first 2 of the pages found in its language, or of all pages found), and
the defaults without the second encoder (the other-language match only from e5 0.89), with the matcher's time
per question.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections import Counter
from pathlib import Path

from assistant.answering.curated import CuratedMatcher
from assistant.answering.retrieve import pages_in_language, search
from assistant.components.embeddings import E5Embeddings, SecondEncoder
from assistant.components.index import HybridIndex
from assistant.evaluation.configs import load_sets
from assistant.evaluation.feedback_loop import load_paraphrases, stable_order
from assistant.evaluation.golden import load_cases
from assistant.records import CuratedAnswer
from assistant.settings import Settings

PARAPHRASES = Path("eval/sets/feedback_paraphrases.jsonl")


@functools.cache
def second_encoder() -> SecondEncoder:
    return SecondEncoder()


def matchers(
    settings: Settings, embedder: E5Embeddings, curated: tuple[CuratedAnswer, ...]
) -> dict[str, tuple[CuratedMatcher, str]]:
    """Each rule's matcher, and where the other-language match takes the page's rank from:
    "search" (a search of the page's language, as the answer path does), "found" (the pages
    the question's search found, in the page's language: an older rule), "all" (among all pages
    found: the oldest rule)."""
    store = settings.store
    second = second_encoder().similarity

    def rule(**changed) -> CuratedMatcher:
        """The settings' defaults (with the second encoder) with ``changed`` store settings."""
        return CuratedMatcher.from_settings(lambda: curated, embedder, store.model_copy(update=changed), second)

    defaults = rule()
    return {
        "close match only": (
            CuratedMatcher(lambda: curated, embedder, store.curated_min_similarity, None, 1, None),
            "search",
        ),
        "settings' defaults": (defaults, "search"),
        # the searches' agreement off: only the curated page among the first 2 found
        "without the searches' agreement": (
            rule(curated_agreement_rank=None),
            "search",
        ),
        # one page more: where the page check starts to let a neighbouring service's answer through
        "page among the first 3": (
            rule(curated_page_rank=3),
            "search",
        ),
        # no second encoder: the other-language match only from e5 0.89
        "without the second encoder": (
            rule(curated_min_similarity_with_page_second=None),
            "search",
        ),
        # the rank among the pages of its language that the question's own search found
        "other language: rank among the pages found in its language": (defaults, "found"),
        # without the pages' languages: the rank counts among all pages found
        "other language: rank among all pages found": (defaults, "all"),
    }


def ask(matcher, page_rank_from, question, vector, language, pages, languages, index, search_in, pages_of):
    """The curated answer ``matcher`` finds, as the answer path asks: before retrieval, then with the
    pages found (their ranks taken as ``page_rank_from`` says, see :func:`matchers`)."""
    return matcher.match(question, vector, language) or matcher.match_by_page(
        question,
        vector,
        pages,
        language,
        {"search": index.document_languages, "found": languages, "all": None}[page_rank_from],
        search_in if page_rank_from == "search" else None,
        index.page_terms if page_rank_from == "search" else None,
        pages_of if page_rank_from == "search" else None,
    )


def evidence_pool(index, embedder, settings: Settings, question: str, language: str, vector):
    """The chunks the answer path's search finds for ``question`` (its evidence pool)."""
    return search(
        index,
        embedder,
        question,
        settings.retrieval,
        k=settings.retrieval.evidence_pool,
        query_language=language,
        query_vector=vector,
    )


def translation(case_id: str) -> str | None:
    """The id of the golden question's other-language twin ("pa-fee-adult-de" -> "pa-fee-adult-en")."""
    stem, _, language = case_id.rpartition("-")
    return {"de": f"{stem}-en", "en": f"{stem}-de"}.get(language) if stem else None


def half(case_id: str) -> str:
    """The part an unrelated golden question belongs to (fixed by a hash of its id)."""
    return "dev" if int(stable_order(case_id), 16) % 2 == 0 else "test"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument(
        "--show-wrong", action="store_true", help="print the dev part's wrong curated answers (never the test part's)"
    )
    args = parser.parse_args()
    settings = Settings()
    embedder = E5Embeddings()
    paraphrases = load_paraphrases(PARAPHRASES)
    counts: dict[tuple[str, str], Counter] = {}
    seconds: Counter = Counter()
    for name in args.set or ["sample", "munich"]:
        spec = load_sets()[name]
        cases, _ = load_cases(spec.files)
        by_id = {case.id: case for case in cases}
        curated_ids = sorted({p.of for p in paraphrases if p.of in by_id})
        curated = tuple(
            CuratedAnswer(
                id=n, question=by_id[i].question, language=by_id[i].language, answer=i, doc_id=by_id[i].expected_docs[0]
            )
            for n, i in enumerate(curated_ids)
        )
        index = HybridIndex.load(Path(settings.index_dir) / f"eval-{name}", embedding_model=embedder.model_id)
        probes = [(p.of, p.question, p.language, p.kind, p.split) for p in paraphrases if p.of in by_id]
        # the golden sets ask many questions twice, in German and in English (ids "...-de" / "...-en"):
        # the translation of a curated question is asked as one more other-language paraphrase, not as
        # an unrelated question (where its own curated answer would count as a wrong one)
        twins = {case.id: twin for case in cases if (twin := translation(case.id)) in curated_ids}
        probes += [
            (
                twins.get(case.id, case.id),
                case.question,
                case.language,
                "translation" if case.id in twins else "unrelated",
                half(case.id),
            )
            for case in cases
            if case.id not in curated_ids and not case.history
        ]
        rules = matchers(settings, embedder, curated)
        # a paraphrase asked when its own question was not corrected (as for half of them in the feedback
        # benchmark): the curated answers of the other half only, so any match is a wrong one
        without = {
            part: matchers(settings, embedder, tuple(item for item in curated if half(item.answer) != part))
            for part in ("dev", "test")
        }
        vectors = embedder.embed_queries([question for _, question, *_ in probes])
        for matcher, _ in [*rules.values(), *(rule for part in without.values() for rule in part.values())]:
            for language in {item.language for item in curated}:  # embeds the curated questions outside the timing
                matcher.match("", vectors[0], language)
        for (of, question, language, kind, split), vector in zip(probes, vectors, strict=True):
            hits = evidence_pool(index, embedder, settings, question, language, vector)
            pages = [hit.chunk.doc_id for hit in hits]
            languages = {hit.chunk.doc_id: hit.chunk.language for hit in hits}

            def search_in(page_language: str, question=question, language=language, vector=vector, index=index):
                return pages_in_language(index, embedder, question, settings.retrieval, page_language, language, vector)

            def pages_of(curated_question: str, curated_vector, curated_language: str, index=index):
                hits = evidence_pool(index, embedder, settings, curated_question, curated_language, curated_vector)
                return [hit.chunk.doc_id for hit in hits]

            asked = (question, vector, language, pages, languages, index, search_in, pages_of)
            for rule, (matcher, page_rank_from) in rules.items():
                started = time.perf_counter()
                found = ask(matcher, page_rank_from, *asked)
                seconds[rule] += time.perf_counter() - started
                if kind != "unrelated":
                    alone = ask(*without[half(of)][rule], *asked)
                    tally = counts.setdefault((rule, f"{kind}, its question not curated ({split})"), Counter())
                    tally["n"] += 1
                    tally["wrong"] += alone is not None
                served = found[0].answer if found else None
                tally = counts.setdefault((rule, f"{kind} ({split})"), Counter())
                tally["n"] += 1
                tally["right"] += served == of and kind != "unrelated"
                tally["wrong"] += served is not None and served != of
                if args.show_wrong and split == "dev" and served is not None and served != of:
                    print(f"wrong ({rule}, dev, {kind}): {question!r} got {by_id[served].question!r} ({found[1]:.3f})")
    print("| rule | questions | n | right curated answer | wrong curated answer |\n|---|---|---|---|---|")
    for (rule, group), tally in sorted(counts.items()):
        counted = not group.startswith("unrelated") and "not curated" not in group
        right = f"{tally['right']} ({tally['right'] / tally['n']:.2f})" if counted else "–"
        print(f"| {rule} | {group} | {tally['n']} | {right} | {tally['wrong']} |")
    asked = sum(tally["n"] for (rule, _), tally in counts.items() if rule == next(iter(seconds)))
    for rule, total in seconds.items():
        print(f"{rule}: {1000 * total / max(asked, 1):.2f} ms per question (matching only)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
