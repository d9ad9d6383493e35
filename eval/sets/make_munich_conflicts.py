"""Build the Munich conflict set: older copies of real DLDB service pages, and fee questions.

A city's web archive holds older versions of its service pages: same service, older
``lastupdate``, other fees. This script writes such copies of real services from the Munich
DLDB export (every amount of the fee section lowered, as the fees were before the last
increase; dated 2021-2023) into ``eval/sets/munich_archive/services_archive_de.json`` (the
same DLDB format, ids ``<id>-archiv-<year>``), and the questions into
``eval/sets/munich_conflicts.jsonl``:

* fee questions (German and English, with and without a qualifier: age, child, validity,
  renewal, express) about the archived services: the current value is a key fact, the
  archived one forbidden, and the archived page must be shown as disagreeing;
* fee questions about services without an archived copy: no disagreeing source allowed.

Run from the root of the clone: ``python eval/sets/make_munich_conflicts.py``.
The output is deterministic; the questions were written by hand below.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

EXPORT = Path("../shared/data/munich-dldb/services_de.json")
ARCHIVE = Path("eval/sets/munich_archive/services_archive_de.json")
CASES = Path("eval/sets/munich_conflicts.jsonl")
AMOUNT = re.compile(r"(\d{1,4}(?:,\d{2})?)(\s*Euro)")
YEARS = (2021, 2022, 2023)

# service id -> questions: (id suffix, language, question, key facts, extra forbidden facts)
ARCHIVED: dict[str, list[tuple[str, str, str, list[str], list[str]]]] = {
    "1063441": [
        ("age-de", "de", "Was kostet ein neuer Personalausweis? Ich bin 35.", ["46 Euro"], ["27,60"]),
        ("age-en", "en", "How much is a German ID card for a 30-year-old?", ["46"], ["27.60", "27,60"]),
    ],
    "1063453": [
        (
            "child-de",
            "de",
            "Was kostet ein Reisepass für meine Tochter? Sie ist 16 Jahre alt.",
            ["37,50 Euro"],
            ["70 Euro"],
        ),
        ("adult-en", "en", "How much does a passport cost for an adult?", ["70"], ["37.50", "37,50"]),
        ("express-de", "de", "Wie viel kostet die Express-Bestellung beim Reisepass zusätzlich?", ["32 Euro"], []),
    ],
    "1063422": [
        ("de", "de", "Was kostet die Gewerbe-Ummeldung?", ["40 Euro"], []),
        ("en", "en", "What is the fee for a Gewerbe-Ummeldung when my business moves within Munich?", ["40"], []),
    ],
    "1063435": [
        ("de", "de", "Was kostet eine Gewerbe-Abmeldung?", ["35 Euro"], []),
        ("en", "en", "How much do I pay to deregister my business?", ["35"], []),
    ],
    "1063423": [
        ("de", "de", "Was kostet eine Gewerbeanmeldung in München?", ["60 Euro"], []),
        ("en", "en", "How much does it cost to register a business in Munich?", ["60"], []),
    ],
    "1063731": [
        ("de", "de", "Was kostet der Kirchenaustritt?", ["25 Euro"], []),
        ("en", "en", "How much does it cost to leave the church?", ["25"], []),
    ],
    "1063565": [
        ("de", "de", "Was kostet ein Führungszeugnis?", ["13 Euro"], []),
        ("en", "en", "How much is a certificate of good conduct?", ["13"], []),
    ],
    "1063576": [
        ("de", "de", "Was kostet eine schriftliche Meldebescheinigung?", ["5 Euro"], []),
        ("en", "en", "How much is a written registration certificate?", ["5"], []),
    ],
    "1071907": [
        ("child-de", "de", "Was kostet die Einbürgerung für mein minderjähriges Kind?", ["51 Euro"], ["255"]),
        ("adult-en", "en", "How much does naturalisation cost for an adult?", ["255"], ["51"]),
    ],
    "1072043": [
        ("12-de", "de", "Was kostet ein Bewohnerparkausweis für 12 Monate?", ["30 Euro"], ["60 Euro"]),
        ("24-en", "en", "How much is a resident parking permit valid for 24 months?", ["60"], []),
    ],
    "1064305": [
        (
            "de",
            "de",
            "Was kostet es, ein Fahrzeug abzumelden? Gebühr für die Abmeldung des Fahrzeugs?",
            ["16,80 Euro"],
            [],
        ),
        ("en", "en", "How much does it cost to deregister a vehicle?", ["16.80"], []),
    ],
    "1064342": [
        ("de", "de", "Was kostet eine Auskunft aus dem Fahrzeugregister?", ["5,10 Euro"], []),
        ("en", "en", "What is the fee for information from the vehicle register?", ["5.10"], []),
    ],
    "1071854": [
        ("de", "de", "Was kostet ein internationaler Führerschein?", ["16,30 Euro"], []),
        ("en", "en", "How much is an international driving licence?", ["16.30"], []),
    ],
    "1064381": [
        ("de", "de", "Welche Gebühr fällt für die Fahrlehrerlaubnis an?", ["45,20 Euro"], []),
        ("en", "en", "What does a driving instructor licence cost?", ["45.20"], []),
    ],
    "1080843": [
        ("de", "de", "Was kostet eine Haushaltsbescheinigung?", ["5 Euro"], []),
        ("en", "en", "How much is a household certificate?", ["5"], []),
    ],
    "10306925": [
        ("de", "de", "Was kostet die eID-Karte für EU-Bürger?", ["37 Euro"], []),
        ("en", "en", "How much does the eID card for EU citizens cost?", ["37"], []),
    ],
    "10383549": [
        (
            "renew-de",
            "de",
            "Was kostet die Verlängerung des Fahrerqualifizierungsnachweises?",
            ["32,50 Euro"],
            ["39,40"],
        ),
        (
            "first-en",
            "en",
            "How much is the driver qualification card when it is issued for the first time?",
            ["35"],
            [],
        ),
    ],
    "1071764": [
        ("de", "de", "Was kostet der Antrag auf einen Personenbeförderungsschein?", ["45,10 Euro"], []),
        ("en", "en", "How much is a passenger transport licence?", ["45.10"], []),
    ],
    "1064371": [
        ("12-de", "de", "Was kostet ein Parkausweis im Hauptbahnhofviertel für 12 Monate?", ["30 Euro"], ["60 Euro"]),
    ],
    "10323113": [
        ("de", "de", "Was kostet die Erklärung zur Reihenfolge der Vornamen?", ["30 Euro"], []),
    ],
    "1064361": [
        ("de", "de", "Was kostet die Verlängerung befristeter Führerscheinklassen?", ["45,10 Euro"], []),
    ],
    "1071944": [
        (
            "probe-de",
            "de",
            "Was kostet die Umschreibung eines EU/EWR-Führerscheins mit Festsetzung einer Probezeit?",
            ["38,30 Euro"],
            ["37,50"],
        ),
        (
            "en",
            "en",
            "How much does it cost to exchange my EU driving licence without a probationary period?",
            ["37.50"],
            [],
        ),
    ],
    "1064377": [
        ("natural-de", "de", "Was kostet eine Fahrschulerlaubnis für eine natürliche Person?", ["102 Euro"], ["153"]),
        ("legal-en", "en", "How much is a driving school licence for a legal person?", ["153"], ["102"]),
    ],
    "1071760": [
        ("de", "de", "Was kostet die Verlängerung des Personenbeförderungsscheins?", ["38 Euro"], []),
    ],
    "1064130": [
        ("de", "de", "Was kostet eine Namensänderung in den Fahrzeugpapieren?", ["12,30 Euro"], []),
        ("en", "en", "How much is a change of name in the vehicle documents?", ["12.30"], []),
    ],
    "10300808": [
        ("de", "de", "Was kostet ein Fahrzeugwechsel für Taxi oder Mietwagen?", ["25 Euro"], []),
    ],
    "1063648": [
        ("de", "de", "Was kostet die Anmeldung einer Eheschließung ohne Auslandsbezug?", ["300 Euro"], []),
        ("en", "en", "How much does it cost to get married in Munich?", ["300"], []),
    ],
    "1063684": [
        ("de", "de", "Was kostet die Erlaubnis für ein Pfandleihergewerbe?", ["800 Euro"], []),
        ("en", "en", "How much is a pawnbroker licence?", ["800"], []),
    ],
    "1064076": [
        ("de", "de", "Was kostet es, ein aus dem Ausland eingeführtes Fahrzeug anzumelden?", ["40 Euro"], []),
        ("en", "en", "How much does it cost to register a vehicle imported from abroad?", ["40"], []),
    ],
    "1072025": [
        ("24-de", "de", "Was kostet ein Parkausweis für Soziale Dienste für 24 Monate?", ["60 Euro"], ["30 Euro"]),
        ("12-en", "en", "How much is a parking permit for social services valid for 12 months?", ["30"], []),
    ],
    "1064275": [
        ("de", "de", "Was kostet es bei Verlust oder Diebstahl der Zulassungsbescheinigung Teil I?", ["12 Euro"], []),
    ],
}
# services without an older copy: a disagreeing source would be a false conflict
CURRENT_ONLY: list[tuple[str, str, str, str, list[str]]] = [
    ("1064323", "kurzzeit-de", "de", "Was kostet ein Kurzzeitkennzeichen?", ["13,10 Euro"]),
    ("1064323", "kurzzeit-en", "en", "How much are short-term number plates?", ["13.10"]),
    ("1071959", "halter-de", "de", "Was kostet eine Halter- und Datenbestätigung für mein Auto?", ["10,50 Euro"]),
    ("10374641", "zweitschrift-de", "de", "Was kostet eine Zweitschrift meiner Gewerbemeldung?", ["20 Euro"]),
    ("10429823", "fahrlehr-aendern-de", "de", "Was kostet es, die Fahrlehrerlaubnis zu ändern?", ["24 Euro"]),
    ("1064271", "schilder-de", "de", "Was kostet es, wenn meine Kennzeichenschilder gestohlen wurden?", ["24,80 Euro"]),
    ("1064311", "oldtimer-de", "de", "Was kostet ein historisches Kennzeichen für einen Oldtimer?", ["27,10 Euro"]),
    ("1064311", "oldtimer-en", "en", "How much is a historic number plate for a classic car?", ["27.10"]),
    ("10308316", "gesundheit-de", "de", "Was kostet ein Gesundheitszeugnis für meinen Hund?", ["8,50 Euro"]),
    ("10308316", "gesundheit-en", "en", "How much is a health certificate for my dog?", ["8.50"]),
    ("10387564", "nachstempel-de", "de", "Was kostet eine Kennzeichen-Nachstempelung?", ["4,40 Euro"]),
    ("10391602", "vorab-de", "de", "Was kostet eine Vorabzuteilung eines Kennzeichens?", ["12,80 Euro"]),
    ("1064268", "ausfuhr-de", "de", "Was kosten Ausfuhrkennzeichen?", ["31,80 Euro"]),
    ("1064268", "ausfuhr-en", "en", "How much are export number plates?", ["31.80"]),
    ("10115737", "fahrzeugschein-de", "de", "Was kostet ein internationaler Fahrzeugschein?", ["10,50 Euro"]),
]


def older(amount: str) -> str:
    """The fee before the last increase: about 15 % lower, in the page's own spelling."""
    value = float(amount.replace(",", "."))
    old = round(value * 0.85, 1)
    if old == value:
        old = value - 1
    return f"{old:.2f}".replace(".", ",") if "," in amount or old != int(old) else str(int(old))


def archived_copy(service: dict, year: int) -> tuple[dict, dict[str, str]]:
    copy = json.loads(json.dumps(service))
    changes: dict[str, str] = {}

    def lower(match: re.Match) -> str:
        new = older(match.group(1))
        changes[match.group(1)] = new
        return new + match.group(2)

    copy["fees"] = AMOUNT.sub(lower, service["fees"])
    copy["id"] = f"{service['id']}-archiv-{year}"
    meta = dict(service.get("meta") or {})
    meta["lastupdate"] = f"{year}-0{1 + year % 7}-15T09:00:00"
    copy["meta"] = meta
    return copy, changes


def main() -> None:
    services = {str(s["id"]): s for s in json.loads(EXPORT.read_text(encoding="utf-8"))["data"]}
    archive, cases = [], []
    for n, (service_id, questions) in enumerate(ARCHIVED.items()):
        service = services[service_id]
        year = YEARS[n % len(YEARS)]
        copy, changes = archived_copy(service, year)
        archive.append(copy)
        archive_doc = f"dldb-{copy['id']}"
        for suffix, language, question, key_facts, forbidden in questions:
            old_values = []
            for fact in key_facts:
                number = re.match(r"[\d.,]+", fact).group(0).replace(".", ",")
                number = number[:-3] if number.endswith(",00") else number
                if number in changes:
                    old_values.append(changes[number])
            cases.append(
                {
                    "id": f"muc-conflict-{service_id}-{suffix}",
                    "question": question,
                    "language": language,
                    "expected_status": "answered",
                    "expected_docs": [f"dldb-{service_id}"],
                    "key_facts": key_facts,
                    "forbidden_facts": sorted({*forbidden, *old_values} - set(key_facts)),
                    "conflict": True,
                    "conflict_docs": [archive_doc],
                    "tags": ["fees", "conflict", "archived-copy", "qualifier" if "-" in suffix else "no-qualifier"],
                    "source": "eval/sets/make_munich_conflicts.py",
                }
            )
    for service_id, suffix, language, question, key_facts in CURRENT_ONLY:
        assert service_id in services, service_id
        cases.append(
            {
                "id": f"muc-fee-{suffix}",
                "question": question,
                "language": language,
                "expected_status": "answered",
                "expected_docs": [f"dldb-{service_id}"],
                "key_facts": key_facts,
                "conflict": False,
                "tags": ["fees", "no-archived-copy"],
                "source": "eval/sets/make_munich_conflicts.py",
            }
        )
    ARCHIVE.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "data": archive,
        "meta": {"note": "older copies of Munich DLDB services (eval/sets/make_munich_conflicts.py)"},
    }
    ARCHIVE.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    CASES.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    conflicts = sum(c["conflict"] for c in cases)
    print(f"{len(archive)} archived pages, {len(cases)} fee questions ({conflicts} must show a disagreeing source)")


if __name__ == "__main__":
    main()
