"""Structure-aware chunking: a chunk is a run of whole sentences under one heading path.

Each section (a heading and the text up to the next heading) is packed into
chunks of at most ``max_chars`` (soft: a single long sentence is never cut);
short sections are merged with the following section so that a heading such
as "Gebühren" always travels with its list. A chunk's text is exactly
``doc.text[chunk.start:chunk.end]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.records import Chunk, Document, Span
from assistant.text import split_sentences

HEADING_LINE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass
class _Section:
    headings: list[str]
    sentences: list[Span] = field(default_factory=list)

    @property
    def size(self) -> int:
        return self.sentences[-1].end - self.sentences[0].start if self.sentences else 0


def _sections(doc: Document) -> list[_Section]:
    text = doc.text
    bounds = [(m.start(), len(m.group(1)), m.group(2).strip()) for m in HEADING_LINE.finditer(text)]
    starts = [0] + [b[0] for b in bounds]
    path: list[tuple[int, str]] = []
    sections: list[_Section] = []
    for i, sec_start in enumerate(starts):
        sec_end = starts[i + 1] if i + 1 < len(starts) else len(text)
        if i > 0:
            _, level, title = bounds[i - 1]
            path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, title)]
        sentences = split_sentences(text, sec_start, sec_end, doc.language)
        if sentences:
            sections.append(_Section([t for _, t in path], sentences))
    return sections


def _pack(sentences: list[Span], max_chars: int) -> list[list[Span]]:
    groups: list[list[Span]] = [[]]
    for sentence in sentences:
        current = groups[-1]
        if current and sentence.end - current[0].start > max_chars:
            groups.append([])
        groups[-1].append(sentence)
    return [g for g in groups if g]


def chunk_document(doc: Document, max_chars: int = 900, min_chars: int = 200) -> list[Chunk]:
    """Split ``doc`` into chunks of whole sentences that keep their headings."""
    merged: list[_Section] = []
    for section in _sections(doc):
        previous = merged[-1] if merged else None
        if previous and previous.size < min_chars and previous.size + section.size <= max_chars:
            previous.sentences.extend(section.sentences)
        else:
            merged.append(_Section(list(section.headings), list(section.sentences)))
    chunks: list[Chunk] = []
    for section in merged:
        for group in _pack(section.sentences, max_chars):
            start, end = group[0].start, group[-1].end
            chunks.append(
                Chunk(
                    chunk_id=f"{doc.doc_id}#{len(chunks)}",
                    doc_id=doc.doc_id,
                    text=doc.text[start:end],
                    start=start,
                    end=end,
                    headings=section.headings,
                    sentences=group,
                    title=doc.title,
                    url=doc.url,
                    source=doc.source,
                    department=doc.department,
                    language=doc.language,
                    updated=doc.updated,
                    valid_until=doc.valid_until,
                    keywords=doc.metadata.get("keywords", ""),
                )
            )
    return chunks
