"""End to end through the installed ``assistant`` command, as a city's IT would run it."""

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, markdown, write

pytestmark = pytest.mark.slow


def run(*args, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    corpus = root / "corpus"
    write(
        corpus / "fundbuero.md",
        markdown(
            "Fundbüro",
            "Das Fundbüro ist im Rathaus, Erdgeschoss, Zimmer E.12.\n\n"
            "Fundsachen werden sechs Monate aufbewahrt. Die Abholung ist kostenlos.",
        ),
    )
    write(
        corpus / "hundesteuer.md",
        markdown("Hundesteuer", "## Steuersätze\n\nFür den ersten Hund zahlen Sie 120,00 Euro im Jahr."),
    )
    (corpus / "kaputt.pdf").write_bytes(b"%PDF-1.7 not really")
    index = root / "index"
    result = run("ingest", "--index", str(index), "--json", str(corpus), check=False)
    return index, corpus, result


def test_ingest_reports_json_and_exit_code_for_skipped_files(small_index):
    _, _, result = small_index
    assert result.returncode == 1  # one file skipped
    report = json.loads(result.stdout)
    assert sorted(report["added"]) == ["fundbuero", "hundesteuer"]
    assert report["skipped"][0]["path"].endswith("kaputt.pdf")
    assert report["skipped"][0]["reason"].startswith("corrupt PDF")


def test_search_json_lists_ranked_chunks(small_index):
    index, _, _ = small_index
    hits = json.loads(run("search", "--index", str(index), "--json", "Wo ist das Fundbüro?").stdout)
    assert hits[0]["chunk"]["doc_id"] == "fundbuero" and hits[0]["rank"] == 1


def test_ask_json_follows_the_answer_schema(small_index):
    index, _, _ = small_index
    answer = json.loads(run("ask", "--index", str(index), "--json", "Wie lange werden Fundsachen aufbewahrt?").stdout)
    assert answer["status"] == "answered" and answer["language"] == "de"
    assert {"question", "answer", "sentences", "supporting", "disagreeing", "confidence", "timings_ms"} <= set(answer)
    first = answer["supporting"][0]
    assert first["doc_id"] == "fundbuero" and "sechs Monate" in first["quote"]
    assert {"n", "title", "url", "updated", "start", "end", "score"} <= set(first)


def test_ask_batch_keeps_ids_and_order(small_index, tmp_path):
    index, _, _ = small_index
    batch = write(
        tmp_path / "in.jsonl",
        "\n".join(
            json.dumps(x)
            for x in [
                {"id": "a", "question": "Was kostet die Hundesteuer für den ersten Hund?"},
                {"id": 7, "question": "Wie hoch ist der Eintritt im Zoo von Sydney?"},
            ]
        ),
    )
    out = tmp_path / "out.jsonl"
    run("ask", "--index", str(index), "--batch", str(batch), "--out", str(out))
    answers = [json.loads(line) for line in out.read_text().splitlines()]
    assert [a["id"] for a in answers] == ["a", "7"]
    assert answers[0]["status"] == "answered" and "120,00 Euro" in answers[0]["supporting"][0]["quote"]
    assert answers[1]["status"] == "abstained"


def test_missing_index_is_a_clear_error(tmp_path):
    result = run("ask", "--index", str(tmp_path / "nothing"), "Hallo?", check=False)
    assert result.returncode == 2
    assert "No index found" in result.stderr and "assistant ingest" in result.stderr


def test_model_mismatch_names_the_rebuild_command(small_index, tmp_path):
    import shutil

    index, _, _ = small_index
    copy = tmp_path / "index"
    shutil.copytree(index, copy)
    version = (copy / "CURRENT").read_text().strip()
    manifest_path = copy / "versions" / version / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["embedding_model"] = "someone/else-768"
    manifest_path.write_text(json.dumps(manifest))
    result = run("search", "--index", str(copy), "Fundbüro", check=False)
    assert result.returncode == 2
    assert "someone/else-768" in result.stderr and "assistant ingest --rebuild" in result.stderr


def test_missing_model_file_stops_ask_with_one_line_naming_the_setting(small_index, tmp_path):
    import os

    index, _, _ = small_index
    env = {**os.environ, "ASSISTANT_LLM__MODEL_PATH": str(tmp_path / "missing.gguf")}
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", "--index", str(index), "Hallo?"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: Language model file not found")
    assert "ASSISTANT_LLM__MODEL_PATH" in result.stderr and "Traceback" not in result.stderr
