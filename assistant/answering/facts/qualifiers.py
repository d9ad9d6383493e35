"""Which row of a table: age bands, first/further, variants (express, temporary, ...) and weekdays.

>>> q = qualifier_of("jeder weitere Hund ab 18 Jahren")
>>> (q.age_min, q.ordinal)
(18, 'further')
>>> sorted(days_of("Montag bis Donnerstag"))
['di', 'do', 'mi', 'mo']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from assistant.answering.facts.words import stem

AGE_MIN = re.compile(
    r"\b(?:ab|über|von|aged|over|from)\s+(\d{1,2})(?:\s*(?:jahren|jahre|years?)|\s+and\s+over)"
    r"|\b(\d{1,2})\s*(?:jahre|years?)?\s+(?:und älter|and over|and older)"
    r"|nach\s+vollendung\s+des\s+(\d{1,2})\.",
    re.IGNORECASE,
)
AGE_MAX = re.compile(
    r"\b(?:unter|bis|under|below|younger than)\s+(\d{1,2})(?:\s*(?:jahren|jahre|years?))?"
    r"|bis\s+zur\s+vollendung\s+des\s+(\d{1,2})\.",
    re.IGNORECASE,
)
ADULT = re.compile(r"\b(erwachsene[nr]?|volljährige|adults?|grown-ups?)\b", re.IGNORECASE)
CHILD = re.compile(
    r"\b(kinder[n]?|kind|minderjährige[ns]?|jugendliche[n]?|children|child|minors?|kids?)\b", re.IGNORECASE
)
ORDINALS = (
    (
        "further",
        re.compile(r"\b(jede[nrm]?\s+weitere[nrm]?|weitere[nrm]?|each additional|additional|further|another)\b", re.I),
    ),
    ("1", re.compile(r"\b(erste[nrm]?|first|1\.)\b", re.IGNORECASE)),
    ("2", re.compile(r"\b(zweite[nrm]?|second|2\.)\b", re.IGNORECASE)),
    ("3", re.compile(r"\b(dritte[nrm]?|third|3\.)\b", re.IGNORECASE)),
)
VARIANTS = {
    "express": re.compile(r"express", re.IGNORECASE),
    "temporary": re.compile(r"vorläufig|temporary|provisional", re.IGNORECASE),
    "dangerous": re.compile(r"gefährlich|listenhund|kampfhund|dangerous|list dog", re.IGNORECASE),
    "surcharge": re.compile(r"zuschlag|aufpreis|zuzüglich|surcharge|extra charge", re.IGNORECASE),
    "renewal": re.compile(r"verlängerung|renewal|renew", re.IGNORECASE),
    "replacement": re.compile(r"\bersatz|verlust|replacement|\blost\b", re.IGNORECASE),
    "online": re.compile(r"\bonline", re.IGNORECASE),
    "on_site": re.compile(r"vor[- ]ort|on site|in person", re.IGNORECASE),
    "48_pages": re.compile(r"48 seiten|48 pages|vielreisende|frequent travel", re.IGNORECASE),
    "reduced": re.compile(r"ermäßigt|reduced|concession", re.IGNORECASE),
    "conditional": re.compile(r"^\s*,\s*(?:wenn|falls|if|when)\b", re.IGNORECASE),  # "31,40 Euro, wenn ..."
}
# how long a permit is valid tells rows apart too ("12 Monate gültig: 30 Euro", "24 Monate gültig: 60 Euro")
DURATION = re.compile(r"\b(\d{1,2})\s*(?:monate|monaten|months?)\b", re.IGNORECASE)
DAYS = {
    "mo": r"montags?|monday",
    "di": r"dienstags?|tuesday",
    "mi": r"mittwochs?|wednesday",
    "do": r"donnerstags?|thursday",
    "fr": r"freitags?|friday",
    "sa": r"samstags?|saturdays?",
    "so": r"sonntags?|sundays?",
}
DAY = {key: re.compile(rf"\b({pattern})(?!\w)", re.IGNORECASE) for key, pattern in DAYS.items()}
DAY_ORDER = list(DAYS)
_WEEKDAYS = r"(?:mon|diens|mitt|donners|frei|sams|sonn)tag|(?:mon|tues|wednes|thurs|fri|satur|sun)day"
DAY_RANGE = re.compile(rf"\b({_WEEKDAYS})\s+(?:bis|to|-|–)\s+({_WEEKDAYS})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Qualifier:
    """Which row of a table: an age band, first/further, and variants (express, temporary, ...)."""

    age_min: int | None = None  # inclusive
    age_max: int | None = None  # exclusive
    ordinal: str = ""  # "1", "2", "3", "further"
    variants: frozenset[str] = frozenset()
    days: frozenset[str] = frozenset()  # opening hours: mo ... so

    def key(self) -> tuple:
        return (self.age_min, self.age_max, self.ordinal, self.variants, self.days)

    def describe(self) -> str:
        parts = []
        if self.age_min is not None:
            parts.append(f"≥{self.age_min}")
        if self.age_max is not None:
            parts.append(f"<{self.age_max}")
        if self.ordinal:
            parts.append(f"#{self.ordinal}")
        return " ".join(parts + sorted(self.variants) + sorted(self.days))


def qualifier_of(label: str) -> Qualifier:
    age_min = age_max = None
    if match := AGE_MIN.search(label):
        age_min = int(next(g for g in match.groups() if g))
    if match := AGE_MAX.search(label):
        age_max = int(next(g for g in match.groups() if g))
    if age_min is None and age_max is None:
        if CHILD.search(label):
            age_max = 18
        elif ADULT.search(label):
            age_min = 18
    ordinal = ordinal_of(label)
    variants = {name for name, pattern in VARIANTS.items() if pattern.search(label)}
    variants |= {f"{m.group(1)}_months" for m in DURATION.finditer(label)}
    return Qualifier(age_min, age_max, ordinal, frozenset(variants), days_of(label))


def ordinal_of(text: str) -> str:
    """The first ordinal a text names ("1", "2", "3", "further"), or ""."""
    return next((name for name, pattern in ORDINALS if pattern.search(text)), "")


def days_of(text: str) -> frozenset[str]:
    """The weekdays a text names, a range ("Montag bis Freitag") as every day in it."""
    days = {key for key, pattern in DAY.items() if pattern.search(text)}
    for match in DAY_RANGE.finditer(text):
        first, last = (_day_key(match.group(i)) for i in (1, 2))
        if first and last:
            days |= set(DAY_ORDER[DAY_ORDER.index(first) : DAY_ORDER.index(last) + 1])
    return frozenset(days)


def _day_key(word: str) -> str:
    return next((key for key, pattern in DAY.items() if pattern.fullmatch(word)), "")


@cache
def qualifier_stems() -> frozenset[str]:
    return frozenset(stem(w) for w in QUALIFIER_WORDS)


# fmt: off
QUALIFIER_WORDS = (
    "vorläufig", "vorläufiger", "vorläufige", "kinder", "kind", "express", "verlust", "ersatz", "verlängerung",
    "gefährlich", "gefährlicher", "online", "temporary", "child", "children", "replacement", "renewal", "lost",
    "minderjährige", "jugendliche", "erwachsene", "abmelden", "abmeldung", "ummelden", "ummeldung", "änderung",
    "ändern", "weitere", "zweite", "erste",
)
# fmt: on
