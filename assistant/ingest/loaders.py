"""Loaders: one file in, a list of Documents out (or a LoadError with a reason).

Supported: Markdown with YAML front matter, HTML, PDF, plain text and the
German DLDB service export (``services_*.json`` / ``locations_*.json``).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import date, datetime
from pathlib import Path

from assistant.hashing import sha256_hex
from assistant.ingest.dates import html_date, pdf_date, visible_date
from assistant.ingest.html import html_title, html_to_text
from assistant.records import Document
from assistant.safety.injection import neutralise
from assistant.text import detect_language

log = logging.getLogger(__name__)

# pypdf logs every repair it attempts; the skip reason in the IngestReport says what matters
logging.getLogger("pypdf").setLevel(logging.ERROR)

SUPPORTED_SUFFIXES = {".md", ".markdown", ".html", ".htm", ".pdf", ".txt", ".json"}


class LoadError(Exception):
    """A file that cannot be ingested; the message is the one-line reason."""


def content_hash(*parts: str) -> str:
    """A document's fingerprint: each part ended by NUL, so ("ab", "c") and ("a", "bc") differ."""
    return sha256_hex("".join(f"{part}\0" for part in parts), length=16)


def _to_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _finish(doc: Document) -> Document:
    doc.text = doc.text.strip("\n")
    if not doc.text.strip():
        raise LoadError("empty: no text content")
    doc.content_hash = content_hash(
        doc.title,
        doc.url,
        doc.department,
        doc.language,
        str(doc.updated),
        str(doc.valid_until),
        doc.text,
        json.dumps(doc.metadata, sort_keys=True),
    )
    return doc


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    if b"\0" in raw[:4096]:
        raise LoadError("binary content in a text file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def load_markdown(path: Path, doc_id: str) -> list[Document]:
    import frontmatter
    import yaml

    text = _read_text(path)
    try:
        post = frontmatter.loads(text)
        meta, body = post.metadata, post.content
    except yaml.YAMLError as exc:
        # a common authoring slip ("title: Fundbüro: Fragen", unquoted): read "key: value" lines instead
        meta, body = _plain_front_matter(text)
        if meta is None:
            raise LoadError(f"invalid front matter: {str(exc).splitlines()[0]}") from exc
        log.warning(
            "%s: front matter is not valid YAML (%s); read as 'key: value' lines", path, str(exc).splitlines()[0]
        )
    title = str(meta.get("title") or _first_heading(body) or path.stem)
    language = str(meta.get("language") or detect_language(body[:2000]))
    return [
        _finish(
            Document(
                doc_id=doc_id,
                title=title,
                text=body,
                source=str(path),
                url=str(meta.get("url") or ""),
                department=str(meta.get("department") or ""),
                language=language,
                updated=_to_date(meta.get("updated")) or visible_date(body),
                valid_until=_to_date(meta.get("valid_until")),
            )
        )
    ]


def _plain_front_matter(text: str) -> tuple[dict | None, str]:
    """Front matter as plain ``key: value`` lines (split at the first colon); None when it is not that."""
    match = re.match(r"\A---\s*\n(.*?)\n---\s*\n", text, re.DOTALL)
    if not match:
        return None, text
    meta = {}
    for line in match.group(1).splitlines():
        key, colon, value = line.partition(":")
        if not line.strip():
            continue
        if not colon or not re.fullmatch(r"[A-Za-z_][\w-]*", key.strip()):
            return None, text
        meta[key.strip()] = value.strip().strip("'\"")
    return meta, text[match.end() :]


def _first_heading(text: str) -> str:
    match = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else ""


def load_html(path: Path, doc_id: str) -> list[Document]:
    html = _read_text(path)
    text = html_to_text(html)
    title = html_title(html) or _first_heading(text) or path.stem
    return [
        _finish(
            Document(
                doc_id=doc_id,
                title=title,
                text=text,
                source=str(path),
                language=detect_language(text[:2000]),
                updated=html_date(html),
            )
        )
    ]


def load_text(path: Path, doc_id: str) -> list[Document]:
    text = _read_text(path)
    first_line = text.strip().splitlines()[0].strip() if text.strip() else ""
    return [
        _finish(
            Document(
                doc_id=doc_id,
                title=first_line[:120] or path.stem,
                text=text,
                source=str(path),
                language=detect_language(text[:2000]),
                updated=visible_date(text),
            )
        )
    ]


def load_pdf(path: Path, doc_id: str) -> list[Document]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise LoadError("encrypted PDF")
        pages = []
        for page in reader.pages:
            # Only text inside the visible page box: text placed outside it
            # (a known hiding place for injected instructions) is dropped.
            box = page.mediabox
            lo_x, lo_y, hi_x, hi_y = (float(box.left), float(box.bottom), float(box.right), float(box.top))
            parts: list[str] = []

            def visible(text, cm, tm, font_dict, font_size, parts=parts, box=(lo_x, lo_y, hi_x, hi_y)):
                x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
                if box[0] - 1 <= x <= box[2] + 1 and box[1] - 1 <= y <= box[3] + 1:
                    parts.append(text)

            page.extract_text(visitor_text=visible)
            pages.append("".join(parts).strip())
        title = (reader.metadata.title if reader.metadata else None) or ""
        metadata = reader.metadata
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(f"corrupt PDF: {exc.__class__.__name__}: {str(exc)[:120]}") from exc
    text = "\n\n".join(page for page in pages if page)
    if not text.strip():
        raise LoadError("PDF has no extractable text (scanned image?)")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return [
        _finish(
            Document(
                doc_id=doc_id,
                title=title.strip() or _first_line(text) or path.stem,
                text=text,
                source=str(path),
                language=detect_language(text[:2000]),
                updated=pdf_date(text, metadata),
            )
        )
    ]


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""


# --- DLDB (Dienstleistungsdatenbank) export ---------------------------------


def _is_dldb(payload: object) -> str | None:
    """'services' or 'locations' for a DLDB export, else None."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        return None
    first = payload["data"][0] if payload["data"] else {}
    if not isinstance(first, dict):
        return None
    if "description" in first and ("leika" in first or "fees" in first or "locations" in first):
        return "services"
    if "address" in first and "services" in first:
        return "locations"
    return None


def _office_line(location: dict) -> str:
    address = location.get("address") or {}
    contact = location.get("contact") or {}
    parts = [location.get("name") or location.get("displayName") or ""]
    street = " ".join(p for p in [address.get("street"), address.get("house_number")] if p)
    city = " ".join(p for p in [address.get("postal_code"), address.get("city")] if p)
    if street or city:
        parts.append(", ".join(p for p in [street, city] if p))
    if contact.get("phone"):
        parts.append(f"Telefon {contact['phone']}")
    if contact.get("email"):
        parts.append(f"E-Mail {contact['email']}")
    return ", ".join(p for p in parts if p)


def _location_document(location: dict, source: str) -> Document:
    meta = location.get("meta") or {}
    name = location.get("name") or location.get("displayName") or f"Standort {location.get('id')}"
    lines = [f"# {name}", "", "## Anschrift und Kontakt", "", "- " + _office_line(location)]
    # The Munich export carries no opening hours or rooms; where another
    # city's export has them as HTML, they are kept as text.
    for key, heading in (("openingHours", "Öffnungszeiten"), ("rooms", "Räume")):
        if isinstance(location.get(key), str) and location[key].strip():
            lines += ["", f"## {heading}", "", html_to_text(location[key])]
    alternatives = location.get("displayNameAlternatives") or []
    if alternatives:
        lines += ["", "Auch bekannt als: " + ", ".join(alternatives) + "."]
    return _finish(
        Document(
            doc_id=f"dldb-location-{location.get('id')}",
            title=name,
            text="\n".join(lines),
            source=source,
            url=str(meta.get("url", "")).replace("{locationId}", str(location.get("id"))),
            department=location.get("organizationUnit") or "",
            language=meta.get("locale") or "de",
            updated=_to_date(meta.get("lastupdate")),
            metadata={"kind": "office", "keywords": str(meta.get("keywords") or "")},
        )
    )


def _service_document(service: dict, locations: dict[str, dict], source: str) -> Document:
    meta = service.get("meta") or {}
    name = service.get("name") or f"Leistung {service.get('id')}"
    lines = [f"# {name}", "", html_to_text(service.get("description") or "")]
    if service.get("fees"):
        lines += ["", "## Gebühren", "", html_to_text(service["fees"])]
    offices = []
    for ref in service.get("locations") or []:
        location = locations.get(str(ref.get("location")))
        if location:
            offices.append("- " + _office_line(location))
    if offices:
        lines += ["", "## Zuständige Stellen", ""] + offices
    links = [link for link in service.get("links") or [] if isinstance(link, dict)]
    if links:
        lines += ["", "## Weiterführende Links", ""]
        lines += [f"- {link.get('name') or link.get('link')}: {link.get('link')}" for link in links]
    url = str(meta.get("url", "")).replace("{serviceId}", str(service.get("id")))
    authorities = service.get("authorities") or [{}]
    return _finish(
        Document(
            doc_id=f"dldb-{service.get('id')}",
            title=name,
            text="\n".join(lines),
            source=source,
            url=url,
            department=(authorities[0] or {}).get("name", ""),
            language=meta.get("locale") or "de",
            updated=_to_date(meta.get("lastupdate")),
            metadata={
                "kind": "service",
                "leika": str(service.get("leika") or ""),
                "keywords": str(meta.get("keywords") or ""),
                "online_booking": "yes" if service.get("public", True) else "no",
            },
        )
    )


def load_json(path: Path, doc_id: str) -> list[Document]:
    try:
        payload = json.loads(_read_text(path))
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON: {exc.msg} at line {exc.lineno}") from exc
    kind = _is_dldb(payload)
    if kind is None:
        raise LoadError("unknown JSON format (expected a DLDB services or locations export)")
    if kind == "locations":
        return [_location_document(loc, str(path)) for loc in payload["data"] if loc.get("public", True)]
    locations: dict[str, dict] = {}
    sibling = path.with_name(path.name.replace("services", "locations"))
    if sibling != path and sibling.is_file():
        sibling_payload = json.loads(_read_text(sibling))
        if _is_dldb(sibling_payload) == "locations":
            locations = {str(loc.get("id")): loc for loc in sibling_payload["data"]}
    documents = []
    # every service with a text, also those with "public": false: in the appointment system's export
    # that flag says the service cannot be booked online (Sterbeurkunde, Wohnsitz abmelden, ...), and
    # their descriptions are the city's published pages all the same (kept in metadata "online_booking")
    for service in payload["data"]:
        try:
            documents.append(_service_document(service, locations, str(path)))
        except LoadError:
            continue  # a service without any text is not worth a document
    return documents


LOADERS = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".txt": load_text,
    ".json": load_json,
}


def _without_instructions(doc: Document) -> Document:
    """Indirect prompt injection: lines that address the assistant ("Assistant: ...", "ignore previous
    instructions", chat-template tokens) are removed before chunking, so they never become evidence."""
    text, removed = neutralise(doc.text)
    if not removed:
        return doc
    log.warning("ingest: %s: removed %d instruction-like line(s) (possible prompt injection)", doc.doc_id, removed)
    doc.metadata["instruction_lines_removed"] = str(removed)
    doc.text = text
    return _finish(doc)


def load_file(path: Path, doc_id: str, max_bytes: int) -> list[Document]:
    """Load one file; raises LoadError with a one-line reason to skip it."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise LoadError(f"unknown format '{path.suffix or path.name}'")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(f"unreadable: {exc.strerror}") from exc
    if size == 0:
        raise LoadError("empty file")
    if size > max_bytes:
        raise LoadError(f"oversized: {size / 1e6:.1f} MB > limit {max_bytes / 1e6:.1f} MB")
    try:
        return [_without_instructions(doc) for doc in loader(path, doc_id)]
    except PermissionError as exc:
        raise LoadError(f"unreadable: {exc.strerror}") from exc
    except OSError as exc:
        raise LoadError(f"unreadable: {exc}") from exc
