"""Use case: ``answer(question, history) -> Answer``.

Retrieval-only for now: the best evidence sentences, quoted verbatim with
citations, or an honest abstention when nothing relevant was found. The
composition by the local model plugs in after evidence selection.
"""

from __future__ import annotations

import time

from assistant.components.embeddings import E5Embeddings
from assistant.components.index import HybridIndex
from assistant.messages import message
from assistant.records import Answer, AnswerSentence
from assistant.services.evidence import select_evidence
from assistant.services.retrieve import search
from assistant.settings import Settings
from assistant.text import detect_language, strip_markup


class AnswerService:
    def __init__(self, settings: Settings, index: HybridIndex, embedder: E5Embeddings) -> None:
        self.settings = settings
        self.index = index
        self.embedder = embedder

    def answer(self, question: str, history: list[dict[str, str]] | None = None) -> Answer:
        started = time.perf_counter()
        language = detect_language(question, tuple(self.settings.languages),
                                   self.settings.default_language)
        question_vector = self.embedder.embed_queries([question])[0]
        hits = search(self.index, self.embedder, question, self.settings.retrieval,
                      k=self.settings.retrieval.evidence_pool, query_language=language,
                      query_vector=question_vector)
        retrieved = time.perf_counter()
        best_dense = max((h.dense_score or 0.0 for h in hits), default=0.0)
        evidence = []
        if best_dense >= self.settings.evidence.min_dense_score:
            evidence = select_evidence(question, question_vector, hits, self.embedder,
                                       self.settings.evidence, language)
        timings = {"retrieval": round((retrieved - started) * 1000, 1)}
        if not evidence:
            text = message("abstained", language)
            timings["total"] = round((time.perf_counter() - started) * 1000, 1)
            return Answer(question=question, language=language, status="abstained", answer=text,
                          sentences=[AnswerSentence(text=text)], confidence=round(best_dense, 3),
                          timings_ms=timings, index_version=self.index.version)
        sentences = [AnswerSentence(text=strip_markup(e.quote), citations=[e.n]) for e in evidence]
        text = message("evidence_intro", language) + "\n" + "\n".join(
            f"{s.text} [{s.citations[0]}]" for s in sentences)
        timings["total"] = round((time.perf_counter() - started) * 1000, 1)
        return Answer(question=question, language=language, status="answered", answer=text,
                      sentences=sentences, supporting=evidence, confidence=round(best_dense, 3),
                      timings_ms=timings, index_version=self.index.version)
