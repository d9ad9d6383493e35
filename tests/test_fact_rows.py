"""Fee and opening-hour rows as typed facts; the row that fits a question."""

from assistant.fact_rows import (
    choose_rows,
    compatible,
    english_row,
    fee_facts_of_text,
    question_ask,
    same_service,
    service_of,
)

DOG_TAX = """# Hundesteuer

## Steuersätze

- erster Hund: 120,00 Euro im Jahr
- zweiter Hund: 180,00 Euro im Jahr
- jeder weitere Hund: 180,00 Euro im Jahr
- gefährlicher Hund (Listenhund): 720,00 Euro im Jahr
"""
ID_CARD = """# Personalausweis

## Gebühren

- unter 24 Jahren: 27,60 Euro
- über 24 Jahren: 46 Euro
- vorläufiger Personalausweis: 10 Euro
- Gebühr für Passfoto am Foto-Terminal: 6 Euro
- Einschalten/Entsperrung der Online-Ausweisfunktion: gebührenfrei
"""


def values(rows):
    return [r.value for r in rows]


def test_fee_rows_carry_qualifier_value_and_offsets():
    rows = fee_facts_of_text(ID_CARD, "Personalausweis")
    by_label = {r.label: r for r in rows}
    assert by_label["über 24 Jahren"].qualifier.age_min == 24
    assert by_label["unter 24 Jahren"].qualifier.age_max == 24
    assert "temporary" in by_label["vorläufiger Personalausweis"].qualifier.variants
    free = [r for r in rows if r.value == "free"]
    assert len(free) == 1 and free[0].raw == "gebührenfrei"
    for row in rows:
        assert ID_CARD[row.start : row.end] == row.quote  # offsets point at the verbatim line


def test_age_picks_the_age_band():
    rows = fee_facts_of_text(ID_CARD, "Personalausweis")
    assert values(choose_rows(rows, question_ask("Was kostet ein neuer Perso? Ich bin 35.", "de"))) == ["46"]
    assert values(choose_rows(rows, question_ask("ID card for my 19-year-old son, how much?", "en"))) == ["27.6"]


def test_without_a_qualifier_the_plain_rows_are_given():
    rows = fee_facts_of_text(ID_CARD, "Personalausweis")
    chosen = choose_rows(rows, question_ask("Was kostet ein Personalausweis?", "de"))
    assert sorted(values(chosen)) == ["27.6", "46"]  # not the temporary card, the photo or the PIN


def test_one_dog_is_the_first_row_not_each_further_dog():
    rows = fee_facts_of_text(DOG_TAX, "Hundesteuer")
    assert values(choose_rows(rows, question_ask("Was kostet die Hundesteuer für einen Hund?", "de"))) == ["120"]
    assert values(choose_rows(rows, question_ask("How much is the dog tax for one dog?", "en"))) == ["120"]
    assert values(choose_rows(rows, question_ask("Und für den zweiten Hund?", "de"))) == ["180"]
    assert values(choose_rows(rows, question_ask("Hundesteuer für einen Listenhund?", "de"))) == ["720"]


def test_free_of_charge_is_a_value():
    rows = fee_facts_of_text(ID_CARD, "Personalausweis")
    chosen = choose_rows(rows, question_ask("Kostet das Einschalten der Online-Ausweisfunktion etwas?", "de"))
    assert values(chosen) == ["free"]


def test_service_names_across_titles_and_languages():
    assert same_service(service_of("Gebühren Personalausweis (Stand 2021)"), service_of("Personalausweis beantragen"))
    assert same_service(
        service_of("Satzung über die Erhebung der Hundesteuer (Hundesteuersatzung)"), service_of("Dog tax")
    )
    assert not same_service(service_of("Reisepass"), service_of("Personalausweis"))
    assert not same_service(service_of("Vorläufiger Personalausweis"), service_of("Personalausweis"))


def test_rows_of_another_service_or_another_qualifier_are_not_the_same_slot():
    passport = fee_facts_of_text("- über 24 Jahren: 70 Euro", "Reisepass")[0]
    id_card = fee_facts_of_text("- über 24 Jahren: 46 Euro", "Personalausweis")[0]
    older_id_card = fee_facts_of_text("- ab 24 Jahren: 37,00 Euro", "Personalausweis (Stand 2019)")[0]
    young = fee_facts_of_text("- unter 24 Jahren: 22,80 Euro", "Personalausweis")[0]
    assert not compatible(passport, id_card)
    assert compatible(older_id_card, id_card)
    assert not compatible(young, id_card)


def test_a_german_fee_row_reads_in_english_with_every_number_kept():
    rows = {r.label: english_row(r) for r in fee_facts_of_text(ID_CARD + DOG_TAX, "Personalausweis")}
    assert rows["unter 24 Jahren"] == "Personalausweis – under 24: EUR 27.60"
    assert rows["über 24 Jahren"] == "Personalausweis – aged 24 and over: EUR 46"
    assert rows["Gebühr für Passfoto am Foto-Terminal"].endswith("Foto-Terminal”: EUR 6")  # German words quoted
    dog = {r.label: english_row(r) for r in fee_facts_of_text(DOG_TAX, "Hundesteuer")}
    assert dog["erster Hund"] == "Hundesteuer – first dog: EUR 120.00 per year"


def test_a_row_that_says_more_than_its_parts_is_not_reworded():
    text = (
        "# Kennzeichen\n\n## Gebühren\n\nab 13,10 Euro zuzüglich Kennzeichenschilder\n\n"
        "- Ab dem 1. Januar 2026: 25,00 Euro\n"
    )
    first, dated = fee_facts_of_text(text, "Kennzeichen")
    assert english_row(first) == ""  # "from ... plus the plates": left in the page's words
    assert "“Ab dem 1. Januar 2026”" in english_row(dated)  # a date in the label is never dropped
