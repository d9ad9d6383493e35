"""Text matching for the metrics: normalised text, numbers, facts and evidence.

The rules are the ones written down in ``eval/METRICS.md``; change both together.

Numbers are compared by value, whatever their format:

>>> canonical_number("37,00"), canonical_number("37.00"), canonical_number("38.400")
('37', '37', '38400')
>>> fact_in_text("37,00 Euro", "The fee is EUR 37.00 [1].")
True
>>> fact_in_text("37 Euro", "Es kostet 137 Euro.")
False
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from assistant.text import strip_markup

_SPACES = str.maketrans(
    {
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u00ad": "",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u201e": '"',
        "\u201c": '"',
        "\u201d": '"',
        "\u2019": "'",
    }
)
# [1], [1, 2], [1][2]: citation markers are not part of what the answer says
CITATION = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")
# a clock time (8:30) or digits with . or , between digit groups (37,00 / 38.400 / 02.11.2026)
NUMBER = r"\d{1,2}:\d{2}(?!\d)|\d+(?:[.,]\d+)*"
_TOKEN = re.compile(rf"(?P<number>{NUMBER})|(?P<word>[^\W\d_]+)|(?P<euro>€)")
_NUMBER_ONLY = re.compile(NUMBER)
CURRENCY_WORDS = {"euro", "euros", "eur"}
MIN_FUZZY_EDGE = 4  # edge words of a fact this long may be part of a compound ("Passfoto" ~ "Passfotos")
MIN_CONTAINED_SHARE = 0.5  # a quote inside an expected sentence must cover at least half of it


def clean(text: str) -> str:
    """Unicode-normalised text with markup and citation markers removed, one line per line."""
    text = unicodedata.normalize("NFC", text).translate(_SPACES)
    text = CITATION.sub("", text)
    return "\n".join(strip_markup(line) for line in text.splitlines())


def normalise(text: str) -> str:
    """``clean`` text, case-folded, all whitespace collapsed to single spaces.

    >>> normalise("- **Antragsteller** ab 24 Jahren:\\n 37,00 Euro [1]")
    'antragsteller ab 24 jahren: 37,00 euro'
    """
    return " ".join(clean(text).casefold().split())


def _format(value: Decimal) -> str:
    return format(value.normalize(), "f")


def canonical_number(token: str) -> str:
    """One spelling per value: decimal separator ``.``, no thousands separator, no trailing zeros.

    A separator followed by exactly three digits groups thousands (38.400, 1,500);
    followed by one or two digits it is a decimal separator (37,00, 3.5). A clock
    time H:MM becomes H.MM (8:30 = 8.30 Uhr). Plain integers keep leading zeros
    (room E.06, area code 0761); anything else (dates such as 02.11.2026) stays as is.

    >>> [canonical_number(t) for t in ["1.234,50", "1,234.50", "0,50", "8:00", "8:30", "0761", "02.11.2026"]]
    ['1234.5', '1234.5', '0.5', '8', '8.3', '0761', '02.11.2026']
    """
    try:
        if ":" in token:
            hours, minutes = token.split(":")
            return _format(Decimal(hours) + Decimal(minutes) / 100)
        groups = re.split(r"[.,]", token)
        separators = re.findall(r"[.,]", token)
        if len(groups) == 1:
            return token
        head, tail = groups[0], groups[-1]
        middle_ok = all(len(g) == 3 for g in groups[1:-1]) and 1 <= len(head) <= 3
        if len(groups) == 2:
            if len(tail) == 3 and head != "0" and len(head) <= 3:
                return str(int(head + tail))
            if len(tail) <= 2 or head == "0":
                return _format(Decimal(f"{head}.{tail}"))
            return token
        if middle_ok and len(set(separators)) == 1 and len(tail) == 3:
            return str(int("".join(groups)))
        if middle_ok and len(set(separators[:-1])) == 1 and separators[-1] != separators[0] and len(tail) <= 2:
            return _format(Decimal(f"{int(''.join(groups[:-1]))}.{tail}"))
    except (InvalidOperation, ValueError):
        pass
    return token


def numbers(text: str) -> set[str]:
    """The distinct numbers in ``text`` (canonical form), citation markers excluded.

    >>> sorted(numbers("Ab 24 Jahren: EUR 37.00 [1], unter 24: 22,80 Euro [2]"))
    ['22.8', '24', '37']
    """
    return {canonical_number(match.group()) for match in _NUMBER_ONLY.finditer(clean(text))}


def tokens(text: str) -> list[str]:
    """Words (case-folded) and canonical numbers; every currency spelling becomes ``eur``
    and a currency written before its amount moves behind it ("EUR 37.00" -> ``37 eur``),
    but not across punctuation: in "35 Euro. 38–42 Jahre: 192 Euro" the 38 is no amount.

    >>> tokens("EUR 37.00"), tokens("35 Euro. 38 Jahre")
    (['37', 'eur'], ['35', 'eur', '38', 'jahre'])
    """
    text = clean(text).casefold()
    matches = list(_TOKEN.finditer(text))
    out: list[str] = []
    for match in matches:
        if match["number"]:
            out.append(canonical_number(match["number"]))
        elif match["euro"] or match["word"] in CURRENCY_WORDS:
            out.append("eur")
        else:
            out.append(match["word"])
    # only spaces between a token and the next one ("EUR 37", "€37"; not "Euro. 38")
    adjacent = [not text[a.end() : b.start()].strip() for a, b in zip(matches, matches[1:], strict=False)]
    position = 0
    while position < len(out) - 1:
        if out[position] == "eur" and _is_number(out[position + 1]) and adjacent[position]:
            out[position], out[position + 1] = out[position + 1], out[position]
            position += 2
        else:
            position += 1
    return out


def _is_number(token: str) -> bool:
    return token[:1].isdigit()


def _edge_match(fact_token: str, text_token: str, *, first: bool, last: bool) -> bool:
    if fact_token == text_token:
        return True
    if _is_number(fact_token) or len(fact_token) < MIN_FUZZY_EDGE:
        return False
    if first and last:
        return fact_token in text_token
    if first:
        return text_token.endswith(fact_token)
    if last:
        return text_token.startswith(fact_token)
    return False


def fact_in_tokens(fact: list[str], text: list[str]) -> bool:
    """``fact`` occurs as a contiguous token run in ``text``; numbers must be equal,
    words at the two ends may be part of a compound word."""
    if not fact:
        return False
    width = len(fact)
    for start in range(len(text) - width + 1):
        if all(
            _edge_match(f, t, first=i == 0, last=i == width - 1)
            for i, (f, t) in enumerate(zip(fact, text[start : start + width], strict=True))
        ):
            return True
    return False


def fact_in_text(fact: str, text: str) -> bool:
    """Does ``text`` state ``fact``? Case, markup, number format and currency spelling do
    not matter ("37,00 Euro" = "EUR 37.00" = "37 euros"); a number never matches inside
    a longer number ("37 Euro" is not in "137 Euro")."""
    return fact_in_tokens(tokens(fact), tokens(text))


def _contains(haystack: str, needle: str) -> bool:
    """``needle`` occurs in ``haystack`` not inside a word or number."""
    if not needle:
        return False
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        before = haystack[start - 1] if start else " "
        after = haystack[end] if end < len(haystack) else " "
        if not before.isalnum() and not after.isalnum():
            return True
        start = haystack.find(needle, start + 1)
    return False


def quote_matches(quote: str, expected: str) -> bool:
    """Does an answer's evidence quote match an expected evidence sentence?

    Both are ``normalise``d; they match when the expected sentence occurs in the
    quote, or the quote occurs in the expected sentence and covers at least half
    of it (so a bare heading such as "Gebühren" does not count). Occurrences
    must start and end at word boundaries.

    >>> quote_matches("- Antragsteller ab 24 Jahren: 37,00 Euro", "Antragsteller ab 24 Jahren: 37,00 Euro")
    True
    >>> quote_matches("Gebühren: 140 Euro", "40 Euro")
    False
    """
    quote_n, expected_n = normalise(quote), normalise(expected)
    if _contains(quote_n, expected_n):
        return True
    return len(quote_n) >= MIN_CONTAINED_SHARE * len(expected_n) and _contains(expected_n, quote_n)
