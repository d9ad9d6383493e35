"""Golden set files: the shipped sets load, mistakes are reported by line, curated cases merge."""

import json
from collections import Counter
from pathlib import Path

import pytest

from assistant.evaluation.golden import GoldenSetError, load_cases, parse_cases, select_subset

ROOT = Path(__file__).resolve().parents[2]
SETS = ROOT / "eval" / "sets"


def write_jsonl(path: Path, cases: list[dict]) -> Path:
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    return path


def case(id_: str, question: str, **fields) -> dict:
    return {
        "id": id_,
        "question": question,
        "language": "de",
        "expected_status": "answered",
        "expected_docs": ["doc"],
        **fields,
    }


def test_the_shipped_sets_load():
    sample = parse_cases(SETS / "sample_golden.jsonl")
    munich = parse_cases(SETS / "munich_golden.jsonl")
    assert len(sample) == 194 and len(munich) == 182
    assert {c.expected_status for c in sample} == {"answered", "abstained", "referred", "clarify", "refused"}
    assert sum(c.conflict for c in sample) == 20 and sum(bool(c.history) for c in sample) == 11


def test_every_mistake_is_reported_with_its_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(case("a", "Was kostet ein Pass?")),
                json.dumps(case("b", "Wo ist das Fundbüro?", expected_doc=["fundbuero"])),  # typo
                json.dumps(case("c", "Wer hilft?", expected_status="maybe")),
                "{not json",
                json.dumps(case("a", "Noch eine Frage?")),
                json.dumps(case("d", "Kosten?", expected_evidence=["- Gebühr: 5 Euro"])),
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(GoldenSetError) as error:
        parse_cases(path)
    message = str(error.value)
    assert "bad.jsonl:2: expected_doc" in message
    assert "bad.jsonl:3: expected_status" in message
    assert "bad.jsonl:4: not JSON" in message
    assert "bad.jsonl:5: id 'a' already used on line 1" in message
    assert "bad.jsonl:6: expected_evidence" in message and "bullet" in message


def test_a_curated_case_replaces_the_golden_case_with_the_same_question(tmp_path):
    golden = write_jsonl(
        tmp_path / "golden.jsonl",
        [
            case("g1", "Was kostet ein Reisepass?", key_facts=["70,00 Euro"]),
            case("g2", "Was kostet das?", history=[{"role": "user", "content": "Ich will heiraten."}]),
            case("g3", "Was kostet das?", expected_status="clarify", expected_docs=[]),
        ],
    )
    curated = write_jsonl(
        tmp_path / "curated.jsonl",
        [
            case("c1", "  was kostet ein  Reisepass ", key_facts=["75,00 Euro"], source="feedback:17"),
        ],
    )
    cases, notes = load_cases([golden, curated])
    assert [c.id for c in cases] == ["g2", "g3", "c1"]  # same follow-up text, different history: kept
    assert cases[-1].key_facts == ["75,00 Euro"]
    assert notes == ["curated.jsonl: case 'c1' replaces 'g1' from golden.jsonl (same question)"]


def test_a_small_subset_still_covers_every_behaviour_and_language():
    sample = parse_cases(SETS / "sample_golden.jsonl")
    subset = select_subset(sample, 40)
    assert len(subset) == 40 and subset == select_subset(sample, 40)
    assert {c.expected_status for c in subset} == {c.expected_status for c in sample}
    assert Counter(c.language for c in subset)["en"] >= 8
    order = [sample.index(c) for c in subset]
    assert order == sorted(order)
    assert select_subset(sample, None) == sample
