"""``assistant train-reader``: fit the evidence reader on OMoS-QA train, calibrate it on dev.

1. **Gather.** For every question of the training sets (``TRAIN_SETS``: OMoS-QA train; optionally
   golden sets such as the sample set, whose expected quotes are its gold lines) the
   real answer path's first steps run on the set's index (language detection, question
   vector, hybrid retrieval with the configured settings); every sentence of the candidate
   pages gets its :func:`assistant.answering.reader.features` row and a label (it covers a
   gold line of the gold page, or matches an expected quote). The rows are cached under
   ``index/reader-work/`` per index version and feature version, so a second run only fits.
2. **Fit.** A logistic regression and gradient-boosted trees (scikit-learn, fixed seed) on
   the train rows only.
3. **Calibrate.** On the dev sets (``DEV_SETS``) the line-choice parameters
   (:class:`~assistant.answering.reader.Selection`) are searched on a small grid with the
   figures of ``assistant eval`` (line-level evidence F1, no-answer F1; an answer about a cost
   or a time that quotes no amount or time counts as refused, as the answer path's
   answerable gate refuses it): the best evidence
   F1, then within 0.01 of it the best no-answer F1. The model kind with the better dev
   figures is written as the artifact.

The artifact is plain JSON (numbers, no pickle), with the feature version, the training
data's hash, the seed and the dev figures; the same data and seed give the same file.
Training needs scikit-learn (``pip install -e ".[dev]"``); answering does not.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import numpy as np

from assistant.answering.reader import (
    FEATURE_VERSION,
    FEATURES,
    Candidates,
    ReaderModel,
    Selection,
    choose,
    collect,
    features,
    mark_answer_types,
    types_present,
)
from assistant.evaluation.configs import ConfigError, SetSpec, load_sets
from assistant.evaluation.matching import quote_matches
from assistant.records import GoldenCase
from assistant.settings import Settings

# the German pages: German questions and the same questions in English (the en pages add
# another index of the same content, and an ingest of minutes, for little)
TRAIN_SETS = ("omosqa-train", "omosqa-train-en-over-de")
# a golden set of the project's own may join the training rows (`--golden sample`: its expected
# quotes are the gold lines). Measured and not the default: with the sample set the
# trees gave lower probabilities everywhere (a two-page corpus's obvious answer fell below the
# threshold) and no gain on the held-out Munich set (docs/evaluation.md)
DEV_SETS = ("omosqa-dev", "omosqa-dev-en", "omosqa-dev-en-over-de")
WORK_DIR = "reader-work"  # under settings.index_dir (git-ignored)
CACHE_SUFFIX = "-c4"  # the cached Question layout (c2: answer types; c3: headings; c4: texts)
Log = Callable[[str], None]


@dataclass
class Question:
    """One question's candidates: feature rows, labels and what the eval would count."""

    case_id: str
    rows: np.ndarray  # (candidates, len(FEATURES))
    labels: np.ndarray  # 1 = covers a gold line of the gold page
    lines: list[frozenset[tuple[str, int]]]  # page lines each candidate covers
    gold: frozenset[tuple[str, int]]  # empty = unanswerable
    page: list[int]
    intro: list[int]
    group: list[int]
    relevance: float  # cosine of question and best retrieved chunk (the relevance gate's figure)
    wanted: tuple[int, ...] = ()  # the amounts/times the question asks for (Candidates.wanted)
    types: list[frozenset[int]] = field(default_factory=list)  # ... and those each candidate has
    quotable: list[bool] = field(default_factory=list)  # False: a heading (never quoted, as in the answer path)
    question: str = ""  # the question as asked
    texts: list[str] = field(default_factory=list)  # each candidate's text (markup stripped)

    def candidates(self) -> Candidates:
        return Candidates(
            doc_ids=[""] * len(self.page),
            page=self.page,
            intro=self.intro,
            group=self.group,
            wanted=self.wanted,
            types=self.types or [frozenset()] * len(self.page),
            quotable=self.quotable,
        )


@dataclass
class Figures:
    evidence_precision: float = 0.0
    evidence_recall: float = 0.0
    evidence_f1: float = 0.0
    no_answer_precision: float = 0.0
    no_answer_recall: float = 0.0
    no_answer_f1: float = 0.0
    page_hit: float = 0.0
    quotes_per_answer: float = 0.0
    extra: dict = field(default_factory=dict)

    def rounded(self) -> dict:
        return {k: round(v, 4) for k, v in self.__dict__.items() if k != "extra"}


# -- gathering --------------------------------------------------------------------------------------
def _spec(name: str, sets: dict[str, SetSpec]) -> SetSpec:
    if name in sets:
        return sets[name]
    # "<set>-en-over-de": the English questions of a split over its German pages
    base = name.removesuffix("-en-over-de")
    if base != name and base in sets and sets[base].omosqa is not None:
        source = sets[base].omosqa.model_copy(update={"questions": "en", "pages": "de"})
        return sets[base].model_copy(update={"name": name, "omosqa": source})
    raise ConfigError(f"unknown OMoS-QA set {name} (eval/sets.toml)")


def gather(name: str, settings: Settings, runner, log: Log) -> list[Question]:
    """The candidate rows of every question of one set (cached per index version).

    An OMoS-QA set labels the candidates covering a gold line of its page; a golden set of the
    project's own (``--golden``) labels those matching an expected quote, and a case
    expected to abstain has no gold line (see :func:`golden_labels`).
    """
    from assistant.evaluation.configs import EvalConfig
    from assistant.evaluation.runner import PlannedConfig, plan_omosqa, plan_sets

    sets = load_sets()
    golden = name in sets and sets[name].omosqa is None
    planned = (
        plan_sets([name], sets, settings, None, None, [], [])[0]
        if golden
        else plan_omosqa(_spec(name, sets), settings, None, None, [])
    )
    config = PlannedConfig(config=EvalConfig(name="reader"), settings=settings)
    index_dir = runner.prepare_index(planned, config, [])
    index = runner.index_for(settings.model_copy(update={"index_dir": index_dir}))
    cases_hash = data_hash(planned.spec.files)[:8] if golden else ""  # a golden set's cases may change
    cache = settings.index_dir / WORK_DIR / f"{name}-{index.version}{cases_hash}-v{FEATURE_VERSION}{CACHE_SUFFIX}.pkl"
    if cache.is_file():
        with cache.open("rb") as handle:  # our own cache file, written below
            return pickle.load(handle)
    if golden:
        cases = [
            c
            for c in planned.cases
            if not c.history
            and (
                c.expected_status == "abstained"
                or (c.expected_status in ("answered", "referred") and c.expected_evidence)
            )
        ]
        label = golden_labels
    else:
        from assistant.evaluation.omosqa import LineMaps

        cases = planned.cases
        label = line_labels(LineMaps(planned.pages, index.documents))
    log(f"{name}: {len(cases)} questions, features from {index_dir}")
    questions = _questions(cases, settings, runner, index, label)
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as handle:
        pickle.dump(questions, handle)
    return questions


Labeller = Callable[[GoldenCase, Candidates], tuple[list[frozenset], frozenset]]


def line_labels(line_of) -> Labeller:
    """OMoS-QA: each candidate covers page lines; the gold lines are the case's."""

    def label(case: GoldenCase, found: Candidates) -> tuple[list[frozenset], frozenset]:
        gold = frozenset((doc_id, n) for doc_id, lines in case.expected_lines.items() for n in lines)
        lines = [
            frozenset((doc_id, n) for n in (line_of(doc_id, start, end) or ()))
            for doc_id, start, end in zip(found.doc_ids, found.starts, found.ends, strict=True)
        ]
        return lines, gold

    return label


def golden_labels(case: GoldenCase, found: Candidates) -> tuple[list[frozenset], frozenset]:
    """A golden case: each candidate is its own line; the gold lines are the candidates that
    match an expected quote (``assistant eval``'s matching), plus one unreachable line per
    expected quote no candidate matches (so that recall counts it as missed)."""
    lines = [frozenset({(doc_id, start)}) for doc_id, start in zip(found.doc_ids, found.starts, strict=True)]
    gold: set = set()
    for k, expected in enumerate(case.expected_evidence):
        matched = [line for line, text in zip(lines, found.texts, strict=True) if quote_matches(text, expected)]
        if matched:
            gold.update(*matched)
        else:
            gold.add(("missing", k))
    return lines, frozenset(gold)


def _questions(cases: list[GoldenCase], settings: Settings, runner, index, label: Labeller) -> list[Question]:
    from assistant.answering.retrieve import search
    from assistant.text import detect_language

    embedder = runner.embedder_for(settings)
    vectors = embedder.embed_queries([case.question for case in cases])
    questions: list[Question] = []
    for case, vector in zip(cases, vectors, strict=True):
        language = detect_language(case.question, tuple(settings.languages), settings.default_language)
        hits = search(
            index,
            embedder,
            case.question,
            settings.retrieval,
            k=settings.retrieval.evidence_pool,
            mode=settings.retrieval.mode,
            query_language=language,
            query_vector=vector,
        )
        found = mark_answer_types(collect(hits, index, language=language), case.question)
        rows = features(case.question, language, vector, hits, index, found)
        lines, gold = label(case, found)
        positions = [index.positions[h.chunk.chunk_id] for h in hits]
        questions.append(
            Question(
                case_id=case.id,
                rows=rows,
                labels=np.array([bool(covered & gold) for covered in lines], dtype=np.int8),
                lines=lines,
                gold=gold,
                page=found.page,
                intro=found.intro,
                group=found.group,
                relevance=float(np.max(index.vectors[positions] @ vector)) if positions else 0.0,
                wanted=found.wanted,
                types=found.types,
                quotable=found.quotable,
                question=case.question,
                texts=found.texts,
            )
        )
    return questions


# -- the figures of `assistant eval`, offline ----------------------------------------------------------
def figures(
    questions: list[Question], scores: list[np.ndarray], selection: Selection, min_dense_score: float
) -> Figures:
    """Line-level evidence P/R/F1 (answerable questions), no-answer P/R/F1, page hit, quotes per answer."""
    precision, recall, f1, hit = [], [], [], []
    predicted_none = expected_none = both_none = 0
    quotes = []
    for question, probabilities in zip(questions, scores, strict=True):
        found = question.candidates()
        chosen = [] if question.relevance < min_dense_score else choose(probabilities, found, selection)
        if not types_present(chosen, found):  # the answerability gate refuses it (stages/answerable.py)
            chosen = []
        predicted: set = set()
        for i in chosen:
            predicted |= question.lines[i] or {("?", -1 - i)}  # a quote on no page line: one wrong line
        if chosen:
            quotes.append(len(chosen))
        expected_none += not question.gold
        predicted_none += not chosen
        both_none += not question.gold and not chosen
        if question.gold:
            right = len(predicted & question.gold)
            p = right / len(predicted) if predicted else 0.0
            r = right / len(question.gold)
            precision.append(p)
            recall.append(r)
            f1.append(2 * p * r / (p + r) if p + r else 0.0)
            gold_docs = {doc for doc, _ in question.gold}
            hit.append(bool(gold_docs & {doc for doc, _ in predicted}))
    mean = lambda values: float(np.mean(values)) if values else 0.0  # noqa: E731
    na_p = both_none / predicted_none if predicted_none else 0.0
    na_r = both_none / expected_none if expected_none else 0.0
    return Figures(
        evidence_precision=mean(precision),
        evidence_recall=mean(recall),
        evidence_f1=mean(f1),
        no_answer_precision=na_p,
        no_answer_recall=na_r,
        no_answer_f1=2 * both_none / (predicted_none + expected_none) if predicted_none + expected_none else 0.0,
        page_hit=mean(hit),
        quotes_per_answer=mean(quotes),
    )


# -- fitting ----------------------------------------------------------------------------------------
def stack(questions: Iterable[Question]) -> tuple[np.ndarray, np.ndarray]:
    questions = list(questions)
    rows = np.concatenate([q.rows for q in questions]) if questions else np.zeros((0, len(FEATURES)))
    labels = np.concatenate([q.labels for q in questions]) if questions else np.zeros(0)
    return rows.astype(np.float64), labels.astype(np.int64)


def fit(rows: np.ndarray, labels: np.ndarray, kind: str, seed: int = 0) -> dict:
    """The model's parameters as plain numbers (see :class:`ReaderModel`)."""
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        scaler = StandardScaler().fit(rows)
        model = LogisticRegression(C=1.0, max_iter=5000, random_state=seed).fit(scaler.transform(rows), labels)
        return {
            "mean": _numbers(scaler.mean_),
            "scale": _numbers(scaler.scale_),
            "coef": _numbers(model.coef_[0]),
            "intercept": _number(model.intercept_[0]),
        }
    if kind == "trees":
        from sklearn.ensemble import GradientBoostingClassifier

        model = GradientBoostingClassifier(
            n_estimators=150, max_depth=3, learning_rate=0.1, subsample=1.0, random_state=seed
        ).fit(rows, labels)
        prior = float(np.clip(labels.mean(), 1e-6, 1 - 1e-6))
        params = {
            "init": _number(np.log(prior / (1 - prior))),
            "learning_rate": model.learning_rate,
            "trees": [_tree(estimator[0].tree_) for estimator in model.estimators_],
        }
        exported = ReaderModel(kind="trees", params=params, selection=Selection())
        check = exported.probabilities(rows[:2000])
        if not np.allclose(check, model.predict_proba(rows[:2000])[:, 1], atol=1e-5):
            raise RuntimeError("exported trees disagree with scikit-learn's predictions")
        return params
    raise ValueError(f"unknown model kind {kind!r} (logistic or trees)")


def _tree(tree) -> dict:
    return {
        "left": tree.children_left.tolist(),
        "right": tree.children_right.tolist(),
        "feature": [max(0, int(f)) for f in tree.feature],
        "threshold": _numbers(tree.threshold),
        "value": _numbers(tree.value[:, 0, 0]),
    }


def _number(value: float) -> float:
    return float(f"{float(value):.8g}")


def _numbers(values) -> list[float]:
    return [_number(v) for v in np.asarray(values).ravel()]


SELECTION_GRID = {
    "answer": (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5),
    "line": (0.2, 0.4),
    "relative": (0.0,),
    "second_page": (0.7, 1.01),
    "max_lines": (1, 2, 3),
    "intro": (False, True),
    "extend": (0.1, 0.2, 0.3, 1.01),
    "block": (5, 8),
    "typed": (0.0, 0.05, 0.2, 1.01),
}


def calibrate(
    dev: dict[str, list[Question]], model: ReaderModel, min_dense_score: float, log: Log, grid: dict | None = None
) -> tuple[Selection, dict[str, Figures], list[dict]]:
    """The selection with the best mean dev evidence F1, then (within 0.01) the best no-answer F1
    and the fewest quotes; with the precision/recall curve of the answer threshold."""
    scores = {name: [model.probabilities(q.rows) for q in questions] for name, questions in dev.items()}
    selection, per_set, curve = calibrate_scores(dev, scores, min_dense_score, grid)
    evidence = float(np.mean([f.evidence_f1 for f in per_set.values()]))
    no_answer = float(np.mean([f.no_answer_f1 for f in per_set.values()]))
    log(f"{model.kind}: dev evidence F1 {evidence:.3f}, no-answer F1 {no_answer:.3f} (mean of {', '.join(dev)})")
    return selection, per_set, curve


def calibrate_scores(
    dev: dict[str, list[Question]],
    scores: dict[str, list[np.ndarray]],
    min_dense_score: float,
    grid: dict | None = None,
) -> tuple[Selection, dict[str, Figures], list[dict]]:
    """:func:`calibrate` for line probabilities from any model (``scores``: per set, per question)."""
    grid = grid or SELECTION_GRID
    results = []
    for values in product(*grid.values()):
        selection = Selection(**dict(zip(grid, values, strict=True)))
        per_set = {name: figures(dev[name], scores[name], selection, min_dense_score) for name in dev}
        evidence = float(np.mean([f.evidence_f1 for f in per_set.values()]))
        no_answer = float(np.mean([f.no_answer_f1 for f in per_set.values()]))
        quotes = float(np.mean([f.quotes_per_answer for f in per_set.values()]))
        results.append((evidence, no_answer, -quotes, selection, per_set))
    best_evidence = max(r[0] for r in results)
    evidence, no_answer, _, selection, per_set = max(
        (r for r in results if r[0] >= best_evidence - 0.01), key=lambda r: (round(r[1], 2), r[2], r[0])
    )
    curve = []
    for threshold in grid["answer"]:
        swept = Selection(**{**selection.__dict__, "answer": threshold})
        f = {name: figures(dev[name], scores[name], swept, min_dense_score) for name in dev}
        curve.append(
            {
                "answer": threshold,
                **{
                    f"{name}": {
                        "evidence_f1": round(x.evidence_f1, 3),
                        "no_answer_p": round(x.no_answer_precision, 3),
                        "no_answer_r": round(x.no_answer_recall, 3),
                        "no_answer_f1": round(x.no_answer_f1, 3),
                    }
                    for name, x in f.items()
                },
            }
        )
    return selection, per_set, curve


def data_hash(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def artifact_text(model: ReaderModel) -> str:
    """The artifact's canonical JSON text (what is written, and hashed)."""
    return json.dumps(model.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def artifact_hash(model: ReaderModel) -> str:
    return hashlib.sha256(artifact_text(model).encode()).hexdigest()


def build_model(
    train: list[Question],
    dev: dict[str, list[Question]],
    kind: str,
    seed: int,
    min_dense_score: float,
    training: dict,
    log: Log,
    grid: dict | None = None,
) -> tuple[ReaderModel, list[dict]]:
    """Fit ``kind`` on ``train``, calibrate on ``dev``: the model with its dev figures."""
    rows, labels = stack(train)
    model = ReaderModel(kind=kind, params=fit(rows, labels, kind, seed), selection=Selection())
    selection, per_set, curve = calibrate(dev, model, min_dense_score, log, grid)
    model.selection = selection
    model.training = {
        **training,
        "seed": seed,
        "rows": int(len(labels)),
        "positives": int(labels.sum()),
        "dev": {name: f.rounded() for name, f in per_set.items()},
    }
    return model, curve


def train_reader(
    settings: Settings,
    out: Path,
    kinds: tuple[str, ...] = ("logistic", "trees"),
    seed: int = 0,
    train_sets: tuple[str, ...] = TRAIN_SETS,
    dev_sets: tuple[str, ...] = DEV_SETS,
    log: Log = print,
) -> ReaderModel:
    """Gather, fit each kind, calibrate on dev, write the best as ``out``; returns it."""
    from assistant.evaluation.runner import Runner

    runner = Runner(log)
    started = time.perf_counter()
    train = [q for name in train_sets for q in gather(name, settings, runner, log)]
    dev = {name: gather(name, settings, runner, log) for name in dev_sets}
    log(f"features: {time.perf_counter() - started:.0f} s")
    sets = load_sets()
    files = {
        _spec(name, sets).omosqa.data / f"train_{language}.jsonl"
        for name in train_sets
        if _spec(name, sets).omosqa is not None
        for language in (_spec(name, sets).omosqa.questions, _spec(name, sets).omosqa.pages)
    } | {Path(file) for name in train_sets if _spec(name, sets).omosqa is None for file in _spec(name, sets).files}
    training = {"sets": list(train_sets), "data_sha256": data_hash(files), "questions": len(train)}
    best: tuple[float, ReaderModel] | None = None
    for kind in kinds:
        fit_started = time.perf_counter()
        model, curve = build_model(train, dev, kind, seed, settings.evidence.min_dense_score, training, log)
        log(f"{kind}: fitted and calibrated in {time.perf_counter() - fit_started:.0f} s")
        for name, f in model.training["dev"].items():
            log(
                f"  {name:24} evidence P {f['evidence_precision']:.3f} R {f['evidence_recall']:.3f} "
                f"F1 {f['evidence_f1']:.3f} | no-answer P {f['no_answer_precision']:.3f} "
                f"R {f['no_answer_recall']:.3f} F1 {f['no_answer_f1']:.3f} | page hit {f['page_hit']:.3f} "
                f"| quotes {f['quotes_per_answer']:.2f}"
            )
        log(f"  selection: {model.selection}")
        log("  answer threshold -> dev evidence F1 / no-answer P R F1 (precision/recall curve):")
        for point in curve:
            cells = "  ".join(
                f"{name.removeprefix('omosqa-')}: {v['evidence_f1']:.3f} / {v['no_answer_p']:.3f} "
                f"{v['no_answer_r']:.3f} {v['no_answer_f1']:.3f}"
                for name, v in point.items()
                if name != "answer"
            )
            log(f"    {point['answer']:.2f}  {cells}")
        dev_figures = model.training["dev"].values()
        score = float(np.mean([f["evidence_f1"] + f["no_answer_f1"] for f in dev_figures]))
        if best is None or score > best[0]:
            best = (score, model)
    assert best is not None
    model = best[1]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(artifact_text(model), encoding="utf-8")
    log(
        f"wrote {out} ({model.kind}, {out.stat().st_size / 1024:.0f} KiB, sha256 {artifact_hash(model)[:12]}) "
        f"in {time.perf_counter() - started:.0f} s"
    )
    return model
