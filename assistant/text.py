"""Language-aware text helpers: sentence spans and language detection.

Sentence boundaries come from pysbd (rule-based, with German abbreviation and
ordinal rules: "z. B.", "Nr.", "1. November" do not end a sentence). Markdown
structure is respected first: a heading line and each list item are units of
their own, so a quote never runs from a heading into the text below it.

>>> [text[s.start:s.end] for text in ["# Gebühren\\n\\nEin Pass kostet 37,00 Euro. Kinder zahlen weniger."]
...  for s in split_sentences(text, 0, len(text), "de")]
['# Gebühren', 'Ein Pass kostet 37,00 Euro.', 'Kinder zahlen weniger.']
"""

from __future__ import annotations

import re
from functools import cache

from assistant.records import Span

HEADING = re.compile(r"^#{1,6}\s+\S")
LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+\S")
# pysbd's German list misses these; a sentence never ends on one of them.
_ABBREVIATIONS = {
    "tel",
    "fax",
    "str",
    "nr",
    "ca",
    "bzw",
    "ggf",
    "inkl",
    "zzgl",
    "evtl",
    "abs",
    "art",
    "vgl",
    "mo",
    "di",
    "mi",
    "do",
    "fr",
    "sa",
    "so",
    "dr",
    "hr",
    "hrn",
    "gem",
    "lt",
    "max",
    "min",
    "mind",
    "geb",
    "verh",
    "zi",
    "rm",
    "no",
    "approx",
    "incl",
    "st",
    "mr",
    "mrs",
    "ms",
    "jan",
    "feb",
    "aug",
    "sept",
    "okt",
    "nov",
    "dez",
    "u.a",
    "z.b",
    "d.h",
    "u.u",
    "o.g",
    "i.d.r",
    "e.g",
    "i.e",
    "etc",
}
_LAST_WORD = re.compile(r"(\S+)\.$")
_PYSBD_LANGUAGES = {"de", "en", "fr", "es", "it", "ru", "ar", "pl", "nl", "da", "el", "fa", "hi"}


@cache
def _segmenter(language: str):
    import pysbd

    lang = language if language in _PYSBD_LANGUAGES else "en"
    return pysbd.Segmenter(language=lang, clean=False, char_span=False)


def _paragraph_sentences(text: str, start: int, end: int, language: str) -> list[Span]:
    """Sentences of one paragraph, located verbatim in ``text`` by search."""
    spans: list[Span] = []
    cursor = start
    for sentence in _segmenter(language).segment(text[start:end]):
        stripped = sentence.strip()
        if not stripped:
            continue
        found = text.find(stripped, cursor, end)
        if found < 0:  # pysbd normalised something; fall back to the rest of the paragraph
            found = cursor
            stripped = text[cursor:end].strip()
        previous = text[spans[-1].start : spans[-1].end] if spans else ""
        last = _LAST_WORD.search(previous)
        if last and last.group(1).lower().lstrip("(") in _ABBREVIATIONS:
            spans[-1] = Span(start=spans[-1].start, end=found + len(stripped))
        else:
            spans.append(Span(start=found, end=found + len(stripped)))
        cursor = found + len(stripped)
    return spans


def iter_blocks(text: str, start: int, end: int):
    """Yield ``(kind, start, end)`` for headings, list items and paragraphs."""
    pos = start
    para_start: int | None = None
    para_end = start
    for line in text[start:end].splitlines(keepends=True):
        line_start, line_end = pos, pos + len(line.rstrip("\r\n"))
        pos += len(line)
        stripped = line.strip()
        if not stripped or HEADING.match(line) or LIST_ITEM.match(line):
            if para_start is not None:
                yield "paragraph", para_start, para_end
                para_start = None
            if stripped:
                kind = "heading" if HEADING.match(line) else "item"
                lead = len(line) - len(line.lstrip())
                yield kind, line_start + lead, line_end
            continue
        if para_start is None:
            para_start = line_start + (len(line) - len(line.lstrip()))
        para_end = line_end
    if para_start is not None:
        yield "paragraph", para_start, para_end


def split_sentences(text: str, start: int, end: int, language: str) -> list[Span]:
    """Sentence spans (absolute offsets) of ``text[start:end]``."""
    spans: list[Span] = []
    for kind, block_start, block_end in iter_blocks(text, start, end):
        if kind == "paragraph" or (kind == "item" and block_end - block_start > 300):
            spans.extend(_paragraph_sentences(text, block_start, block_end, language))
        else:
            spans.append(Span(start=block_start, end=block_end))
    return spans


def is_heading(sentence: str) -> bool:
    return bool(HEADING.match(sentence))


def strip_markup(sentence: str) -> str:
    """Heading hashes, list bullets and emphasis removed, for display and matching."""
    sentence = re.sub(r"^#{1,6}\s+", "", sentence.strip())
    sentence = re.sub(r"^(?:[-*+•])\s+", "", sentence)
    return sentence.replace("**", "").replace("__", "")


@cache
def _detector(languages: tuple[str, ...]):
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in languages]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()


def detect_language(text: str, languages: tuple[str, ...] = ("de", "en"), default: str = "de") -> str:
    """ISO 639-1 code of ``text`` among ``languages``; ``default`` when unsure.

    >>> detect_language("Wie viel kostet ein Reisepass?")
    'de'
    >>> detect_language("How much is a passport?")
    'en'
    """
    if not text.strip():
        return default
    detected = _detector(tuple(sorted(set(languages)))).detect_language_of(text)
    if detected is None:
        return default
    return detected.iso_code_639_1.name.lower()


def normalise_question(text: str) -> str:
    """Key for de-duplication: case, whitespace and trailing punctuation do not matter.

    >>> normalise_question("  Was kostet  ein Pass? ") == normalise_question("was kostet ein pass")
    True
    """
    return re.sub(r"[\s?!.]+$", "", " ".join(text.casefold().split()))
