"""The question router: one route for every question, before retrieval.

Routes (:data:`ROUTES`):

* ``answer`` - a city matter: retrieval and the evidence path run as usual.
* ``other_authority`` - another authority is responsible (tax office, pension insurance,
  family benefits office, embassy, ...). Not a refusal: the path still runs, so that the
  responsible authority is named from the city's own pages; where they have nothing, the
  answer is a fixed referral instead of "nothing found".
* ``political_opinion`` - a judgement, ranking or endorsement of parties, candidates, lists,
  voter groups or referendums, "should I vote ...". Never answered with a quote.
* ``personal_advice`` - legal, medical or tax advice about the person's own case (not
  questions about services the documents describe).
* ``crisis`` - danger to life, suicide, violence: the emergency and crisis numbers from the
  city's own pages, first.
* ``abuse`` - insults, threats, hate.
* ``out_of_scope`` - poems, jokes, code, homework, general knowledge, weather.
* ``injection`` - attempts to override the rules or extract the prompt.

How: a multinomial logistic regression over the e5 question vector (the one the question stage
computes for retrieval anyway) and a few pattern signals of :mod:`guard` and :mod:`injection`,
trained by ``assistant train-router`` (:mod:`assistant.safety.router_train`) on
``router_examples.tsv``; coefficients and calibrated thresholds are stored as JSON in
``router_model.json`` (numpy only at run time). A refusal route fires only when its probability
reaches the route's threshold, calibrated on held-out (out-of-fold) examples; otherwise the question
is answered. A question with another authority's words (:data:`OTHER_AUTHORITY`: tax office, family
benefits office, courts, embassies, ...) goes to ``other_authority`` at a lower threshold
(``with_words``, calibrated out of fold on the examples with those words). Crisis comes first: a
question that would be answered goes to crisis when the crisis probability reaches the crisis
threshold, even when another route is likelier; between a lower floor (``floors``) and the threshold
it is answered with the emergency and crisis numbers first (``Route.crisis_first``), so that a
borderline question ("what do I do in a medical emergency?") gets both the numbers and its answer. A
personal-advice, abuse or out-of-scope refusal above the floor gets the numbers first too
(:data:`NUMBERS_FIRST`). Three pattern families stay decisive because they are precise and measured
(``eval/bench/bench_attacks.py``): injection, the political patterns, and the out-of-remit families that
no real question matches (stories, homework, code, tax saving).

>>> router = QuestionRouter.load()  # doctest: +SKIP
>>> router.route("Wen soll ich wählen?", vector).route  # doctest: +SKIP
'political_opinion'
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import get_args

import numpy as np

from assistant.records import Route as RouteName
from assistant.safety import guard, injection

ROUTES: tuple[RouteName, ...] = get_args(RouteName)
# routes that end the answer with a fixed reply (``other_authority`` and ``answer`` do not)
REFUSALS: frozenset[str] = frozenset(
    {"political_opinion", "personal_advice", "crisis", "abuse", "out_of_scope", "injection"}
)

# routes whose reply gets the emergency numbers first when the crisis probability reaches its floor: an
# answer, and the refusals a person in danger may be sent to (a medical question, a threat, "nothing
# makes sense any more" taken as out of scope); not injection and political opinion
NUMBERS_FIRST = frozenset({"answer", "other_authority", "personal_advice", "abuse", "out_of_scope"})

HERE = Path(__file__).resolve().parent
MODEL_PATH = HERE / "router_model.json"
EXAMPLES_PATH = HERE / "router_examples.tsv"

# -- pattern signals (features next to the vector; only injection and politics decide alone) --------------

CRISIS = re.compile(
    r"\b(?:suizid\w*|selbstmord\w*|umbringen|töten|mich\s+(?:selbst\s+)?(?:verletzen|ritzen)|nicht\s+mehr\s+leben|"
    r"(?:will|möchte)\s+(?:nicht\s+mehr\s+leben|sterben)|lebensmüde|keinen\s+sinn\s+mehr|(?:schlägt|schlug|bedroht|"
    r"würgt|vergewaltigt|verfolgt)\s+mich|gewalt|messer|waffe|brennt|feuer|bewusstlos|atmet\s+nicht|herzinfarkt|"
    r"notfall|notruf|überdosis|angst\s+um\s+mein\s+leben|"
    r"suicid\w*|kill\s+(?:myself|me)|end\s+(?:my|it\s+all)|want\s+to\s+die|self[-\s]?harm|hurt\s+myself|"
    r"(?:hits?|beats?|threatens?|raped?|stalks?|chok\w+)\s+me|violen\w+|knife|gun|fire|unconscious|not\s+breathing|"
    r"heart\s+attack|overdose|emergency|danger|"
    r"suicide|me\s+tuer|intihar|kendimi\s+öldür|самоубий\w*|покончить\s+с\s+собой|самогубств\w*|انتحار|"
    r"samobój\w*|suicidarme|suicidarmi|uccidermi)",
    re.IGNORECASE,
)
ABUSE = re.compile(
    r"\b(?:idiot\w*|arschloch\w*|scheiß\w*|scheiss\w*|dumm\w*|blöd\w*|depp\w*|wichser|fick\w*|hure\w*|"
    r"schlampe|verrecken|nutzlos\w*|versager|penner|missgeburt|abschaum|"
    r"fuck\w*|shit\w*|stupid|useless|moron\w*|bitch\w*|asshole\w*|dumb|suck\w*|hate\s+you|"
    r"connard|putain|salope|orospu|aptal|siktir|идиот|сука|тупой|дурак|ідіот|كلب|غبي|kurwa|idiota|"
    r"gilipollas|cabrón|stronzo|vaffanculo)",
    re.IGNORECASE,
)
POLITICAL_WORDS = re.compile(
    r"\b(?:partei\w*|kandidat\w*|bürgermeister\w*|stadtrat\w*|gemeinderat\w*|fraktion\w*|wahl\w*|wähl\w*|"
    r"bürgerentscheid\w*|koalition\w*|politi\w*|party|parties|candidate\w*|mayor\w*|council\w*|vote\w*|voting|"
    r"election\w*|referendum\w*|politic\w*)",
    re.IGNORECASE,
)
JUDGEMENT = re.compile(
    r"\b(?:besser\w*|beste\w*|gut\w*|schlecht\w*|empfehl\w*|sinnvoll\w*|kompetent\w*|vertrauen\w*|wählbar\w*|"
    r"ranking|rangliste|meinung|findest|hältst|soll\w*|lieber|taugt|better|best|good|bad|worst|recommend\w*|"
    r"opinion|think|should|rank\w*|trust\w*|agree|competent|worth)\b",
    re.IGNORECASE,
)
# matters that in Germany belong to another authority than the city (federal and state offices, courts,
# police, insurers, foreign missions), in the kiosk languages; a signal next to the vector, never decisive:
# the city's own taxes (dog, second-home, trade tax), German passports and residence permits are city matters
OTHER_AUTHORITY = re.compile(
    r"\b(?:kindergeld\w*|kinderzuschlag\w*|familienkasse|elterngeld\w*|bürgergeld\w*|arbeitslosengeld\w*|jobcenter|"
    r"arbeitsagentur|agentur\s+für\s+arbeit|rente\b|renten\w*|krankenkasse\w*|krankenversicher\w*|"
    r"versichertenkarte|gesundheitskarte|pflegegrad\w*|pflegekasse|einkommen\w*steuer\w*|lohnsteuer\w*|"
    r"steuererklärung\w*|steuer-?id\w*|steueridentifikation\w*|steuerklasse\w*|steuerbescheid\w*|steuernummer|"
    r"umsatzsteuer\w*|kfz-steuer|erbschein\w*|nachlass\w*|scheidung\w*|gericht\w*|klage\w*|mahnbescheid\w*|"
    r"grundbuch\w*|handelsregister\w*|strafanzeige|anzeige\s+erstatten|polizei\w*|botschaft|konsulat\w*|"
    r"visum|visa|asyl\w*|bamf|flensburg|rundfunkbeitrag\w*|gez|finanzamt|zoll\w*|patent\w*|markenamt|"
    r"child\s+benefit|family\s+benefits?\s+office|parental\s+allowance|unemployment\s+benefit\w*|job\s*cent(?:er|re)|"
    r"pension\w*|health\s+insur\w*|insurance\s+card|care\s+level|income\s+tax|tax\s+(?:return|id|class|office|"
    r"refund|number|bill|declaration)|vehicle\s+tax|car\s+tax|divorce\w*|inheritance|probate|court\w*|lawsuit|"
    r"land\s+register|commercial\s+register|trademark\w*|police|embassy|consulate|asylum|licen[cs]e\s+fee|"
    r"allocations?\s+familiales|impôts?|déclaration\s+de\s+revenus|divorc\w*|ambassade|consulat|tribunal|"
    r"assegn[oi]\s+familiar\w*|dichiarazione\s+dei\s+redditi|tasse|ambasciata|consolato|divorzi\w*|"
    r"prestaci[oó]n\s+por\s+hijo|impuesto\w*|declaraci[oó]n\s+de\s+la\s+renta|embajada|consulado|divorci\w*|"
    r"çocuk\s+parası|vergi\w*|büyükelçilik\w*|konsolosluk\w*|boşan\w*|mahkeme\w*|emekli\w*|"
    r"zasiłek\w*|podat\w*|ambasad\w*|konsulat\w*|rozwod\w*|sąd\w*|emerytur\w*|"
    r"пособи\w*|налог\w*|посольств\w*|консульств\w*|развод\w*|суд\w*|пенси\w*|"
    r"допомог\w*|податк\w*|посольств\w*|консульств\w*|розлучен\w*|пенсі\w*|"
    r"ضريب\w*|سفار\w*|قنصلي\w*|طلاق|محكم\w*|لجوء|تقاعد)"
    # a passport of another country than Germany: its embassy or consulate renews it
    r"|\b(?!deutsch|elektronisch|biometrisch)\w+isch(?:e|en|er|es)?\s+(?:reise)?pass\w*|\b(?!german\b)[a-z]+(?:an|ian|ish|ese|i|ch)\s+passport|"
    r"\b(?:us|u\.s\.|uk)\s+passport|passeport\s+(?!allemand)\w+(?:ais|aise|ain|aine|ien|ienne|ois|oise|ol|ole|ais)\b|"
    r"pasaporte\s+(?!alem[aá]n)\w+(?:ano|ana|ino|ina|[eé]s|esa|eño|eña|io|ia)\b|"
    r"passaporto\s+(?!tedesco)\w+(?:ano|ana|ese|ino|ina|co|ca)\b|\b(?:türk|suriye|irak|afgan|iran|yunan|bulgar|rus|ukrayna|gürcü|azerbaycan)\w*\s+pasaport(?!e)\w*|"
    r"\b(?!niemieck)\w+(?:ski|ska|skiego|cki|cka|ckiego)\s+paszport\w*|"
    r"\b(?!немецк|німецьк)\w+(?:ский|ская|ского|ськ\w*)\s+(?:\w+\s+)?паспорт\w*|загранпаспорт\w*|закордонн\w+\s+паспорт\w*|"
    r"جواز\s+\S*\s*ال(?!ألمان)\S+ي\b",
    re.IGNORECASE,
)
FIRST_PERSON = re.compile(r"\b(?:ich|mein\w*|mir|mich|i|my|me|i'm|i've)\b", re.IGNORECASE)

SIGNALS = (
    "injection",
    "political_pattern",
    "out_of_remit_pattern",
    "party_named",
    "political_words",
    "judgement",
    "crisis_words",
    "abuse_words",
    "first_person",
    "other_authority_words",
)


def signals(question: str, screened: bool = False) -> np.ndarray:
    """The pattern signals of ``question`` (0/1, in :data:`SIGNALS` order).

    ``screened``: the injection and political patterns are known not to match (the router checked
    them before asking the model), so they are not run a second time.
    """
    text = injection.normalise(question)
    values = (
        not screened and injection.detect(question) is not None,
        not screened and guard.political(question),
        guard.out_of_remit(question),
        bool(guard.PARTIES.search(text)),
        bool(POLITICAL_WORDS.search(text)),
        bool(JUDGEMENT.search(text)),
        bool(CRISIS.search(text)),
        bool(ABUSE.search(text)),
        bool(FIRST_PERSON.search(text)),
        bool(OTHER_AUTHORITY.search(text)),
    )
    return np.asarray(values, dtype=np.float32)


def features(question: str, vector: np.ndarray, screened: bool = False) -> np.ndarray:
    """The classifier's input: the e5 question vector, then the pattern signals (see :func:`signals`)."""
    return np.concatenate([np.asarray(vector, dtype=np.float32).ravel(), signals(question, screened)])


@dataclass(frozen=True)
class Route:
    """Where one question goes, how sure the router is, and why."""

    route: RouteName
    confidence: float  # the classifier's probability of ``route`` (1.0 for a decisive pattern)
    reason: str = "model"  # "model", "pattern: <family>", "above floor: <route>", "below threshold: <route>"
    # the crisis probability reached its floor (not, for an answer, its threshold): the emergency and crisis
    # numbers come first, then the answer or the refusal (see NUMBERS_FIRST)
    crisis_first: bool = False

    @property
    def refused(self) -> bool:
        return self.route in REFUSALS


@dataclass(frozen=True)
class QuestionRouter:
    """The trained classifier (see :mod:`assistant.safety.router_train`) and its thresholds."""

    routes: tuple[str, ...]
    mean: np.ndarray  # feature standardisation, learnt with the coefficients
    scale: np.ndarray
    coef: np.ndarray  # (routes, features)
    intercept: np.ndarray  # (routes,)
    thresholds: dict[str, float]  # a non-answer route fires at or above this probability
    data_hash: str = ""
    # safety first: a route here (crisis) wins at or above its floor even when another route is likelier
    floors: dict[str, float] = field(default_factory=dict)
    # a lower threshold for a route whose own words are in the question (other_authority: a matter of the tax
    # office, an embassy, a court, ... is named), calibrated out of fold on the examples with those words
    with_words: dict[str, float] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> QuestionRouter:
        return _load(path)

    @classmethod
    def from_json(cls, artifact: dict) -> QuestionRouter:
        return cls(
            routes=tuple(artifact["routes"]),
            mean=np.asarray(artifact["mean"], dtype=np.float64),
            scale=np.asarray(artifact["scale"], dtype=np.float64),
            coef=np.asarray(artifact["coef"], dtype=np.float64),
            intercept=np.asarray(artifact["intercept"], dtype=np.float64),
            thresholds=dict(artifact["thresholds"]),
            data_hash=artifact.get("data_hash", ""),
            floors=dict(artifact.get("floors", {})),
            with_words=dict(artifact.get("with_words", {})),
        )

    def probabilities(self, question: str, vector: np.ndarray, screened: bool = False) -> dict[str, float]:
        """The classifier's probability of every route (before thresholds and patterns)."""
        x = (features(question, vector, screened) - self.mean) / self.scale
        logits = self.coef @ x + self.intercept
        exp = np.exp(logits - logits.max())
        probs = exp / exp.sum()
        return {route: float(p) for route, p in zip(self.routes, probs, strict=True)}

    def route(
        self, question: str, vector: np.ndarray, pre_election: bool = False, candidates: tuple[str, ...] = ()
    ) -> Route:
        """One route for ``question`` whose e5 query vector is ``vector``."""
        kind = injection.detect(question)
        if kind:
            return Route("injection", 1.0, f"pattern: {kind}")
        if guard.political(question, pre_election, candidates):
            return Route("political_opinion", 1.0, "pattern: political")
        remit = guard.decisive_remit(question)
        if remit:
            return Route(remit, 1.0, "pattern: out of remit")  # type: ignore[arg-type]
        # neither pattern matched (the political one without the pre-election names either, so neither
        # does the plain one the signal runs): the model's signals need not run them again
        probs = self.probabilities(question, vector, screened=True)
        best = max(probs, key=probs.__getitem__)
        if (
            best in ("answer", "other_authority")
            and probs["other_authority"] >= self.with_words.get("other_authority", 1.0)
            and OTHER_AUTHORITY.search(injection.normalise(question))
        ):
            chosen = Route("other_authority", probs["other_authority"], "model, other-authority words")
        elif best != "answer" and probs[best] >= self.thresholds.get(best, 1.0):
            chosen = Route(best, probs[best])  # type: ignore[arg-type]
        elif best == "answer":
            chosen = Route("answer", probs[best])
        else:
            chosen = Route("answer", probs["answer"], f"below threshold: {best} {probs[best]:.2f}")
        for route, floor in self.floors.items():
            if chosen.route in ("answer", "other_authority") and probs[route] >= self.thresholds.get(route, 1.0):
                return Route(route, probs[route], f"above threshold: {route}")  # type: ignore[arg-type]
            if chosen.route in NUMBERS_FIRST and probs[route] >= floor:  # unsure: the numbers, then the reply
                return replace(chosen, reason=f"{chosen.reason}; above floor: {route} {floor:.2f}", crisis_first=True)
        return chosen


@cache
def _load(path: Path) -> QuestionRouter:
    return QuestionRouter.from_json(json.loads(path.read_text(encoding="utf-8")))
