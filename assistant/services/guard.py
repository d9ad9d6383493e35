"""The guard in front of retrieval: requests a city must not answer.

Political neutrality: asking whom to vote for, which party or candidate is
better, or for an opinion on a politician gets a neutral refusal pointing to
factual election information. Factual election questions (dates, polling
stations, postal voting) pass. Clearly out-of-remit requests (medical or
legal advice in a private matter, homework, poems) are refused kindly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

POLITICAL = re.compile(
    r"wen\s+(soll|sollte|kann|würden\s+sie|würdest\s+du)\s+(ich\s+)?\b.{0,40}\bwählen|wen\s+wählen|"
    r"was\s+soll\s+ich\b.{0,40}\bwählen|"
    r"welche[rns]?\s+(partei|kandidat\w*|bürgermeister\w*)\s+(ist|sind|wäre)?\s*(die\s+|der\s+)?"
    r"(beste|besser|empfehl\w*|wählbar|gut)|"
    r"(beste|bessere)\s+(partei|kandidat\w*)|(partei|kandidat\w*)\s+(empfehlen|wählen\s+sollte)|"
    r"(meinung|halten\s+sie|findest\s+du|finden\s+sie)\b.{0,40}\b(bürgermeister\w*|oberbürgermeister\w*|"
    r"partei\w*|kandidat\w*|stadtrat|politiker\w*|afd|cdu|csu|spd|grüne\w*|fdp|linke\w*|bsw)|"
    r"welche[rns]?\s+(partei|kandidat\w*|liste|wählergruppe)\b.{0,50}\b(wählen|wähle|stimme|ankreuzen)|"
    r"which\s+(party|candidate)\b.{0,50}\bvote|"
    r"who\s+should\s+i\s+vote|whom\s+should\s+i\s+vote|which\s+(party|candidate)\s+(is|should|would)|"
    r"best\s+(party|candidate)|recommend\s+a\s+(party|candidate)|"
    r"(opinion|think)\b.{0,40}\b(mayor|party|candidate|politician)",
    re.IGNORECASE,
)
OUT_OF_REMIT = re.compile(
    r"\b(gedicht|poem|hausaufgabe\w*|homework|witz|joke|rezept|recipe|"
    r"diagnose|symptom\w*|medikament\w*|medication|dosage|dosierung|"
    r"verklagen|sue\s+my|anwalt\s+empfehlen|rechtsberatung|legal\s+advice)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Refusal:
    reason: str  # "political" or "out_of_remit"


def check(question: str) -> Refusal | None:
    """A Refusal for requests the city must not answer, else None.

    >>> check("Wen soll ich bei der Kommunalwahl wählen?").reason
    'political'
    >>> check("Wann ist die nächste Kommunalwahl?") is None
    True
    """
    if POLITICAL.search(question):
        return Refusal("political")
    if OUT_OF_REMIT.search(question):
        return Refusal("out_of_remit")
    return None
