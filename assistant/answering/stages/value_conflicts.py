"""Values that supporting quotes from different documents disagree on: the newer document answers.

The fee-row comparison (``conflicts.find_disagreeing``) covers fee tables. A value can also stand
in a sentence, a list item, a FAQ answer or a PDF line, and two such quotes can both reach the
evidence: an archived page's "kostet 60 Euro" next to the current page's "70 Euro". Here every
pair of supporting quotes from different documents is compared: when both state a value of the
same kind (an amount, a duration) about the same thing (their meaning close, the same qualifier
words) and the values differ,

- the newer document's quote stays; the older one leaves *supporting* and is shown under
  *disagreeing* with its date, its quote and the reason in the question's language;
- a dated quote wins over an undated one (whose date is unknown);
- when neither is dated, both leave *supporting* and are shown as disagreeing: the answer says
  that the documents disagree and asks the citizen to check with the office.

The grounding gate then keeps no model sentence whose value only a disagreeing source states (a
kept sentence's facts must be in the quotes it cites, and disagreeing quotes are not citable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.answering.citations import renumber
from assistant.answering.context import AnswerContext, Resources
from assistant.answering.facts.values import extract_facts
from assistant.messages import message
from assistant.records import Disagreement, Evidence
from assistant.text import strip_markup

SAME_THING = 0.88  # cosine of two quotes' stored vectors: about the same thing
_NUMBER_WORDS = {
    "ein": 1, "eine": 1, "einen": 1, "one": 1, "zwei": 2, "two": 2, "drei": 3, "three": 3, "vier": 4, "four": 4,
    "fünf": 5, "five": 5, "sechs": 6, "six": 6, "sieben": 7, "seven": 7, "acht": 8, "eight": 8, "neun": 9,
    "nine": 9, "zehn": 10, "ten": 10, "zwölf": 12, "twelve": 12,
}  # fmt: skip
_UNITS = {
    "tag": "day", "tage": "day", "tagen": "day", "werktag": "day", "werktage": "day", "werktagen": "day",
    "day": "day", "days": "day", "woche": "week", "wochen": "week", "week": "week", "weeks": "week",
    "monat": "month", "monate": "month", "monaten": "month", "month": "month", "months": "month",
    "jahr": "year", "jahre": "year", "jahren": "year", "year": "year", "years": "year",
}  # fmt: skip
_NUMBER = r"(\d+|" + "|".join(_NUMBER_WORDS) + r")"
DURATION = re.compile(rf"\b{_NUMBER}(?:\s*(?:bis|-|–|to|oder|or)\s*{_NUMBER})?\s*({'|'.join(_UNITS)})\b", re.IGNORECASE)
AGE = re.compile(r"\b(?:ab|unter|über|bis|from|under|over|aged?)\s+\d+\s*(?:jahren?|years?)\b", re.IGNORECASE)
QUALIFIERS = re.compile(
    r"\b(kind\w*|erwachsen\w*|jugendlich\w*|ermäßig\w*|express\w*|children|child|adults?|reduced|minors?|"
    r"students?|studierend\w*|schüler\w*|rentner\w*|senior\w*)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, order=True)
class Value:
    kind: str  # amount | duration
    value: str  # normalised, e.g. "70" or "3-4 week"


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()]


def values(text: str) -> set[Value]:
    """The amounts and durations ``text`` states (ages are qualifiers, not values).

    >>> sorted(values("Der Pass kostet 70 Euro und liegt nach drei bis vier Wochen vor, ab 24 Jahren."))
    [Value(kind='amount', value='70'), Value(kind='duration', value='3-4 week')]
    """
    text = strip_markup(text)
    found = {Value("amount", f.value) for f in extract_facts(text) if f.kind == "amount"}
    without_ages = AGE.sub(" ", text)
    for match in DURATION.finditer(without_ages):
        low = _number(match.group(1))
        high = _number(match.group(2)) if match.group(2) else None
        span = f"{low}-{high}" if high else str(low)
        found.add(Value("duration", f"{span} {_UNITS[match.group(3).lower()]}"))
    return found


def qualifiers(text: str) -> frozenset[str]:
    """The qualifier words (who or which variant a value is for), and the age limits, of ``text``."""
    words = {m.group(0).lower()[:6] for m in QUALIFIERS.finditer(text)}
    ages = {re.sub(r"\s+", " ", m.group(0).lower()) for m in AGE.finditer(text)}
    return frozenset(words | ages)


def _conflict(a: Evidence, b: Evidence, similarity: float) -> tuple[str, str, str] | None:
    """(kind, a's value, b's value) when the two quotes state different values of one kind about one thing."""
    if a.doc_id == b.doc_id or similarity < SAME_THING or qualifiers(a.quote) != qualifiers(b.quote):
        return None
    ours, theirs = values(a.quote), values(b.quote)
    for kind in ("amount", "duration"):
        mine = {v.value for v in ours if v.kind == kind}
        other = {v.value for v in theirs if v.kind == kind}
        if mine and other and not mine & other:
            return kind, ", ".join(sorted(mine)), ", ".join(sorted(other))
    return None


def _disagreement(item: Evidence, kept: Evidence, reason: str) -> Disagreement:
    return Disagreement.of(item, kept.n, reason)


def settle(
    evidence: list[Evidence], vectors: np.ndarray, language: str
) -> tuple[list[Evidence], list[Disagreement], bool]:
    """Supporting quotes without the older side of each disagreement; the disagreements; and whether
    two undated sources disagree (then neither can answer)."""
    similarity = vectors @ vectors.T if len(evidence) else np.zeros((0, 0))
    dropped: dict[int, Disagreement] = {}
    undecided = False
    for i, a in enumerate(evidence):
        for j in range(i + 1, len(evidence)):
            b = evidence[j]
            if i in dropped or j in dropped:
                continue
            found = _conflict(a, b, float(similarity[i, j]))
            if found is None:
                continue
            kind, value_a, value_b = found
            label = message(f"kind_{kind}", language)
            if a.updated is None and b.updated is None:
                undecided = True
                dropped[i] = _disagreement(
                    a, b, message("value_both_undated", language).format(kind=label, theirs=value_a, ours=value_b)
                )
                dropped[j] = _disagreement(
                    b, a, message("value_both_undated", language).format(kind=label, theirs=value_b, ours=value_a)
                )
                continue
            a_newer = b.updated is None or (a.updated is not None and a.updated >= b.updated)
            if a.updated == b.updated:
                continue  # same date: nothing says which one is current (the fee-row check may know)
            newer, older = (a, b) if a_newer else (b, a)
            new_value, old_value = (value_a, value_b) if a_newer else (value_b, value_a)
            key = "value_undated" if older.updated is None else "value_newer"
            reason = message(key, language).format(
                kind=label, theirs=old_value, ours=new_value, newer=newer.updated, older=older.updated
            )
            dropped[evidence.index(older)] = _disagreement(older, newer, reason)
    kept = [e for k, e in enumerate(evidence) if k not in dropped]
    return kept, list(dropped.values()), undecided and not kept


def settle_values(ctx: AnswerContext, res: Resources) -> None:
    """Stage: apply :func:`settle` to the supporting quotes (after the fee-row conflicts)."""
    if len({e.doc_id for e in ctx.evidence}) < 2:
        return
    kept, disagreeing, undecided = settle(ctx.evidence, res.quote_vectors(ctx.evidence), ctx.language)
    if not disagreeing:
        return
    ctx.evidence, ctx.disagreeing = renumber(kept, ctx.disagreeing + disagreeing)
    ctx.documents_disagree = undecided
