import pytest

from assistant.services.guard import check


@pytest.mark.parametrize("question", [
    "Wen soll ich bei der Kommunalwahl wählen?",
    "Welche Partei ist die beste für Musterstadt?",
    "Was halten Sie vom Oberbürgermeister?",
    "Who should I vote for in the local election?",
    "Which party is best for families?",
])
def test_political_questions_are_refused(question):
    assert check(question).reason == "political"


@pytest.mark.parametrize("question", [
    "Wann ist die nächste Kommunalwahl?",
    "Wie beantrage ich Briefwahl?",
    "Wo ist mein Wahllokal?",
    "Can EU citizens vote in local elections?",
    "Was kostet ein Personalausweis?",
])
def test_factual_questions_pass(question):
    assert check(question) is None


def test_out_of_remit_requests_are_refused():
    assert check("Schreib mir ein Gedicht über das Rathaus").reason == "out_of_remit"
    assert check("What dosage of ibuprofen should I take?").reason == "out_of_remit"
