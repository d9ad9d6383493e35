"""The evidence reader: a trained model scores every line of the best retrieved pages.

The hand-tuned scorer (:mod:`assistant.answering.evidence`) adds small bonuses to one
cosine; the reader learns how much each signal counts from real questions and their gold
lines (OMoS-QA train, ``assistant train-reader``). Per question it

1. takes the pages of the retrieved chunks (``MAX_PAGES``, in retrieval order) and every
   sentence of them as a candidate (a gold line can sit in a chunk retrieval missed);
2. describes each sentence by cheap features (:data:`FEATURES`: e5 cosines of the question
   with the sentence, its neighbours, its chunk and the page title; stemmed-word overlap;
   retrieval ranks; position; list and heading shape; answer type) and lets the model give
   it a probability of being an answer line;
3. chooses the page first (the best line's page), then the fewest lines above the
   calibrated threshold and the passage around the best line (its neighbours above a lower
   threshold: answers on real pages run over several lines), near-duplicates once; a second
   page only adds a line the first lacks; no line above the threshold is "not in the
   documents".

The model is a small versioned JSON artifact (``reader_model.json`` beside this module):
a logistic regression or gradient-boosted trees exported as plain numbers, evaluated here
with numpy, so answering needs neither scikit-learn nor pickle. An artifact written for
another :data:`FEATURE_VERSION` is refused with :class:`ReaderModelError`.
"""

from __future__ import annotations

import json
import math
import re
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.answering.evidence import ANSWER_TYPES, has_type, wanted_types
from assistant.components.index import HybridIndex, bm25_tokens
from assistant.records import Evidence, SearchHit
from assistant.text import is_heading, strip_markup

FEATURE_VERSION = 1
FEATURES: tuple[str, ...] = (
    "cosine",  # question . sentence vector (embedded with page title and heading path)
    "cosine_gap_page",  # cosine - the page's best sentence cosine
    "cosine_gap_all",  # cosine - the best sentence cosine of all candidate pages
    "cosine_rank_page",  # rank of the cosine within its page (1 = best), capped, / 20
    "cosine_prev",  # the previous sentence's cosine - this one's (0 at the page start)
    "cosine_next",  # the next sentence's cosine - this one's (0 at the page end)
    "chunk_cosine",  # question . the sentence's chunk vector
    "title_cosine",  # question . page title vector
    "page_gap",  # the page's best sentence cosine - the best of all pages
    "page_rank",  # the page's place among the candidate pages (retrieval order), / MAX_PAGES
    "page_hits",  # retrieved chunks of the page / retrieved chunks
    "chunk_rank",  # retrieval rank of the sentence's chunk / pool (1 when not retrieved)
    "overlap",  # share of the question's stemmed words in the sentence
    "idf_overlap",  # the same, weighted by inverse document frequency
    "title_overlap",  # share of the question's stemmed words in title and heading path
    "prev_overlap",  # share of the question's stemmed words in the previous sentence
    "prev_headline",  # the previous sentence looks like a heading (short, no full stop)
    "position",  # place of the sentence in its page, 0..1
    "index_in_page",  # sentence number in its page, capped at 40, / 40
    "list_item",  # starts with a bullet
    "list_intro",  # ends with ':'
    "headline",  # a Markdown heading, or short without a full stop
    "question_like",  # ends with '?' (a page's own question, usually a heading)
    "length",  # log of the characters, / 6
    "has_number",
    "type_wanted",  # the question asks for an amount, time, place or documents
    "type_match",  # ... and the sentence has one
    "same_language",  # question and page in the same language
)
MAX_PAGES = 4  # candidate pages per question (retrieval order)
DEFAULT_MODEL = Path(__file__).with_name("reader_model.json")
DUPLICATE_COSINE = 0.95  # two sentences this close (or with the same words) are quoted once
_BULLET = ("-", "*", "•", "+")


class ReaderModelError(RuntimeError):
    """A reader artifact that cannot be used (missing, malformed or of another feature version)."""


@dataclass
class Selection:
    """How lines are chosen from the model's probabilities (calibrated on OMoS-QA dev)."""

    answer: float = 0.5  # below this best-line probability: not in the documents
    line: float = 0.5  # a further line of the chosen page needs at least this
    relative: float = 0.0  # ... and at least this share of the best line's probability
    second_page: float = 1.01  # a second page's best line needs this (> 1: never)
    max_lines: int = 3
    intro: bool = False  # a chosen list item brings its intro line
    extend: float = 1.01  # neighbours of the best line with at least this join its passage (> 1: never)
    block: int = 1  # ... until the passage has this many lines
    typed: float = 1.01  # a question wanting an amount or time the chosen lines lack: the page's best line
    # that has one joins them when it has at least this (> 1: never; without one the answer is refused)


@dataclass
class Candidates:
    """The sentences of the candidate pages of one question, in page order per page."""

    doc_ids: list[str] = field(default_factory=list)
    chunk_positions: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # rows of index.sentence_vectors
    texts: list[str] = field(default_factory=list)  # markup stripped
    page: list[int] = field(default_factory=list)  # page number (0 = first candidate page)
    intro: list[int] = field(default_factory=list)  # candidate number of the list intro, or -1
    group: list[int] = field(default_factory=list)  # near-duplicate group (same number = same content)
    quotable: list[bool] = field(default_factory=list)  # False: a Markdown heading (context, not an answer)
    wanted: tuple[int, ...] = ()  # the checkable answer types the question asks for (evidence.wanted_types)
    types: list[frozenset[int]] = field(default_factory=list)  # ... and those each sentence has

    def __len__(self) -> int:
        return len(self.doc_ids)


# -- pages and their sentences ----------------------------------------------------------------------
class _PageTable:
    """Per index: each document's chunk positions and the stemmed words' document frequencies."""

    def __init__(self, index: HybridIndex) -> None:
        self.chunks: dict[str, list[int]] = {}
        for position, chunk in enumerate(index.chunks):
            self.chunks.setdefault(chunk.doc_id, []).append(position)
        self.frequency: dict[str, int] = {}
        for doc in index.documents.values():
            for term in set(bm25_tokens(doc.text, doc.language)):
                self.frequency[term] = self.frequency.get(term, 0) + 1
        self.documents = max(1, len(index.documents))

    def idf(self, term: str) -> float:
        return math.log(1 + self.documents / (1 + self.frequency.get(term, 0)))


_tables: weakref.WeakKeyDictionary[HybridIndex, _PageTable] = weakref.WeakKeyDictionary()


def _table(index: HybridIndex) -> _PageTable:
    table = _tables.get(index)
    if table is None:
        table = _tables[index] = _PageTable(index)
    return table


def candidate_pages(hits: list[SearchHit], max_pages: int = MAX_PAGES, language: str | None = None) -> list[str]:
    """The documents of the retrieved chunks, in retrieval order, plus the best dense chunk's.

    Pages in the question's language, when any was retrieved: the citizen reads the quotes
    (an English question over German-only pages still gets the German pages).
    """
    if language and any(hit.chunk.language == language for hit in hits):
        hits = [hit for hit in hits if hit.chunk.language == language]
    pages: list[str] = []
    by_dense = sorted(hits, key=lambda h: -(h.dense_score or 0.0))[:1]
    for hit in [*hits, *by_dense]:
        if hit.chunk.doc_id not in pages and len(pages) < max_pages:
            pages.append(hit.chunk.doc_id)
    if by_dense and by_dense[0].chunk.doc_id not in pages:
        pages[-1] = by_dense[0].chunk.doc_id
    return pages


def collect(
    hits: list[SearchHit], index: HybridIndex, max_pages: int = MAX_PAGES, language: str | None = None
) -> Candidates:
    """Every sentence of the candidate pages, with list intros and near-duplicate groups."""
    table = _table(index)
    found = Candidates()
    for page_number, doc_id in enumerate(candidate_pages(hits, max_pages, language)):
        page_start = len(found)
        for position in table.chunks.get(doc_id, []):
            chunk = index.chunks[position]
            for span, row in zip(chunk.sentences, index.sentence_rows(position), strict=True):
                raw = chunk.text[span.start - chunk.start : span.end - chunk.start]
                found.doc_ids.append(doc_id)
                found.chunk_positions.append(position)
                found.starts.append(span.start)
                found.ends.append(span.end)
                found.rows.append(row)
                found.texts.append(strip_markup(raw))
                found.page.append(page_number)
                found.intro.append(_intro_of(found, page_start, raw))
                found.quotable.append(not is_heading(raw))
    found.group = _duplicate_groups(found, index)
    return found


def mark_answer_types(found: Candidates, question: str) -> Candidates:
    """Note which amounts and times the question asks for and which sentences have them
    (the pipeline refuses an answer about a cost that names no amount: stages/answerable.py)."""
    found.wanted = wanted_types(question)
    found.types = [frozenset(n for n in found.wanted if has_type(text, n)) for text in found.texts]
    return found


def types_present(chosen: list[int], found: Candidates) -> bool:
    """Every answer type the question asks for occurs in a chosen line (the answerability gate)."""
    return all(any(n in found.types[i] for i in chosen) for n in found.wanted)


def _intro_of(found: Candidates, page_start: int, raw: str) -> int:
    """For a list item: the candidate number of the ':' line that introduces its list, else -1."""
    if not raw.lstrip().startswith(_BULLET):
        return -1
    i = len(found.texts) - 2  # the sentence before this one
    while i >= page_start:
        previous = found.texts[i]
        if previous.rstrip().endswith(":"):
            return i
        if found.intro[i] < 0:  # not a list item: the list has no intro
            return -1
        i -= 1
    return -1


def _duplicate_groups(found: Candidates, index: HybridIndex) -> list[int]:
    """Sentences with e5 cosine >= DUPLICATE_COSINE (and the same numbers) or the same words share a group
    (the first one's number)."""
    if not len(found):
        return []
    vectors = np.asarray(index.sentence_vectors[found.rows], dtype=np.float32)
    close = (vectors @ vectors.T) >= DUPLICATE_COSINE
    words = [frozenset(re.findall(r"\w+", text.casefold())) for text in found.texts]
    numbers = [re.findall(r"\d+", text) for text in found.texts]  # two fees of one list differ only here
    group = list(range(len(found)))
    for i in range(len(found)):
        for j in range(i):
            if group[j] == j and ((close[i, j] and numbers[i] == numbers[j]) or (words[i] and words[i] == words[j])):
                group[i] = j
                break
    return group


# -- features ---------------------------------------------------------------------------------------
@dataclass
class _Question:
    """What the rows of one question's candidates are computed from."""

    vector: np.ndarray
    cosine: np.ndarray  # question . sentence vector, per candidate
    chunk_cosine: np.ndarray
    page: np.ndarray
    page_best: np.ndarray  # the best sentence cosine of each page
    chunk_rank: dict[str, int]
    hits_of_page: dict[str, int]
    pool: int
    terms: set[str]
    idf_total: float
    wanted: list[re.Pattern[str]]
    sentence_terms: list[set[str]]
    table: _PageTable
    titles: dict[str, float] = field(default_factory=dict)


def _question(
    question: str,
    language: str,
    question_vector: np.ndarray,
    hits: list[SearchHit],
    index: HybridIndex,
    found: Candidates,
) -> _Question:
    table = _table(index)
    vector = np.asarray(question_vector, dtype=np.float32)
    cosine = np.asarray(index.sentence_vectors[found.rows], dtype=np.float32) @ vector
    page = np.asarray(found.page)
    hits_of_page: dict[str, int] = {}
    for hit in hits:
        hits_of_page[hit.chunk.doc_id] = hits_of_page.get(hit.chunk.doc_id, 0) + 1
    terms = set(bm25_tokens(question, language))
    return _Question(
        vector=vector,
        cosine=cosine,
        chunk_cosine=np.asarray(index.vectors[found.chunk_positions], dtype=np.float32) @ vector,
        page=page,
        page_best=np.array([cosine[page == p].max() for p in range(int(page.max()) + 1)]),
        chunk_rank={h.chunk.chunk_id: h.rank for h in hits},
        hits_of_page=hits_of_page,
        pool=max(1, len(hits)),
        terms=terms,
        idf_total=sum(table.idf(t) for t in terms) or 1.0,
        wanted=[answer for cue, answer in ANSWER_TYPES if cue.search(question)],
        sentence_terms=[
            set(bm25_tokens(text, index.chunks[position].language))
            for text, position in zip(found.texts, found.chunk_positions, strict=True)
        ],
        table=table,
    )


def features(
    question: str,
    language: str,
    question_vector: np.ndarray,
    hits: list[SearchHit],
    index: HybridIndex,
    found: Candidates,
) -> np.ndarray:
    """One row of :data:`FEATURES` per candidate sentence."""
    if not len(found):
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    q = _question(question, language, question_vector, hits, index, found)
    rows = np.zeros((len(found), len(FEATURES)), dtype=np.float32)
    for i in range(len(found)):
        rows[i] = _row(i, q, index, found, language)
    return rows


def _row(i: int, q: _Question, index: HybridIndex, found: Candidates, language: str) -> tuple[float, ...]:
    """The :data:`FEATURES` of candidate ``i``."""
    n = len(found)
    doc_id, position, p = found.doc_ids[i], found.chunk_positions[i], found.page[i]
    chunk = index.chunks[position]
    if doc_id not in q.titles:
        title_vector = index.title_vector(doc_id)
        q.titles[doc_id] = float(title_vector @ q.vector) if title_vector is not None else 0.0
    cosine, page_best, terms = q.cosine, q.page_best, q.terms
    same_page_before = i > 0 and found.page[i - 1] == p
    same_page_after = i + 1 < n and found.page[i + 1] == p
    in_page = np.flatnonzero(q.page == p)
    first = int(in_page[0])
    text = found.texts[i]
    heading_terms = set(bm25_tokens(" ".join([chunk.title, *chunk.headings]), chunk.language))
    previous_terms = q.sentence_terms[i - 1] if same_page_before else set()
    previous_text = found.texts[i - 1] if same_page_before else ""
    shared = terms & q.sentence_terms[i]
    return (
        cosine[i],
        cosine[i] - page_best[p],
        cosine[i] - page_best.max(),
        min(int((cosine[in_page] > cosine[i]).sum()) + 1, 20) / 20,
        (cosine[i - 1] - cosine[i]) if same_page_before else 0.0,
        (cosine[i + 1] - cosine[i]) if same_page_after else 0.0,
        q.chunk_cosine[i],
        q.titles[doc_id],
        page_best[p] - page_best.max(),
        p / MAX_PAGES,
        q.hits_of_page.get(doc_id, 0) / q.pool,
        q.chunk_rank.get(chunk.chunk_id, q.pool + 1) / (q.pool + 1),
        len(shared) / len(terms) if terms else 0.0,
        sum(q.table.idf(t) for t in shared) / q.idf_total if terms else 0.0,
        len(terms & heading_terms) / len(terms) if terms else 0.0,
        len(terms & previous_terms) / len(terms) if terms else 0.0,
        float(bool(previous_text) and _headline(previous_text)),
        (i - first) / max(1, len(in_page) - 1),
        min(i - first, 40) / 40,
        float(_bulleted(index, found, i)),
        float(text.rstrip().endswith(":")),
        float(_headline(text) or is_heading(chunk.text[found.starts[i] - chunk.start : found.ends[i] - chunk.start])),
        float(text.rstrip().endswith("?")),
        math.log1p(len(text)) / 6,
        float(bool(re.search(r"\d", text))),
        float(bool(q.wanted)),
        float(any(answer.search(text) for answer in q.wanted)),
        float(chunk.language == language),
    )


def _raw(index: HybridIndex, found: Candidates, i: int) -> str:
    chunk = index.chunks[found.chunk_positions[i]]
    return chunk.text[found.starts[i] - chunk.start : found.ends[i] - chunk.start]


def _bulleted(index: HybridIndex, found: Candidates, i: int) -> bool:
    return _raw(index, found, i).lstrip().startswith(_BULLET)


def _headline(text: str) -> bool:
    """Short and without a closing full stop: a page's own heading line ("Ausländischer Führerschein")."""
    stripped = text.strip()
    return 0 < len(stripped) <= 60 and not stripped.endswith((".", "!", ":", ";", ","))


# -- the model --------------------------------------------------------------------------------------
@dataclass
class ReaderModel:
    """A trained line scorer: ``kind`` "logistic" or "trees", its numbers, and how lines are chosen."""

    kind: str
    params: dict
    selection: Selection
    features: tuple[str, ...] = FEATURES
    training: dict = field(default_factory=dict)

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """P(answer line) per row of :func:`features`."""
        rows = np.asarray(rows, dtype=np.float64)
        if self.kind == "logistic":
            scaled = (rows - np.asarray(self.params["mean"])) / np.asarray(self.params["scale"])
            raw = scaled @ np.asarray(self.params["coef"]) + float(self.params["intercept"])
        elif self.kind == "trees":
            raw = np.full(len(rows), float(self.params["init"]))
            rate = float(self.params["learning_rate"])
            for tree in self.params["trees"]:
                raw += rate * _tree_values(tree, rows)
        else:
            raise ReaderModelError(f"unknown reader model kind {self.kind!r}")
        return 1.0 / (1.0 + np.exp(-raw))

    def to_json(self) -> dict:
        return {
            "format": "assistant-reader",
            "feature_version": FEATURE_VERSION,
            "features": list(self.features),
            "kind": self.kind,
            "params": self.params,
            "selection": self.selection.__dict__,
            "training": self.training,
        }


def _tree_values(tree: dict, rows: np.ndarray) -> np.ndarray:
    """The leaf values of one regression tree (scikit-learn's arrays: -1 children = leaf)."""
    left, right = np.asarray(tree["left"]), np.asarray(tree["right"])
    feature, threshold, value = np.asarray(tree["feature"]), np.asarray(tree["threshold"]), np.asarray(tree["value"])
    node = np.zeros(len(rows), dtype=np.int64)
    for _ in range(64):  # deeper than any tree we train
        inner = left[node] >= 0
        if not inner.any():
            break
        at = node[inner]
        goes_left = rows[np.flatnonzero(inner), feature[at]] <= threshold[at]
        node[inner] = np.where(goes_left, left[at], right[at])
    return value[node]


def model_from_json(data: dict, source: str = "reader model") -> ReaderModel:
    """A :class:`ReaderModel` from its JSON; refuses another feature version or feature list."""
    if not isinstance(data, dict) or data.get("format") != "assistant-reader":
        raise ReaderModelError(f"{source} is not a reader artifact (format 'assistant-reader' expected)")
    version = data.get("feature_version")
    if version != FEATURE_VERSION or tuple(data.get("features", ())) != FEATURES:
        raise ReaderModelError(
            f"{source} was trained for reader feature version {version}, this code computes version "
            f"{FEATURE_VERSION}: retrain it (assistant train-reader) or select the hand-tuned scorer "
            "(ASSISTANT_EVIDENCE__SELECTOR=scorer)"
        )
    try:
        return ReaderModel(
            kind=data["kind"],
            params=data["params"],
            selection=Selection(**data["selection"]),
            training=data.get("training", {}),
        )
    except (KeyError, TypeError) as exc:
        raise ReaderModelError(f"{source} is incomplete: {exc}") from exc


@lru_cache(maxsize=4)
def load_model(path: Path | None = None) -> ReaderModel:
    """The artifact at ``path`` (default: the one bundled with the package), loaded once."""
    path = Path(path) if path is not None else DEFAULT_MODEL
    if not path.is_file():
        raise ReaderModelError(f"reader model {path} not found: train one with `assistant train-reader`")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ReaderModelError(f"reader model {path} is not JSON ({exc.msg})") from exc
    return model_from_json(data, str(path))


# -- choosing lines ---------------------------------------------------------------------------------
def choose(probabilities: np.ndarray, found: Candidates, selection: Selection) -> list[int]:
    """Candidate numbers to quote, in page order; empty = not in the documents.

    The page of the best line wins; its further lines need ``selection.line`` (and a share
    ``selection.relative`` of the best); the best line's neighbours join it as one passage
    (:func:`_passage`); a second page adds at most its best line, when that is not a
    near-duplicate of a chosen one. A question asking for an amount or a time that the chosen
    lines lack gets the page's best line that has one (``selection.typed``; see
    :func:`mark_answer_types`).
    """
    if not len(found):
        return []
    allowed = np.asarray(found.quotable, dtype=bool) if found.quotable else np.ones(len(found), dtype=bool)
    probabilities = np.where(allowed, probabilities, -1.0)  # headings are never quoted
    best = int(np.argmax(probabilities))
    if probabilities[best] < selection.answer:
        return []
    floor = max(selection.line, selection.relative * float(probabilities[best]))
    page = found.page[best]
    chosen: list[int] = []
    groups: set[int] = set()
    for i in np.argsort(-probabilities, kind="stable"):
        i = int(i)
        if len(chosen) >= selection.max_lines or probabilities[i] < min(floor, probabilities[best]):
            break
        if found.page[i] == page and found.group[i] not in groups:
            chosen.append(i)
            groups.add(found.group[i])
    for i in _passage(probabilities, found, best, selection):
        if i not in chosen and found.group[i] not in groups:
            chosen.append(i)
            groups.add(found.group[i])
    second = [i for i in range(len(found)) if found.page[i] != page and found.group[i] not in groups]
    if second:
        other = max(second, key=lambda i: probabilities[i])
        if probabilities[other] >= selection.second_page:
            chosen.append(other)
    for n in found.wanted if selection.typed <= 1 else ():
        if any(n in found.types[i] for i in chosen):
            continue
        typed = [i for i in range(len(found)) if found.page[i] == page and allowed[i] and n in found.types[i]]
        i = max(typed, key=lambda i: probabilities[i], default=-1)
        if i >= 0 and probabilities[i] >= selection.typed and found.group[i] not in groups:
            chosen.append(i)
            groups.add(found.group[i])
    if selection.intro:
        for i in list(chosen):
            intro = found.intro[i]
            if intro >= 0 and allowed[intro] and intro not in chosen and found.group[intro] not in groups:
                chosen.append(intro)
                groups.add(found.group[intro])
    first_page = [i for i in chosen if found.page[i] == page]
    return sorted(first_page) + [i for i in chosen if found.page[i] != page]


def _passage(probabilities: np.ndarray, found: Candidates, best: int, selection: Selection) -> list[int]:
    """The lines next to the best one, on both sides, while each has ``selection.extend``.

    A gold answer on a real page is usually a passage (median five lines in OMoS-QA: a
    sentence and the list or sentences that continue it), and its continuation rarely
    repeats the question's words; so the neighbours of the best line need a lower
    probability than a line on its own. Headings are skipped (not quoted, not a stop); from an
    item of an introduced list the passage covers only that list's items (the intro comes with
    ``selection.intro``).
    """
    if selection.extend > 1 or selection.block <= 1:
        return []
    passage: list[int] = []
    size = 1
    in_list = found.intro[best] >= 0  # an item of a list with an intro: the passage stays in that list
    for step in (1, -1):
        i = best + step
        while 0 <= i < len(found) and found.page[i] == found.page[best] and size < selection.block:
            if probabilities[i] < 0:  # a heading (see choose): skipped
                i += step
                continue
            if probabilities[i] < selection.extend or (in_list and found.intro[i] != found.intro[best]):
                break
            passage.append(i)
            size += 1
            i += step
    return passage


def score_lines(
    question: str,
    question_vector: np.ndarray,
    hits: list[SearchHit],
    index: HybridIndex,
    model: ReaderModel,
    language: str = "de",
) -> tuple[Candidates, np.ndarray]:
    """The candidate lines of the retrieved pages and the reader's probability for each."""
    found = mark_answer_types(collect(hits, index, language=language), question)
    if not len(found):
        return found, np.zeros(0)
    return found, model.probabilities(features(question, language, question_vector, hits, index, found))


def best_probability(found: Candidates, probabilities: np.ndarray) -> float:
    """The probability of the best quotable line (0 when there is none): how likely it is that the retrieved
    pages answer the question at all."""
    if found.quotable:
        probabilities = np.where(np.asarray(found.quotable, dtype=bool), probabilities, 0.0)
    return float(probabilities.max(initial=0.0))


def read_evidence(
    found: Candidates, probabilities: np.ndarray, index: HybridIndex, selection: Selection
) -> list[Evidence]:
    """The quotes the reader chooses among the scored lines (:func:`score_lines`), numbered from 1; empty when no
    line clears the threshold."""
    evidence: list[Evidence] = []
    for i in choose(probabilities, found, selection):
        chunk = index.chunks[found.chunk_positions[i]]
        start, end = found.starts[i], found.ends[i]
        evidence.append(Evidence.quoted(chunk, start, end, len(evidence) + 1, float(probabilities[i])))
    return evidence
