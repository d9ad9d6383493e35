"""What a question says about the fee row it wants, and the rows of a table that fit it.

>>> from assistant.answering.facts.rows import fee_facts_of_text
>>> rows = fee_facts_of_text("- ab 24 Jahren: 37,00 Euro\\n- unter 24 Jahren: 22,80 Euro", "Personalausweis")
>>> ask = question_ask("Was kostet der Ausweis? Ich bin 30.", "de")
>>> [r.value for r in choose_rows(rows, ask)]
['37']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answering.facts.qualifiers import ADULT, CHILD, DURATION, VARIANTS, Qualifier, days_of, ordinal_of
from assistant.answering.facts.rows import SlotFact
from assistant.answering.facts.words import covers, glossed, same_word, stem, words

COST_QUESTION = re.compile(
    r"kost|gebühr|preis|teuer|zahl|steuer|euro|€|\bcost|\bfee|\bprice|how much|pay|charge|\bfree\b|\btax",
    re.IGNORECASE,
)
ARTICLE_ONE = re.compile(r"\b(?:ein|einen|einem|eine|one|a|single|1)\s+(\w+)", re.IGNORECASE)


@dataclass
class Ask:
    """What a question says about the row it wants."""

    cost: bool = False
    age: int | None = None
    adult: bool = False
    child: bool = False
    ordinal: str = ""
    one_of: set[str] = field(default_factory=set)  # nouns after "ein/einen/one/a": "ein Hund" = the first
    variants: set[str] = field(default_factory=set)
    days: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)  # normalised words of the question


def question_ask(question: str, language: str = "de") -> Ask:
    """What the question says about the row: "Ich bin 30" -> age 30; "für einen Hund" -> one dog."""
    ask = Ask(cost=bool(COST_QUESTION.search(question)))
    age = re.search(
        r"\b(?:ich bin|bin|i am|i'm|im|er ist|sie ist|he is|she is|is)\s+(\d{1,2})\b"
        r"|\b(\d{1,2})\s*(?:jahre|jahren|years?|-year-old|j\.)\b|\b(?:mit|at|aged?)\s+(\d{1,2})\b",
        question,
        re.IGNORECASE,
    )
    if age:
        ask.age = int(next(g for g in age.groups() if g))
    ask.adult = bool(ADULT.search(question))
    ask.child = bool(CHILD.search(question)) or bool(
        re.search(r"mein(?:e|em|en)? (?:sohn|tochter)|my (?:son|daughter)", question, re.I)
    )
    ask.ordinal = ordinal_of(question)
    if re.search(r"\b(noch einen|zusätzlich|another|one more)\b", question, re.IGNORECASE) and not ask.ordinal:
        ask.ordinal = "further"
    ask.one_of = {stem(w) for w in (m.group(1) for m in ARTICLE_ONE.finditer(glossed(question)))}
    ask.variants = {name for name, pattern in VARIANTS.items() if pattern.search(question)}
    ask.variants |= {f"{m.group(1)}_months" for m in DURATION.finditer(question)}
    ask.days = set(days_of(question))
    ask.words = words(question)
    return ask


def _age_fits(qualifier: Qualifier, age: int) -> bool:
    return (qualifier.age_min is None or age >= qualifier.age_min) and (
        qualifier.age_max is None or age < qualifier.age_max
    )


def _ordinal_fits(row: str, asked: str) -> bool:
    if row == asked:
        return True
    return row == "further" and asked in {"3", "further"}


def choose_rows(rows: list[SlotFact], ask: Ask) -> list[SlotFact]:
    """The rows of one table that fit the question; all plain rows when it does not say which.

    A row for an item or variant the question does not name (the photo, the express
    surcharge, the temporary card) is left out; an age band must hold the asked age, an
    ordinal row the asked position ("für einen Hund" is the first).
    """
    fees = [r for r in rows if r.kind == "fee"]
    named_variant = [r for r in fees if r.qualifier.variants & ask.variants]
    fees = named_variant or [r for r in fees if not (r.qualifier.variants - ask.variants)]
    age = ask.age if ask.age is not None else (30 if ask.adult else 10 if ask.child else None)
    if age is not None:  # before the items: "minderjähriges Kind ohne eigenes Einkommen" is the child's row
        fitting = [r for r in fees if _age_fits(r.qualifier, age)]
        banded = [r for r in fitting if r.qualifier.age_min is not None or r.qualifier.age_max is not None]
        fees = banded or fitting or fees
    # a row about an item the question names ("Passfoto") fits; one that names more ("Saisonkarte
    # Freibad" for "Eintritt ins Freibad") fits less than the plain rows; a table of named items
    # only ("Austrittserklärung", "Austrittsbescheinigung") is given whole when none is named
    named_item = [r for r in fees if r.item and not r.prose and covers(r.item, ask.words)]
    partly_named = [r for r in fees if r.item and r.item & ask.words]
    fees = named_item or [r for r in fees if not r.item or r.prose] or partly_named or fees
    ordinal = ask.ordinal
    if not ordinal and any(r.qualifier.ordinal for r in fees):
        labels = {stem(w) for r in fees if r.qualifier.ordinal for w in re.findall(r"[^\W\d_]{3,}", glossed(r.label))}
        if any(same_word(w, label) for w in ask.one_of for label in labels):
            ordinal = "1"
    if ordinal:
        fees = [r for r in fees if not r.qualifier.ordinal or _ordinal_fits(r.qualifier.ordinal, ordinal)] or fees
        fees = [r for r in fees if r.qualifier.ordinal] or fees
    return fees
