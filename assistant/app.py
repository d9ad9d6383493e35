"""Composition root: ``create_app(settings)`` builds every component once.

Heavy components load lazily on first use, so ``assistant ingest`` never
loads the index it is about to replace and ``--help`` stays instant.
"""

from __future__ import annotations

import logging
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.answering.curated import CuratedMatcher
from assistant.answering.pipeline import AnswerPipeline
from assistant.answering.rating_priors import QuestionPrior
from assistant.components.embeddings import E5Embeddings, SecondEncoder, create_embeddings
from assistant.components.index import HybridIndex
from assistant.components.index_holder import IndexHolder
from assistant.components.llm import create_chat_model
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.answering.ask import AskService
    from assistant.components.store import Store
    from assistant.feedback.log import FeedbackService
    from assistant.feedback.review.service import ReviewService
    from assistant.transports.admission import Admission, RateLimiter

log = logging.getLogger(__name__)


class _FromSettings(Enum):
    TOKEN = "from settings"


FROM_SETTINGS = _FromSettings.TOKEN
"""Default for ``App(chat_model=...)``: build it from settings (``None`` means extractive, no model)."""


class App:
    """The components and services of one assistant.

    Components passed in are used as they are (tests and the evaluation share
    loaded models and indexes this way; a given store is expected migrated);
    the others are built from ``settings`` on first use.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: E5Embeddings | None = None,
        index: HybridIndex | None = None,
        chat_model: BaseChatModel | None | _FromSettings = FROM_SETTINGS,
        store: Store | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self._index = index
        self._chat_model = chat_model
        self._store = store
        self._review: ReviewService | None = None

    @property
    def embedder(self) -> E5Embeddings:
        if self._embedder is None:
            self._embedder = create_embeddings(self.settings.embedding_model, self.settings.embedding_threads)
        return self._embedder

    @property
    def index(self) -> HybridIndex:
        """The index version in use (replaced by ``_use_index`` when a new one is swapped in)."""
        if self._index is None:
            self._index = HybridIndex.load(self.settings.index_dir, embedding_model=self.embedder.model_id)
        return self._index

    @property
    def chat_model(self) -> BaseChatModel | None:
        if self._chat_model is FROM_SETTINGS:
            self._chat_model = create_chat_model(self.settings)
        return self._chat_model

    @cached_property
    def index_holder(self) -> IndexHolder[AnswerPipeline]:
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
    def answers(self) -> AnswerPipeline:
        """The current answer service: hold on to it for one request (it keeps its index version)."""
        return self.index_holder.current()

    @cached_property
    def second_encoder(self) -> SecondEncoder:
        """The curated matcher's second opinion (USE multilingual; its weights load on the first question)."""
        return SecondEncoder()

    def _answer_service(self, index: HybridIndex) -> AnswerPipeline:
        store = self.settings.store
        floors = (store.curated_min_similarity_paraphrase_second, store.curated_min_similarity_with_page_second)
        second = self.second_encoder.similarity if any(floor is not None for floor in floors) else None
        curated = CuratedMatcher.from_settings(lambda: self.review.curated_answers(), self.embedder, store, second)
        return AnswerPipeline(
            self.settings,
            index,
            self.embedder,
            self.chat_model,
            curated=curated,
            flagged=lambda: self.review.flagged_doc_ids(),
            rating_weights=lambda: self.review.rating_weights(),
            question_prior=QuestionPrior(lambda: self.review.rated_answers(), self.embedder, self.settings.staff),
        )

    def _use_index(self, index: HybridIndex) -> None:
        self._index = index  # health, review and the CLI see the new version too
        if self._review is not None:
            self._review.index = index
        try:  # a curated answer whose page changed goes back to review
            self.review.recheck_sources()
        except Exception:  # noqa: BLE001 - a store that is down must not stop the new index
            log.exception("could not check the curated answers' source pages against index %s", index.version)

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

    @property
    def store(self) -> Store:
        """The shared database (one built from settings is migrated on first use)."""
        if self._store is None:
            from assistant.components.store import Store

            store = Store(self.settings.store.url)
            store.migrate()
            self._store = store
        return self._store

    @cached_property
    def feedback(self) -> FeedbackService:
        """Logs answers and ratings (redacted; spooled when the store is down)."""
        from assistant.feedback.log import FeedbackService

        return FeedbackService.create(self.settings.store, lambda: self.store)

    @cached_property
    def asking(self) -> AskService:
        """The citizen's use case: ``ask``/``stream`` answer a question and log it for a channel."""
        from assistant.answering.ask import AskService

        return AskService(lambda: self.answers, self.feedback)

    @property
    def review(self) -> ReviewService:
        """Staff review queue, curated answers, flagged documents, dashboard."""
        if self._review is None:
            from assistant.feedback.review.service import ReviewService

            self._review = ReviewService(self.settings, self.store, self.index, self.embedder)
        return self._review


def create_app(settings: Settings | None = None) -> App:
    return App(settings or Settings())
