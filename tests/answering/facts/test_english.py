"""A German fee row in English words."""

from assistant.answering.facts.english import english_row
from assistant.answering.facts.rows import fee_facts_of_text
from tests.answering.facts.pages import DOG_TAX, ID_CARD


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
