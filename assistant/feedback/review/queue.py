"""The review queue: thumbs-down, unanswered, low-quality and ticket items, filtered; review
tags, route corrections and dismissals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from assistant.components.store import (
    InteractionRow,
    RatingRow,
    ReviewTagRow,
    TicketRow,
    interaction_record,
    ticket_record,
)
from assistant.feedback.review.errors import NotFoundError, ReviewError
from assistant.records import (
    TICKET_TAG,
    Channel,
    Interaction,
    Reason,
    ReviewState,
    ReviewTag,
    Route,
)

ROUTES: tuple[Route, ...] = get_args(Route)
REVIEW_TAGS: tuple[ReviewTag, ...] = get_args(ReviewTag)
# what the queue and the CSV can be filtered by: the staff's review tags and citizens' tickets
FILTER_TAGS: tuple[str, ...] = (*REVIEW_TAGS, TICKET_TAG)


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


class ReviewQueue:
    """The queue part of :class:`~assistant.feedback.review.service.ReviewService`."""

    def queue(self, limit: int = 200, **filters: Any) -> list[Interaction]:
        """Thumbs-down, unanswered (abstained), low-quality (``staff.review_below_quality``) and ticket
        items, newest first; ``filters`` are ``QueueFilter``'s fields (open items unless ``state``
        says otherwise; ``tag`` keeps those with that review tag or ``"ticket"``)."""
        return self._interactions(QueueFilter(**filters), queue_only=True, limit=limit)

    def item(self, interaction_id: str) -> Interaction:
        """One interaction with its latest rating, review tags and ticket (contact included: staff view)."""
        with self.store.session() as session:
            row = session.execute(with_latest_rating().where(InteractionRow.id == interaction_id)).first()
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
        statement = filtered(with_latest_rating(), where, queue_only, self.settings.staff.review_below_quality)
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
        matching = filtered(with_latest_rating(), where, queue_only, below).subquery()
        with self.store.session() as session:
            return int(session.scalar(select(func.count()).select_from(matching)) or 0)

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

    def dismiss(self, interaction_id: str, staff: str) -> None:
        """Nothing to fix (e.g. a joke question, or the answer was right)."""
        with self.store.session() as session:
            mark(session, interaction_id, "dismissed", staff, datetime.now(UTC))


def with_latest_rating() -> Select:
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


def filtered(statement: Select, where: QueueFilter, queue_only: bool, below_quality: float = 0.0) -> Select:
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


def mark(
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
