"""Remove personal data from text before it is stored (questions, answers, comments).

Built on Presidio's pattern recognizers, called directly: Presidio's
``AnalyzerEngine`` needs a spaCy model for every language, and none can be
installed offline here (see the guide, "Models on these machines"). Context
words ("Ausweisnummer", "Steuer-ID") are checked by this module instead of
Presidio's lemma-based context enhancer, which needs that model too.

What the patterns catch (measured recall: ``eval/bench/bench_redaction.py``, docs/feedback.md):

========== ============================================================ ==============
placeholder what                                                         how
========== ============================================================ ==============
<E-MAIL>   e-mail addresses                                             Presidio regex + offline TLD check
<PHONE>    German, UK, US, FR, AT, CH numbers (0761 555-1234, +49 ...)  python-phonenumbers (valid numbers);
                                                                        other digit runs after "Tel."/"call"
<IBAN>     IBANs of every country, spaced or not                        Presidio regex + checksum
<ID-CARD>  ID card, passport and residence-permit serials: 9 characters with a context word, or a valid
           of the ICAO alphabet (C F G H J K L M N P R T V W X Y Z 0-9), ICAO check digit (7-3-1 weights)
           with or without their check digit (L01X00T471), spaced or not; the old T + 8 digits
<TAX-ID>   Steuer-ID (11 digits, any grouping: 12 345 678 901)          with a context word, or a valid
                                                                        check digit (ISO 7064)
<SOCIAL-   Sozialversicherungs-/Rentenversicherungsnummer               with a context word, or a valid
SECURITY-  (12 characters: 65 170839 J 00 3)                            check digit and birth date
NO>
<HEALTH-   Krankenversichertennummer (A123456780)                       with a context word, or a valid
INSURANCE-                                                              check digit
NO>
<LICENCE-  licence plates (M-AB 1234, B XY 123E)                        hyphenated form, or a vehicle word
PLATE>                                                                  before a spaced one
<BIRTH-    dates of birth (12.03.1985, 12. März 1985, 12 March 1985)    after "geb.", "geboren", "born",
DATE>                                                                   "DOB" ...; or right after a name
                                                                        (the name is redacted too)
<ADDRESS>  street and house number: Hauptstraße 12, Am Markt 5,         street-word regex
           Karl-Marx-Str. 7, 12 Baker Street
<NAME>     names after cues: "Mein Name ist", "ich heiße", Herr/Frau,   cue + capitalised words
           "my name is", "I am", Mr/Mrs/Ms, a closing greeting
<IP>       IPv4 and IPv6 addresses                                      Presidio regex
========== ============================================================ ==============

Names without such a cue ("Max Mustermann hat angerufen") are not caught: that
needs a name model. A city that can install a spaCy pipeline can add Presidio's
``SpacyRecognizer`` results through ``Redactor(extra=[...])``.

Example::

    >>> Redactor().redact("Ich heiße Max Mustermann, max@example.org, Tel. 0761 555-1234")
    'Ich heiße <NAME>, <E-MAIL>, Tel. <PHONE>'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import regex
import tldextract
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.predefined_recognizers import (
    DeHealthInsuranceRecognizer,
    DeIdCardRecognizer,
    DePassportRecognizer,
    DeSocialSecurityRecognizer,
    DeTaxIdRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
)
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig

PLACEHOLDERS = {
    "EMAIL_ADDRESS": "<E-MAIL>",
    "PHONE_NUMBER": "<PHONE>",
    "IBAN_CODE": "<IBAN>",
    "DE_ID_CARD": "<ID-CARD>",
    "DE_TAX_ID": "<TAX-ID>",
    "DE_SOCIAL_SECURITY": "<SOCIAL-SECURITY-NO>",
    "DE_HEALTH_INSURANCE": "<HEALTH-INSURANCE-NO>",
    "DE_LICENSE_PLATE": "<LICENCE-PLATE>",
    "DATE_OF_BIRTH": "<BIRTH-DATE>",
    "ADDRESS": "<ADDRESS>",
    "PERSON": "<NAME>",
    "IP_ADDRESS": "<IP>",
}
PHONE_REGIONS = ("DE", "AT", "CH", "GB", "US", "FR")
CASE_SENSITIVE = regex.DOTALL | regex.MULTILINE  # names and ID cards depend on capital letters
CONTEXT_WINDOW = 60  # characters before a match searched for a context word


@dataclass(frozen=True)
class Finding:
    """One span of personal data: ``text[start:end]`` is replaced by ``placeholder``."""

    entity: str
    start: int
    end: int
    score: float

    @property
    def placeholder(self) -> str:
        return PLACEHOLDERS.get(self.entity, "<PII>")


@cache
def _offline_tld_extract() -> tldextract.TLDExtract:
    # the bundled public-suffix snapshot, no cache directory: nothing is fetched or written
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail recognizer whose domain check never downloads the public suffix list."""

    def validate_result(self, pattern_text: str) -> bool:
        return _offline_tld_extract()(pattern_text).fqdn != ""


class ContextRecognizer(PatternRecognizer):
    """A match counts when a context word precedes it, or when ``validate_result`` proves it.

    Nine characters or eleven digits are too common to redact on shape alone;
    with "Ausweisnummer" or "Steuer-ID" in front they are certain even when a
    citizen mistypes the check digit.
    """

    base: PatternRecognizer | None = None  # its checksum decides without context; None: context needed
    context_after = False  # also look for a context word in the characters after a match

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None) -> list[RecognizerResult]:
        results = []
        for pattern in self.patterns:
            for match in regex.finditer(pattern.regex, text, flags=self.global_regex_flags):
                found = match.group()
                if not self.plausible(found):
                    continue
                if _has_context(text, match.start(), self.context) or (
                    self.context_after and _has_context_after(text, match.end(), self.context)
                ):
                    score = 0.9
                elif self.proven(found):
                    score = pattern.score
                else:
                    continue
                results.append(RecognizerResult(self.supported_entities[0], match.start(), match.end(), score))
        return EntityRecognizer.remove_duplicates(results)

    def plausible(self, found: str) -> bool:
        return True

    def proven(self, found: str) -> bool:
        """Certain without a context word: the base recognizer's checksum holds."""
        return self.base is not None and bool(self.base.validate_result(_digits_and_letters(found)))


ICAO_ALPHABET = "CFGHJKLMNPRTVWXYZ0-9"  # letters that cannot be mistaken for digits (ICAO Doc 9303)
_SEP = r"[ -]?"  # citizens type document numbers spaced or hyphenated as well


def icao_check_digit(serial: str) -> int:
    """ICAO Doc 9303 check digit: weights 7, 3, 1; digits as they are, letters A=10 ... Z=35.

    >>> icao_check_digit("L01X00T47")
    1
    """
    values = [int(char) if char.isdigit() else ord(char) - ord("A") + 10 for char in serial.upper()]
    return sum(value * (7, 3, 1)[i % 3] for i, value in enumerate(values)) % 10


class IcaoSerial:
    """Validates a German ID card, passport or residence-permit number.

    Ten characters: the 9-character serial and its check digit (as in the machine-readable
    zone, and as citizens copy it: L01X00T471). Nine characters: Presidio's check (the ninth
    character as check digit of the first eight), or the old ID card's T + 8 digits.
    """

    def validate_result(self, text: str) -> bool:
        if len(text) == 10:
            return text[-1].isdigit() and icao_check_digit(text[:9]) == int(text[-1])
        return bool(DeIdCardRecognizer().validate_result(text))


class IdCardRecognizer(ContextRecognizer):
    base = IcaoSerial()

    def __init__(self) -> None:
        first, rest = "[CFGHJKLMNPRTVWXYZ]", f"[{ICAO_ALPHABET}]"
        super().__init__(
            supported_entity="DE_ID_CARD",
            supported_language="de",
            patterns=[
                # serial and check digit; the serial alone (9); old ID cards: T + 8 digits
                Pattern("serial + check digit", rf"(?<![\w-]){first}(?:{_SEP}{rest}){{8}}{_SEP}\d(?![\w-])", 0.6),
                Pattern("serial", rf"(?<![\w-]){first}(?:{_SEP}{rest}){{8}}(?![\w-])", 0.5),
                Pattern("Personalausweis alt", r"\bT\d{8}\b", 0.5),
            ],
            context=[
                *DeIdCardRecognizer.CONTEXT,
                *DePassportRecognizer.CONTEXT,
                "ausweis-nr",
                "ausweis nr",
                "id card",
                "id-card",
                "id number",
                "document number",
                "aufenthaltstitel",
                "aufenthaltserlaubnis",
                "aufenthaltskarte",
                "niederlassungserlaubnis",
                "eat",
                "residence permit",
                "residence card",
            ],
            global_regex_flags=CASE_SENSITIVE,
        )

    def plausible(self, found: str) -> bool:
        # a serial has digits; an upper-case word from the same letters ("CHRYZ") has none
        return sum(char.isdigit() for char in found) >= 2


class TaxIdRecognizer(ContextRecognizer):
    base = DeTaxIdRecognizer()

    def __init__(self) -> None:
        super().__init__(
            supported_entity="DE_TAX_ID",
            supported_language="de",
            # 11 digits, also grouped as on tax letters: 12 345 678 901 or 12/345/678/901
            patterns=[Pattern("Steuer-ID", r"(?<![\d.,/+-])[1-9](?:[ ./]?\d){10}(?![\d.,/-]?\d)", 0.6)],
            context=[*DeTaxIdRecognizer.CONTEXT, "steuer id", "tax id", "tax identification", "identifikationsnummer"],
            global_regex_flags=CASE_SENSITIVE,
        )


class PhoneContextRecognizer(ContextRecognizer):
    """Numbers python-phonenumbers rejects (reserved or fictional ranges, odd spacing) after "Tel." or "call"."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="PHONE_NUMBER",
            patterns=[Pattern("number after a phone word", r"(?<![\w+])(?:\+|00|0)\d[\d ()/-]{4,18}\d(?!\w)", 0.5)],
            context=[
                "tel",
                "telefon",
                "handy",
                "mobil",
                "phone",
                "call",
                "ruf",
                "anruf",
                "whatsapp",
                "fax",
                "reach me",
                "erreichbar",
                "erreichen",
                "mobile",
                "cell",
            ],
            global_regex_flags=CASE_SENSITIVE,
        )

    def plausible(self, found: str) -> bool:
        return 7 <= sum(char.isdigit() for char in found) <= 15


class SocialSecurityRecognizer(ContextRecognizer):
    """Sozialversicherungsnummer: area, birth date, surname initial, serial, check digit (65 170839 J 00 3)."""

    base = DeSocialSecurityRecognizer()

    def __init__(self) -> None:
        super().__init__(
            supported_entity="DE_SOCIAL_SECURITY",
            supported_language="de",
            patterns=[
                Pattern(
                    "Versicherungsnummer",
                    r"(?<![\w-])\d{2}[ ]?\d{2}[ .]?\d{2}[ .]?\d{2}[ ]?[A-Z][ ]?\d{2}[ ]?\d(?![\w-])",
                    0.6,
                )
            ],
            context=[*DeSocialSecurityRecognizer.CONTEXT, "social security", "social insurance", "pension insurance"],
            global_regex_flags=CASE_SENSITIVE,
        )


class HealthInsuranceRecognizer(ContextRecognizer):
    """Krankenversichertennummer: the birth surname's initial, 8 digits, check digit (A123456780)."""

    base = DeHealthInsuranceRecognizer()

    def __init__(self) -> None:
        super().__init__(
            supported_entity="DE_HEALTH_INSURANCE",
            supported_language="de",
            # 0.65: a letter and nine digits with a valid KVNR check is this, not an ID card serial
            patterns=[Pattern("KVNR", r"(?<![\w-])[A-Z](?:[ ]?\d){9}(?![\w-])", 0.65)],
            context=[*DeHealthInsuranceRecognizer.CONTEXT, "health insurance", "insurance number", "insurance card"],
            global_regex_flags=CASE_SENSITIVE,
        )


class LicensePlateRecognizer(ContextRecognizer):
    """German licence plates: hyphenated (M-AB 1234) on their own, spaced (M AB 1234) next to a vehicle word."""

    context_after = True

    # standards and statutes look alike: "DIN EN 71", "EU VO 2016"
    _NOT_A_PLATE = r"(?!(?:DIN|ISO|EN|EU|EG|VO|GG|BGB|SGB|NR|ID|PDF|ICE|IC|RE|RB)\b)"
    _CONTEXT = [
        "kennzeichen",
        "nummernschild",
        "kfz",
        "auto",
        "wagen",
        "fahrzeug",
        "pkw",
        "lkw",
        "motorrad",
        "anhänger",
        "abgeschleppt",
        "parkt",
        "geparkt",
        "parken",
        "falschpark",
        "parkausweis",
        "bewohnerparkausweis",
        "halteverbot",
        "parkverbot",
        "zugelassen",
        "zulassung",
        "blitzer",
        "strafzettel",
        "plate",
        "registration",
        "car",
        "vehicle",
        "towed",
    ]

    def __init__(self) -> None:
        plate = rf"(?<![\w-]){self._NOT_A_PLATE}[A-ZÄÖÜ]{{1,3}}"
        super().__init__(
            supported_entity="DE_LICENSE_PLATE",
            supported_language="de",
            patterns=[
                Pattern("hyphenated", rf"{plate}-[A-Z]{{1,2}}[ -]?\d{{1,4}}[EH]?(?![\w-])", 0.6),
                Pattern("spaced", rf"{plate} [A-Z]{{1,2}} \d{{1,4}}[EH]?(?![\w-])", 0.4),
            ],
            context=self._CONTEXT,
            global_regex_flags=CASE_SENSITIVE,
        )

    def proven(self, found: str) -> bool:
        return "-" in found  # without a vehicle word only the hyphenated form: spaced capitals are common in prose


_MONTHS = (
    r"(?:Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|"
    r"January|February|March|May|June|July|October|December|Jan\.|Feb\.|Mär\.|Apr\.|Aug\.|Sep\.|Sept\.|"
    r"Okt\.|Oct\.|Nov\.|Dez\.|Dec\.)"
)
_YEAR = r"(?:19|20)\d{2}"
DATE = (
    rf"(?:\d{{1,2}}\.\s?\d{{1,2}}\.\s?(?:{_YEAR}|\d{{2}})(?!\d)"  # 12.03.1985, 1.3.85
    rf"|\d{{1,2}}/\d{{1,2}}/{_YEAR}"  # 12/03/1985
    rf"|{_YEAR}-\d{{2}}-\d{{2}}"  # 1985-03-12
    rf"|\d{{1,2}}(?:\.|st|nd|rd|th)?\s{_MONTHS}\s{_YEAR}"  # 12. März 1985, 12 March 1985
    rf"|{_MONTHS}\s\d{{1,2}}(?:st|nd|rd|th)?,?\s{_YEAR})"  # March 12, 1985
)
_BIRTH_AFTER = regex.compile(r"\s{0,3}(?i:geboren|born\b)")
_BIRTH_WORDS = regex.compile(
    r"(?i:\bgeb\.|\bgeboren|\bgeburtsdatum|\bgeburtstag|\bgeb\.?-?datum|\bborn\b|\bbirth|\bdob\b|"
    r"\bd\.o\.b|\bbirthday)[^\n.!?]{0,25}$|\*\s?$"
)


_DATE_ONLY = regex.compile(DATE)


class BirthDateRecognizer(EntityRecognizer):
    """Dates of birth: a date after a birth word, or right after a name (then the name goes too)."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["DATE_OF_BIRTH", "PERSON"], supported_language="de")
        self._date = regex.compile(rf"(?<![\w.]){DATE}(?![\w])", CASE_SENSITIVE)
        # "Max Mustermann, 12.03.1985", "Max Mustermann (12.03.1985)": a name right before the date
        self._name_before = regex.compile(rf"({_FULL_NAME})\s?[,(]\s?$", CASE_SENSITIVE)

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None) -> list[RecognizerResult]:
        results = []
        for match in self._date.finditer(text):
            before = text[max(0, match.start() - CONTEXT_WINDOW) : match.start()]
            if _BIRTH_WORDS.search(before):
                results.append(RecognizerResult("DATE_OF_BIRTH", match.start(), match.end(), 0.8))
                continue
            if _BIRTH_AFTER.match(text, match.end()):  # "am 12.03.1985 geboren"
                results.append(RecognizerResult("DATE_OF_BIRTH", match.start(), match.end(), 0.8))
                continue
            name = self._name_before.search(before)
            year = regex.search(r"(?:19|20)\d{2}", match.group())  # "Mittwoch, 12.07.23": a two-digit year is no birth
            if name and year and _birth_year(year.group()):
                results.append(RecognizerResult("DATE_OF_BIRTH", match.start(), match.end(), 0.6))
                offset = match.start() - len(before)
                results.append(RecognizerResult("PERSON", offset + name.start(1), offset + name.end(1), 0.6))
        return results


def _birth_year(year: str) -> bool:
    """A year a citizen of the kiosk may be born in (not the date of a letter or an appointment)."""
    return 1900 <= int(year) <= 2015


def _has_context(text: str, start: int, words: Sequence[str]) -> bool:
    """A context word begins a word in the characters before ``start`` ("tel" in "Tel.:", not in "Hotel")."""
    before = text[max(0, start - CONTEXT_WINDOW) : start].lower()
    return any(regex.search(rf"(?<!\w){regex.escape(word)}", before) for word in words)


def _has_context_after(text: str, end: int, words: Sequence[str]) -> bool:
    after = text[end : end + CONTEXT_WINDOW].lower()
    return any(regex.search(rf"(?<!\w){regex.escape(word)}", after) for word in words)


def _digits_and_letters(found: str) -> str:
    return "".join(char for char in found if char.isalnum()).upper()


# German street words: "Hauptstraße", "Karl-Marx-Str.", "Musterweg", "Am Markt"
_STREET_SUFFIX = (
    r"(?:stra(?:ß|ss)e|str\.|weg|gasse|platz|pl\.|allee|ring|damm|ufer|chaussee|steig|pfad|"
    r"markt|hof|graben|berg|tor|wall|kamp|feld|garten|park|brücke|zeile|promenade|steg)"
)
_STREET_WORD = r"\p{Lu}[\p{L}]*(?:-\p{Lu}?[\p{L}]*)*"
_HOUSE_NUMBER = r"\d{1,4}(?:\s?[a-zA-Z](?![\p{L}]))?(?:\s?[-/]\s?\d{1,4}[a-z]?)?"
# "Am Montag 9 Uhr", "Im Januar 2025", "Im Jahr 2024" are times, not places
_NOT_A_PLACE = (
    r"(?!(?:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag|Wochenende|Werktag|Januar|"
    r"Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|Jahr|Monat|Zeit|"
    r"Moment|Durchschnitt|Schnitt|Voraus|Zimmer|Raum|Erdgeschoss|Obergeschoss|Haus|Gebäude|Tag)\b)"
)
_NOT_A_QUANTITY = r"(?!\s*(?:Uhr|Euro|EUR|€|%|Jahre|Tage|Wochen|Monate|Minuten|Stunden|Personen|Mal)\b)"
_GERMAN_STREET = (
    rf"(?:(?:{_STREET_WORD}\s)?{_STREET_WORD}{_STREET_SUFFIX}"  # Alte Bahnhofstraße, Karl-Marx-Str.
    rf"|(?:{_STREET_WORD}[\s-])(?:Straße|Strasse|Str\.|Weg|Gasse|Platz|Allee|Ring|Damm|Ufer)"  # Freiburger Straße
    rf"|(?:Am|An\sder|An\sden|Auf\sder|Auf\sdem|Im|In\sder|Unter\sden|Zum|Zur|Hinter\sder|Vor\sdem)\s"
    rf"{_NOT_A_PLACE}{_STREET_WORD})"
    rf"\s{_HOUSE_NUMBER}\b{_NOT_A_QUANTITY}"
)
_ENGLISH_STREET = (
    r"\b\d{1,5}[a-zA-Z]?,?\s(?:\p{Lu}\p{Ll}+\s){1,3}"
    r"(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Close|Drive|Way|Place|Square|Gardens|Terrace|Court|"
    r"Crescent|Boulevard|Row|Hill|Grove|Mews)(?!\p{L})"
)


class AddressRecognizer(PatternRecognizer):
    def __init__(self) -> None:
        super().__init__(
            supported_entity="ADDRESS",
            patterns=[
                Pattern("German street and number", rf"\b{_GERMAN_STREET}", 0.6),
                Pattern("English number and street", _ENGLISH_STREET, 0.6),
            ],
            global_regex_flags=CASE_SENSITIVE,
        )


# a capitalised word of a name (Unicode: Ayşe, Łukasz, O'Brien); particles like "von" may join them
_NAME_WORD = r"\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}]+)?"
_PARTICLE = r"(?:von|van|de|der|den|di|da|del|zu|el|al|ter)"
_FULL_NAME = rf"{_NAME_WORD}(?:\s(?:{_PARTICLE}\s)*{_NAME_WORD}){{1,2}}"  # two or three words
_ANY_NAME = rf"{_NAME_WORD}(?:\s(?:{_PARTICLE}\s)*{_NAME_WORD}){{0,2}}"
_TITLE = r"(?:(?:Dr\.|Prof\.|Dipl\.-Ing\.)\s)*"
# words that follow "Herr"/"Frau"/"I am" but are no names
_NOT_NAME = (
    r"(?!(?:Bürgermeister|Oberbürgermeister|Bürgermeisterin|Oberbürgermeisterin|Doktor|Professor|"
    r"Rentner|Rentnerin|Student|Studentin|Mitarbeiter|Mitarbeiterin|Kollege|Kollegin|Nachbar|Nachbarin|"
    r"Mayor|Sir|Madam|Not|Looking|Trying|Interested|German|British|English|From|Here|Unable|Sorry|"
    r"The|A|An|In|On|At|Und|Oder|Die|Der|Das)\b)"
)
_NAME_PATTERNS = [
    # explicit introductions: one word is enough ("Mein Name ist Müller")
    Pattern(
        "introduction",
        rf"(?<=(?i:\bmein\s+name\s+ist|\bich\s+hei(?:ß|ss)e|\bmy\s+name\s+is|\bname:)\s+)"
        rf"{_NOT_NAME}{_TITLE}{_ANY_NAME}",
        0.7,
    ),
    # "ich bin" / "I am" are followed by nouns and adjectives too: only two capitalised words count
    Pattern("ich bin / I am", rf"(?<=(?i:\bich\s+bin|\bi\s+am|\bi'm|\bthis\s+is)\s+){_NOT_NAME}{_FULL_NAME}", 0.5),
    # forms of address
    Pattern(
        "Herr/Frau",
        rf"(?<=\b(?:Herrn?|Frau|Fr\.|Hr\.|Mr\.?|Mrs\.?|Ms\.?|Miss|Dr\.)\s+){_NOT_NAME}{_TITLE}"
        rf"{_ANY_NAME}",
        0.6,
    ),
    # a signature under a closing greeting
    Pattern(
        "signature",
        rf"(?<=(?i:mit\s+freundlichen\s+grüßen|viele\s+grüße|beste\s+grüße|liebe\s+grüße|"
        rf"\bgruß|kind\s+regards|best\s+regards|regards|sincerely|cheers)[,!.]?\s+){_ANY_NAME}",
        0.6,
    ),
]


class NameRecognizer(PatternRecognizer):
    def __init__(self) -> None:
        super().__init__(supported_entity="PERSON", patterns=_NAME_PATTERNS, global_regex_flags=CASE_SENSITIVE)


def default_recognizers() -> list[EntityRecognizer]:
    return [
        OfflineEmailRecognizer(),
        PhoneRecognizer(supported_regions=PHONE_REGIONS, leniency=1),
        PhoneContextRecognizer(),
        IbanRecognizer(),
        IdCardRecognizer(),
        TaxIdRecognizer(),
        SocialSecurityRecognizer(),
        HealthInsuranceRecognizer(),
        LicensePlateRecognizer(),
        BirthDateRecognizer(),
        AddressRecognizer(),
        NameRecognizer(),
        IpRecognizer(),
    ]


class Redactor:
    """Finds personal data with pattern recognizers and replaces it with placeholders.

    ``extra`` adds recognizers (e.g. Presidio's ``SpacyRecognizer`` where a
    city has a name model); each must work with ``nlp_artifacts=None``.
    """

    def __init__(self, extra: Sequence[EntityRecognizer] = ()) -> None:
        self.recognizers = [*default_recognizers(), *extra]
        self._anonymizer = AnonymizerEngine()
        self._operators = {
            entity: OperatorConfig("replace", {"new_value": placeholder})
            for entity, placeholder in PLACEHOLDERS.items()
        }
        self._operators["DEFAULT"] = OperatorConfig("replace", {"new_value": "<PII>"})

    def find(self, text: str) -> list[Finding]:
        """Non-overlapping findings, in text order (the longest, then most certain, span wins)."""
        candidates = [
            Finding(result.entity_type, result.start, result.end, result.score)
            for recognizer in self.recognizers
            for result in recognizer.analyze(text, recognizer.supported_entities, None)
        ]
        # "(06.11.1985)" reads as a phone number to python-phonenumbers; a date is not one
        candidates = [
            f
            for f in candidates
            if not (f.entity == "PHONE_NUMBER" and _DATE_ONLY.fullmatch(text[f.start : f.end].strip("() ")))
        ]
        kept: list[Finding] = []
        for finding in sorted(candidates, key=lambda f: (-(f.end - f.start), -f.score)):
            if all(finding.end <= other.start or finding.start >= other.end for other in kept):
                kept.append(finding)
        return sorted(kept, key=lambda f: f.start)

    def redact(self, text: str) -> str:
        if not text:
            return text
        findings = self.find(text)
        if not findings:
            return text
        results = [RecognizerResult(f.entity, f.start, f.end, f.score) for f in findings]
        return self._anonymizer.anonymize(text, results, self._operators).text
