"""The row of a fee table that fits a question."""

from assistant.answering.facts.questions import choose_rows, question_ask
from assistant.answering.facts.rows import fee_facts_of_text
from tests.answering.facts.pages import DOG_TAX, ID_CARD


def values(rows):
    return [r.value for r in rows]


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
