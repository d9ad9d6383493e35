"""The staff dashboard: questions, answer statuses, ratings, unanswered topics, rated pages, review
tags, accuracy over time and the evaluation runs' key figures."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import get_args

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from assistant.components.store import (
    InteractionRow,
    ReviewTagRow,
    aware,
)
from assistant.feedback.review.queue import FILTER_TAGS, QueueFilter, filtered, with_latest_rating
from assistant.records import (
    DocumentPrior,
    Status,
)

log = logging.getLogger(__name__)


STATUSES: tuple[Status, ...] = get_args(Status)
# two abstained questions whose e5 query vectors are closer than this (cosine distance,
# average linkage) ask about the same missing topic. Measured with multilingual-e5-small:
# paraphrases 0.05-0.075, related but different topics (boat licence / fishing licence)
# 0.09-0.14, unrelated municipal topics ~0.2. Same-wording questions about different things
# ("Boot anmelden" / "Auto anmelden", 0.058) still fall together: e5 weighs wording heavily.
TOPIC_MAX_DISTANCE = 0.085
TOPIC_MAX_QUESTIONS = 1000  # distinct questions clustered per dashboard (the most frequent)


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


class DashboardFigures:
    """The dashboard part of :class:`~assistant.feedback.review.service.ReviewService`."""

    def dashboard(self, days: int = 30, today: date | None = None) -> Dashboard:
        """Figures of the last ``days`` days (UTC dates, today included)."""
        until = today or datetime.now(UTC).date()
        since = until - timedelta(days=days - 1)
        statement = filtered(with_latest_rating(), QueueFilter(since=since, until=until, state=None), False)
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
