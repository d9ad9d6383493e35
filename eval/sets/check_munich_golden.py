#!/usr/bin/env python3
"""Validate eval/sets/munich_golden.jsonl against the Munich DLDB service export.

Checks (errors -> exit code 1):
  * every line parses as a JSON object with the required fields and types
  * ids are unique; language is "de" or "en"; expected_status is "answered"
  * every expected doc id has the form "dldb-<service id>" and the service exists
  * every expected_evidence snippet occurs verbatim in the HTML-stripped,
    whitespace-collapsed description or fees of one of the expected services
    (BeautifulSoup-style get_text(" "), implemented with the stdlib html.parser)
  * every key_fact occurs in the stripped text (name + description + fees) of
    one of the expected services
  * snippets contain no "..." / "…" elisions and no zero-width spaces
  * cases tagged "fees" point at a service whose fees field names an amount

Warnings (reported, not fatal):
  * snippet is not robust to inline-tag joining (absent when blocks are put on
    their own lines but inline elements such as <strong>/<a> are glued to the
    surrounding text, i.e. how the assistant's HTML-to-text import renders it)
  * a forbidden_fact occurs in an expected service's text
  * the question contains the full service name verbatim

Usage: python3 check_munich_golden.py [golden.jsonl] [services_de.json]
"""

import collections
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_GOLDEN = HERE / "munich_golden.jsonl"
DEFAULT_DATA = Path("/work/shared/data/munich-dldb/services_de.json")

REQUIRED = {
    "id": str,
    "question": str,
    "language": str,
    "expected_status": str,
    "expected_docs": list,
    "expected_evidence": list,
    "key_facts": list,
    "forbidden_facts": list,
    "tags": list,
}


BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "tr",
    "td",
    "th",
    "thead",
    "tbody",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "hr",
    "pre",
}


class _TextNodes(HTMLParser):
    """Collects text nodes the way BeautifulSoup's get_text() sees them.

    Each node also remembers whether it was preceded by a block-level tag
    boundary, so the text can alternatively be rendered like an HTML-to-text
    converter that puts blocks on their own lines but keeps inline elements
    (strong, a, span, ...) glued to the surrounding text.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes, self._buf, self._block = [], [], False
        self._pending_block = False

    def _flush(self):
        if self._buf:
            self.nodes.append((self._pending_block, "".join(self._buf)))
            self._buf = []
            self._pending_block = False

    def _boundary(self, tag):
        self._flush()
        if tag in BLOCK_TAGS:
            self._pending_block = True

    def handle_data(self, data):
        self._buf.append(data)

    def handle_starttag(self, tag, attrs):
        self._boundary(tag)

    def handle_endtag(self, tag):
        self._boundary(tag)

    def handle_startendtag(self, tag, attrs):
        self._boundary(tag)

    def close(self):
        super().close()
        self._flush()


def strip_html(html, sep=" "):
    """sep=" ": BeautifulSoup get_text(" ") equivalent (the reference text).
    sep="blocks": blocks separated by a space, inline elements glued."""
    if not html:
        return ""
    p = _TextNodes()
    p.feed(html)
    p.close()
    if sep == "blocks":
        text = "".join((" " if blk else "") + t for blk, t in p.nodes)
    else:
        text = sep.join(t for _, t in p.nodes)
    return re.sub(r"\s+", " ", text).strip()


def main():
    golden = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_GOLDEN
    data = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_DATA
    services = {s["id"]: s for s in json.loads(data.read_text(encoding="utf-8"))["data"]}

    def fields(sid, sep=" "):
        s = services[sid]
        return {
            "name": strip_html(s.get("name"), sep),
            "description": strip_html(s.get("description"), sep),
            "fees": strip_html(s.get("fees"), sep),
        }

    errors, warnings = [], []
    cases, ids = [], set()
    lang_count, tag_count, primary_count = collections.Counter(), collections.Counter(), collections.Counter()
    doc_count = collections.Counter()

    for ln, line in enumerate(golden.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            errors.append(f"line {ln}: empty line")
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"line {ln}: invalid JSON ({e})")
            continue
        if not isinstance(case, dict):
            errors.append(f"line {ln}: not a JSON object")
            continue
        cid = case.get("id", f"<line {ln}>")
        bad = False
        for k, typ in REQUIRED.items():
            if not isinstance(case.get(k), typ):
                errors.append(f"{cid}: field '{k}' missing or not {typ.__name__}")
                bad = True
        if bad:
            continue
        cases.append(case)
        if cid in ids:
            errors.append(f"{cid}: duplicate id")
        ids.add(cid)
        if case["language"] not in ("de", "en"):
            errors.append(f"{cid}: language must be de/en")
        if case["expected_status"] != "answered":
            errors.append(f"{cid}: expected_status must be 'answered'")
        if not case["question"].strip():
            errors.append(f"{cid}: empty question")
        if not case["tags"] or not all(isinstance(t, str) and t for t in case["tags"]):
            errors.append(f"{cid}: tags must be non-empty strings")
        if not 1 <= len(case["expected_evidence"]) <= 3:
            errors.append(f"{cid}: expected_evidence must have 1-3 snippets")
        if not case["key_facts"]:
            errors.append(f"{cid}: key_facts empty")
        if not case["expected_docs"]:
            errors.append(f"{cid}: expected_docs empty")

        sids = []
        for doc in case["expected_docs"]:
            m = re.fullmatch(r"dldb-(\d+)", doc) if isinstance(doc, str) else None
            if not m:
                errors.append(f"{cid}: bad doc id {doc!r}")
            elif m.group(1) not in services:
                errors.append(f"{cid}: unknown service {doc}")
            else:
                sids.append(m.group(1))
        if len(sids) != len(case["expected_docs"]):
            continue
        if len(set(sids)) != len(sids):
            errors.append(f"{cid}: duplicate expected doc")

        texts = {sid: fields(sid) for sid in sids}
        glued = {sid: fields(sid, sep="blocks") for sid in sids}
        for snip in case["expected_evidence"]:
            if not isinstance(snip, str) or not snip.strip():
                errors.append(f"{cid}: empty evidence snippet")
                continue
            if "..." in snip or "…" in snip:
                errors.append(f"{cid}: evidence uses an elision: {snip!r}")
            if "\u200b" in snip:
                errors.append(f"{cid}: evidence contains a zero-width space: {snip!r}")
            if snip != re.sub(r"\s+", " ", snip).strip():
                errors.append(f"{cid}: evidence has uncollapsed whitespace: {snip!r}")
            if not any(snip in t[f] for t in texts.values() for f in ("description", "fees")):
                errors.append(f"{cid}: evidence not found in description/fees: {snip!r}")
            elif not any(snip in t[f] for t in glued.values() for f in ("description", "fees")):
                warnings.append(f"{cid}: evidence not robust to inline-tag joining: {snip!r}")
        for fact in case["key_facts"]:
            if not isinstance(fact, str) or not fact.strip():
                errors.append(f"{cid}: empty key_fact")
            elif not any(fact in " ".join(t.values()) for t in texts.values()):
                errors.append(f"{cid}: key_fact not found in service text: {fact!r}")
        for fact in case["forbidden_facts"]:
            if not isinstance(fact, str) or not fact.strip():
                errors.append(f"{cid}: empty forbidden_fact")
            elif any(fact in " ".join(t.values()) for t in texts.values()):
                warnings.append(f"{cid}: forbidden_fact occurs in expected service text: {fact!r}")
        if "fees" in case["tags"] and not any(
            re.search(r"\d", t["fees"]) and "Euro" in t["fees"] for t in texts.values()
        ):
            errors.append(f"{cid}: tagged 'fees' but no expected service has a fee amount")
        for sid in sids:
            name = texts[sid]["name"]
            if name and name.lower() in case["question"].lower():
                warnings.append(f"{cid}: question contains the service name {name!r} verbatim")

        lang_count[case["language"]] += 1
        primary_count[case["tags"][0]] += 1
        for t in case["tags"]:
            tag_count[t] += 1
        for sid in sids:
            doc_count[sid] += 1

    print(f"file: {golden}")
    print(f"cases: {len(cases)}")
    print("per language:", dict(sorted(lang_count.items())))
    print("per primary tag (first tag):", dict(primary_count.most_common()))
    print("per tag (all tags):", dict(tag_count.most_common()))
    print(f"distinct services: {len(doc_count)}")
    targets = [
        ("total >= 100", len(cases) >= 100),
        ("fees >= 40", tag_count["fees"] >= 40),
        ("documents >= 30", tag_count["documents"] >= 30),
        ("distinct services >= 70", len(doc_count) >= 70),
        ("en >= 35", lang_count["en"] >= 35),
    ]
    for label, ok in targets:
        print(f"  target {label}: {'ok' if ok else 'MISSED'}")
        if not ok:
            errors.append(f"target missed: {label}")
    for w in warnings:
        print("WARNING:", w)
    for e in errors:
        print("ERROR:", e)
    print(f"{len(errors)} error(s), {len(warnings)} warning(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
