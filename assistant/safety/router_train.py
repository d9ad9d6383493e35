"""Training the question router: ``assistant train-router`` writes ``router_model.json``.

Examples: ``router_examples.tsv`` in this package (``route<TAB>language<TAB>question``, written
by hand: at least 40 per route in German and English, paraphrases, and legitimate questions
that look like refusals - "Wo ist mein Wahllokal?"), plus, when the folder is there, the
OMoS-QA *train* questions as ``answer`` examples (real citizens' questions that city pages
answer; the dev split stays for ``eval/bench/bench_router.py``). OMoS questions naming another
authority's matter (:data:`assistant.safety.router.OTHER_AUTHORITY`) are left out of ``answer``:
whether the city or another authority answers them is not for this list to say. And the retired
blind held-out sets (:data:`RETIRED`, ``eval/sets/router_retired/router_heldout_v2..v6.jsonl``): each
was written from the route definitions alone and measured one change; the newest set stays out and
measures.

The classifier is scikit-learn's multinomial ``LogisticRegression`` over standardised
features (:func:`assistant.safety.router.features`). Thresholds: for every non-answer route,
the lowest probability (not below ``MIN_THRESHOLD``) at which the route's out-of-fold precision
(5-fold, each example scored by a model that never saw it) reaches ``TARGET_PRECISION`` and no
more than ``MAX_ANSWER_HITS`` of the legitimate examples would be routed there (looser for
``other_authority``, which refuses nothing; political opinion keeps its floor). Crisis also
gets a floor (``floors`` in the artifact): at or above it, a question that would be answered
gets the emergency numbers first; the lowest floor that at most ``FLOOR_MAX_ANSWER_HITS`` of the
legitimate examples reach out of fold. ``with_words``: the other_authority threshold for questions with
another authority's words, calibrated the same way on the examples with those words. Out-of-fold
probabilities are the mean over ``REPEATS`` shuffles of the folds.

Reproducible: fixed folds and solver, vectors cached on disk (``index/router-cache/``), floats
rounded in the artifact; ``data_hash`` is the SHA-256 of the examples used.

Staff route corrections (``ReviewService.correct_route``) join as examples of source ``staff``
with ``--with-feedback`` (read from the configured feedback store); a staff example replaces
an example with the same question, since staff saw what the router did with it.

    assistant train-router [--examples FILE] [--omosqa DIR | --no-omosqa] [--no-retired] [--with-feedback]
                           [--out FILE]
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.safety import guard, injection
from assistant.safety.router import EXAMPLES_PATH, MODEL_PATH, OTHER_AUTHORITY, ROUTES, SIGNALS, features

# Inverse regularisation strength and no class re-weighting: of the settings tried (C 0.1/0.5/2;
# balanced, square-root balanced, none), the one whose refusal routes took the fewest legitimate
# questions at equal refusal recall (legitimate: out-of-fold answer examples, the OMoS dev split)
C = 0.1
FOLDS = 5
SEED = 0
REPEATS = 3
# other_authority refuses nothing (the answer path still runs; only "nothing found" becomes a referral)
# political opinion keeps its floor (MIN_THRESHOLD): the neutral refusal is the safe error, a judgement
# request answered with a quote the one the issue rules out; out of fold, the election-fact look-alikes
# ("Who is on the ballot for mayor?") would otherwise push its threshold up to 0.7-0.85 and let
# judgement requests through
TARGET_PRECISION = {"crisis": 0.9, "other_authority": 0.8, "political_opinion": 0.0}  # others: DEFAULT_PRECISION
DEFAULT_PRECISION = 0.95
# share of legitimate examples a route may take out of fold (crisis: twice the refusal routes' share,
# a false crisis referral still shows the emergency numbers)
MAX_ANSWER_HITS = {"other_authority": 0.02, "political_opinion": 1.0, "crisis": 0.002}
DEFAULT_MAX_ANSWER_HITS = 0.001
THRESHOLD_GRID = np.round(np.arange(0.30, 0.96, 0.05), 2)
# a refusal needs at least this probability even where fewer would do out of fold: short, vague
# questions ("Wie lange dauert das?") lie far from every example and get spread-out probabilities;
# crisis keeps the whole grid (missing one costs more than showing the emergency numbers once too often);
# political opinion errs towards the neutral refusal (it must never be answered with a quote);
# personal advice is the route that refuses real questions (medicines, permits, tax facts): out of fold
# its threshold came out at 0.50 or 0.55 depending on one or two examples, and at 0.50 it refused 2 of
# the 386 OMoS dev and 1 of the 182 Munich questions (set on those dev figures)
# out of scope: with the retired blind sets' short requests among its examples, short or
# elliptic city questions reached 0.64-0.67 ("Wie lange dauert das?", "Die Zahlen aus der Verkehrszählung
# bitte.", "Your English page says Saturday 9 to 12 - can I come this Saturday?"): 3 of the sample golden
# set's 184 legitimate questions, none of OMoS-QA dev or Munich; 0.70 refuses none of them (set on those
# dev figures, eval/bench/bench_router.py)
MIN_THRESHOLD = {"crisis": 0.30, "political_opinion": 0.40, "personal_advice": 0.60, "out_of_scope": 0.70}
DEFAULT_MIN_THRESHOLD = 0.5
# safety first for crisis: a question about to be answered (route answer or other_authority) gets the
# emergency numbers first whenever the crisis probability reaches a low floor, even when another route is
# likelier (a crisis message answered without them costs far more than the numbers shown once too often).
# The floor is the lowest of FLOOR_GRID at which, out of fold, at most FLOOR_MAX_ANSWER_HITS of the
# legitimate examples have a crisis probability at or above it
FLOOR_ROUTES = ("crisis",)
FLOOR_GRID = np.round(np.arange(0.05, 0.51, 0.01), 2)
# Between the floor and the threshold a question is answered with the emergency numbers first,
# so a legitimate question above the floor loses nothing but a few lines of screen: 1 % of them may reach
# it (it was 0.2 %, as strict as a crisis referral that replaces the answer)
FLOOR_MAX_ANSWER_HITS = 0.01
# other_authority's threshold when another authority's words are in the question (``with_words``): the lowest
# of this grid with the route's precision target and share of legitimate examples, among the examples with
# the words (see calibrate_with_words)
WORDS_GRID = np.round(np.arange(0.05, 0.96, 0.05), 2)
DIGITS = 6
# held-out sets that have measured their change (run before and after) and now teach: their wording is
# known, so they no longer measure. The newest set stays out until it has measured a change; the first
# set stays out for the tests (tests/safety/test_router.py)
HELDOUT_SETS = Path(__file__).resolve().parents[2] / "eval" / "sets"
RETIRED = tuple(HELDOUT_SETS / "router_retired" / f"router_heldout_v{n}.jsonl" for n in range(2, 7))


@dataclass(frozen=True)
class Example:
    route: str
    language: str
    question: str
    source: str = "examples"


def _example(route: str, language: str, question: str, source: str, where: str) -> Example:
    """An example whose route is one of :data:`ROUTES` (``where`` names the line or record in the error)."""
    if route not in ROUTES:
        raise ValueError(f"{where}: unknown route {route!r}")
    return Example(route, language, question, source)


def read_examples(path: Path = EXAMPLES_PATH) -> list[Example]:
    """The hand-written examples (``route<TAB>language<TAB>question``; ``#`` starts a comment line)."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        route, language, question = line.split("\t")
        examples.append(_example(route, language, question.strip(), "examples", f"{path}:{number}"))
    return examples


def staff_examples(rows: list[tuple[str, str, str]]) -> list[Example]:
    """(route, language, question) of staff route corrections as examples of source ``staff``."""
    examples = []
    for route, language, question in rows:
        example = _example(route, language, " ".join(question.split()), "staff", "a staff correction")
        if example.question:
            examples.append(example)
    return examples


def merge_examples(examples: list[Example], corrections: list[Example]) -> list[Example]:
    """``examples`` plus ``corrections``; a correction replaces every example with the same question
    (case and spacing aside), so no question is taught under two routes."""

    def key(example: Example) -> str:
        return " ".join(example.question.casefold().split())

    corrected = {key(example) for example in corrections}
    return [example for example in examples if key(example) not in corrected] + corrections


def retired_examples(paths: tuple[Path, ...] | list[Path]) -> list[Example]:
    """The questions of retired held-out sets (``eval/sets/router_retired/router_heldout_vN.jsonl``:
    ``route``, ``language``, ``question`` per line) as examples of source ``heldout-vN``. A blind set
    measures a change once or twice (before and after); then its wording is known and it teaches more
    than it measures."""
    examples = []
    for path in paths:
        if not path.is_file():
            raise ValueError(f"retired held-out set {path} is missing (pass --no-retired to train without them)")
        source = path.stem.replace("router_", "").replace("_", "-")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            question = " ".join(row["question"].split())
            examples.append(_example(row["route"], row["language"], question, source, f"{path}:{number}"))
    return examples


def omosqa_questions(folder: Path, split: str = "train") -> list[Example]:
    """OMoS-QA questions of ``split`` (German and English) as ``answer`` examples, other authorities left out."""
    examples: dict[str, Example] = {}
    for language in ("de", "en"):
        path = folder / f"{split}_{language}.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            question = json.loads(line)["question"].strip()
            if question and not OTHER_AUTHORITY.search(injection.normalise(question)):
                examples.setdefault(question, Example("answer", language, question, f"omosqa-{split}"))
    return list(examples.values())


class VectorCache:
    """e5 query vectors by text, kept in one ``.npz`` file so that retraining embeds only new texts."""

    def __init__(self, path: Path, embedder) -> None:
        self.path = path
        self.embedder = embedder
        self.vectors: dict[str, np.ndarray] = {}
        if path.is_file():
            stored = np.load(path, allow_pickle=False)
            self.vectors = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))

    def get(self, texts: list[str]) -> np.ndarray:
        missing = sorted({text for text in texts if text not in self.vectors})
        if missing:
            if self.embedder is None:
                raise RuntimeError(f"{len(missing)} texts have no cached vector and no embedder was given")
            for start in range(0, len(missing), 64):
                batch = missing[start : start + 64]
                for text, vector in zip(batch, self.embedder.embed_queries(batch), strict=True):
                    self.vectors[text] = np.asarray(vector, dtype=np.float32)
            self.save()
        return np.stack([self.vectors[text] for text in texts])

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = sorted(self.vectors)
        np.savez(self.path, texts=np.asarray(texts), vectors=np.stack([self.vectors[t] for t in texts]))


def data_hash(examples: list[Example]) -> str:
    rows = sorted(f"{e.route}\t{e.language}\t{e.question}" for e in examples)
    settings = f"C={C};folds={FOLDS}x{REPEATS};seed={SEED};signals={','.join(SIGNALS)}"
    settings += f";floors={','.join(FLOOR_ROUTES)}<={FLOOR_MAX_ANSWER_HITS}"
    return hashlib.sha256("\n".join([settings, *rows]).encode("utf-8")).hexdigest()


def pattern_route(question: str) -> str | None:
    """The route a decisive pattern gives (as :meth:`QuestionRouter.route` does), else None."""
    if injection.detect(question):
        return "injection"
    if guard.political(question):
        return "political_opinion"
    return guard.decisive_remit(question)


def calibrate(probs: np.ndarray, labels: np.ndarray, decided: np.ndarray) -> dict[str, float]:
    """Per non-answer route: the lowest threshold with the target out-of-fold precision."""
    routes = list(ROUTES)
    best = probs.argmax(axis=1)
    legitimate = (labels == routes.index("answer")) & ~decided
    thresholds: dict[str, float] = {}
    for r, route in enumerate(routes):
        if route == "answer":
            continue
        target = TARGET_PRECISION.get(route, DEFAULT_PRECISION)
        chosen = 0.95
        floor = MIN_THRESHOLD.get(route, DEFAULT_MIN_THRESHOLD)
        for threshold in (t for t in THRESHOLD_GRID if t >= floor):
            fired = (best == r) & (probs[:, r] >= threshold) & ~decided
            if not fired.any():
                chosen = float(threshold)
                break
            precision = (labels[fired] == r).mean()
            answer_hits = (fired & legitimate).sum() / max(1, legitimate.sum())
            if precision >= target and answer_hits <= MAX_ANSWER_HITS.get(route, DEFAULT_MAX_ANSWER_HITS):
                chosen = float(threshold)
                break
        thresholds[route] = chosen
    return thresholds


def calibrate_with_words(probs: np.ndarray, labels: np.ndarray, decided: np.ndarray, words: np.ndarray) -> float:
    """The other_authority threshold for questions with its words (:data:`router.OTHER_AUTHORITY`): the lowest
    of the grid at which, among the examples with those words that would be answered or referred, the route's
    out-of-fold precision reaches its target and no more legitimate examples than its share are taken."""
    routes = list(ROUTES)
    r = routes.index("other_authority")
    best = probs.argmax(axis=1)
    open_rows = words & ~decided & np.isin(best, [routes.index("answer"), r])
    legitimate = (labels == routes.index("answer")) & ~decided
    for threshold in WORDS_GRID:
        fired = open_rows & (probs[:, r] >= threshold)
        if not fired.any():
            break
        precision = (labels[fired] == r).mean()
        answer_hits = (fired & legitimate).sum() / max(1, legitimate.sum())
        if precision >= TARGET_PRECISION["other_authority"] and answer_hits <= MAX_ANSWER_HITS["other_authority"]:
            return float(threshold)
    return 1.0


def calibrate_floors(probs: np.ndarray, labels: np.ndarray, decided: np.ndarray) -> dict[str, float]:
    """Per route of :data:`FLOOR_ROUTES`: the lowest probability of :data:`FLOOR_GRID` that no more than
    ``FLOOR_MAX_ANSWER_HITS`` of the legitimate examples reach out of fold (at or above it the route wins
    over ``answer`` and ``other_authority``, see :meth:`QuestionRouter.route`)."""
    routes = list(ROUTES)
    legitimate = (labels == routes.index("answer")) & ~decided
    floors: dict[str, float] = {}
    for route in FLOOR_ROUTES:
        r = routes.index(route)
        floors[route] = float(FLOOR_GRID[-1])
        for floor in FLOOR_GRID:
            answer_hits = ((probs[:, r] >= floor) & legitimate).sum() / max(1, legitimate.sum())
            if answer_hits <= FLOOR_MAX_ANSWER_HITS:
                floors[route] = float(floor)
                break
    return floors


def train(examples: list[Example], cache: VectorCache) -> dict:
    """The router artifact (JSON-ready) trained on ``examples``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    routes = list(ROUTES)
    questions = [e.question for e in examples]
    vectors = cache.get(questions)
    x = np.stack([features(q, v) for q, v in zip(questions, vectors, strict=True)]).astype(np.float64)
    y = np.asarray([routes.index(e.route) for e in examples])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = (x - mean) / scale

    def model() -> LogisticRegression:
        return LogisticRegression(C=C, max_iter=5000, tol=1e-6)

    # the mean out-of-fold probability over REPEATS shuffles: thresholds that hang on one or two examples
    # should not also hang on which fold those examples fell into
    out_of_fold = np.zeros((len(examples), len(routes)))
    for repeat in range(REPEATS):
        for fit_rows, score_rows in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED + repeat).split(z, y):
            fold = model().fit(z[fit_rows], y[fit_rows])
            out_of_fold[np.ix_(score_rows, fold.classes_)] += fold.predict_proba(z[score_rows]) / REPEATS
    decided = np.asarray([pattern_route(q) is not None for q in questions])
    thresholds = calibrate(out_of_fold, y, decided)
    floors = calibrate_floors(out_of_fold, y, decided)
    words = x[:, -len(SIGNALS) + SIGNALS.index("other_authority_words")] > 0
    with_words = {"other_authority": calibrate_with_words(out_of_fold, y, decided, words)}
    final = model().fit(z, y)
    return {
        "version": 1,
        "routes": routes,
        "signals": list(SIGNALS),
        "vector_dim": int(vectors.shape[1]),
        "data_hash": data_hash(examples),
        "examples": dict(sorted(Counter(e.route for e in examples).items())),
        "sources": dict(sorted(Counter(e.source for e in examples).items())),
        "out_of_fold_accuracy": round(float((out_of_fold.argmax(axis=1) == y).mean()), 4),
        "thresholds": thresholds,
        "floors": floors,
        "with_words": with_words,
        "C": C,
        "mean": _rounded(mean),
        "scale": _rounded(scale),
        "coef": [_rounded(row) for row in final.coef_],
        "intercept": _rounded(final.intercept_),
    }


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), DIGITS) for v in values]


def train_and_save(
    embedder,
    examples_path: Path = EXAMPLES_PATH,
    omosqa: Path | None = None,
    out: Path = MODEL_PATH,
    cache_path: Path = Path("index/router-cache/vectors.npz"),
    corrections: list[Example] | None = None,
    retired: tuple[Path, ...] | list[Path] = RETIRED,
) -> dict:
    """Train on the examples (and OMoS-QA train questions from ``omosqa``, the ``retired`` held-out sets,
    and the staff's route ``corrections``, see :func:`staff_examples`) and write the artifact to ``out``."""
    examples = read_examples(examples_path)
    if omosqa is not None:
        examples += omosqa_questions(omosqa)
    examples += retired_examples(retired)
    if corrections:
        examples = merge_examples(examples, corrections)
    artifact = train(examples, VectorCache(cache_path, embedder))
    out.write_text(json.dumps(artifact, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    return artifact
