"""Use case: ``answer(question, history) -> Answer``, and its streaming form.

One straight path, evidence first so that a weak model cannot do harm:

guard -> retrieve -> abstain? -> select evidence -> clarify? / referred? ->
find disagreeing sources (the newer side wins) -> compose with the model
(streamed) -> grounding gate -> extractive fallback when nothing survives.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from datetime import date

import numpy as np
from langchain_core.language_models.chat_models import BaseChatModel

from assistant.answering.compose import build_messages, build_naive_messages, system_prompts
from assistant.answering.conflicts import find_conflicts
from assistant.answering.contact import ContactBook
from assistant.answering.curated import CuratedMatcher
from assistant.answering.events import Event, Final, Token
from assistant.answering.evidence import ANSWER_TYPES, select_evidence
from assistant.answering.retrieve import search
from assistant.answering.subject import subject_terms
from assistant.answering.verify import verify
from assistant.components.embeddings import E5Embeddings
from assistant.components.index import HybridIndex, bm25_tokens
from assistant.components.llm import GenerationTimeout, token_counter
from assistant.messages import message
from assistant.records import (
    Answer,
    AnswerSentence,
    Contact,
    CuratedAnswer,
    Disagreement,
    Document,
    Evidence,
    SearchHit,
)
from assistant.safety import guard
from assistant.safety.output_check import OutputCheck
from assistant.settings import Settings
from assistant.text import detect_language, split_sentences, strip_markup

REFERRAL = re.compile(
    r"nicht zuständig|ist nicht die stadt|not responsible|is not in charge|"
    r"zuständig ist (die|das|der)|responsible is the",
    re.IGNORECASE,
)
HEADING_LINE = re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE)
PROBE_K = 4  # chunks per evidence sentence searched for disagreeing sources
CLARIFY_MARGIN = 0.015  # dense scores of two different topics this close: ask back
CLARIFY_MAX_TERMS = 5

log = logging.getLogger(__name__)
TIMED_OUT = "\0timed-out"  # yielded by _generate (compared by identity): the model ran out of time


class AnswerService:
    def __init__(
        self,
        settings: Settings,
        index: HybridIndex,
        embedder: E5Embeddings,
        chat_model: BaseChatModel | None = None,
        curated: CuratedMatcher | None = None,
        flagged: Callable[[], set[str]] | None = None,
    ) -> None:
        self.settings = settings
        self.index = index
        self.embedder = embedder
        self.chat_model = chat_model
        self.curated = curated  # staff-verified answers, checked before the documents
        self.flagged = flagged  # ids of documents staff marked outdated or wrong
        self.contacts = ContactBook.build(index.documents)
        self._positions = {chunk.chunk_id: i for i, chunk in enumerate(index.chunks)}
        # issue 6: guard and output checks; ``guard.safety = False`` only for the attack benchmark's baseline
        self.safety = settings.guard.safety
        self.output_check = (
            OutputCheck.build(index.documents.values(), settings.web.link_domains, system_prompts())
            if self.safety
            else None
        )

    @property
    def model_name(self) -> str:
        if self.chat_model is None:
            return "extractive"
        return getattr(self.chat_model, "model_name", None) or type(self.chat_model).__name__

    def answer(self, question: str, history: list[dict[str, str]] | None = None) -> Answer:
        final = None
        for event in self.stream(question, history):
            if isinstance(event, Final):
                final = event.answer
        assert isinstance(final, Answer)
        return final

    # -- the path ------------------------------------------------------------
    def stream(self, question: str, history: list[dict[str, str]] | None = None) -> Iterator[Event]:
        started = time.perf_counter()
        question = question.strip()
        language = detect_language(question, tuple(self.settings.languages), self.settings.default_language)
        timings: dict[str, float] = {}

        def finish(
            status: str,
            text: str,
            sentences: list[AnswerSentence] | None = None,
            supporting: list[Evidence] | None = None,
            disagreeing: list[Disagreement] | None = None,
            confidence: float = 0.0,
            prompt_tokens: int = 0,
        ) -> Answer:
            timings["total"] = round((time.perf_counter() - started) * 1000, 1)
            supporting = supporting or []
            return Answer(
                question=question,
                language=language,
                status=status,
                answer=text,
                sentences=sentences or [AnswerSentence(text=text)],
                supporting=supporting,
                disagreeing=disagreeing or [],
                confidence=round(confidence, 3),
                timings_ms=timings,
                model=self.model_name,
                index_version=self.index.version,
                prompt_tokens=prompt_tokens,
                contact=self._contact(supporting),
            )

        refusal = guard.check(question, self.settings.guard) if self.safety else None
        if refusal:
            log.info("refused (%s%s)", refusal.reason, f": {refusal.detail}" if refusal.detail else "")
            yield Final(finish("refused", message(f"refused_{refusal.reason}", language)))
            return

        search_text = self._with_history(question, history, language)
        question_vector = self.embedder.embed_queries([search_text])[0]
        curated = self.curated.match(search_text, question_vector, language) if self.curated else None
        if curated:
            yield Final(self._verified(curated[0], finish, curated[1]))
            return
        hits = search(
            self.index,
            self.embedder,
            search_text,
            self.settings.retrieval,
            k=self.settings.retrieval.evidence_pool,
            mode=self.settings.retrieval.mode,
            query_language=language,
            query_vector=question_vector,
        )
        flagged = self._flagged()
        hits = [hit for hit in hits if hit.chunk.doc_id not in flagged]
        timings["retrieval"] = round((time.perf_counter() - started) * 1000, 1)
        relevance = self._relevance(hits, question_vector)
        if relevance < self.settings.evidence.min_dense_score:
            yield Final(finish("abstained", message("abstained", language), confidence=relevance))
            return

        if self.settings.answer.strategy == "naive":
            yield from self._naive(question, hits, finish, relevance)
            return

        evidence = select_evidence(search_text, question_vector, hits, self.embedder, self.settings.evidence, language)
        if (
            not evidence
            or not self._answer_type_present(question, evidence)
            or not self._covers_subject(search_text, evidence, language)
        ):
            yield Final(finish("abstained", message("abstained", language), confidence=relevance))
            return

        options = self._ambiguous(question, hits, language)
        if options:
            text = message("clarify", language).format(
                options=f" {message('or', language)} ".join(f"„{title}“" for title in options)
            )
            yield Final(finish("clarify", text, confidence=relevance))
            return

        referral = self._referral(evidence)
        evidence, disagreeing = find_conflicts(
            evidence,
            hits + self._probe(evidence, flagged),
            today=date.today(),
            language=language,
            embedder=self.embedder,
        )
        evidence, disagreeing = self._drop_superseded(evidence, disagreeing)
        evidence, disagreeing = _renumber(evidence, disagreeing)
        # --- issue 6: evidence with a link outside the city's domains is neither composed from nor quoted
        if self.output_check is not None:
            evidence = [e for e in evidence if not self.output_check.problems(e.quote)]
            if not evidence:
                yield Final(finish("abstained", message("abstained", language), confidence=relevance))
                return
            kept = {e.n for e in evidence}
            evidence, disagreeing = _renumber(evidence, [d for d in disagreeing if d.conflicts_with in kept])
        # ---
        if referral:
            evidence = [referral, *[e for e in evidence if e.doc_id == referral.doc_id and e.start != referral.start]][
                :3
            ]
            evidence, disagreeing = _renumber(evidence, [])
            sentences = [AnswerSentence(text=strip_markup(e.quote), citations=[e.n]) for e in evidence]
            text = message("referred", language) + "\n" + _join(sentences)
            yield Final(finish("referred", text, sentences, evidence, confidence=relevance))
            return

        sentences: list[AnswerSentence] = []
        prompt_tokens = 0
        if self.chat_model is not None:
            messages, prompt_tokens = build_messages(
                question,
                evidence,
                language,
                history,
                self.settings.answer.prompt_budget_tokens,
                self.settings.answer.history_turns,
                token_counter(self.chat_model),
            )
            draft = ""
            for token in self._generate(messages):
                if token is TIMED_OUT:  # a cut-off draft is not an answer: the evidence answers
                    draft = ""
                    break
                if not draft:
                    timings["first_token"] = round((time.perf_counter() - started) * 1000, 1)
                draft += token
                yield Token(token)
            sentences, _dropped = verify(
                draft, evidence, self.embedder, language, self.settings.answer.min_support, question
            )
            sentences = self._useful(question, sentences, evidence)
        # --- issue 6: output check (no system-prompt text, foreign links, contact data not in the corpus)
        if self.output_check is not None:
            sentences = self.output_check.keep(sentences)
        # ---
        if sentences:
            text = _join(sentences)
        else:  # nothing the model wrote survived the gate (or no model): the evidence itself
            sentences = [AnswerSentence(text=self._in_context(e), citations=[e.n]) for e in evidence]
            text = message("evidence_intro", language) + "\n" + _join(sentences)
        if disagreeing:
            text += "\n" + message("conflict_note", language)
        yield Final(
            finish(
                "answered", text, sentences, evidence, disagreeing, confidence=relevance, prompt_tokens=prompt_tokens
            )
        )

    # -- steps ---------------------------------------------------------------
    def _verified(self, curated: CuratedAnswer, finish, similarity: float) -> Answer:
        """The staff-verified answer, citing the source staff named."""
        doc = self.index.documents.get(curated.doc_id)
        supporting = []
        if doc is not None:
            quote = curated.quote or doc.title
            start = max(doc.text.find(quote), 0)
            supporting = [_cite(doc, quote, start, similarity)]
        sentence = AnswerSentence(text=curated.answer, citations=[1] if supporting else [])
        answer = finish("answered", curated.answer, [sentence], supporting, confidence=similarity)
        return answer.model_copy(update={"verified_by_staff": True, "curated_id": curated.id})

    def _flagged(self) -> set[str]:
        """Documents staff marked outdated or wrong: they no longer support (or contradict) answers."""
        if self.flagged is None:
            return set()
        try:
            return self.flagged()
        except Exception as exc:  # noqa: BLE001 - a store that is down must not stop answering
            log.warning("flagged documents unavailable (%s: %s)", type(exc).__name__, exc)
            return set()

    def _contact(self, supporting: list[Evidence]) -> Contact | None:
        doc_ids = [e.doc_id for e in supporting]
        departments = [self.index.documents[d].department for d in doc_ids if d in self.index.documents]
        return self.contacts.for_documents(doc_ids, departments)

    def _generate(self, messages) -> Iterator[str]:
        try:
            for chunk in self.chat_model.stream(messages):
                if chunk.content:
                    yield str(chunk.content)
        except GenerationTimeout as exc:
            log.warning("language model timed out (%s); answering with the evidence", exc)
            yield TIMED_OUT
        except Exception as exc:  # noqa: BLE001 - a failing model must not fail the answer
            log.warning("language model failed (%s: %s); answering with the evidence", type(exc).__name__, exc)
            return

    def _naive(self, question: str, hits: list[SearchHit], finish, relevance: float) -> Iterator[Event]:
        """Benchmark baseline: top chunks stuffed into the prompt, no gate, no citations."""
        if self.chat_model is None:
            yield Final(finish("answered", hits[0].chunk.text, confidence=relevance))
            return
        messages, prompt_tokens = build_naive_messages(
            question,
            hits[: self.settings.retrieval.top_k],
            self.settings.answer.prompt_budget_tokens,
            token_counter(self.chat_model),
        )
        text = ""
        for token in self._generate(messages):
            if token is TIMED_OUT:
                break
            text += token
            yield Token(token)
        supporting = [
            Evidence(
                n=i,
                doc_id=h.chunk.doc_id,
                title=h.chunk.title,
                url=h.chunk.url,
                source=h.chunk.source,
                updated=h.chunk.updated,
                quote=h.chunk.text,
                start=h.chunk.start,
                end=h.chunk.end,
                score=h.score,
            )
            for i, h in enumerate(hits[: self.settings.retrieval.top_k], start=1)
        ]
        yield Final(
            finish(
                "answered",
                text.strip() or "-",
                supporting=supporting,
                confidence=relevance,
                prompt_tokens=prompt_tokens,
            )
        )

    def _drop_superseded(
        self,
        evidence: list[Evidence],
        disagreeing: list[Disagreement],
    ) -> tuple[list[Evidence], list[Disagreement]]:
        """A page that lost a conflict is outdated: its other sentences are not cited either.

        A sentence that the newer page states word for word is cited from the newer page.
        """
        losers = {d.doc_id for d in disagreeing}
        winners = [
            self.index.documents[e.doc_id]
            for e in evidence
            if e.doc_id not in losers and e.doc_id in self.index.documents
        ]
        current: list[Evidence] = []
        for item in evidence:
            if item.doc_id not in losers:
                current.append(item)
                continue
            for doc in winners:
                start = doc.text.find(item.quote)
                if start >= 0:
                    current.append(_cite(doc, item.quote, start, item.score, item.n))
                    break
        if not current:
            return evidence, disagreeing
        kept = {e.n for e in current}
        return current, [d for d in disagreeing if d.conflicts_with in kept]

    def _in_context(self, evidence: Evidence) -> str:
        """A list item quoted alone loses its subject ("Samstag: 8:00 bis 14:00 Uhr" - where?):
        it is shown after its heading. The quote itself stays verbatim in ``supporting``."""
        text = strip_markup(evidence.quote)
        doc = self.index.documents.get(evidence.doc_id)
        if doc is None or not evidence.quote.lstrip().startswith(("-", "*", "•")):
            return text
        headings = HEADING_LINE.findall(doc.text[: evidence.start])
        if not headings:
            return f"{doc.title} – {text}"
        heading = headings[-1].strip()
        if len(heading.split()) == 1 and heading != doc.title:  # "Gebühren": whose?
            heading = f"{doc.title}, {heading}"
        return f"{heading} – {text}"

    def _probe(self, evidence: list[Evidence], exclude: set[str]) -> list[SearchHit]:
        """Chunks of other documents closest to each evidence sentence.

        The question may not retrieve the page that contradicts the evidence (an English
        question finds the English page, not the newer German one); the evidence itself does.
        """
        texts = [f"{e.title}: {strip_markup(e.quote)}" for e in evidence]
        vectors = self.embedder.embed_passages(texts)
        probes: dict[str, SearchHit] = {}
        for item, vector in zip(evidence, vectors, strict=True):
            for position, score in self.index.dense_search(vector, PROBE_K):
                chunk = self.index.chunks[position]
                if chunk.doc_id != item.doc_id and chunk.doc_id not in exclude and chunk.chunk_id not in probes:
                    probes[chunk.chunk_id] = SearchHit(
                        chunk=chunk, score=score, rank=len(probes) + 1, dense_score=score
                    )
        return list(probes.values())

    def _with_history(self, question: str, history: list[dict[str, str]] | None, language: str) -> str:
        """A short follow-up ("Und für Kinder?") is searched together with the last question."""
        if not history or len(bm25_tokens(question, language)) > 4:
            return question
        previous = [t.get("content", "") for t in history if t.get("role") == "user"]
        return f"{previous[-1]} {question}" if previous else question

    def _relevance(self, hits: list[SearchHit], question_vector: np.ndarray) -> float:
        """Cosine of the question and the best retrieved chunk (for every retrieval mode)."""
        positions = [self._positions[h.chunk.chunk_id] for h in hits if h.chunk.chunk_id in self._positions]
        if not positions:
            return 0.0
        return float(np.max(self.index.vectors[positions] @ question_vector))

    @staticmethod
    def _useful(question: str, sentences: list[AnswerSentence], evidence: list[Evidence]) -> list[AnswerSentence]:
        """Grounded is not enough: a composed answer must also answer. A dangling intro ("Für
        Erwachsene:") says nothing, and an answer to "what does it cost" without the amount that
        the evidence has loses the point; then the evidence itself is the better answer."""
        sentences = [s for s in sentences if not s.text.rstrip(" []0-9").endswith(":")]
        for cue, answer in ANSWER_TYPES[:2]:
            wanted = cue.search(question) and any(answer.search(e.quote) for e in evidence)
            if wanted and not any(answer.search(s.text) for s in sentences):
                return []
        return sentences

    @staticmethod
    def _answer_type_present(question: str, evidence: list[Evidence]) -> bool:
        """A question about a cost needs an amount in the evidence, a "when" a date or time."""
        for cue, answer in ANSWER_TYPES[:2]:  # amounts and times: the checkable kinds
            if cue.search(question) and not any(answer.search(e.quote) for e in evidence):
                return False
        return True

    def _covers_subject(self, question: str, evidence: list[Evidence], language: str) -> bool:
        """Something of what the question is about must occur in the evidence documents.

        Dense retrieval always returns *something*: "Was kostet ein Fischereischein?" lands on
        another fee page. Checked only when question and documents share a language.
        """
        docs = [self.index.documents[e.doc_id] for e in evidence if e.doc_id in self.index.documents]
        if not docs or any(doc.language != language for doc in docs):
            return True
        subject = subject_terms(question, language)
        if not subject:
            return True
        vocabulary: set[str] = set()
        for doc in docs:
            vocabulary |= set(bm25_tokens(f"{doc.title} {doc.text} {doc.metadata.get('keywords', '')}", doc.language))
        # at least one subject word: colloquial questions carry many words no page uses
        return bool(subject & vocabulary)

    def _ambiguous(self, question: str, hits: list[SearchHit], language: str) -> list[str]:
        """Titles of two different topics that fit a short question equally well."""
        terms = set(bm25_tokens(question, language))
        if not terms or len(terms) > CLARIFY_MAX_TERMS:
            return []
        best: dict[str, SearchHit] = {}
        for hit in hits[:4]:
            best.setdefault(hit.chunk.doc_id, hit)
        if len(best) < 2:
            return []
        first, second = list(best.values())[:2]
        if abs((first.dense_score or 0) - (second.dense_score or 0)) > CLARIFY_MARGIN:
            return []
        titles = [set(bm25_tokens(h.chunk.title, h.chunk.language)) for h in (first, second)]
        only_first, only_second = titles[0] - titles[1], titles[1] - titles[0]
        overlap = len(titles[0] & titles[1]) / max(1, len(titles[0] | titles[1]))
        if not only_first or not only_second or overlap >= 0.5:  # versions of one page: conflicts
            return []
        if terms & (only_first | only_second):
            return []  # the question names one of them
        for hit in (first, second):  # each topic must fit the whole question
            doc = self.index.documents.get(hit.chunk.doc_id)
            if doc is None or not terms <= set(bm25_tokens(f"{doc.title} {doc.text}", doc.language)):
                return []
        return [first.chunk.title, second.chunk.title]

    def _referral(self, evidence: list[Evidence]) -> Evidence | None:
        """The sentence saying another authority is responsible, if the best evidence is such a page."""
        doc = self.index.documents.get(evidence[0].doc_id)
        if doc is None:
            return None
        head = doc.text[:600]
        for span in split_sentences(head, 0, len(head), doc.language):
            sentence = doc.text[span.start : span.end]
            if REFERRAL.search(sentence):
                return _cite(doc, sentence, span.start, evidence[0].score)
        return None


def _cite(doc: Document, quote: str, start: int, score: float, n: int = 1) -> Evidence:
    """Evidence quoting ``doc`` from ``start``, with the document's title, link and date."""
    return Evidence(
        n=n,
        doc_id=doc.doc_id,
        title=doc.title,
        url=doc.url,
        source=doc.source,
        updated=doc.updated,
        quote=quote,
        start=start,
        end=start + len(quote),
        score=score,
    )


def _join(sentences: list[AnswerSentence]) -> str:
    return "\n".join(f"{s.text} " + "".join(f"[{n}]" for n in s.citations) for s in sentences)


def _renumber(evidence: list[Evidence], disagreeing: list[Disagreement]) -> tuple[list[Evidence], list[Disagreement]]:
    mapping = {}
    renumbered = []
    for n, item in enumerate(evidence, start=1):
        mapping[item.n] = n
        renumbered.append(item.model_copy(update={"n": n}))
    moved = [d.model_copy(update={"conflicts_with": mapping.get(d.conflicts_with, 1)}) for d in disagreeing]
    return renumbered, moved
