"""A German fee row in English words, for English questions over German pages.

>>> from assistant.answering.facts.rows import fee_facts_of_text
>>> [english_row(r) for r in fee_facts_of_text("- unter 24 Jahren: 37,50 Euro", "Reisepass")]
['Reisepass – under 24: EUR 37.50']
"""

from __future__ import annotations

import re
from functools import cache

from assistant.answering.facts.qualifiers import ADULT, AGE_MAX, AGE_MIN, CHILD, DURATION, ORDINALS, VARIANTS
from assistant.answering.facts.rows import SlotFact
from assistant.answering.facts.words import GLOSSARY, stem
from assistant.text import strip_markup

ORDINALS_EN = {"1": "first", "2": "second", "3": "third", "further": "each further"}
VARIANTS_EN = {
    "express": "express",
    "temporary": "temporary",
    "dangerous": "dangerous",
    "surcharge": "surcharge",
    "renewal": "renewal",
    "replacement": "replacement",
    "online": "online",
    "on_site": "on site",
    "48_pages": "48 pages",
    "reduced": "reduced",
}
VALIDITY_WORDS = frozenset({"gultig", "gültig", "valid"})  # "12 Monate gültig": the months say it
UNITS_EN = (
    (re.compile(r"\b(?:im|pro|je)\s+jahr\b|\bjährlich\b", re.IGNORECASE), "per year"),
    (re.compile(r"\b(?:im|pro|je)\s+monat\b|\bmonatlich\b", re.IGNORECASE), "per month"),
    (re.compile(r"\b(?:pro|je)\s+person\b", re.IGNORECASE), "per person"),
    (re.compile(r"\b(?:pro|je)\s+antrag\b", re.IGNORECASE), "per application"),
)


@cache
def _english_words() -> dict[str, str]:
    """German (stemmed) glossary word -> its shortest English name: "hund" -> "dog"."""
    english: dict[str, str] = {}
    for phrase, german in GLOSSARY.items():
        if " " in german or not phrase.isascii() or phrase in german:
            continue
        key = stem(german)
        if key not in english or len(phrase) < len(english[key]):
            english[key] = phrase
    return english


# words of a fee label that need no translation (the row's parts or the unit say them)
# fmt: off
LABEL_FILLER = frozenset((
    "für", "den", "die", "der", "das", "dem", "des", "ein", "eine", "einen", "je", "pro", "und", "oder", "bei",
    "beim", "mit", "im", "in", "vom", "von", "zur", "zum", "antrag", "jahre", "jahren", "jahr", "alter", "gültig",
    "gebühr", "gebühren", "kosten", "person", "personen", "for", "the", "a", "an", "per", "and", "or", "of",
))
# fmt: on


def _unexplained(label: str) -> list[str]:
    """The words (and numbers) of a fee label that its qualifier, the unit and filler words do not explain."""
    text = label
    for pattern in (AGE_MIN, AGE_MAX, ADULT, CHILD, DURATION, *(p for _, p in ORDINALS), *VARIANTS.values()):
        text = pattern.sub(" ", text)
    for pattern, _ in UNITS_EN:
        text = pattern.sub(" ", text)
    return [w for w in re.findall(r"\w+", text.casefold()) if w not in LABEL_FILLER]


def english_amount(raw: str) -> str:
    """ "37,50 Euro" -> "EUR 37.50"; the raw text when it is no plain amount."""
    match = re.fullmatch(r"(?:€\s*)?(\d{1,3}(?:\.\d{3})*|\d+)(?:,(\d{2}))?\s*(?:euro|eur|€)?", raw.strip(), re.I)
    if not match:
        return raw
    whole = match.group(1).replace(".", ",")
    return f"EUR {whole}.{match.group(2)}" if match.group(2) else f"EUR {whole}"


def english_row(fact: SlotFact) -> str:
    """A fee row of a German page in English words, from its parsed parts: "Reisepass – under 24: EUR 37.50".

    The service keeps its German name (the word on the office's forms). A row whose label has words
    neither the qualifier nor the glossary covers gets its German label in quotes. "" for other facts.
    """
    if fact.kind != "fee" or (fact.prose and fact.label):
        return ""
    clean = strip_markup(fact.quote)
    at = clean.find(fact.raw)
    after = clean[at + len(fact.raw) :] if at >= 0 else clean
    for pattern, _ in UNITS_EN:
        after = pattern.sub("", after)
    if at < 0 or re.search(r"[^\W\d_]", after) or re.search(r"\b(?:ab|bis|from|up to|zu)\s*$", clean[:at], re.I):
        return ""  # words after the amount ("zuzüglich Kennzeichenschilder") or "ab 13,10 Euro": kept as written
    q = fact.qualifier
    rest = _unexplained(fact.label)
    words_en = [_english_words().get(stem(word)) for word in rest]
    if not all(words_en):  # a word the row's parts do not cover ("Adressänderung", a date): quoted as written
        parts = [f"“{fact.label}”"]
    else:
        parts = [" ".join(filter(None, [ORDINALS_EN.get(q.ordinal, ""), *words_en]))]
        parts += [VARIANTS_EN[v] for v in sorted(q.variants) if v in VARIANTS_EN]
        parts += [f"valid {v.split('_')[0]} months" for v in sorted(q.variants) if v.endswith("_months")]
    if not re.search(r"\d", fact.label) and (q.age_min is not None or q.age_max is not None):
        parts.append("adults" if ADULT.search(fact.label) else "children")  # "Erwachsene": no age is written
    elif q.age_min is not None and q.age_max is not None:
        parts.append(f"aged {q.age_min} to {q.age_max - 1}")
    elif q.age_min is not None:
        parts.append(f"aged {q.age_min} and over")
    elif q.age_max is not None:
        parts.append(f"under {q.age_max}")
    value = "free of charge" if fact.value == "free" else english_amount(fact.raw)
    unit = next((en for pattern, en in UNITS_EN if pattern.search(fact.quote)), "")
    row = ", ".join(p for p in parts if p)
    unit = f" {unit}" if unit and fact.value != "free" else ""
    return f"{fact.title}{' – ' + row if row else ''}: {value}{unit}"
