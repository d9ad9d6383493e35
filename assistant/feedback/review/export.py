"""Exports: the interactions as CSV, curated answers as evaluation cases, route corrections as router examples."""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from assistant.answering.facts.values import extract_facts
from assistant.components.store import (
    InteractionRow,
    Store,
)
from assistant.feedback.review.cache import load_curated
from assistant.feedback.review.queue import QueueFilter
from assistant.records import (
    CuratedAnswer,
    GoldenCase,
    Interaction,
)
from assistant.text import normalise_question

log = logging.getLogger(__name__)


MAX_KEY_FACTS = 6
FACT_KINDS = ("amount", "number", "time", "date", "phone", "email", "room")
CURRENCY_AFTER = re.compile(r"^\s?(?:€|Euro\b|EUR\b)", re.IGNORECASE)
CITATION = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")


class Exports:
    """The exports part of :class:`~assistant.feedback.review.service.ReviewService`."""

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
            cases = eval_cases(load_curated(session))
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

    def route_examples(self) -> list[tuple[str, str, str]]:
        """The staff's route corrections as router training examples (see :func:`route_examples`)."""
        return route_examples(self.store)

    def export_route_examples(self, path: Path) -> int:
        """Write :meth:`route_examples` to ``path`` in the router's TSV format; returns how many."""
        return write_route_examples(Path(path), self.route_examples())


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
