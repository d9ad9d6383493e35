"""Typed records that cross layer boundaries.

The JSON that the CLI and the HTTP API emit is these records serialised
(``model_dump(mode="json")``), so this module *is* the public schema.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator

# in the order the dashboard and the evaluation report list them (typing.get_args(Status))
Status = Literal["answered", "abstained", "referred", "clarify", "refused"]
# the question router's routes (assistant/safety/router.py), in the order the dashboard lists them
Route = Literal[
    "answer", "other_authority", "political_opinion", "personal_advice", "crisis", "abuse", "out_of_scope", "injection"
]


class Span(BaseModel):
    """A character range ``[start, end)`` in a document's text."""

    start: int
    end: int


class Document(BaseModel):
    """One source document after loading, before chunking.

    ``text`` is the normalised text every offset refers to: Markdown-like,
    headings on their own lines starting with ``#``, list items with ``- ``.
    """

    doc_id: str
    title: str
    text: str
    source: str  # the path or URL that was ingested
    url: str = ""
    department: str = ""
    language: str = "de"
    updated: date | None = None
    valid_until: date | None = None
    content_hash: str = ""
    metadata: dict[str, str] = Field(default_factory=dict)


class Chunk(BaseModel):
    """A retrievable piece of a document: whole sentences under one heading path."""

    chunk_id: str
    doc_id: str
    text: str  # verbatim document text doc.text[start:end]
    start: int
    end: int
    headings: list[str] = Field(default_factory=list)
    sentences: list[Span] = Field(default_factory=list)  # absolute offsets into doc.text
    title: str = ""
    url: str = ""
    source: str = ""
    department: str = ""
    language: str = "de"
    updated: date | None = None
    valid_until: date | None = None
    keywords: str = ""  # search terms of the document (e.g. DLDB "keywords"), never quoted

    def embedding_text(self) -> str:
        """What BM25 and the dense model see: title, heading path and keywords give context."""
        path = " > ".join([self.title, *[h for h in self.headings if h != self.title]])
        keywords = f"\n{self.keywords}" if self.keywords else ""
        return f"{path}\n{self.text}{keywords}"


class SearchHit(BaseModel):
    """A retrieved chunk with the scores that ranked it."""

    chunk: Chunk
    score: float  # fused score (higher is better)
    rank: int
    dense_score: float | None = None  # cosine similarity, when the dense retriever saw it
    bm25_score: float | None = None


class Evidence(BaseModel):
    """A verbatim quote from a document that supports an answer."""

    n: int  # citation number shown to the citizen, [1], [2], ...
    doc_id: str
    title: str
    url: str = ""
    source: str = ""
    updated: date | None = None
    quote: str
    start: int
    end: int
    score: float

    @classmethod
    def quoted(cls, chunk: Chunk, start: int, end: int, n: int, score: float) -> Evidence:
        """The verbatim text ``[start, end)`` of ``chunk``'s document, cited as ``[n]``."""
        return cls(
            n=n,
            doc_id=chunk.doc_id,
            title=chunk.title,
            url=chunk.url,
            source=chunk.source,
            updated=chunk.updated,
            quote=chunk.text[start - chunk.start : end - chunk.start],
            start=start,
            end=end,
            score=round(score, 4),
        )


class Disagreement(BaseModel):
    """A source that states something different about the same thing."""

    doc_id: str
    title: str
    url: str = ""
    updated: date | None = None
    quote: str
    start: int = 0
    end: int = 0
    conflicts_with: int  # the Evidence.n it disagrees with
    reason: str

    @classmethod
    def of(cls, evidence: Evidence, conflicts_with: int, reason: str) -> Disagreement:
        """``evidence`` (a quote that no longer supports the answer) shown as disagreeing with ``[conflicts_with]``."""
        return cls(
            doc_id=evidence.doc_id,
            title=evidence.title,
            url=evidence.url,
            updated=evidence.updated,
            quote=evidence.quote,
            start=evidence.start,
            end=evidence.end,
            conflicts_with=conflicts_with,
            reason=reason,
        )


class SourceQuote(BaseModel):
    """One highlighted line of a source: the citation number and where it stands."""

    n: int
    quote: str
    start: int
    end: int


class Source(BaseModel):
    """One supporting document with all the lines the answer quotes from it (for display)."""

    doc_id: str
    title: str
    url: str = ""
    updated: date | None = None
    quotes: list[SourceQuote] = Field(default_factory=list)


def group_by_document(supporting: list[Evidence]) -> list[Source]:
    """The supporting quotes grouped by document, in order of first citation."""
    groups: dict[str, Source] = {}
    for item in supporting:
        group = groups.setdefault(
            item.doc_id, Source(doc_id=item.doc_id, title=item.title, url=item.url, updated=item.updated)
        )
        group.quotes.append(SourceQuote(n=item.n, quote=item.quote, start=item.start, end=item.end))
    return list(groups.values())


class AnswerSentence(BaseModel):
    text: str
    citations: list[int] = Field(default_factory=list)


class Contact(BaseModel):
    """Who can help in person: the responsible office as the corpus describes it."""

    office: str
    room: str = ""
    phone: str = ""
    email: str = ""
    hours: list[str] = Field(default_factory=list)  # e.g. "Montag: 8:00 bis 16:00 Uhr"
    doc_id: str = ""  # the page these details come from
    title: str = ""
    url: str = ""


class Answer(BaseModel):
    """The one record every transport renders (see README, "Answer JSON")."""

    question: str
    language: str
    status: Status
    answer: str
    sentences: list[AnswerSentence] = Field(default_factory=list)
    supporting: list[Evidence] = Field(default_factory=list)
    disagreeing: list[Disagreement] = Field(default_factory=list)
    confidence: float = 0.0
    timings_ms: dict[str, float] = Field(default_factory=dict)
    prompt_tokens: int = 0
    ai_generated: bool = True  # EU AI Act Art. 50: every answer says it comes from an AI
    model: str = ""
    index_version: str = ""
    id: str | None = None  # echoed from --batch input
    verified_by_staff: bool = False  # a curated answer written by city staff
    curated_id: int | None = None
    contact: Contact | None = None  # "talk to a person"
    interaction_id: str | None = None  # set when the answer was logged; rate it with this id
    route: Route = "answer"  # where the question router sent the question (before retrieval)
    # the grounding gate: sentences the model wrote and those it kept (None when no model wrote)
    model_sentences: int | None = None
    model_sentences_kept: int | None = None
    # the trained evidence reader's probability for the best line of the retrieved pages: how likely the
    # documents answer the question at all; None: not computed (the scorer chooses without the reader's gate)
    reader_confidence: float | None = None
    # 0..1 from the pipeline's own signals (assistant/answering/quality.py); None: states no facts
    quality: float | None = None

    @computed_field  # display: one entry per document, several highlighted lines (derived from supporting)
    @property
    def sources(self) -> list[Source]:
        return group_by_document(self.supporting)


class SkippedFile(BaseModel):
    path: str
    reason: str


class IngestReport(BaseModel):
    """What one ``assistant ingest`` run did."""

    index_dir: str
    index_version: str
    documents_total: int = 0
    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = Field(default_factory=list)
    skipped: list[SkippedFile] = Field(default_factory=list)
    chunks_total: int = 0
    chunks_embedded: int = 0
    words_embedded: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.skipped


Channel = Literal["kiosk", "widget", "api", "cli"]
Rating = Literal["up", "down"]
Reason = Literal["wrong", "outdated", "incomplete", "not_understood", "other"]
ReviewState = Literal["open", "resolved", "dismissed"]
Problem = Literal["outdated", "wrong"]  # why staff flagged a document
# the review vocabulary: what staff can tag a reviewed answer with, and filter by
ReviewTag = Literal[
    "wrong_fact",
    "outdated_source",
    "missing_source",
    "wrong_page",
    "incomplete",
    "too_long",
    "not_understood",
    "should_have_referred",
]
TICKET_TAG = "ticket"  # set on an interaction when the citizen asks for a person (POST /api/ticket)


class Feedback(BaseModel):
    """A citizen's rating of one logged answer."""

    interaction_id: str
    rating: Rating
    reason: Reason | None = None
    comment: str = Field(default="", max_length=1000)


class Interaction(BaseModel):
    """One logged question and answer (personal data already removed)."""

    id: str
    created_at: datetime
    channel: Channel
    language: str
    question: str
    answer: str
    status: Status
    supporting: list[Evidence] = Field(default_factory=list)
    disagreeing: list[Disagreement] = Field(default_factory=list)
    model: str = ""
    index_version: str = ""
    latency_ms: float = 0.0
    curated_id: int | None = None
    rating: Rating | None = None  # the latest rating, if any
    reason: Reason | None = None
    comment: str = ""
    review_state: ReviewState = "open"
    route: Route = "answer"
    quality: float | None = None  # the answer's quality score (low: in the review queue without a rating)
    corrected_route: Route | None = None  # the route staff say was right (None: not corrected)
    tags: list[str] = Field(default_factory=list)  # review tags (ReviewTag) and "ticket"
    ticket: Ticket | None = None  # the citizen's request for a person (staff views only)

    def as_answer(self) -> Answer:
        """The logged answer as an Answer record (for "why this answer?" on an answer given earlier)."""
        return Answer(
            question=self.question,
            language=self.language,
            status=self.status,
            answer=self.answer,
            supporting=self.supporting,
            disagreeing=self.disagreeing,
            model=self.model,
            index_version=self.index_version,
            interaction_id=self.id,
            route=self.route,
        )


class TicketRequest(BaseModel):
    """``POST /api/ticket``: a citizen asks for a person to get back to them about an answer."""

    interaction_id: str = Field(max_length=32)
    contact: str = Field(default="", max_length=300)  # e-mail or phone, as the citizen typed it (kept)
    message: str = Field(default="", max_length=1000)  # anything else (personal data removed)


class Ticket(BaseModel):
    """A stored ticket: ``contact`` as the citizen typed it, ``message`` redacted."""

    id: str
    interaction_id: str
    created_at: datetime
    contact: str = ""
    message: str = ""


class CuratedAnswer(BaseModel):
    """A staff-verified answer, used for the same and similar questions."""

    id: int | None = None
    question: str
    language: str
    answer: str
    doc_id: str = ""  # the source it rests on
    title: str = ""
    url: str = ""
    quote: str = ""
    created_by: str = ""
    created_at: datetime | None = None
    interaction_id: str | None = None


class RatedAnswer(BaseModel):
    """One citizen's rating of a logged answer, with what the prior needs: the question, the pages
    the answer cited, the rating and the rating client's salted hash."""

    interaction_id: str
    question: str
    doc_ids: tuple[str, ...]
    rating: Rating
    reason: Reason | None = None
    client: str = ""


class DocumentPrior(BaseModel):
    """What citizens' ratings say about one page (each client counted once, its latest rating)."""

    doc_id: str
    down_clients: int = 0  # clients whose latest rating of an answer citing the page is a thumbs-down
    up_clients: int = 0
    outdated_clients: int = 0  # of the thumbs-down: reason "outdated"
    weight: float = 1.0  # the page's retrieval score is multiplied by this (1.0: unchanged)


class FlaggedDocument(BaseModel):
    """A document staff marked outdated or wrong: it no longer supports answers."""

    doc_id: str
    title: str = ""
    url: str = ""
    problem: Problem
    note: str = ""
    flagged_by: str = ""
    created_at: datetime | None = None


# -- the golden-set format (eval/sets/*.jsonl); staff corrections are exported in it --


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str


class GoldenCase(BaseModel):
    """One question with what a correct answer must (and must not) contain."""

    # unknown fields are refused so that a typo ("expected_doc") cannot silently disable a check
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    language: str = Field(pattern=r"^[a-z]{2}$")
    expected_status: Status
    expected_docs: list[str] = Field(default_factory=list)
    expected_evidence: list[str] = Field(default_factory=list)
    key_facts: list[str] = Field(default_factory=list)
    forbidden_facts: list[str] = Field(default_factory=list)
    history: list[Turn] = Field(default_factory=list)
    conflict: bool = False
    conflict_docs: list[str] = Field(default_factory=list)
    # line-level gold (OMoS-QA): doc id -> the page's line numbers (0-based) that answer the
    # question; an empty list = that page does not answer it. Scored by line-level evidence
    # precision/recall, no-answer and page-hit figures (eval/METRICS.md)
    expected_lines: dict[str, list[int]] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    # provenance of curated cases (e.g. "feedback:1234", "staff correction 2026-12-01")
    source: str = ""
    notes: str = ""

    @field_validator("expected_evidence", "key_facts", "forbidden_facts", "expected_docs")
    @classmethod
    def _no_blank_entries(cls, values: list[str]) -> list[str]:
        if any(not v.strip() for v in values):
            raise ValueError("entries must not be empty")
        return values

    @field_validator("expected_evidence")
    @classmethod
    def _evidence_without_bullets(cls, values: list[str]) -> list[str]:
        for value in values:
            if re.match(r"^\s*[-*•]\s", value):
                raise ValueError(f"list items are written without their leading bullet: {value[:60]!r}")
        return values

    @model_validator(mode="after")
    def _consistent(self) -> GoldenCase:
        if self.conflict_docs and not self.conflict:
            raise ValueError("conflict_docs is set but conflict is not true")
        overlap = {f.casefold() for f in self.key_facts} & {f.casefold() for f in self.forbidden_facts}
        if overlap:
            raise ValueError(f"a fact is both key and forbidden: {sorted(overlap)}")
        if self.expected_status in ("abstained", "refused") and self.key_facts:
            raise ValueError(f"a case expected to be {self.expected_status} cannot have key_facts")
        return self

    def history_dicts(self) -> list[dict[str, str]] | None:
        """The history as the answer service takes it (``None`` when there is none)."""
        return [turn.model_dump() for turn in self.history] or None


Effect = Literal["supports", "pulls against", "neutral"]


class Attribution(BaseModel):
    """How much the answer rests on one evidence sentence ("why this answer?", by ablation)."""

    n: int  # the sentence's number in the prompt (supporting: its citation number)
    role: Literal["supporting", "disagreeing"]  # shown as a cited source, or as a source that disagrees
    doc_id: str
    title: str
    quote: str
    # log-probability of the answer (nats, summed over its tokens) with the sentence in the prompt minus
    # without it: > 0 the answer rests on it, < 0 it makes the answer less likely
    score: float
    effect: Effect


class Explanation(BaseModel):
    """The answer and each evidence sentence's effect on it, strongest support first."""

    question: str
    answer: str  # the text whose likelihood was measured (the answer's sentences)
    status: Status
    model: str
    answer_tokens: int = 0
    logprob: float = 0.0  # of the answer given all sentences
    attributions: list[Attribution] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
