"""What the answer stages share: the resources they use and the context one question builds up.

A stage is a function ``stage(ctx, res) -> Ending | None``: it enriches ``ctx`` or ends the
answer with an :class:`Ending` (a status and the text shown). ``ctx`` lives for one question;
``res`` for one index version.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from langchain_core.language_models.chat_models import BaseChatModel

from assistant.answering.contact import ContactBook
from assistant.answering.curated import CuratedMatcher
from assistant.answering.facts.answers import FactBook
from assistant.answering.rating_priors import QuestionPrior
from assistant.components.embeddings import E5Embeddings
from assistant.components.index import HybridIndex
from assistant.messages import message
from assistant.records import AnswerSentence, Disagreement, Evidence, SearchHit, Status
from assistant.safety.output_check import OutputCheck
from assistant.settings import Settings
from assistant.text import strip_markup

History = list[dict[str, str]]

WORD = re.compile(r"\w+")


@dataclass
class Resources:
    """The components the stages use, built once per index version."""

    settings: Settings
    index: HybridIndex
    embedder: E5Embeddings
    chat_model: BaseChatModel | None
    contacts: ContactBook
    curated: CuratedMatcher | None = None  # staff-verified answers, checked before the documents
    flagged: Callable[[], set[str]] | None = None  # ids of documents staff marked outdated or wrong
    # page -> retrieval weight below 1, from citizens' ratings (ReviewService.rating_weights)
    rating_weights: Callable[[], dict[str, float]] | None = None
    # the same from the ratings of questions like the one asked (answering/rating_priors.py)
    question_prior: QuestionPrior | None = None
    output_check: OutputCheck | None = None  # None when safety is off (the attack benchmark's baseline)

    def quote_vectors(self, evidence: list[Evidence]) -> np.ndarray:
        """The stored vectors of the quotes (rows in ``evidence`` order); a quote the index lacks is embedded."""
        stored = [self.index.span_vector(e.doc_id, e.start, e.end) for e in evidence]
        missing = [e.quote for e, vector in zip(evidence, stored, strict=True) if vector is None]
        embedded = iter(self.embedder.embed_passages([strip_markup(q) for q in missing]) if missing else [])
        rows = [vector if vector is not None else next(embedded) for vector in stored]
        return np.stack(rows) if rows else np.zeros((0, self.embedder.dimension), dtype=np.float32)

    @cached_property
    def facts(self) -> FactBook:
        """Fee and opening-hour rows of the documents, read when a question first needs them."""
        return FactBook(self.index.documents)

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every word (lowercased) of the documents' titles, texts and keywords."""
        words: set[str] = set()
        for doc in self.index.documents.values():
            words.update(WORD.findall(f"{doc.title} {doc.text} {doc.metadata.get('keywords', '')}".lower()))
        return frozenset(words)

    @cached_property
    def crisis_lines(self) -> list[Evidence]:
        """The pages' emergency and crisis numbers (the crisis route shows them first)."""
        from assistant.answering.crisis import emergency_lines

        return emergency_lines(self.index)

    @property
    def model_name(self) -> str:
        if self.chat_model is None:
            return "extractive"
        return getattr(self.chat_model, "model_name", None) or type(self.chat_model).__name__


@dataclass
class Ending:
    """How an answer ends: its status and text, with what it cites."""

    status: Status
    text: str
    sentences: list[AnswerSentence] | None = None
    supporting: list[Evidence] = field(default_factory=list)
    disagreeing: list[Disagreement] = field(default_factory=list)
    confidence: float | None = None  # None: the context's relevance
    verified_by_staff: bool = False
    curated_id: int | None = None
    nothing_found: bool = False  # the documents do not answer it (AnswerContext.abstain)


@dataclass
class AnswerContext:
    """One question on its way through the stages."""

    question: str
    history: History | None
    language: str
    started: float = field(default_factory=time.perf_counter)
    timings: dict[str, float] = field(default_factory=dict)
    search_text: str = ""  # the question, with the previous one for a short follow-up
    question_vector: np.ndarray | None = None
    flagged: set[str] = field(default_factory=set)
    hits: list[SearchHit] = field(default_factory=list)
    relevance: float = 0.0  # cosine of the question and the best retrieved chunk
    # the trained reader's probability for the best line of the retrieved pages (None: not computed)
    reader_confidence: float | None = None
    evidence: list[Evidence] = field(default_factory=list)
    disagreeing: list[Disagreement] = field(default_factory=list)
    more_rows: list[str] = field(default_factory=list)  # fee rows that fit but were not quoted: ask which applies
    documents_disagree: bool = False  # undated sources state different values: neither answers
    referral: Evidence | None = None  # the sentence naming another responsible authority
    prompt_tokens: int = 0
    draft: str = ""  # what the model wrote, before the grounding gate
    drafted_sentences: int | None = None  # sentences of the draft the grounding gate judged
    sentences: list[AnswerSentence] = field(default_factory=list)  # the checked answer sentences
    route: str = "answer"  # the question router's route (assistant/safety/router.py)
    crisis_first: bool = False  # the router was unsure it is a crisis: the emergency numbers come first

    def elapsed_ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 1)

    def abstain(self) -> Ending:
        """The documents do not answer it: said in the citizen's language, with who can help."""
        if self.route == "other_authority":  # the router saw another authority: say so, not "nothing found"
            return Ending("referred", message("routed_other_authority", self.language), nothing_found=True)
        return Ending("abstained", message("abstained", self.language), nothing_found=True)
