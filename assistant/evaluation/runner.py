"""Run golden sets through named configurations: indexes, apps, answers, scores.

One embedding model is loaded once and shared by every App; each set's index
is built (incrementally) into a cache folder ``index/eval-<set>`` unless an
existing index is given. The answer path is measured as it is: whatever
``App.answers.answer`` returns is scored, and an exception in one case is
recorded as that case's failure instead of ending the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import BaseModel, ConfigDict

from assistant.app import App
from assistant.components.embeddings import E5Embeddings, create_embeddings
from assistant.components.index import HybridIndex, IndexMismatchError
from assistant.components.llm import create_chat_model
from assistant.evaluation.configs import (
    ConfigError,
    EvalConfig,
    SetSpec,
    apply_overrides,
    cache_dir,
    resolve_set,
)
from assistant.evaluation.golden import GoldenCase, load_cases, select_subset
from assistant.evaluation.metrics import RETRIEVAL_DEPTH, LineLookup, aggregate, breakdown, score_case
from assistant.evaluation.omosqa import LineMaps, Page, load_omosqa, write_pages
from assistant.evaluation.records import CaseResult, Note, Report, RunResult
from assistant.settings import Settings

Log = Callable[[str], None]
Progress = Callable[[str, int, int], None]  # (label, done, total)


class PlannedSet(BaseModel):
    """A set ready to run: its cases and where its index comes from."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    spec: SetSpec
    cases: list[GoldenCase]
    corpus: list[Path]  # ingested before the run; empty = use ``index_dir`` as it is
    index_dir: Path | None = None  # None = the cache folder
    pages: dict[str, Page] = {}  # OMoS-QA sets: doc id -> page, for mapping quotes to page lines


class PlannedConfig(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    config: EvalConfig
    settings: Settings


def plan_sets(
    arguments: list[str],
    sets: dict[str, SetSpec],
    base: Settings,
    limit: int | None,
    index: Path | None,
    corpus: list[Path],
    notes: list[Note],
    limits: dict[str, int] | None = None,
) -> list[PlannedSet]:
    """The sets to run (all of sets.toml when ``arguments`` is empty), with their cases;
    ``limits`` caps single sets (by name), ``limit`` every other set."""
    if (index is not None or corpus) and len(arguments) != 1:
        raise ConfigError("--index and --corpus apply to one set: give exactly one --set with them")
    if arguments:
        specs = []
        for argument in arguments:
            spec, note = resolve_set(argument, sets, base.corpus_dir)
            if note and not corpus and index is None:
                notes.append(Note(subject=spec.name, text=note))
            specs.append(spec)
    else:
        specs = [spec for spec in sets.values() if spec.run_by_default]
    planned: list[PlannedSet] = []
    for spec in specs:
        if spec.omosqa is not None:
            try:
                planned.append(plan_omosqa(spec, base, (limits or {}).get(spec.name, limit), index, corpus))
            except ConfigError as exc:
                if arguments:  # asked for by name: say why it cannot run
                    raise
                notes.append(Note(subject=spec.name, text=f"skipped: {exc}"))
            continue
        files = [f for f in spec.files if f.exists()]
        if not files:
            if not spec.optional or arguments:
                notes.append(Note(subject=spec.name, text=f"skipped: {', '.join(map(str, spec.files))} not found"))
            continue
        set_corpus = corpus or ([] if index is not None else spec.corpus)
        missing = [p for p in set_corpus if not p.exists()]
        if missing:
            notes.append(
                Note(
                    subject=spec.name,
                    text=f"skipped: corpus {', '.join(map(str, missing))} not "
                    "found (give --corpus PATH or --index DIR)",
                )
            )
            continue
        cases, dedup_notes = load_cases(files)
        notes.extend(Note(subject=spec.name, text=n) for n in dedup_notes)
        cases = select_subset(cases, (limits or {}).get(spec.name, limit))
        planned.append(PlannedSet(spec=spec, cases=cases, corpus=set_corpus, index_dir=index))
    return planned


def plan_omosqa(spec: SetSpec, base: Settings, limit: int | None, index: Path | None, corpus: list[Path]) -> PlannedSet:
    """An OMoS-QA set: cases from the dataset, its pages written as Markdown files into
    ``<index_dir>/omosqa-pages/omosqa-<split>-<page language>/`` (the corpus that is ingested)."""
    source = spec.omosqa
    if corpus:
        raise ConfigError(
            f"--corpus does not apply to {spec.name}: its pages come from {source.data} (or give --index)"
        )
    data = load_omosqa(source)  # ConfigError naming the missing file
    folder = base.index_dir / "omosqa-pages" / source.index_key
    set_corpus = [] if index is not None else [write_pages(data.pages, folder)]
    return PlannedSet(
        spec=spec.model_copy(update={"corpus": [folder]}),
        cases=select_subset(data.cases, limit),
        corpus=set_corpus,
        index_dir=index,
        pages=data.pages,
    )


def plan_configs(
    names: list[str], configs: dict[str, EvalConfig], base: Settings, notes: list[Note]
) -> list[PlannedConfig]:
    """The configurations to run; one whose settings do not exist yet is skipped with a note."""
    unknown = [n for n in names if n not in configs]
    if unknown:
        raise ConfigError(f"unknown configuration(s) {', '.join(unknown)} (known: {', '.join(configs)})")
    planned: list[PlannedConfig] = []
    for name in names or list(configs):
        config = configs[name]
        try:
            planned.append(PlannedConfig(config=config, settings=apply_overrides(base, config.settings)))
        except ConfigError as exc:
            notes.append(Note(subject=name, text=f"configuration skipped: {exc}"))
    return planned


class Runner:
    """Runs sets x configurations, loading each model and index once for all of them."""

    def __init__(self, log: Log, progress: Progress | None = None, embedder: E5Embeddings | None = None) -> None:
        self.log = log
        self.progress = progress or (lambda label, done, total: None)
        self.embedders: dict[str, E5Embeddings] = {}  # model id -> loaded model
        if embedder is not None:
            self.embedders[embedder.model_id] = embedder
        self.prepared: set[Path] = set()  # index folders ingested during this run
        self.chat_models: dict[str, BaseChatModel | None] = {}  # llm settings (JSON) -> loaded chat model
        self.indexes: dict[Path, HybridIndex] = {}  # index folder -> loaded index

    def embedder_for(self, settings: Settings) -> E5Embeddings:
        model = settings.embedding_model
        if model not in self.embedders:
            self.embedders[model] = create_embeddings(model, settings.embedding_threads)
        return self.embedders[model]

    def index_for(self, settings: Settings) -> HybridIndex:
        """The index in ``settings.index_dir``, loaded once (IndexNotFoundError / IndexMismatchError end the run)."""
        index_dir = settings.index_dir
        if index_dir not in self.indexes:
            self.indexes[index_dir] = HybridIndex.load(index_dir, embedding_model=self.embedder_for(settings).model_id)
        return self.indexes[index_dir]

    def chat_model_for(self, settings: Settings) -> BaseChatModel | None:
        """The chat model these settings describe, loaded once for every configuration that shares them."""
        key = settings.llm.model_dump_json()
        if key not in self.chat_models:
            try:
                self.chat_models[key] = create_chat_model(settings)
            except Exception as exc:  # noqa: BLE001 - ModelLoadError and whatever a backend raises
                raise ConfigError(f"cannot load the language model: {exc}") from exc
        return self.chat_models[key]

    def prepare_index(self, planned: PlannedSet, planned_config: PlannedConfig, notes: list[Note]) -> Path:
        """The index folder for this set and configuration, ingested when a corpus is given."""
        from assistant.ingest.pipeline import ingest

        settings = planned_config.settings
        if planned.index_dir is not None:
            index_dir = planned.index_dir
        else:
            index_dir = cache_dir(
                settings.index_dir, planned.spec.index_key, planned.spec, planned.corpus, planned_config.config
            )
        if not planned.corpus or index_dir in self.prepared:
            return index_dir
        ingest_settings = settings.model_copy(update={"index_dir": index_dir})
        embedder = self.embedder_for(settings)
        try:
            report = ingest(planned.corpus, ingest_settings, embedder)
        except IndexMismatchError:
            if planned.index_dir is not None:
                raise
            notes.append(
                Note(
                    subject=planned.spec.name,
                    text=f"{index_dir} was built with another embedding model or schema: rebuilt",
                )
            )
            report = ingest(planned.corpus, ingest_settings, embedder, rebuild=True)
        for skipped in report.skipped:
            notes.append(Note(subject=planned.spec.name, text=f"ingest skipped {skipped.path}: {skipped.reason}"))
        self.prepared.add(index_dir)
        self.log(
            f"index {index_dir}: {report.documents_total} documents, {report.chunks_total} chunks "
            f"({report.chunks_embedded} embedded now, {report.seconds:.1f} s)"
        )
        return index_dir

    def run_one(self, planned: PlannedSet, planned_config: PlannedConfig, index_dir: Path) -> RunResult:
        from assistant.answering.retrieve import search

        settings = planned_config.settings.model_copy(update={"index_dir": index_dir})
        index = self.index_for(settings)
        app = App(settings, embedder=self.embedder_for(settings), index=index, chat_model=self.chat_model_for(settings))
        languages = tuple(sorted(set(settings.languages) | {c.language for c in planned.cases}))
        mode = getattr(settings.retrieval, "mode", "hybrid")
        label = f"{planned.spec.name} / {planned_config.config.name}"
        line_of = LineMaps(planned.pages, index.documents) if planned.pages else None
        started = time.perf_counter()
        results: list[CaseResult] = []
        for done, case in enumerate(planned.cases):
            self.progress(label, done, len(planned.cases))
            results.append(self._run_case(app, case, languages, mode, search, line_of))
        self.progress(label, len(planned.cases), len(planned.cases))
        return RunResult(
            set_name=planned.spec.name,
            config=planned_config.config.name,
            overrides=planned_config.config.settings,
            index_dir=str(index_dir),
            index_version=index.version,
            seconds=round(time.perf_counter() - started, 1),
            metrics=aggregate(results),
            by_language=breakdown(results, lambda r: r.case.language),
            by_behaviour=breakdown(results, lambda r: r.case.expected_status),
            cases=results,
        )

    @staticmethod
    def _run_case(
        app: App, case: GoldenCase, languages: tuple[str, ...], mode: str, search, line_of: LineLookup | None = None
    ) -> CaseResult:
        started = time.perf_counter()
        answer, error = None, None
        try:
            answer = app.answers.answer(case.question, history=case.history_dicts())
        except Exception as exc:  # noqa: BLE001 - one broken case must not end a long run
            error = f"{type(exc).__name__}: {exc}"
        wall_ms = (time.perf_counter() - started) * 1000
        retrieved = None
        # follow-ups are left out: their question alone does not say what is asked
        if case.expected_docs and not case.history:
            hits = search(app.index, app.embedder, case.question, app.settings.retrieval, k=RETRIEVAL_DEPTH, mode=mode)
            retrieved = [hit.chunk.doc_id for hit in hits]
        metrics = score_case(case, answer, retrieved, languages, wall_ms=wall_ms, error=error, line_of=line_of)
        return CaseResult(case=case, answer=answer, error=error, metrics=metrics)

    def run(
        self,
        sets: list[PlannedSet],
        configs: list[PlannedConfig],
        notes: list[Note],
        limit: int | None = None,
        limits: dict[str, int] | None = None,
    ) -> Report:
        report = Report(
            created=datetime.now(UTC),
            limit=limit,
            limits=limits or {},
            notes=notes,
            configs=[c.config.name for c in configs],
            sets=[s.spec.name for s in sets],
        )
        for planned in sets:
            for planned_config in configs:
                index_dir = self.prepare_index(planned, planned_config, notes)
                self.log(f"{planned.spec.name} / {planned_config.config.name}: {len(planned.cases)} cases")
                try:
                    run = self.run_one(planned, planned_config, index_dir)
                except ConfigError as exc:  # this run cannot start; the others still can
                    notes.append(
                        Note(subject=f"{planned.spec.name} / {planned_config.config.name}", text=f"run skipped: {exc}")
                    )
                    self.log(f"{planned.spec.name} / {planned_config.config.name}: skipped ({exc})")
                    continue
                self.log(f"{planned.spec.name} / {planned_config.config.name}: done in {run.seconds:.0f} s")
                report.runs.append(run)
        return report
