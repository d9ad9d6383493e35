"""Fee and opening-hour rows as typed facts; which rows are the same slot."""

from assistant.answering.facts.rows import compatible, fee_facts_of_text, same_service, service_of
from tests.answering.facts.pages import ID_CARD


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
