"""Redaction benchmark: what the pattern-based redactor catches, and what it wrongly removes.

Runs ``assistant.safety.redact.Redactor`` over labelled German and English
citizen texts (eval/sets/redaction_cases.jsonl: ``{"text", "pii": [[TYPE, span], ...]}``)
and prints recall per entity type (a labelled span counts as caught when a finding
of the same type overlaps it), how many labelled spans were removed under any
placeholder, the false positives (findings that overlap no labelled span) and the
median time per text.

A second, generated set covers the German identity numbers by their published formats
(``--generated N``, default 600): ID card, passport and residence-permit serials (ICAO
alphabet, check digit with weights 7-3-1), tax IDs (ISO 7064 MOD 11,10), social insurance
numbers (DRV check digit), health-insurance numbers (GKV check digit), licence plates and
dates of birth next to names or birth words, each spaced and unspaced, inside German and
English sentences. The numbers are made here from the formats, with check digits computed by
this file's own code, not by the redactor's patterns. False positives of these types are
counted on real pages (``--real``: every OMoS-QA page and the Munich DLDB texts, which hold
no such numbers) per 10,000 words.

    python eval/bench/bench_redaction.py [--cases FILE] [--generated N] [--seed S] [--real] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant.safety.redact import Finding, Redactor  # noqa: E402

CASES = ROOT / "eval" / "sets" / "redaction_cases.jsonl"


def load_cases(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def labelled_spans(case: dict) -> list[tuple[str, int, int]]:
    spans = []
    for entity, span in case["pii"]:
        start = case["text"].index(span)  # a label that is not in its text is a broken case: fail loudly
        spans.append((entity, start, start + len(span)))
    return spans


def overlaps(finding: Finding, start: int, end: int) -> bool:
    return finding.start < end and start < finding.end


def run(cases: list[dict], redactor: Redactor) -> dict:
    expected, caught, removed = Counter(), Counter(), Counter()
    false_positives: list[str] = []
    seconds: list[float] = []
    for case in cases:
        began = time.perf_counter()
        findings = redactor.find(case["text"])
        redactor.redact(case["text"])  # timed as the service uses it: find and replace
        seconds.append(time.perf_counter() - began)
        spans = labelled_spans(case)
        for entity, start, end in spans:
            expected[entity] += 1
            hits = [f for f in findings if overlaps(f, start, end)]
            caught[entity] += any(f.entity == entity for f in hits)
            removed[entity] += bool(hits)
        for finding in findings:
            if not any(overlaps(finding, start, end) for _, start, end in spans):
                false_positives.append(f"{finding.entity} {case['text'][finding.start : finding.end]!r}")
    return {
        "texts": len(cases),
        "recall": {entity: round(caught[entity] / expected[entity], 3) for entity in sorted(expected)},
        "labelled": dict(sorted(expected.items())),
        "caught": {entity: caught[entity] for entity in sorted(expected)},
        "removed_any_placeholder": round(sum(removed.values()) / max(1, sum(expected.values())), 3),
        "recall_overall": round(sum(caught.values()) / max(1, sum(expected.values())), 3),
        "false_positives": len(false_positives),
        "false_positive_examples": false_positives,
        "texts_without_pii": sum(1 for case in cases if not case["pii"]),
        "median_ms_per_text": round(statistics.median(seconds) * 1000, 3),
    }


# -- the generated set: identity numbers made from their published formats -------------------------------

ICAO_LETTERS = "CFGHJKLMNPRTVWXYZ"
ID_TYPES = ("DE_ID_CARD", "DE_TAX_ID", "DE_SOCIAL_SECURITY", "DE_HEALTH_INSURANCE", "DE_LICENSE_PLATE", "DATE_OF_BIRTH")


def _icao(serial: str) -> str:
    total = 0
    for position, char in enumerate(serial):
        value = int(char) if char.isdigit() else ord(char) - 55  # A=10 ... Z=35
        total += value * (7, 3, 1)[position % 3]
    return str(total % 10)


def document_serial(rng: random.Random, first: str) -> str:
    """ID card (first letter L M N P R T V W X Y), passport (C F G H J K), residence permit: 9 + check digit."""
    body = [rng.choice(first)] + [rng.choice(ICAO_LETTERS + "0123456789") for _ in range(8)]
    while sum(c.isdigit() for c in body) < 3:
        body[rng.randrange(1, 9)] = rng.choice("0123456789")
    serial = "".join(body)
    return serial + _icao(serial)


def tax_id(rng: random.Random) -> str:
    """Steuer-ID: 11 digits, first not 0, in the first ten one digit twice (or three times), ISO 7064 MOD 11,10."""
    while True:
        digits = [rng.randrange(1, 10)] + [rng.randrange(10) for _ in range(9)]
        counts = Counter(digits)
        if sorted(counts.values(), reverse=True)[0] in (2, 3) and sum(v > 1 for v in counts.values()) == 1:
            break
    product = 10
    for digit in digits:
        total = (digit + product) % 10 or 10
        product = (total * 2) % 11
    check = (11 - product) % 10
    return "".join(map(str, digits)) + str(check)


def _cross_sum(number: int) -> int:
    return sum(int(c) for c in str(number))


def social_insurance(rng: random.Random) -> str:
    """Versicherungsnummer: area (2), birth date DDMMYY, initial, serial (2), check digit (DRV weights)."""
    area = f"{rng.randrange(2, 90):02d}"  # the pension insurers' area numbers lie in 02-89
    birth = f"{rng.randrange(1, 29):02d}{rng.randrange(1, 13):02d}{rng.randrange(100):02d}"
    letter = rng.choice("ABCDEFGHIJKLMNOPRSTUVWZ")
    serial = f"{rng.randrange(100):02d}"
    digits = area + birth + f"{ord(letter) - 64:02d}" + serial
    weights = (2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1)
    check = sum(_cross_sum(int(d) * w) for d, w in zip(digits, weights, strict=True)) % 10
    return f"{area}{birth}{letter}{serial}{check}"


def health_insurance(rng: random.Random) -> str:
    """Krankenversichertennummer: letter, 8 digits, check digit (weights 1, 2, ...; cross sums)."""
    letter = rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    body = "".join(str(rng.randrange(10)) for _ in range(8))
    digits = f"{ord(letter) - 64:02d}" + body
    check = sum(_cross_sum(int(d) * (1, 2)[i % 2]) for i, d in enumerate(digits)) % 10
    return f"{letter}{body}{check}"


def licence_plate(rng: random.Random) -> str:
    district = rng.choice(["M", "B", "HH", "K", "S", "F", "FR", "KA", "LÖ", "GAP", "STA", "OG", "EM", "DAH", "ROW"])
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(rng.randint(1, 2)))
    number = str(rng.randint(1, 9999))
    suffix = rng.choice(["", "", "", "E", "H"])
    return f"{district}-{letters} {number}{suffix}" if rng.random() < 0.6 else f"{district} {letters} {number}{suffix}"


def birth_date(rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1930, 2012)
    months_de = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ]
    months_en = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    return rng.choice(
        [
            f"{day:02d}.{month:02d}.{year}",
            f"{day}.{month}.{year}",
            f"{day}. {months_de[month - 1]} {year}",
            f"{day} {months_en[month - 1]} {year}",
            f"{year}-{month:02d}-{day:02d}",
        ]
    )


def spaced(number: str, rng: random.Random, groups: tuple[int, ...]) -> str:
    """``number`` as citizens type it: unspaced, or in groups of ``groups`` separated by spaces."""
    if rng.random() < 0.5:
        return number
    parts, start = [], 0
    for size in groups:
        parts.append(number[start : start + size])
        start += size
    return " ".join(part for part in [*parts, number[start:]] if part)


NAMES = [
    "Max Mustermann",
    "Erika Musterfrau",
    "Ayşe Yılmaz",
    "Jan Kowalski",
    "Olena Petrenko",
    "John Smith",
    "Maria Rossi",
    "Ahmed Haddad",
    "Lena Fischer",
    "Tobias Weber",
]
TEMPLATES: dict[str, list[str]] = {
    "DE_ID_CARD": [
        "Meine Ausweisnummer ist {}, ist der Ausweis noch gültig?",
        "Ausweis {} – bitte prüfen, ob er abgeholt werden kann.",
        "Ich habe meinen Personalausweis {} verloren.",
        "Reisepass {} ist abgelaufen, was nun?",
        "Die Nummer auf meinem Aufenthaltstitel lautet {}.",
        "My passport number is {} and it expires next month.",
        "Can you check document {} for me?",
        "Hier die Nummer: {} (Personalausweis meiner Tochter)",
        "{} steht auf der Karte, stimmt das so?",
        "Bitte die Daten zu {} löschen.",
    ],
    "DE_TAX_ID": [
        "Meine Steuer-ID ist {}.",
        "Steueridentifikationsnummer: {}",
        "Ich habe die Nummer {} vom Bundeszentralamt bekommen, ist das meine ID?",
        "My tax ID is {}, where do I need it?",
        "Für die Hundesteuer habe ich {} angegeben.",
        "Die {} steht auf meinem Lohnzettel.",
    ],
    "DE_SOCIAL_SECURITY": [
        "Meine Sozialversicherungsnummer lautet {}.",
        "Rentenversicherungsnummer {} – bitte ändern.",
        "My social insurance number is {}.",
        "Ich habe {} auf dem Ausweis der Rentenversicherung stehen.",
        "Die Nummer {} gehört zu meinem Vater.",
    ],
    "DE_HEALTH_INSURANCE": [
        "Meine Versichertennummer ist {}.",
        "Krankenversichertennummer {} bei der AOK.",
        "My health insurance number is {}.",
        "Auf der Gesundheitskarte steht {}.",
        "Die Nummer {} ist von meiner Tochter.",
    ],
    "DE_LICENSE_PLATE": [
        "Mein Auto mit dem Kennzeichen {} wurde abgeschleppt.",
        "Vor meiner Einfahrt parkt seit Tagen {}.",
        "The car {} has been parked on the pavement for a week.",
        "Bitte den Bewohnerparkausweis auf {} umschreiben.",
        "{} steht im Halteverbot.",
    ],
}


def generated_cases(count: int, seed: int) -> list[dict]:
    """``count`` labelled texts, one identity number each (dates of birth: with a name or a birth word)."""
    rng = random.Random(seed)
    makers = {
        "DE_ID_CARD": lambda: spaced(document_serial(rng, rng.choice(["LMNPRTVWXY", "CFGHJK", "YZ"])), rng, (4, 5)),
        "DE_TAX_ID": lambda: spaced(tax_id(rng), rng, (2, 3, 3)),
        "DE_SOCIAL_SECURITY": lambda: spaced(social_insurance(rng), rng, (2, 6, 1, 2)),
        "DE_HEALTH_INSURANCE": lambda: spaced(health_insurance(rng), rng, (1, 3, 3, 2)),
        "DE_LICENSE_PLATE": lambda: licence_plate(rng),
    }
    cases = []
    for n in range(count):
        entity = ID_TYPES[n % len(ID_TYPES)]
        if entity == "DATE_OF_BIRTH":
            name, date = rng.choice(NAMES), birth_date(rng)
            text = rng.choice(
                [
                    f"Antrag für {name}, geb. {date}, bitte bearbeiten.",
                    f"{name}, {date}, wohnhaft in Musterstadt.",
                    f"Mein Sohn ist am {date} geboren, braucht er einen Ausweis?",
                    f"Name: {name} ({date})",
                    f"Date of birth: {date}. Please update my record.",
                    f"I was born on {date}, can I vote?",
                ]
            )
            pii = [["DATE_OF_BIRTH", date]]
            if f"{name}, {date}" in text or f"{name} ({date})" in text:  # the name next to it is personal data too
                pii.append(["PERSON", name])
        else:
            number = makers[entity]()
            text = rng.choice(TEMPLATES[entity]).format(number)
            pii = [[entity, number]]
        cases.append({"text": text, "pii": pii})
    return cases


def real_texts() -> list[str]:
    """Every OMoS-QA page (all splits, both languages) and the Munich DLDB texts: no identity numbers in them."""
    import tomllib

    from assistant.ingest.loaders import load_json

    config = tomllib.loads((ROOT / "eval" / "sets.toml").read_text(encoding="utf-8"))
    omosqa = ROOT / config["omosqa-dev"]["omosqa"]["data"]
    pages: dict[str, None] = {}
    for path in sorted(omosqa.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            pages.setdefault(json.loads(line)["context"], None)
    munich = ROOT / config["munich"]["corpus"][0]
    documents = [doc.text for path in sorted(munich.glob("*.json")) for doc in load_json(path, path.stem)]
    return [*pages, *documents]


def false_positives_on_real(redactor: Redactor, texts: list[str]) -> dict:
    findings: list[str] = []
    words = 0
    for text in texts:
        words += len(re.findall(r"\w+", text))
        for finding in redactor.find(text):
            if finding.entity in ID_TYPES:
                findings.append(f"{finding.entity} {text[finding.start : finding.end]!r}")
    return {
        "texts": len(texts),
        "words": words,
        "false_positives": len(findings),
        "per_10k_words": round(10_000 * len(findings) / max(1, words), 3),
        "examples": findings[:30],
    }


def _print_recall(report: dict) -> None:
    for entity, recall in report["recall"].items():
        print(f"  {entity:<20} recall {recall:.3f}  ({report['caught'][entity]}/{report['labelled'][entity]})")
    print(
        f"  overall              recall {report['recall_overall']:.3f}; "
        f"removed under any placeholder {report['removed_any_placeholder']:.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--generated", type=int, default=600, help="generated identity-number texts (0: none)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--real", action="store_true", help="count false positives on OMoS-QA and Munich texts")
    args = parser.parse_args()

    redactor = Redactor()
    redactor.redact("warm-up: Tel. 0761 555-1234")  # first call compiles the patterns
    report = run(load_cases(args.cases), redactor)

    print(f"{report['texts']} texts ({report['texts_without_pii']} without personal data)")
    _print_recall(report)
    print(f"false positives: {report['false_positives']}")
    for example in report["false_positive_examples"]:
        print(f"  {example}")
    print(f"median time per text: {report['median_ms_per_text']:.2f} ms")
    figures = {"labelled_cases": report}
    if args.generated:
        generated = run(generated_cases(args.generated, args.seed), redactor)
        figures["generated"] = generated
        print(f"\ngenerated identity numbers: {generated['texts']} texts (seed {args.seed})")
        _print_recall(generated)
        print(f"false positives: {generated['false_positives']}")
        for example in generated["false_positive_examples"][:20]:
            print(f"  {example}")
        missed = [c for c in generated_cases(args.generated, args.seed) if not _caught(c, redactor)]
        for case in missed[:20]:
            print(f"  missed: {case['text']!r}")
    if args.real:
        real = false_positives_on_real(redactor, real_texts())
        figures["real_pages"] = real
        print(
            f"\nreal pages: {real['texts']} texts, {real['words']} words: {real['false_positives']} identity-number "
            f"findings ({real['per_10k_words']:.2f} per 10,000 words)"
        )
        for example in real["examples"]:
            print(f"  {example}")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


def _caught(case: dict, redactor: Redactor) -> bool:
    findings = redactor.find(case["text"])
    return all(
        any(f.entity == entity and overlaps(f, start, end) for f in findings)
        for entity, start, end in labelled_spans(case)
    )


if __name__ == "__main__":
    main()
