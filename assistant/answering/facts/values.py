"""Checkable facts in text: amounts, numbers, times, dates, phone numbers, e-mails, rooms.

The grounding gate needs them (every number in an answer must be in its
evidence) and so does the conflict finder (same slot, different value). Values
are normalised so that "37,00 Euro", "37.00 euros" and "EUR 37" compare equal.

>>> sorted(f.value for f in extract_facts("Ab 24 Jahren: 37,00 Euro, Tel. 0761 555-1234, 9:00 Uhr"))
['07615551234', '24', '37', '9:00']
>>> [f.value for f in extract_facts("am 15. März 2025 bis 14:30 Uhr")] == [
...     f.value for f in extract_facts("on March 15, 2025 until 2:30 pm")]
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = {
    "januar": 1,
    "january": 1,
    "februar": 2,
    "february": 2,
    "märz": 3,
    "march": 3,
    "april": 4,
    "mai": 5,
    "may": 5,
    "juni": 6,
    "june": 6,
    "juli": 7,
    "july": 7,
    "august": 8,
    "september": 9,
    "oktober": 10,
    "october": 10,
    "november": 11,
    "dezember": 12,
    "december": 12,
}
PHONE = re.compile(r"(?<![\d.,])(?:\+49[\s/-]?|0)\d{2,5}[\s/-]?\d{2,4}(?:[\s-]\d{1,5})+(?!\d|[.,]\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"https?://\S+")
TIME = re.compile(r"\b([01]?\d|2[0-3])[:.]([0-5]\d)\s*(?=uhr\b|h\b|$|[\s,;–-])", re.IGNORECASE)
DATE_NUMERIC = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b|\b(\d{4})-(\d{2})-(\d{2})\b")
DATE_WORDS = re.compile(r"\b(\d{1,2})\.?\s+(" + "|".join(MONTHS) + r")(?:\s+(\d{4}))?\b", re.IGNORECASE)
ENGLISH_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
# English forms a translated answer uses: "March 15, 2025", "2:30 pm" (compared with "15. März 2025", "14:30 Uhr")
DATE_MONTH_FIRST = re.compile(
    r"\b(" + "|".join(ENGLISH_MONTHS) + r")\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?",
    re.IGNORECASE,
)
TIME_12H = re.compile(r"\b(1[0-2]|0?[1-9])[:.]([0-5]\d)\s*([ap])\.?m\b\.?", re.IGNORECASE)
ROOM = re.compile(r"\b(?:zimmer|raum|room)\s+([A-Z]?\d*[.\-]?\d+[a-z]?)\b|\b([A-Z]\.\d{1,3})\b", re.IGNORECASE)
NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:[.\s]\d{3})+(?:,\d+)?(?![\d])|(?<![\w.,])\d+(?:[.,]\d+)?(?![\d])")
AMOUNT_AFTER = re.compile(r"^\s*(?:€|euro\b|eur\b|euros\b)", re.IGNORECASE)
AMOUNT_BEFORE = re.compile(r"(?:€|\beur|\beuro)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Fact:
    kind: str  # amount, number, time, date, phone, email, room
    value: str  # normalised
    start: int
    end: int


def normalise_number(raw: str) -> str:
    """'37,00' -> '37', '22,80' -> '22.8', '1.250,00' -> '1250', '37.00' -> '37'."""
    text = raw.replace(" ", "")
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        text = text.replace(".", "")  # German thousands separator
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.lstrip("0") or "0"


def extract_facts(text: str) -> list[Fact]:
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    def add(kind: str, value: str, start: int, end: int) -> None:
        facts.append(Fact(kind, value, start, end))
        taken.append((start, end))

    for match in URL.finditer(text):
        taken.append(match.span())
    for match in EMAIL.finditer(text):
        add("email", match.group(0).lower(), *match.span())
    for match in DATE_NUMERIC.finditer(text):
        if free(*match.span()):
            d, m, y = (
                (match.group(1), match.group(2), match.group(3))
                if match.group(1)
                else (match.group(6), match.group(5), match.group(4))
            )
            add("date", f"{int(y):04d}-{int(m):02d}-{int(d):02d}", *match.span())
    for match in DATE_WORDS.finditer(text):
        if free(*match.span()):
            month = MONTHS[match.group(2).lower()]
            year = match.group(3) or "????"
            add("date", f"{year}-{month:02d}-{int(match.group(1)):02d}", *match.span())
    for match in DATE_MONTH_FIRST.finditer(text):
        if free(*match.span()):
            year = match.group(3) or "????"
            add("date", f"{year}-{MONTHS[match.group(1).lower()]:02d}-{int(match.group(2)):02d}", *match.span())
    for match in TIME_12H.finditer(text):
        if free(*match.span()):
            hour = int(match.group(1)) % 12 + (12 if match.group(3).lower() == "p" else 0)
            add("time", f"{hour}:{match.group(2)}", *match.span())
    for match in PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if free(*match.span()) and len(digits) >= 7:
            add("phone", digits.replace("49", "0", 1) if match.group(0).startswith("+49") else digits, *match.span())
    for match in TIME.finditer(text):
        if AMOUNT_BEFORE.search(text[max(0, match.start() - 5) : match.start()]):
            continue  # "EUR 10.00" is an amount, not ten o'clock
        if free(*match.span()):
            add("time", f"{int(match.group(1))}:{match.group(2)}", *match.span())
    for match in ROOM.finditer(text):
        if free(*match.span()):
            add("room", (match.group(1) or match.group(2)).upper(), *match.span())
    for match in NUMBER.finditer(text):
        if not free(*match.span()):
            continue
        value = normalise_number(match.group(0))
        after, before = text[match.end() : match.end() + 7], text[max(0, match.start() - 5) : match.start()]
        kind = "amount" if AMOUNT_AFTER.search(after) or AMOUNT_BEFORE.search(before) else "number"
        add(kind, value, *match.span())
    return sorted(facts, key=lambda f: f.start)
