"""Golden cases: the JSONL format of ``eval/sets/`` (see ``eval/sets/README.md``).

>>> case = GoldenCase.model_validate({"id": "x", "question": "Was kostet ein Pass?",
...     "language": "de", "expected_status": "answered", "expected_docs": ["reisepass"]})
>>> case.expected_status, case.conflict
('answered', False)
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from assistant.records import GoldenCase, Turn  # noqa: F401 - the golden-set format, re-exported
from assistant.text import normalise_question


class GoldenSetError(ValueError):
    """A golden set file that cannot be used; the message lists every bad line."""


def _dedup_key(case: GoldenCase) -> tuple[str, ...]:
    # the same follow-up ("Was kostet das?") means different things after different histories
    return (normalise_question(case.question), *(f"{t.role}:{normalise_question(t.content)}" for t in case.history))


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
                notes.append(f"{path.name}: case '{case.id}' replaces '{old.id}' from {old_path.name} (same question)")
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
