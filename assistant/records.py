"""Typed records that cross layer boundaries.

The JSON that the CLI and the HTTP API emit is these records serialised
(``model_dump(mode="json")``), so this module *is* the public schema.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["answered", "abstained", "clarify", "referred", "refused"]


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


class AnswerSentence(BaseModel):
    text: str
    citations: list[int] = Field(default_factory=list)


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
