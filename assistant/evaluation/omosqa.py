"""OMoS-QA as golden sets: real Integreat pages, questions, gold answers as line numbers.

The dataset (Kleinle et al., KONVENS 2024; CC BY 4.0, digitalfabrik/integreat-qa-dataset)
is read at run time from the folder that ``eval/sets.toml`` names (``omosqa.data``);
nothing of it is copied into the repository. Each record has ``id``, ``question``,
``context`` (the page; its lines are ``context.split("\\n")``), ``answers`` (gold line
numbers, empty = the page does not answer the question), ``city``, ``pageId``,
``language``. The German and English files of a split hold the same questions (same
``id``, page and gold lines), so English questions can be asked over the German pages.

A set indexes **all** pages of its split (open corpus): every distinct page becomes one
Markdown file (front matter with title and language; the first line as the ``#`` title
heading; every other line its own paragraph), written into a cache folder and ingested
by the normal loader, chunker and index. Gold lines are compared with the quotes of an
answer through :class:`LineMap`, which maps character offsets of the *ingested*
document text back to page line numbers by aligning the two line sequences (so a line
the loader changed, dropped or that occurs twice on the page is still found by its
position, never by searching its text).

>>> page = ["Title", "Title", "Fee: 10 Euro.", "Title"]
>>> text = page_markdown(Page(doc_id="p", city="c", page_id=1, language="en", lines=page)).split("---\\n")[-1]
>>> text.split("\\n\\n")
['# Title', 'Title', 'Fee: 10 Euro.', 'Title\\n']
>>> lines = LineMap(page, text.strip("\\n"))
>>> last = text.strip("\\n").rfind("Title")
>>> lines.lines(last, last + 5)
{3}
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path

from assistant.evaluation.configs import ConfigError, OmosqaSource
from assistant.records import GoldenCase
from assistant.text import strip_markup

# Published results on the OMoS-QA *test* split with the right page handed to the system
# (not an open corpus), German; from ../shared/data/README.md: (system, evidence F1, no-answer F1).
PUBLISHED: list[tuple[str, float, float]] = [
    ("human annotator", 0.78, 1.00),
    ("Llama-3-70B-Instruct", 0.51, 0.69),
    ("deberta-v3-large fine-tuned", 0.47, 0.61),
]
PUBLISHED_NOTE = "published, OMoS-QA test split, German, the right page handed to the system (not open corpus)"


@dataclass
class Page:
    """One page of the dataset: becomes one document of the index."""

    doc_id: str
    city: str
    page_id: int
    language: str
    lines: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.lines[0].strip() if self.lines else self.doc_id


@dataclass
class OmosqaSet:
    cases: list[GoldenCase]
    pages: dict[str, Page]  # doc_id -> page, in file order


def _read(path: Path) -> list[dict]:
    if not path.is_file():
        raise ConfigError(
            f"OMoS-QA data not found: {path} (expected {{train,dev}}_{{de,en}}.jsonl there; "
            "set omosqa.data in eval/sets.toml to the folder that holds them)"
        )
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{number}: not JSON ({exc.msg})") from exc
    return rows


def load_omosqa(source: OmosqaSource) -> OmosqaSet:
    """The cases (questions in ``source.questions``) and all pages (in ``source.pages``)
    of one split; raises ConfigError naming the file when it is missing."""
    page_rows = _read(source.data / f"{source.split}_{source.pages}.jsonl")
    question_rows = (
        page_rows
        if source.questions == source.pages
        else _read(source.data / f"{source.split}_{source.questions}.jsonl")
    )
    # a page is (city, pageId, text): the same pageId with two different texts (an
    # edited page, once in dev) becomes two documents, the later one with a suffix
    pages: dict[str, Page] = {}
    by_content: dict[tuple[str, int, str], str] = {}
    per_page: dict[tuple[str, int], int] = {}
    page_of_id: dict[object, str] = {}
    for row in page_rows:
        key = (str(row["city"]), int(row["pageId"]), row["context"])
        if key not in by_content:
            count = per_page.get(key[:2], 0) + 1
            per_page[key[:2]] = count
            doc_id = f"omosqa-{key[0]}-{key[1]}-{source.pages}" + (f"-{count}" if count > 1 else "")
            by_content[key] = doc_id
            pages[doc_id] = Page(
                doc_id=doc_id, city=key[0], page_id=key[1], language=source.pages, lines=row["context"].split("\n")
            )
        page_of_id[row["id"]] = by_content[key]
    gold_of_id = {row["id"]: [int(n) for n in row["answers"]] for row in page_rows}
    cases: list[GoldenCase] = []
    for row in question_rows:
        if row["id"] not in page_of_id:
            raise ConfigError(f"OMoS-QA question {row['id']} of {source.split}_{source.questions} has no page")
        doc_id = page_of_id[row["id"]]
        gold = sorted(set(gold_of_id[row["id"]]))  # gold lines refer to the page file's lines
        lines = pages[doc_id].lines
        if any(not 0 <= n < len(lines) for n in gold):
            raise ConfigError(f"OMoS-QA question {row['id']}: gold line out of range of page {doc_id}")
        cases.append(
            GoldenCase(
                id=f"omosqa-{source.split}-{row['id']}-{source.questions}"
                + ("" if source.questions == source.pages else f"-over-{source.pages}"),
                question=row["question"],
                language=source.questions,
                expected_status="answered" if gold else "abstained",
                expected_docs=[doc_id] if gold else [],
                expected_lines={doc_id: gold},
                tags=[row["city"], "answerable" if gold else "unanswerable"],
                source=f"OMoS-QA {source.split}_{source.questions} id {row['id']}",
            )
        )
    return OmosqaSet(cases=cases, pages=pages)


def page_markdown(page: Page) -> str:
    """The page as a Markdown document: front matter, ``# first line``, then every further
    line as a paragraph of its own (the dataset's lines are the units gold answers name)."""
    front = {"title": page.title, "language": page.language}
    header = "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in front.items())
    head, *rest = page.lines or [""]
    body = "\n\n".join([f"# {head.strip()}", *rest])
    return f"---\n{header}---\n{body}\n"


def write_pages(pages: dict[str, Page], folder: Path) -> Path:
    """One ``<doc_id>.md`` per page in ``folder`` (rewritten only when changed, so an
    incremental ingest embeds nothing twice); files of pages no longer there are removed."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {f"{doc_id}.md": page_markdown(page) for doc_id, page in pages.items()}
    for stale in folder.glob("*.md"):
        if stale.name not in wanted:
            stale.unlink()
    for name, text in wanted.items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return folder


def _key(line: str) -> str:
    return " ".join(strip_markup(line).split()).casefold()


class LineMap:
    """Character offsets of an ingested document's text -> line numbers of its page.

    The non-blank lines of ``text`` are aligned with ``page_lines`` as sequences
    (difflib, compared after markup and whitespace are stripped); lines the loader left
    as they were (or changed in place) keep their page line number, lines it dropped or
    added have none. Repeated lines are told apart by their position in the sequence.
    """

    def __init__(self, page_lines: list[str], text: str) -> None:
        self.spans: list[tuple[int, int]] = []  # (start, end) of each non-blank line of text
        pos = 0
        for line in text.split("\n"):
            if line.strip():
                lead = len(line) - len(line.lstrip())
                self.spans.append((pos + lead, pos + len(line.rstrip())))
            pos += len(line) + 1
        keys_text = [_key(text[s:e]) for s, e in self.spans]
        keys_page = [_key(line) for line in page_lines]
        self.page_line: list[int | None] = [None] * len(self.spans)
        matcher = difflib.SequenceMatcher(None, keys_page, keys_text, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag in ("equal", "replace"):  # replace: changed in place, paired in order
                for offset in range(min(i2 - i1, j2 - j1)):
                    self.page_line[j1 + offset] = i1 + offset

    def lines(self, start: int, end: int) -> set[int]:
        """Page line numbers of the lines that ``[start, end)`` overlaps."""
        found: set[int] = set()
        for (line_start, line_end), number in zip(self.spans, self.page_line, strict=True):
            if line_start < end and start < line_end and number is not None:
                found.add(number)
        return found


class LineMaps:
    """:class:`LineMap` per document, built on first use from the index's document text."""

    def __init__(self, pages: dict[str, Page], documents: dict) -> None:
        self.pages = pages
        self.documents = documents  # doc_id -> Document (HybridIndex.documents)
        self._maps: dict[str, LineMap | None] = {}

    def get(self, doc_id: str) -> LineMap | None:
        if doc_id not in self._maps:
            page, doc = self.pages.get(doc_id), self.documents.get(doc_id)
            self._maps[doc_id] = LineMap(page.lines, doc.text) if page and doc else None
        return self._maps[doc_id]

    def __call__(self, doc_id: str, start: int, end: int) -> set[int] | None:
        """Page lines a quote covers; ``None`` for a document that is not a page of the set."""
        line_map = self.get(doc_id)
        return None if line_map is None else line_map.lines(start, end)
