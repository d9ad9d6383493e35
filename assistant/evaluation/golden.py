"""Golden cases: the JSONL format of ``eval/sets/`` (see ``eval/sets/README.md``).

>>> case = GoldenCase.model_validate({"id": "x", "question": "Was kostet ein Pass?",
...     "language": "de", "expected_status": "answered", "expected_docs": ["reisepass"]})
>>> case.expected_status, case.conflict
('answered', False)
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.records import Status


class GoldenSetError(ValueError):
    """A golden set file that cannot be used; the message lists every bad line."""


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str


class GoldenCase(BaseModel):
    """One question with what a correct answer must (and must not) contain."""

    # unknown fields are refused so that a typo ("expected_doc") cannot silently disable a check
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    language: str = Field(pattern=r"^[a-z]{2}$")
    expected_status: Status
    expected_docs: list[str] = Field(default_factory=list)
    expected_evidence: list[str] = Field(default_factory=list)
    key_facts: list[str] = Field(default_factory=list)
    forbidden_facts: list[str] = Field(default_factory=list)
    history: list[Turn] = Field(default_factory=list)
    conflict: bool = False
    conflict_docs: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    # provenance of curated cases (e.g. "feedback:1234", "staff correction 2026-12-01")
    source: str = ""
    notes: str = ""

    @field_validator("expected_evidence", "key_facts", "forbidden_facts", "expected_docs")
    @classmethod
    def _no_blank_entries(cls, values: list[str]) -> list[str]:
        if any(not v.strip() for v in values):
            raise ValueError("entries must not be empty")
        return values

    @field_validator("expected_evidence")
    @classmethod
    def _evidence_without_bullets(cls, values: list[str]) -> list[str]:
        for value in values:
            if re.match(r"^\s*[-*•]\s", value):
                raise ValueError(f"list items are written without their leading bullet: {value[:60]!r}")
        return values

    @model_validator(mode="after")
    def _consistent(self) -> GoldenCase:
        if self.conflict_docs and not self.conflict:
            raise ValueError("conflict_docs is set but conflict is not true")
        overlap = {f.casefold() for f in self.key_facts} & {f.casefold() for f in self.forbidden_facts}
        if overlap:
            raise ValueError(f"a fact is both key and forbidden: {sorted(overlap)}")
        if self.expected_status in ("abstained", "refused") and self.key_facts:
            raise ValueError(f"a case expected to be {self.expected_status} cannot have key_facts")
        return self

    def history_dicts(self) -> list[dict[str, str]] | None:
        """The history as the answer service takes it (``None`` when there is none)."""
        return [turn.model_dump() for turn in self.history] or None


def normalise_question(text: str) -> str:
    """Key for de-duplication: case, whitespace and trailing punctuation do not matter.

    >>> normalise_question("  Was kostet  ein Pass? ") == normalise_question("was kostet ein pass")
    True
    """
    return re.sub(r"[\s?!.]+$", "", " ".join(text.casefold().split()))


def _dedup_key(case: GoldenCase) -> tuple[str, ...]:
    # the same follow-up ("Was kostet das?") means different things after different histories
    return (normalise_question(case.question),
            *(f"{t.role}:{normalise_question(t.content)}" for t in case.history))


def parse_cases(path: Path) -> list[GoldenCase]:
    """Every case of one JSONL file; raises GoldenSetError listing all bad lines."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldenSetError(f"cannot read {path}: {exc.strerror or exc}") from exc
    cases: list[GoldenCase] = []
    errors: list[str] = []
    seen_ids: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = GoldenCase.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            errors.append(f"{path}:{number}: not JSON ({exc.msg})")
            continue
        except ValidationError as exc:
            for problem in exc.errors():
                where = ".".join(str(part) for part in problem["loc"]) or "case"
                errors.append(f"{path}:{number}: {where}: {problem['msg']}")
            continue
        if case.id in seen_ids:
            errors.append(f"{path}:{number}: id '{case.id}' already used on line {seen_ids[case.id]}")
            continue
        seen_ids[case.id] = number
        cases.append(case)
    if errors:
        raise GoldenSetError("\n".join(errors))
    return cases


def load_cases(paths: list[Path]) -> tuple[list[GoldenCase], list[str]]:
    """Cases of several files, de-duplicated; returns ``(cases, notes)``.

    Two cases are duplicates when their normalised question (and history) is
    the same. The later one wins: files are read in order, so a case exported
    to ``curated.jsonl`` from a staff correction replaces the golden case it
    corrects. Each dropped case is reported in ``notes``.
    """
    by_key: dict[tuple[str, ...], tuple[GoldenCase, Path]] = {}
    notes: list[str] = []
    for path in paths:
        for case in parse_cases(path):
            key = _dedup_key(case)
            if key in by_key:
                old, old_path = by_key.pop(key)
                notes.append(f"{path.name}: case '{case.id}' replaces '{old.id}' from {old_path.name} "
                             f"(same question)")
            by_key[key] = (case, path)
    cases = [case for case, _ in by_key.values()]
    ids = [case.id for case in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise GoldenSetError(f"case ids used in more than one file: {', '.join(duplicates)}")
    return cases, notes


MIN_PER_GROUP = 2  # cases of each (behaviour, language) group in a subset, where the set has them


def select_subset(cases: list[GoldenCase], limit: int | None) -> list[GoldenCase]:
    """At most ``limit`` cases, every behaviour and language represented, in file order.

    Each (expected_status, language) group first gets ``MIN_PER_GROUP`` cases (round-robin
    while the limit is smaller than that); the rest of the limit is shared in proportion
    to the groups' sizes (largest remainder), so the subset's figures stay close to the
    whole set's. Within a group the picks are spread evenly over the file (topics are
    grouped there). Deterministic: the same file gives the same subset.
    """
    if limit is None or limit >= len(cases):
        return list(cases)
    groups: dict[tuple[str, str], list[int]] = {}
    for position, case in enumerate(cases):
        groups.setdefault((case.expected_status, case.language), []).append(position)
    quota = dict.fromkeys(groups, 0)
    remaining = limit
    for _round in range(MIN_PER_GROUP):
        for key, members in groups.items():
            if remaining and quota[key] < len(members):
                quota[key] += 1
                remaining -= 1
    spare = {key: len(members) - quota[key] for key, members in groups.items()}
    total_spare = sum(spare.values())
    if remaining and total_spare:
        shares = {key: remaining * n / total_spare for key, n in spare.items()}
        extra = {key: int(share) for key, share in shares.items()}
        by_remainder = sorted(groups, key=lambda key: shares[key] - extra[key], reverse=True)
        for key in by_remainder[: remaining - sum(extra.values())]:
            extra[key] += 1
        for key in groups:
            quota[key] += min(extra[key], spare[key])
    chosen: list[int] = []
    for key, members in groups.items():
        count = quota[key]
        chosen.extend(members[(i * len(members)) // count] for i in range(count))
    return [cases[i] for i in sorted(chosen)]
