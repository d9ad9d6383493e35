"""Personal data is replaced by placeholders; the city's facts in a question stay readable."""

from __future__ import annotations

import socket

import pytest

from assistant.safety.redact import Redactor


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # e-mail and phone numbers, German formats
        (
            "Ich heiße Max Mustermann, max.mustermann@example.org, Tel. 0761 555-1234",
            "Ich heiße <NAME>, <E-MAIL>, Tel. <PHONE>",
        ),
        (
            "Bitte rufen Sie mich an unter +49 761 5551234 oder 0176/12345678.",
            "Bitte rufen Sie mich an unter <PHONE> oder <PHONE>.",
        ),
        ("Erreichbar unter 0761-5551234 ab 17 Uhr", "Erreichbar unter <PHONE> ab 17 Uhr"),
        # UK and international
        ("Call me on 020 7946 0958 or +44 20 7946 0958, thanks", "Call me on <PHONE> or <PHONE>, thanks"),
        ("My US number is +1 415 555 2671.", "My US number is <PHONE>."),
        # bank and identity documents
        ("Meine IBAN ist DE89 3704 0044 0532 0130 00, bitte erstatten.", "Meine IBAN ist <IBAN>, bitte erstatten."),
        ("Erstattung auf DE89370400440532013000", "Erstattung auf <IBAN>"),
        (
            "Meine Ausweisnummer ist L01X00T44, ist der noch gültig?",
            "Meine Ausweisnummer ist <ID-CARD>, ist der noch gültig?",
        ),
        ("Personalausweisnummer: T22000124", "Personalausweisnummer: <ID-CARD>"),
        ("My ID card number is CFGHJ1234 and it expired", "My ID card number is <ID-CARD> and it expired"),
        ("Meine Steuer-ID lautet 86 095 742 719.", "Meine Steuer-ID lautet <TAX-ID>."),
        ("Steueridentifikationsnummer 12345678903", "Steueridentifikationsnummer <TAX-ID>"),
        # addresses
        (
            "Mein Name ist Ayşe Yılmaz und ich wohne in der Hauptstraße 12, 79098 Freiburg.",
            "Mein Name ist <NAME> und ich wohne in der <ADDRESS>, 79098 Freiburg.",
        ),
        (
            "Ich wohne Musterweg 3a, früher Karl-Marx-Str. 7 und Am Markt 5.",
            "Ich wohne <ADDRESS>, früher <ADDRESS> und <ADDRESS>.",
        ),
        (
            "Hello, my name is John Smith and I live at 12 Baker Street, London.",
            "Hello, my name is <NAME> and I live at <ADDRESS>, London.",
        ),
        # names by context
        ("I am John Smith, my email is john.smith@example.co.uk", "I am <NAME>, my email is <E-MAIL>"),
        (
            "Sehr geehrte Frau Müller, sehr geehrter Herr Dr. Schmidt",
            "Sehr geehrte Frau <NAME>, sehr geehrter Herr <NAME>",
        ),
        (
            "Die Antwort war falsch.\nMit freundlichen Grüßen\nMaria Schneider",
            "Die Antwort war falsch.\nMit freundlichen Grüßen\n<NAME>",
        ),
        ("hallo, ich heisse Lukas Becker", "hallo, ich heisse <NAME>"),
        # IP addresses
        ("Fehler von 192.168.10.20 und 2001:db8::1", "Fehler von <IP> und <IP>"),
    ],
)
def test_personal_data_is_replaced(redactor, text, expected):
    assert redactor.redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Was kostet ein Personalausweis?",
        "Wann hat das Bürgerbüro am Samstag geöffnet?",
        "Die Gebühr beträgt 37,00 Euro.",
        "Gilt die neue Gebühr ab dem 01.03.2025?",
        "Geöffnet Montag bis Freitag von 8:00 bis 16:00 Uhr.",
        "Das Standesamt ist in Zimmer E.01.",
        "Ich bin Rentner und brauche einen Parkausweis.",
        "Kann ich mit Herrn Bürgermeister sprechen?",
        "Am Montag 9 Uhr habe ich Zeit, im Januar 2025 ziehe ich um.",
        "Wie viel kostet die Hundesteuer für 2 Hunde? 108 Euro pro Jahr?",
        "I am not sure which form I need for 3 children.",
        "Ich habe Termin Nr. 4711 am 12.05.2025 um 10:30 Uhr.",
        "How much is a resident parking permit in 2025?",
        "",
    ],
)
def test_ordinary_questions_stay_unchanged(redactor, text):
    assert redactor.redact(text) == text


def test_a_checksum_proves_an_id_without_context(redactor):
    assert redactor.redact("bitte prüfen: L01X00T44") == "bitte prüfen: <ID-CARD>"
    # the same shape with a wrong check digit and no context word is left alone
    assert redactor.redact("Modell L01X00T45") == "Modell L01X00T45"


def test_findings_do_not_overlap(redactor):
    text = "Steuer-ID 86095742719, Tel. 0176/12345678"
    findings = redactor.find(text)
    assert [f.entity for f in findings] == ["DE_TAX_ID", "PHONE_NUMBER"]
    assert all(a.end <= b.start for a, b in zip(findings, findings[1:], strict=False))


def test_nothing_leaves_the_machine(monkeypatch):
    """The e-mail check uses the bundled public-suffix snapshot, never a download."""
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: refuse(None, a))  # a DNS look-up is a call too

    redacted = Redactor().redact("Schreiben Sie an buerger@stadt.example.de oder an someone@uni.ac.uk")

    assert redacted == "Schreiben Sie an <E-MAIL> oder an <E-MAIL>"
    assert attempts == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the rating comment: ID card serial and its check digit (ICAO 7-3-1)
        ("Ausweis L01X00T471", "Ausweis <ID-CARD>"),
        ("bitte prüfen: L01X 00T47 1", "bitte prüfen: <ID-CARD>"),
        ("Reisepass C01X00T478 ist abgelaufen", "Reisepass <ID-CARD> ist abgelaufen"),
        ("Nummer meines Aufenthaltstitels: Y4KW3N7FC", "Nummer meines Aufenthaltstitels: <ID-CARD>"),
        ("Meine Steuer-ID ist 123 456 78903.", "Meine Steuer-ID ist <TAX-ID>."),
        ("SV-Nummer 15 070649 C 10 3, bitte ändern", "SV-Nummer <SOCIAL-SECURITY-NO>, bitte ändern"),
        ("auf der Karte steht A000500015", "auf der Karte steht <HEALTH-INSURANCE-NO>"),
        ("Mein Auto M-AB 1234 wurde abgeschleppt", "Mein Auto <LICENCE-PLATE> wurde abgeschleppt"),
        ("Das Kennzeichen ist B XY 123E.", "Das Kennzeichen ist <LICENCE-PLATE>."),
        ("Antrag für Max Mustermann, 12.03.1985, bitte prüfen", "Antrag für <NAME>, <BIRTH-DATE>, bitte prüfen"),
        ("Mein Sohn ist am 3. Mai 2009 geboren.", "Mein Sohn ist am <BIRTH-DATE> geboren."),
        ("Date of birth: 12 March 1985", "Date of birth: <BIRTH-DATE>"),
    ],
)
def test_identity_numbers_are_replaced(redactor, text, expected):
    assert redactor.redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Die Spielzeugnorm DIN EN 71 gilt auch für Kitas.",
        "Sprechtage: Mittwoch, 12.07.23 von 9 bis 13 Uhr",
        "Die Umleitung führt über die L 112 und die B 37.",
        "Bürgerbüro Musterstadt, 12.03.2025: geänderte Öffnungszeiten",
        "Formular KVNR-Antrag Seite 2",
    ],
)
def test_page_text_that_looks_like_an_identity_number_stays(redactor, text):
    assert redactor.redact(text) == text


def test_staff_flag_notes_are_redacted(corpus_app):
    review = corpus_app.review
    doc_id = next(iter(corpus_app.answers.index.documents))
    flagged = review.flag_document(doc_id, "wrong", note="Bürgerin (Ausweis L01X00T471) meldet falsche Gebühr")
    review.unflag(doc_id)
    assert flagged.note == "Bürgerin (Ausweis <ID-CARD>) meldet falsche Gebühr"
