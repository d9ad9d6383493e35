"""Staff review: the queue of bad and unanswered answers, corrections, flagged documents, dashboard.

The queue holds every logged answer whose latest citizen rating is "down" and
every question the assistant could not answer (status ``abstained``). Staff
resolve an item by writing the correct answer (a ``CuratedAnswer`` resting on a
document of the index), mark a source document outdated or wrong, or dismiss
the item. Each correction is also exported as an evaluation case
(``settings.staff.curated_eval_path``), so the next ``assistant eval`` checks it.

>>> from assistant.app import create_app                        # doctest: +SKIP
>>> review = create_app().review                                  # doctest: +SKIP
>>> [item.question for item in review.queue(language="de")][:1]   # doctest: +SKIP
['Wo kann ich mein Boot anmelden?']
"""

from __future__ import annotations

import csv
import io
import logging
import math
import os
import re
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple, get_args

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from assistant.answering.facts.values import extract_facts
from assistant.answering.rating_priors import page_priors
from assistant.components.embeddings import E5Embeddings
from assistant.components.index import HybridIndex
from assistant.components.store import (
    CuratedAnswerRow,
    FlaggedDocumentRow,
    InteractionRow,
    RatingRow,
    ReviewTagRow,
    Store,
    TicketRow,
    aware,
    bump_revision,
    interaction_record,
    read_revision,
    ticket_record,
)
from assistant.records import (
    TICKET_TAG,
    Channel,
    CuratedAnswer,
    Document,
    DocumentPrior,
    FlaggedDocument,
    GoldenCase,
    Interaction,
    Problem,
    RatedAnswer,
    Reason,
    ReviewState,
    ReviewTag,
    Route,
    Status,
)
from assistant.safety.redact import Redactor
from assistant.settings import Settings
from assistant.text import normalise_question

log = logging.getLogger(__name__)

STATUSES: tuple[Status, ...] = get_args(Status)
ROUTES: tuple[Route, ...] = get_args(Route)
REVIEW_TAGS: tuple[ReviewTag, ...] = get_args(ReviewTag)
# what the queue and the CSV can be filtered by: the staff's review tags and citizens' tickets
FILTER_TAGS: tuple[str, ...] = (*REVIEW_TAGS, TICKET_TAG)
# two abstained questions whose e5 query vectors are closer than this (cosine distance,
# average linkage) ask about the same missing topic. Measured with multilingual-e5-small:
# paraphrases 0.05-0.075, related but different topics (boat licence / fishing licence)
# 0.09-0.14, unrelated municipal topics ~0.2. Same-wording questions about different things
# ("Boot anmelden" / "Auto anmelden", 0.058) still fall together: e5 weighs wording heavily.
TOPIC_MAX_DISTANCE = 0.085
TOPIC_MAX_QUESTIONS = 1000  # distinct questions clustered per dashboard (the most frequent)
MAX_KEY_FACTS = 6
FACT_KINDS = ("amount", "number", "time", "date", "phone", "email", "room")
CURRENCY_AFTER = re.compile(r"^\s?(?:€|Euro\b|EUR\b)", re.IGNORECASE)
CITATION = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")
# the revision (table ``revisions``) raised with every change to curated answers or flagged documents
REVIEW_REVISION = "review"


class ReviewError(ValueError):
    """A staff action that cannot be carried out; the message says why (shown in the UI)."""


class NotFoundError(LookupError):
    """No interaction with this id."""


class DayCount(BaseModel):
    day: date
    questions: int = 0
    abstained: int = 0
    down: int = 0


class TopicGroup(BaseModel):
    """Abstained questions about one missing topic."""

    representative: str  # the question closest to the group's centre
    count: int  # questions asked (repeats included)
    questions: list[str] = Field(default_factory=list)  # distinct questions, most frequent first
    languages: list[str] = Field(default_factory=list)


class AccuracyWeek(BaseModel):
    """Of the answers given in one week (Monday first) that staff reviewed: how many were right."""

    week: date  # the Monday
    reviewed: int = 0
    right: int = 0  # dismissed: nothing to correct
    corrected: int = 0  # a curated answer replaced it, or staff corrected its route

    @property
    def right_share(self) -> float | None:
        return self.right / self.reviewed if self.reviewed else None


class EvalRunFigures(BaseModel):
    """Key figures of one evaluation run (one set, one configuration) of an ``assistant eval`` report."""

    created: datetime
    report: str  # the report's folder
    set_name: str
    config: str
    cases: int | None = None
    behaviour_accuracy: float | None = None
    key_fact_accuracy: float | None = None
    recall_at_5: float | None = None
    grounded_number_rate: float | None = None


class Dashboard(BaseModel):
    days: int
    since: date
    until: date
    questions: int = 0
    status_counts: dict[str, int] = Field(default_factory=dict)
    status_rates: dict[str, float] = Field(default_factory=dict)  # share of all questions
    rated: int = 0
    down: int = 0
    down_rate: float = 0.0  # thumbs-down share of the rated answers
    open_items: int = 0  # review queue items waiting
    per_day: list[DayCount] = Field(default_factory=list)
    per_language: dict[str, int] = Field(default_factory=dict)
    per_channel: dict[str, int] = Field(default_factory=dict)
    unanswered_topics: list[TopicGroup] = Field(default_factory=list)
    rated_pages: list[DocumentPrior] = Field(default_factory=list)  # pages citizens' ratings rank lower
    tag_counts: dict[str, int] = Field(default_factory=dict)  # review tags and tickets of the period's questions
    accuracy: list[AccuracyWeek] = Field(default_factory=list)  # by the week the answers were given
    eval_runs: list[EvalRunFigures] = Field(default_factory=list)  # oldest first (staff.eval_reports_dir)


class QueueFilter(BaseModel):
    """What the queue and the CSV export select; ``None`` means any.

    ``ReviewService.queue`` and ``export_csv`` take these fields as keyword arguments; a name
    that is not one of them is an error, not a filter quietly left out.
    """

    model_config = ConfigDict(extra="forbid")

    channel: Channel | None = None
    language: str | None = None
    reason: Reason | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    state: ReviewState | None = "open"
    route: Route | None = None  # the question router's route (staff correct routes from here)
    tag: str | None = None  # a review tag (REVIEW_TAGS) or "ticket"


class ReviewService:
    def __init__(self, settings: Settings, store: Store, index: HybridIndex, embedder: E5Embeddings) -> None:
        self.settings = settings
        self.store = store
        self.index = index
        self.embedder = embedder
        # what the answer service reads, in memory: (revision, curated answers, flagged doc ids)
        self._known: _ReviewData | None = None
        self._checked_at = -math.inf  # when the revision was last read (time.monotonic)
        self._refresh_lock = threading.Lock()
        self._state_lock = threading.Lock()  # guards _checked_at against a concurrent _invalidate
        self._local_changes = 0  # changes made through this service (see _invalidate)
        self._unavailable = False  # the store failed at the last check (warned once)
        self._weights: tuple[float, dict[str, float]] | None = None  # (when read, rating_weights)
        self._rated: tuple[float, list[RatedAnswer]] | None = None  # (when read, rated_answers)

    # -- the queue ---------------------------------------------------------
    def queue(self, limit: int = 200, **filters: Any) -> list[Interaction]:
        """Thumbs-down, unanswered (abstained), low-quality (``staff.review_below_quality``) and ticket
        items, newest first; ``filters`` are ``QueueFilter``'s fields (open items unless ``state``
        says otherwise; ``tag`` keeps those with that review tag or ``"ticket"``)."""
        return self._interactions(QueueFilter(**filters), queue_only=True, limit=limit)

    def item(self, interaction_id: str) -> Interaction:
        """One interaction with its latest rating, review tags and ticket (contact included: staff view)."""
        with self.store.session() as session:
            row = session.execute(_with_latest_rating().where(InteractionRow.id == interaction_id)).first()
            if row is None:
                raise NotFoundError(f"no interaction with id {interaction_id!r}")
            item = interaction_record(*row)
            item.tags = _tags_of(session, [interaction_id]).get(interaction_id, [])
            ticket = session.scalars(
                select(TicketRow)
                .where(TicketRow.interaction_id == interaction_id)
                .order_by(TicketRow.created_at.desc())
            ).first()
        if ticket is not None:
            item.ticket = ticket_record(ticket)
        return item

    def _interactions(self, where: QueueFilter, queue_only: bool, limit: int | None) -> list[Interaction]:
        statement = _filtered(_with_latest_rating(), where, queue_only, self.settings.staff.review_below_quality)
        statement = statement.order_by(InteractionRow.created_at.desc(), InteractionRow.id)
        if limit is not None:
            statement = statement.limit(limit)
        with self.store.session() as session:
            items = [interaction_record(*row) for row in session.execute(statement)]
            tags = _tags_of(session, [item.id for item in items])
        for item in items:
            item.tags = tags.get(item.id, [])
        return items

    def _count(self, where: QueueFilter, queue_only: bool) -> int:
        below = self.settings.staff.review_below_quality
        matching = _filtered(_with_latest_rating(), where, queue_only, below).subquery()
        with self.store.session() as session:
            return int(session.scalar(select(func.count()).select_from(matching)) or 0)

    # -- actions -----------------------------------------------------------
    def correct(
        self, interaction_id: str, answer_text: str, doc_id: str, quote: str = "", staff: str = ""
    ) -> CuratedAnswer:
        """Store the staff's answer for the interaction's question; it then answers the same
        and similar questions. The source must be a document of the index, the quote (if any)
        a verbatim passage of it."""
        answer_text = answer_text.strip()
        if not answer_text:
            raise ReviewError("The answer text is empty. / Die Antwort ist leer.")
        document = self._document(doc_id)
        quote = verbatim_quote(document, quote) if quote.strip() else ""
        item = self.item(interaction_id)
        now = datetime.now(UTC)
        with self.store.session() as session:
            _retire_same_question(session, item.question, item.language)
            row = CuratedAnswerRow(
                question=item.question,
                language=item.language,
                answer=answer_text,
                doc_id=document.doc_id,
                title=document.title,
                url=document.url,
                quote=quote,
                created_by=staff,
                created_at=now,
                interaction_id=interaction_id,
                active=True,
                source_hash=document.content_hash,
            )
            session.add(row)
            session.flush()
            _mark(session, interaction_id, "resolved", staff, now, curated_id=row.id)
            bump_revision(session, REVIEW_REVISION)
            curated = _curated(row)
        self._invalidate()
        self._export_quietly()
        return curated

    def correct_route(self, interaction_id: str, route: str, staff: str) -> Interaction:
        """Record the route the question router should have taken; the question (already redacted)
        becomes a training example of that route (``route_examples``, ``assistant train-router
        --with-feedback``). The router's own route stays stored beside it."""
        route = (route or "").strip()
        if route not in ROUTES:
            raise ReviewError(f"unknown route {route!r} (one of {', '.join(ROUTES)}) / unbekannte Route")
        with self.store.session() as session:
            row = session.get(InteractionRow, interaction_id)
            if row is None:
                raise NotFoundError(f"no interaction with id {interaction_id!r}")
            row.corrected_route = route
            row.route_corrected_by = staff
            row.route_corrected_at = datetime.now(UTC)
        return self.item(interaction_id)

    def set_tags(self, interaction_id: str, tags: list[str], staff: str) -> Interaction:
        """Replace the staff's review tags of the interaction with ``tags`` (the review vocabulary,
        ``REVIEW_TAGS``); a citizen's ``ticket`` tag is kept."""
        wanted = list(dict.fromkeys(tag.strip() for tag in tags if tag and tag.strip()))
        unknown = [tag for tag in wanted if tag not in REVIEW_TAGS]
        if unknown:
            raise ReviewError(
                f"unknown review tag {unknown[0]!r} (one of {', '.join(REVIEW_TAGS)}) / unbekanntes Stichwort"
            )
        now = datetime.now(UTC)
        with self.store.session() as session:
            if session.get(InteractionRow, interaction_id) is None:
                raise NotFoundError(f"no interaction with id {interaction_id!r}")
            present = {
                row.tag: row
                for row in session.scalars(select(ReviewTagRow).where(ReviewTagRow.interaction_id == interaction_id))
            }
            for tag, row in present.items():
                if tag in REVIEW_TAGS and tag not in wanted:
                    session.delete(row)
            for tag in wanted:
                if tag not in present:
                    session.add(ReviewTagRow(interaction_id=interaction_id, tag=tag, tagged_by=staff, created_at=now))
        return self.item(interaction_id)

    def route_examples(self) -> list[tuple[str, str, str]]:
        """The staff's route corrections as router training examples (see :func:`route_examples`)."""
        return route_examples(self.store)

    def export_route_examples(self, path: Path) -> int:
        """Write :meth:`route_examples` to ``path`` in the router's TSV format; returns how many."""
        return write_route_examples(Path(path), self.route_examples())

    def recheck_sources(self) -> list[int]:
        """Retire the curated answers whose source page changed (another content hash in the
        index in use) or left the index, and send their items back to the review queue.

        Returns the ids of the retired answers. Called when a new index version is swapped in.
        """
        documents = self.index.documents
        retired: list[int] = []
        with self.store.session() as session:
            active = session.scalars(select(CuratedAnswerRow).where(CuratedAnswerRow.active.is_(True)))
            for row in active:
                document = documents.get(row.doc_id) if row.doc_id else None
                if not row.doc_id or (row.source_hash == "" and document is not None):
                    continue  # no source, or corrected before hashes were kept
                if document is not None and document.content_hash == row.source_hash:
                    continue
                row.active = False
                retired.append(row.id)
                interaction = session.get(InteractionRow, row.interaction_id) if row.interaction_id else None
                if interaction is not None:
                    interaction.review_state, interaction.reviewed_by, interaction.reviewed_at = "open", "", None
            if retired:
                bump_revision(session, REVIEW_REVISION)
        if retired:
            log.info("source pages changed: curated answers %s back in the review queue", retired)
            self._invalidate()
        return retired

    # -- learning from ratings ------------------------------------------------------
    def document_priors(self) -> list[DocumentPrior]:
        """Per page, what the ratings of answers citing it say; pages whose weight is below 1
        rank lower for every question and are listed for the web team (``Dashboard.rated_pages``).

        Each client counts once per page (its latest rating), ratings without a client count as
        one client together, and staff-verified answers are left out (their page is not what
        the citizen rated). A page needs ``staff.rating_prior_min_clients`` distinct clients
        rating it down, and more than rating it up, before its weight changes
        (``assistant/answering/rating_priors.py``). With ``staff.rating_prior_similarity`` set only a
        thumbs-down for "outdated" counts here: the others say the answer was wrong for that
        question, and lower its pages only for questions like it (``answering/rating_priors.py``).
        """
        staff = self.settings.staff
        outdated_only = None if staff.rating_prior_similarity is None else _outdated
        priors = page_priors(self._rated_answers(), staff, outdated_only)
        return sorted(priors.values(), key=lambda p: (p.weight, -p.down_clients, p.doc_id))

    def rated_answers(self) -> list[RatedAnswer]:
        """Every rating of an answer that was not staff-verified, oldest first, read at most every
        ``store.cache_s`` seconds (the same list until then); the last known while the store is down."""
        now = time.monotonic()
        cached = self._rated
        if cached is not None and now - cached[0] < self.settings.store.cache_s:
            return cached[1]
        try:
            rated = self._rated_answers()
        except Exception as exc:  # noqa: BLE001 - a store that is down must not stop answering
            log.warning("ratings unavailable (%s: %s)", type(exc).__name__, exc)
            rated = cached[1] if cached is not None else []
        self._rated = (now, rated)
        return rated

    def _rated_answers(self) -> list[RatedAnswer]:
        statement = (
            select(
                RatingRow.rating,
                RatingRow.reason,
                RatingRow.client,
                InteractionRow.id,
                InteractionRow.question,
                InteractionRow.supporting,
            )
            .join(InteractionRow, InteractionRow.id == RatingRow.interaction_id)
            .where(InteractionRow.curated_id.is_(None))
            .order_by(RatingRow.created_at, RatingRow.id)
        )
        with self.store.session() as session:
            return [
                RatedAnswer(
                    interaction_id=interaction_id,
                    question=question,
                    doc_ids=tuple(dict.fromkeys(item.get("doc_id", "") for item in supporting or [])),
                    rating=rating,
                    reason=reason,
                    client=client or "",
                )
                for rating, reason, client, interaction_id, question, supporting in session.execute(statement)
            ]

    def rating_weights(self) -> dict[str, float]:
        """Page -> retrieval weight below 1 for every question, read at most every ``store.cache_s`` seconds."""
        now = time.monotonic()
        cached = self._weights
        if cached is not None and now - cached[0] < self.settings.store.cache_s:
            return cached[1]
        try:
            weights = {p.doc_id: p.weight for p in self.document_priors() if p.weight < 1.0}
        except Exception as exc:  # noqa: BLE001 - a store that is down must not stop answering
            log.warning("rating priors unavailable (%s: %s)", type(exc).__name__, exc)
            weights = cached[1] if cached is not None else {}
        self._weights = (now, weights)
        return weights

    def dismiss(self, interaction_id: str, staff: str) -> None:
        """Nothing to fix (e.g. a joke question, or the answer was right)."""
        with self.store.session() as session:
            _mark(session, interaction_id, "dismissed", staff, datetime.now(UTC))

    @cached_property
    def redactor(self) -> Redactor:
        return Redactor()

    def flag_document(self, doc_id: str, problem: Problem, note: str = "", staff: str = "") -> FlaggedDocument:
        """Mark a document outdated or wrong: it stops supporting answers and is listed for the web team."""
        if problem not in get_args(Problem):
            raise ReviewError(f"problem must be 'outdated' or 'wrong', not {problem!r}")
        document = self._document(doc_id)
        row = FlaggedDocumentRow(
            doc_id=document.doc_id,
            title=document.title,
            url=document.url,
            problem=problem,
            note=self.redactor.redact(note.strip()),  # staff may paste a citizen's message with personal data
            flagged_by=staff,
            created_at=datetime.now(UTC),
        )
        with self.store.session() as session:
            session.merge(row)  # flagging again updates problem, note and who
            bump_revision(session, REVIEW_REVISION)
        self._invalidate()
        return _flagged(row)

    def unflag(self, doc_id: str) -> bool:
        """Remove the mark; returns whether the document was flagged."""
        with self.store.session() as session:
            row = session.get(FlaggedDocumentRow, doc_id)
            if row is not None:
                session.delete(row)
                bump_revision(session, REVIEW_REVISION)
        self._invalidate()
        return row is not None

    def flagged(self) -> list[FlaggedDocument]:
        """Flagged documents, newest first ("listed for the web team")."""
        with self.store.session() as session:
            rows = session.scalars(select(FlaggedDocumentRow).order_by(FlaggedDocumentRow.created_at.desc()))
            return [_flagged(row) for row in rows]

    def _document(self, doc_id: str) -> Document:
        document = self.index.documents.get(doc_id.strip())
        if document is None:
            raise ReviewError(
                f"Unknown document {doc_id!r}: it is not in the index {self.index.version}. "
                f"/ Dokument {doc_id!r} ist nicht im Index."
            )
        return document

    # -- what the answer service reads (in memory: several instances share the database) --
    # Both lists are kept in memory with the ``review`` revision they belong to. At most every
    # ``store.cache_s`` seconds one tiny SELECT reads the revision; only when it changed (staff
    # corrected an answer or flagged a document, on any instance) are the lists read again.
    # A change made through this service is seen by the next question at once. While the store
    # is down the last known lists stay in use (one warning, not one per question).
    def curated_answers(self) -> list[CuratedAnswer]:
        """Active curated answers, newest first.

        The same list object is returned until the data changes (callers may key
        their own work on its identity); it is shared, so do not modify it.
        """
        known = self._current()
        return known.curated if known is not None else []

    def flagged_doc_ids(self) -> frozenset[str]:
        """Ids of the documents staff flagged (the same object until the data changes)."""
        known = self._current()
        return known.flagged if known is not None else frozenset()

    def _current(self) -> _ReviewData | None:
        known = self._known
        if known is not None and not self._due():
            return known  # the common case: no lock, no database
        # the first load and a change made here wait for the refresh; a periodic check
        # that another thread is already doing does not hold this question up
        if not self._refresh_lock.acquire(blocking=known is None or self._checked_at == -math.inf):
            return known
        try:
            if self._due():
                self._refresh()
            return self._known
        finally:
            self._refresh_lock.release()

    def _due(self) -> bool:
        return time.monotonic() - self._checked_at >= self.settings.store.cache_s

    def _refresh(self) -> None:
        changes = self._local_changes
        try:
            with self.store.session() as session:
                revision = read_revision(session, REVIEW_REVISION)
                if self._known is None or revision != self._known.revision:
                    # read after the revision, in the same transaction: the lists are at least this new
                    curated = _load_curated(session)
                    flagged = frozenset(session.scalars(select(FlaggedDocumentRow.doc_id)))
                    self._known = _ReviewData(revision, curated, flagged)
        except Exception as exc:  # noqa: BLE001 - a store that is down must not stop answering
            if not self._unavailable:
                log.warning(
                    "curated answers and flagged documents could not be read (%s: %s); using the last known "
                    "(%s) until the store is back",
                    type(exc).__name__,
                    exc,
                    "none" if self._known is None else f"revision {self._known.revision}",
                )
            self._unavailable = True
        else:
            if self._unavailable:
                log.info("curated answers and flagged documents readable again (revision %d)", self._known.revision)
            self._unavailable = False
        finally:
            with self._state_lock:
                if changes == self._local_changes:  # else a change made meanwhile: check again at once
                    self._checked_at = time.monotonic()  # (a store that is down: tried again after cache_s)

    def _invalidate(self) -> None:
        """A change made here: the next question reads the revision (and the new lists) at once."""
        with self._state_lock:
            self._local_changes += 1
            self._checked_at = -math.inf

    # -- dashboard -----------------------------------------------------------
    def dashboard(self, days: int = 30, today: date | None = None) -> Dashboard:
        """Figures of the last ``days`` days (UTC dates, today included)."""
        until = today or datetime.now(UTC).date()
        since = until - timedelta(days=days - 1)
        statement = _filtered(_with_latest_rating(), QueueFilter(since=since, until=until, state=None), False)
        with self.store.session() as session:
            rows = [
                (aware(row.created_at), row, rating) for row, rating, _reason, _comment in session.execute(statement)
            ]
        board = Dashboard(days=days, since=since, until=until, questions=len(rows))
        per_day = {since + timedelta(days=n): DayCount(day=since + timedelta(days=n)) for n in range(days)}
        statuses: Counter[str] = Counter()
        for created, row, rating in rows:
            day = per_day.get(created.date())
            statuses[row.status] += 1
            board.per_language[row.language] = board.per_language.get(row.language, 0) + 1
            board.per_channel[row.channel] = board.per_channel.get(row.channel, 0) + 1
            board.rated += rating is not None
            board.down += rating == "down"
            if day is not None:
                day.questions += 1
                day.abstained += row.status == "abstained"
                day.down += rating == "down"
        board.status_counts = {status: statuses[status] for status in STATUSES}
        board.status_rates = {status: statuses[status] / len(rows) if rows else 0.0 for status in STATUSES}
        board.down_rate = board.down / board.rated if board.rated else 0.0
        board.per_day = list(per_day.values())
        board.open_items = self._count(QueueFilter(state="open"), queue_only=True)
        abstained = [(row.question, row.language) for _, row, _ in rows if row.status == "abstained"]
        board.unanswered_topics = self.group_topics(abstained)
        board.rated_pages = [prior for prior in self.document_priors() if prior.weight < 1.0]
        board.tag_counts = self._tag_counts(since, until)
        board.accuracy = accuracy_by_week(row for _, row, _ in rows)
        board.eval_runs = eval_run_figures(Path(self.settings.staff.eval_reports_dir))
        return board

    def _tag_counts(self, since: date, until: date) -> dict[str, int]:
        """Per review tag (and "ticket"): how many of the period's interactions carry it, vocabulary order."""
        start = datetime.combine(since, clock(), UTC)
        end = datetime.combine(until + timedelta(days=1), clock(), UTC)
        statement = (
            select(ReviewTagRow.tag, func.count())
            .join(InteractionRow, InteractionRow.id == ReviewTagRow.interaction_id)
            .where(InteractionRow.created_at >= start, InteractionRow.created_at < end)
            .group_by(ReviewTagRow.tag)
        )
        with self.store.session() as session:
            counts = dict(session.execute(statement).all())
        return {tag: int(counts.get(tag, 0)) for tag in FILTER_TAGS}

    def group_topics(
        self, questions: list[tuple[str, str]], max_distance: float = TOPIC_MAX_DISTANCE
    ) -> list[TopicGroup]:
        """Group (question, language) pairs by meaning; largest group first."""
        counts = Counter(" ".join(question.split()) for question, _ in questions)
        languages: dict[str, set[str]] = {}
        for question, language in questions:
            languages.setdefault(" ".join(question.split()), set()).add(language)
        distinct = [question for question, _ in counts.most_common(TOPIC_MAX_QUESTIONS)]
        if not distinct:
            return []
        vectors = self.embedder.embed_queries(distinct)
        groups = []
        for members in cluster(vectors, max_distance):
            centre = vectors[members].mean(axis=0)
            representative = distinct[max(members, key=lambda m: float(vectors[m] @ centre))]
            ordered = sorted((distinct[m] for m in members), key=lambda q: -counts[q])
            groups.append(
                TopicGroup(
                    representative=representative,
                    count=sum(counts[q] for q in ordered),
                    questions=ordered,
                    languages=sorted(set().union(*(languages[q] for q in ordered))),
                )
            )
        return sorted(groups, key=lambda group: (-group.count, group.representative))

    # -- exports -------------------------------------------------------------
    def export_csv(self, queue_only: bool = False, **filters: Any) -> str:
        """One row per interaction (newest first) with its latest rating and review tags, for a spreadsheet;
        ``filters`` as for ``queue``, but every review state unless ``state`` is given."""
        where = QueueFilter(**{"state": None, **filters})
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for item in self._interactions(where, queue_only=queue_only, limit=None):
            writer.writerow(csv_row(item))
        return buffer.getvalue()

    def export_eval_cases(self, path: Path | None = None) -> int:
        """Write the active curated answers as golden cases (newest wins per question and
        language), atomically; returns the number of cases written."""
        target = Path(path or self.settings.staff.curated_eval_path)
        with self.store.session() as session:
            cases = eval_cases(_load_curated(session))
        lines = "".join(case.model_dump_json(exclude_defaults=True) + "\n" for case in cases)
        write_atomically(target, lines)
        return len(cases)

    def _export_quietly(self) -> None:
        # the database is the record; a read-only checkout must not make a correction fail
        try:
            count = self.export_eval_cases()
        except OSError as exc:
            log.warning(
                "could not export curated evaluation cases to %s: %s", self.settings.staff.curated_eval_path, exc
            )
        else:
            log.info("exported %d curated evaluation cases to %s", count, self.settings.staff.curated_eval_path)


# -- queries -------------------------------------------------------------------
class _ReviewData(NamedTuple):
    revision: int
    curated: list[CuratedAnswer]
    flagged: frozenset[str]


def _load_curated(session: Session) -> list[CuratedAnswer]:
    """Active curated answers, newest first."""
    statement = (
        select(CuratedAnswerRow)
        .where(CuratedAnswerRow.active.is_(True))
        .order_by(CuratedAnswerRow.created_at.desc(), CuratedAnswerRow.id.desc())
    )
    return [_curated(row) for row in session.scalars(statement)]


def _with_latest_rating() -> Select:
    ranked = select(
        RatingRow.interaction_id,
        RatingRow.rating,
        RatingRow.reason,
        RatingRow.comment,
        func.row_number()
        .over(partition_by=RatingRow.interaction_id, order_by=(RatingRow.created_at.desc(), RatingRow.id.desc()))
        .label("position"),
    ).subquery()
    latest = select(ranked).where(ranked.c.position == 1).subquery("latest")
    return select(InteractionRow, latest.c.rating, latest.c.reason, latest.c.comment).outerjoin(
        latest, latest.c.interaction_id == InteractionRow.id
    )


def _filtered(statement: Select, where: QueueFilter, queue_only: bool, below_quality: float = 0.0) -> Select:
    latest = statement.selected_columns
    if queue_only:
        wanted = [latest.rating == "down", InteractionRow.status == "abstained"]
        if below_quality > 0:  # low-scored answers come without waiting for a thumbs-down
            wanted.append(InteractionRow.quality < below_quality)
        # a citizen asked for a person (POST /api/ticket)
        wanted.append(InteractionRow.id.in_(select(ReviewTagRow.interaction_id).where(ReviewTagRow.tag == TICKET_TAG)))
        statement = statement.where(or_(*wanted))
    if where.channel:
        statement = statement.where(InteractionRow.channel == where.channel)
    if where.language:
        statement = statement.where(InteractionRow.language == where.language)
    if where.reason:
        statement = statement.where(latest.reason == where.reason)
    if where.since:
        statement = statement.where(InteractionRow.created_at >= datetime.combine(where.since, clock(), UTC))
    if where.until:
        end = datetime.combine(where.until + timedelta(days=1), clock(), UTC)
        statement = statement.where(InteractionRow.created_at < end)
    if where.state:
        statement = statement.where(InteractionRow.review_state == where.state)
    if where.route:
        statement = statement.where(InteractionRow.route == where.route)
    if where.tag:
        tagged = select(ReviewTagRow.interaction_id).where(ReviewTagRow.tag == where.tag)
        statement = statement.where(InteractionRow.id.in_(tagged))
    return statement


def accuracy_by_week(rows) -> list[AccuracyWeek]:
    """Reviewed interactions (dismissed: right; resolved or route corrected: corrected) grouped by the
    week their answer was given, oldest first. Open items without a route correction are not counted."""
    weeks: dict[date, AccuracyWeek] = {}
    for row in rows:
        corrected = row.review_state == "resolved" or row.corrected_route is not None
        if not corrected and row.review_state != "dismissed":
            continue
        day = aware(row.created_at).date()
        monday = day - timedelta(days=day.weekday())
        week = weeks.setdefault(monday, AccuracyWeek(week=monday))
        week.reviewed += 1
        week.corrected += corrected
        week.right += not corrected
    return [weeks[monday] for monday in sorted(weeks)]


EVAL_RUN_LIMIT = 40  # the newest runs shown
_eval_cache: dict[Path, tuple[float, list[EvalRunFigures]]] = {}  # report.json -> (mtime, figures)


def eval_run_figures(folder: Path) -> list[EvalRunFigures]:
    """The key figures of every run in ``folder/*/report.json`` (``assistant eval`` reports), oldest
    first. An unreadable report is skipped with a warning; each file is parsed again only when it changed."""
    import json

    figures: list[EvalRunFigures] = []
    for path in sorted(folder.glob("*/report.json")):
        try:
            mtime = path.stat().st_mtime
            cached = _eval_cache.get(path)
            if cached is None or cached[0] != mtime:
                report = json.loads(path.read_text(encoding="utf-8"))
                created = aware(datetime.fromisoformat(report["created"].replace("Z", "+00:00")))
                runs = [
                    EvalRunFigures(
                        created=created,
                        report=path.parent.name,
                        set_name=run["set_name"],
                        config=run["config"],
                        **{key: run["metrics"].get(key) for key in EVAL_FIGURES},
                    )
                    for run in report.get("runs", [])
                ]
                cached = _eval_cache[path] = (mtime, runs)
            figures += cached[1]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("dashboard: skipped the evaluation report %s (%s: %s)", path, type(exc).__name__, exc)
    figures.sort(key=lambda run: (run.created, run.report, run.set_name, run.config))
    return figures[-EVAL_RUN_LIMIT:]


EVAL_FIGURES = ("cases", "behaviour_accuracy", "key_fact_accuracy", "recall_at_5", "grounded_number_rate")


def route_examples(store: Store) -> list[tuple[str, str, str]]:
    """(route, language, question) of every interaction whose route staff corrected, in the order of
    the corrections, one per question and language (the latest correction wins). The question is
    the stored one: personal data was removed before it was logged."""
    statement = (
        select(InteractionRow.corrected_route, InteractionRow.language, InteractionRow.question)
        .where(InteractionRow.corrected_route.is_not(None))
        .order_by(InteractionRow.route_corrected_at, InteractionRow.id)
    )
    latest: dict[tuple[str, str], tuple[str, str, str]] = {}
    with store.session() as session:
        for route, language, question in session.execute(statement):
            text = " ".join(question.split())
            if text:
                latest.pop((text, language), None)  # re-inserted: the order follows the latest correction
                latest[(text, language)] = (route, language, text)
    return list(latest.values())


def write_route_examples(path: Path, examples: list[tuple[str, str, str]]) -> int:
    """``route<TAB>language<TAB>question`` lines (the format of ``assistant/safety/router_examples.tsv``,
    which ``assistant train-router --examples`` reads), written atomically; returns how many."""
    header = "# Question router examples from staff route corrections (assistant feedback export-routes).\n"
    write_atomically(
        path, header + "".join(f"{route}\t{language}\t{question}\n" for route, language, question in examples)
    )
    return len(examples)


def _tags_of(session: Session, interaction_ids: list[str]) -> dict[str, list[str]]:
    """Interaction id -> its tags, in the order of the vocabulary ("ticket" last)."""
    if not interaction_ids:
        return {}
    order = {tag: n for n, tag in enumerate(FILTER_TAGS)}
    tags: dict[str, list[str]] = {}
    for start in range(0, len(interaction_ids), 500):  # bounded IN lists
        chunk = interaction_ids[start : start + 500]
        rows = session.execute(
            select(ReviewTagRow.interaction_id, ReviewTagRow.tag).where(ReviewTagRow.interaction_id.in_(chunk))
        )
        for interaction_id, tag in rows:
            tags.setdefault(interaction_id, []).append(tag)
    return {key: sorted(values, key=lambda tag: order.get(tag, len(order))) for key, values in tags.items()}


def _outdated(rated: RatedAnswer) -> bool:
    return rated.reason == "outdated"


def _mark(
    session: Session,
    interaction_id: str,
    state: ReviewState,
    staff: str,
    when: datetime,
    curated_id: int | None = None,
) -> None:
    row = session.get(InteractionRow, interaction_id)
    if row is None:
        raise NotFoundError(f"no interaction with id {interaction_id!r}")
    row.review_state, row.reviewed_by, row.reviewed_at = state, staff, when
    if curated_id is not None:
        row.curated_id = curated_id


def _retire_same_question(session: Session, question: str, language: str) -> None:
    """A new correction replaces the earlier ones for the same question."""
    key = normalise_question(question)
    active = session.scalars(
        select(CuratedAnswerRow).where(CuratedAnswerRow.active.is_(True), CuratedAnswerRow.language == language)
    )
    for row in active:
        if normalise_question(row.question) == key:
            row.active = False


# -- rows to records --------------------------------------------------------------
def _curated(row: CuratedAnswerRow) -> CuratedAnswer:
    return CuratedAnswer(
        id=row.id,
        question=row.question,
        language=row.language,
        answer=row.answer,
        doc_id=row.doc_id,
        title=row.title,
        url=row.url,
        quote=row.quote,
        created_by=row.created_by,
        created_at=aware(row.created_at),
        interaction_id=row.interaction_id,
    )


def _flagged(row: FlaggedDocumentRow) -> FlaggedDocument:
    return FlaggedDocument(
        doc_id=row.doc_id,
        title=row.title,
        url=row.url,
        problem=row.problem,
        note=row.note,
        flagged_by=row.flagged_by,
        created_at=aware(row.created_at),
    )


# -- pure helpers -------------------------------------------------------------------
def verbatim_quote(document: Document, quote: str) -> str:
    """The passage of the document the quote names, exactly as the document has it.

    Line breaks and repeated spaces in the pasted quote do not matter; every word must.
    A list item may be pasted with or without its bullet.
    """
    words = quote.strip().removeprefix("- ").split()
    match = re.search(r"\s+".join(re.escape(word) for word in words), document.text)
    if match is None:
        raise ReviewError(
            f"The quote does not occur in {document.doc_id!r} ({document.title}); copy it exactly "
            f"from the document. / Das Zitat steht so nicht im Dokument."
        )
    return match.group(0)


def cluster(vectors: np.ndarray, max_distance: float) -> list[list[int]]:
    """Indices of normalised vectors grouped by average-linkage cosine distance."""
    if len(vectors) == 1:
        return [[0]]
    from scipy.cluster.hierarchy import fcluster, linkage

    distances = np.clip(1.0 - vectors @ vectors.T, 0.0, 2.0)
    condensed = distances[np.triu_indices(len(vectors), k=1)]
    labels = fcluster(linkage(condensed, method="average"), t=max_distance, criterion="distance")
    groups: dict[int, list[int]] = {}
    for position, label in enumerate(labels):
        groups.setdefault(int(label), []).append(position)
    return list(groups.values())


def key_facts(answer: str) -> list[str]:
    """Checkable facts of a curated answer as they are written ("37,00 Euro", "8:00")."""
    text = CITATION.sub("", answer)
    facts: list[str] = []
    seen: set[tuple[str, str]] = set()
    for fact in sorted(extract_facts(text), key=lambda f: f.start):
        if fact.kind not in FACT_KINDS or (fact.kind, fact.value) in seen:
            continue
        seen.add((fact.kind, fact.value))
        written = text[fact.start : fact.end].strip()
        if fact.kind == "amount" and (currency := CURRENCY_AFTER.match(text[fact.end :])):
            written += currency.group(0)
        facts.append(written)
    return facts[:MAX_KEY_FACTS]


def eval_cases(curated: list[CuratedAnswer]) -> list[GoldenCase]:
    """Golden cases from curated answers (newest first in, one case per question and language)."""
    newest: dict[tuple[str, str], CuratedAnswer] = {}
    for answer in sorted(curated, key=lambda a: (a.created_at or datetime.min.replace(tzinfo=UTC), a.id or 0)):
        newest[(normalise_question(answer.question), answer.language)] = answer
    return [_case(answer) for answer in sorted(newest.values(), key=lambda a: a.id or 0)]


def _case(answer: CuratedAnswer) -> GoldenCase:
    when = answer.created_at.date().isoformat() if answer.created_at else ""
    source = f"feedback:{answer.interaction_id}" if answer.interaction_id else f"curated:{answer.id}"
    evidence = [answer.quote] if answer.quote and not re.match(r"^\s*[-*•]\s", answer.quote) else []
    return GoldenCase(
        id=f"curated-{answer.id}-{answer.language}",
        question=answer.question,
        language=answer.language,
        expected_status="answered",
        expected_docs=[answer.doc_id] if answer.doc_id else [],
        expected_evidence=evidence,
        key_facts=key_facts(answer.answer),
        tags=["curated"],
        source=source,
        notes=f"staff correction {when} (curated answer {answer.id})".replace("  ", " "),
    )


def write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


CSV_COLUMNS = [
    "id",
    "created_at",
    "channel",
    "language",
    "status",
    "question",
    "answer",
    "rating",
    "reason",
    "comment",
    "supporting_doc_ids",
    "disagreeing_doc_ids",
    "review_state",
    "curated_id",
    "model",
    "index_version",
    "latency_ms",
    "route",
    "corrected_route",
    "tags",
]


def csv_row(item: Interaction) -> list[str]:
    def cell(text: str) -> str:
        # a cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection)
        return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

    return [
        item.id,
        item.created_at.isoformat(timespec="seconds"),
        item.channel,
        item.language,
        item.status,
        cell(item.question),
        cell(item.answer),
        item.rating or "",
        item.reason or "",
        cell(item.comment),
        " ".join(dict.fromkeys(ev.doc_id for ev in item.supporting)),
        " ".join(dict.fromkeys(d.doc_id for d in item.disagreeing)),
        item.review_state,
        "" if item.curated_id is None else str(item.curated_id),
        item.model,
        item.index_version,
        f"{item.latency_ms:.0f}",
        item.route,
        item.corrected_route or "",
        " ".join(item.tags),
    ]
