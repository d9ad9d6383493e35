"""Training the question router with the staff's route corrections (``--with-feedback``)."""

from __future__ import annotations

import json
from collections import Counter

from typer.testing import CliRunner

from assistant.cli import cli
from assistant.safety.router import ROUTES
from assistant.safety.router_train import Example, read_examples, retired_examples, staff_examples, train_and_save
from tests.transports.test_staff import staff_app

PER_ROUTE = 8  # enough for the 5 folds, small enough to embed in seconds


def small_examples(path) -> list[Example]:
    """The first few bundled examples of every route, written to ``path`` as router_examples.tsv is."""
    taken: dict[str, list[Example]] = {route: [] for route in ROUTES}
    for example in read_examples():
        if len(taken[example.route]) < PER_ROUTE:
            taken[example.route].append(example)
    examples = [example for route in ROUTES for example in taken[route]]
    path.write_text("".join(f"{e.route}\t{e.language}\t{e.question}\n" for e in examples), encoding="utf-8")
    return examples


def test_staff_corrections_are_counted_as_staff_examples_and_replace_the_same_question(tmp_path, embedder):
    examples = small_examples(tmp_path / "examples.tsv")
    relabelled = next(e for e in examples if e.route == "answer")  # staff say this one belongs elsewhere
    corrections = staff_examples(
        [
            ("personal_advice", "de", "Soll ich meinem Vermieter wegen  der Heizung kündigen?"),
            ("other_authority", relabelled.language, relabelled.question),
        ]
    )
    artifact = train_and_save(
        embedder,
        tmp_path / "examples.tsv",
        None,
        tmp_path / "router.json",
        tmp_path / "cache.npz",
        corrections=corrections,
        retired=(),
    )
    assert artifact["sources"] == {"examples": len(examples) - 1, "staff": 2}
    assert artifact["examples"]["answer"] == PER_ROUTE - 1
    assert artifact["examples"]["other_authority"] == PER_ROUTE + 1
    assert artifact["examples"]["personal_advice"] == PER_ROUTE + 1
    assert json.loads((tmp_path / "router.json").read_text(encoding="utf-8"))["sources"]["staff"] == 2


def test_train_router_with_feedback_reads_the_corrections_from_the_store(corpus_app, tmp_path, monkeypatch):
    app = staff_app(corpus_app, tmp_path)
    questions = ["Wie viel kostet ein Anwohnerparkausweis?", "Mir geht es sehr schlecht, ich weiß nicht weiter."]
    ids = [app.asking.ask(question, [], "widget").interaction_id for question in questions]
    app.review.correct_route(ids[1], "crisis", staff="anna")
    app.review.correct_route(ids[0], "out_of_scope", staff="anna")
    app.review.correct_route(ids[0], "answer", staff="ben")  # the later correction wins

    small_examples(tmp_path / "examples.tsv")
    monkeypatch.setenv("ASSISTANT_STORE__URL", app.settings.store.url)
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))  # the vector cache goes below it
    out = tmp_path / "router.json"
    result = CliRunner().invoke(
        cli,
        [
            "train-router",
            "--no-omosqa",
            "--no-retired",
            "--with-feedback",
            "--examples",
            str(tmp_path / "examples.tsv"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["sources"] == {"examples": PER_ROUTE * len(ROUTES), "staff": 2}
    assert summary["examples"]["crisis"] == PER_ROUTE + 1 and summary["examples"]["answer"] == PER_ROUTE + 1
    assert Counter(json.loads(out.read_text(encoding="utf-8"))["sources"]) == Counter(summary["sources"])


def test_a_retired_held_out_set_teaches_its_questions_under_its_own_source(tmp_path):
    retired = tmp_path / "router_heldout_v9.jsonl"
    rows = [
        {"id": "x-1", "route": "crisis", "language": "tr", "question": "Evde  gaz kokusu var,   ne yapmalıyım?"},
        {"id": "x-2", "route": "answer", "language": "de", "question": "Wann ist die Bibliothek offen?"},
    ]
    retired.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")

    assert retired_examples([retired]) == [
        Example("crisis", "tr", "Evde gaz kokusu var, ne yapmalıyım?", "heldout-v9"),
        Example("answer", "de", "Wann ist die Bibliothek offen?", "heldout-v9"),
    ]


def test_train_router_names_a_missing_retired_set_and_writes_nothing(tmp_path, monkeypatch):
    small_examples(tmp_path / "examples.tsv")
    monkeypatch.setattr("assistant.safety.router_train.RETIRED", (tmp_path / "router_heldout_v2.jsonl",))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    out = tmp_path / "router.json"
    args = ["train-router", "--no-omosqa", "--examples", str(tmp_path / "examples.tsv"), "--out", str(out)]
    result = CliRunner().invoke(cli, args)

    assert result.exit_code != 0
    assert "router_heldout_v2.jsonl is missing" in result.output and "--no-retired" in result.output
    assert not out.exists()
