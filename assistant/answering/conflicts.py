"""Disagreeing sources: other documents that state something different about the same thing.

Two kinds are found among the retrieved chunks:

* **Same slot, other value** - a sentence of another document that reads like
  an evidence sentence once its facts are masked ("ab 24 Jahren: <amount>")
  but carries a different amount, date, time, phone number or room. This is
  how an outdated fee page or an un-updated translation shows up.
* **A notice that says otherwise** - a sentence from a notice (a document with
  ``valid_until``, or titled "Hinweis"/"Notice") about the same subject that
  announces a change ("geschlossen", "entfällt", "kostenpflichtig", ...).

The answer follows the newer source; a notice in force beats a service page.
When the newer side is the one that was not selected, it replaces the
evidence (same citation number) and the older side becomes the disagreeing one.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from assistant.answering.facts.values import extract_facts
from assistant.components.index import HybridIndex, bm25_tokens, stemmer
from assistant.records import Disagreement, Evidence, SearchHit
from assistant.text import is_heading, strip_markup

# e-mail addresses differ between departments on every contact line: not a conflict signal
CHECKED_KINDS = {"amount", "date", "time", "phone", "room"}
CHANGE_CUES = re.compile(
    r"geschlossen|entfällt|entfallen|nicht mehr|kostenpflichtig|gebühr|gesperrt|verlegt|"
    r"ab dem|ab sofort|abweichend|ausnahmsweise|closed|cancel|no longer|moved|instead|fee\b",
    re.IGNORECASE,
)
NOTICE_TITLE = re.compile(r"^(hinweis|notice|achtung|aktuell|änderung|information)", re.IGNORECASE)
MIN_SLOT_OVERLAP = 0.5
MIN_SHARED_TERMS = 2
# words that tell tariff rows apart ("ab 24 Jahren" / "unter 24 Jahren"); stop-word lists drop
# most of them, so they are compared separately: rows that differ in one are different slots
QUALIFIERS = frozenset(
    (
        "ab",
        "unter",
        "über",
        "bis",
        "vor",
        "nach",
        "mehr",
        "weniger",
        "erste",
        "erster",
        "ersten",
        "zweite",
        "zweiter",
        "zweiten",
        "weitere",
        "weiterer",
        "jeder",
        "jede",
        "ermäßigt",
        "ermäßigte",
        "kinder",
        "kind",
        "erwachsene",
        "jugendliche",
        "gefährlicher",
        "gefährliche",
        "express",
        "vorläufiger",
        "vorläufige",
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonntag",
        "under",
        "over",
        "above",
        "from",
        "until",
        "before",
        "after",
        "first",
        "second",
        "third",
        "additional",
        "each",
        "reduced",
        "children",
        "child",
        "adults",
        "adult",
        "temporary",
        "dangerous",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    )
)
SAME_TOPIC_ACROSS_LANGUAGES = 0.86  # e5 cosine of two titles in different languages
SAME_NOTICE_ACROSS_LANGUAGES = 0.87  # e5 cosine of an evidence sentence and a notice sentence
SAME_SLOT_ACROSS_LANGUAGES = 0.90  # e5 cosine of two stored sentence vectors (in context), best match only


@lru_cache(maxsize=8192)
def _masked(text: str) -> str:
    masked = text
    checked = [f for f in extract_facts(text) if f.kind in CHECKED_KINDS]
    for fact in sorted(checked, key=lambda f: -f.start):
        masked = masked[: fact.start] + " " + masked[fact.end :]
    return strip_markup(masked)


@lru_cache(maxsize=8192)
def _qualifiers(text: str, language: str) -> frozenset[str]:
    """Stemmed qualifier words of ``text`` ("ersten" and "erster" are the same row)."""
    stem = stemmer(language).stemWords
    qualifiers = set(stem(sorted(QUALIFIERS)))
    return frozenset(stem(re.findall(r"\w+", _masked(text).lower()))) & qualifiers


@lru_cache(maxsize=8192)
def _masked_terms(text: str, language: str) -> frozenset[str]:
    return frozenset(bm25_tokens(_masked(text), language))


@lru_cache(maxsize=4096)
def _title_terms(title: str, language: str) -> tuple[str, ...]:
    return tuple(bm25_tokens(title, language))


class _Similarity:
    """e5 cosine of titles and sentences from the vectors stored at ingest: only needed across languages."""

    def __init__(self, vectors: HybridIndex | None) -> None:
        self.vectors = vectors

    def titles(self, doc_a: str, doc_b: str) -> float:
        if self.vectors is None:
            return 0.0
        a, b = self.vectors.title_vector(doc_a), self.vectors.title_vector(doc_b)
        return 0.0 if a is None or b is None else float(a @ b)

    def quotes(self, a: tuple[str, int, int], b: tuple[str, int, int]) -> float:
        """Cosine of two quotes given as (doc_id, start, end)."""
        if self.vectors is None:
            return 0.0
        va, vb = self.vectors.span_vector(*a), self.vectors.span_vector(*b)
        return 0.0 if va is None or vb is None else float(va @ vb)


@lru_cache(maxsize=8192)  # the same sentences are compared with every evidence sentence
def _values(text: str) -> dict[str, set[str]]:
    values: dict[str, set[str]] = {}
    for fact in extract_facts(text):
        if fact.kind in CHECKED_KINDS:
            values.setdefault(fact.kind, set()).add(fact.value)
    return values


def _raw(text: str, kind: str) -> str:
    return ", ".join(text[f.start : f.end] for f in extract_facts(text) if f.kind == kind)


def _is_notice(hit_or_ev_title: str, valid_until: date | None) -> bool:
    return valid_until is not None or bool(NOTICE_TITLE.match(hit_or_ev_title))


class _Sentence:
    def __init__(self, hit: SearchHit, start: int, end: int) -> None:
        chunk = hit.chunk
        self.hit = hit
        self.start, self.end = start, end
        self.text = chunk.text[start - chunk.start : end - chunk.start]
        self.doc_id = chunk.doc_id

    @property
    def span(self) -> tuple[str, int, int]:
        return self.doc_id, self.start, self.end


def _candidates(hits: list[SearchHit]) -> list[_Sentence]:
    out = []
    for hit in hits:
        for span in hit.chunk.sentences:
            sentence = _Sentence(hit, span.start, span.end)
            if not is_heading(sentence.text) and len(sentence.text) > 10:
                out.append(sentence)
    return out


def _newer(a: date | None, b: date | None) -> bool:
    return a is not None and (b is None or a > b)


def _same_topic(item: Evidence, item_language: str, chunk, similarity: _Similarity) -> bool:
    """Two documents about the same thing: shared title words, or similar titles across languages."""
    if chunk.language == item_language:
        words = _title_terms(item.title, item_language)
        others = _title_terms(chunk.title, chunk.language)
        # prefix match: the stemmer leaves "bürgerbüros" and "bürgerbüro" apart
        return any(
            a == b or (min(len(a), len(b)) >= 6 and (a.startswith(b) or b.startswith(a))) for a in words for b in others
        )
    return similarity.titles(item.doc_id, chunk.doc_id) >= SAME_TOPIC_ACROSS_LANGUAGES


def _same_slot(
    item: Evidence, item_language: str, other: _Sentence, similarity: _Similarity, rivals: list[_Sentence]
) -> bool:
    chunk = other.hit.chunk
    if chunk.language != item_language:
        # across languages only the closest sentence of that document can be the same slot
        quote = (item.doc_id, item.start, item.end)
        score = similarity.quotes(quote, other.span)
        best = max(similarity.quotes(quote, r.span) for r in rivals)
        return score >= SAME_SLOT_ACROSS_LANGUAGES and score >= best
    item_words = _qualifiers(item.quote, item_language)
    other_words = _qualifiers(other.text, chunk.language)
    if item_words != other_words:
        return False
    item_terms = _masked_terms(item.quote, item_language)
    other_terms = _masked_terms(other.text, chunk.language)
    shared = item_terms & other_terms
    return len(shared) >= MIN_SHARED_TERMS and len(shared) / max(1, len(item_terms | other_terms)) >= MIN_SLOT_OVERLAP


def _reason(
    item: Evidence, item_language: str, other: _Sentence, similarity: _Similarity, rivals: list[_Sentence]
) -> str:
    chunk = other.hit.chunk
    item_values = _values(item.quote)
    if item_values and _values(other.text) and _same_slot(item, item_language, other, similarity, rivals):
        other_values = _values(other.text)
        for kind in sorted(set(item_values) & set(other_values)):
            if item_values[kind] != other_values[kind]:
                return f"{kind}: {_raw(item.quote, kind)} vs {_raw(other.text, kind)}"
    if _is_notice(chunk.title, chunk.valid_until) and CHANGE_CUES.search(other.text):
        if chunk.language != item_language:
            if similarity.quotes((item.doc_id, item.start, item.end), other.span) >= SAME_NOTICE_ACROSS_LANGUAGES:
                return "a notice in another language announces a change"
            return ""
        shared = _masked_terms(item.quote, item_language) & _masked_terms(other.text, chunk.language)
        if shared:
            return f"a notice about '{', '.join(sorted(shared)[:3])}' announces a change"
    return ""


def find_conflicts(
    evidence: list[Evidence],
    hits: list[SearchHit],
    today: date | None = None,
    language: str = "de",
    vectors: HybridIndex | None = None,
) -> tuple[list[Evidence], list[Disagreement]]:
    """Return (evidence, disagreeing): evidence may be swapped for its newer counterpart."""
    today = today or date.today()
    similarity = _Similarity(vectors)
    candidates = _candidates(hits)
    languages = {hit.chunk.doc_id: hit.chunk.language for hit in hits}
    result = list(evidence)
    disagreements: list[Disagreement] = []
    seen: set[tuple[str, int]] = set()
    for position, item in enumerate(evidence):
        item_language = languages.get(item.doc_id, language)
        for other in candidates:
            chunk = other.hit.chunk
            if other.doc_id == item.doc_id or (other.doc_id, other.start) in seen:
                continue
            if chunk.valid_until and chunk.valid_until < today:
                continue  # an expired notice contradicts nothing
            if not _same_topic(item, item_language, chunk, similarity):
                continue
            rivals = [c for c in candidates if c.doc_id == other.doc_id]
            reason = _reason(item, item_language, other, similarity, rivals)
            if not reason:
                continue
            seen.add((other.doc_id, other.start))
            other_notice = _is_notice(chunk.title, chunk.valid_until)
            if (other_notice and not _is_notice(item.title, None)) or _newer(chunk.updated, item.updated):
                result[position], lost = _swap(item, other, reason, other_notice)
                disagreements.append(lost)
                break  # this evidence is replaced; its other conflicts are the winner's now
            disagreements.append(_older(item, other, reason))
    kept, renamed = _dedupe(result)
    return kept, [
        d.model_copy(update={"conflicts_with": renamed.get(d.conflicts_with, d.conflicts_with)}) for d in disagreements
    ]


def _swap(item: Evidence, other: _Sentence, reason: str, notice: bool) -> tuple[Evidence, Disagreement]:
    """The newer sentence (or the notice) answers in the evidence's place; the evidence becomes the disagreeing one."""
    chunk = other.hit.chunk
    winner = Evidence(
        n=item.n,
        doc_id=other.doc_id,
        title=chunk.title,
        url=chunk.url,
        source=chunk.source,
        updated=chunk.updated,
        quote=other.text,
        start=other.start,
        end=other.end,
        score=item.score,
    )
    why = "newer notice" if notice else "newer source"
    lost = Disagreement.of(
        item, item.n, f"{reason}; the answer follows the {why} ({_d(chunk.updated)} over {_d(item.updated)})"
    )
    return winner, lost


def _older(item: Evidence, other: _Sentence, reason: str) -> Disagreement:
    """The other (older) sentence, shown as disagreeing with the evidence."""
    chunk = other.hit.chunk
    return Disagreement(
        doc_id=other.doc_id,
        title=chunk.title,
        url=chunk.url,
        updated=chunk.updated,
        quote=other.text,
        start=other.start,
        end=other.end,
        conflicts_with=item.n,
        reason=f"{reason}; the answer follows the newer source ({_d(item.updated)} over {_d(chunk.updated)})",
    )


def _d(value: date | None) -> str:
    return value.isoformat() if value else "undated"


def _dedupe(evidence: list[Evidence]) -> tuple[list[Evidence], dict[int, int]]:
    """The same quote twice (after a swap, or the same line on two pages) is kept once;
    the mapping says which number a dropped duplicate now goes by."""
    first: dict[str, int] = {}
    out = []
    renamed: dict[int, int] = {}
    for item in evidence:
        key = strip_markup(item.quote).casefold()
        if key in first:
            renamed[item.n] = first[key]
            continue
        first[key] = item.n
        out.append(item)
    return out, renamed
