"""Composition root: ``create_app(settings)`` builds every component once.

Heavy components load lazily on first use, so ``assistant ingest`` never
loads the index it is about to replace and ``--help`` stays instant.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.answering.answer import AnswerService
from assistant.answering.curated import CuratedMatcher
from assistant.components.embeddings import E5Embeddings, create_embeddings
from assistant.components.index import HybridIndex
from assistant.components.index_holder import IndexHolder
from assistant.components.llm import create_chat_model
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.components.store import Store
    from assistant.feedback.log import FeedbackService
    from assistant.feedback.review import ReviewService
    from assistant.transports.admission import Admission, RateLimiter


class App:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def embedder(self) -> E5Embeddings:
        return create_embeddings(self.settings.embedding_model, self.settings.embedding_threads)

    @cached_property
    def index(self) -> HybridIndex:
        return HybridIndex.load(self.settings.index_dir, embedding_model=self.embedder.model_id)

    @cached_property
    def chat_model(self) -> BaseChatModel | None:
        return create_chat_model(self.settings)

    @cached_property
    def index_holder(self) -> IndexHolder[AnswerService]:
        """The answer service on the index version in use; swapped when ``assistant ingest`` writes a new one."""
        return IndexHolder(
            self.settings.index_dir,
            self.index,
            self._answer_service,
            self.settings.index_reload_s,
            load=lambda index_dir: HybridIndex.load(index_dir, embedding_model=self.embedder.model_id),
            on_swap=self._use_index,
        )

    @property
    def answers(self) -> AnswerService:
        """The current answer service: hold on to it for one request (it keeps its index version)."""
        return self.index_holder.current()

    def _answer_service(self, index: HybridIndex) -> AnswerService:
        curated = CuratedMatcher(
            lambda: self.review.curated_answers(), self.embedder, self.settings.store.curated_min_similarity
        )
        return AnswerService(
            self.settings,
            index,
            self.embedder,
            self.chat_model,
            curated=curated,
            flagged=lambda: self.review.flagged_doc_ids(),
        )

    def _use_index(self, index: HybridIndex) -> None:
        self.__dict__["index"] = index  # health, review and the CLI see the new version too
        if "review" in self.__dict__:
            self.review.index = index

    @cached_property
    def admission(self) -> Admission:
        """The bounded queue for answering, shared by the API, the stream and the kiosk."""
        from assistant.transports.admission import Admission

        return Admission.from_settings(self.settings.web)

    @cached_property
    def rate_limiter(self) -> RateLimiter:
        """Per-client token buckets (in memory only), shared by the API, the widget and the kiosk."""
        from assistant.transports.admission import RateLimiter

        return RateLimiter.from_settings(self.settings.web)

    @cached_property
    def store(self) -> Store:
        """The shared database (migrated on first use)."""
        from assistant.components.store import Store

        store = Store(self.settings.store.url)
        store.migrate()
        return store

    @cached_property
    def feedback(self) -> FeedbackService:
        """Logs answers and ratings (redacted; spooled when the store is down)."""
        from assistant.feedback.log import FeedbackService

        return FeedbackService.create(self.settings.store, lambda: self.store)

    @cached_property
    def review(self) -> ReviewService:
        """Staff review queue, curated answers, flagged documents, dashboard."""
        from assistant.feedback.review import ReviewService

        return ReviewService(self.settings, self.store, self.index, self.embedder)


def create_app(settings: Settings | None = None) -> App:
    return App(settings or Settings())
