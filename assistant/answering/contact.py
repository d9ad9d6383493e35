"""Use case: "talk to a person" - the office, room, hours and phone that can help.

Everything comes from the corpus: a page's own contact section ("Zuständige
Stelle / Kontakt", "Contact"), its opening-hours list, or else the best-described
page of the same department, or else the city's general office.

>>> from assistant.records import Document
>>> doc = Document(doc_id="d", title="Hundesteuer", source="d.md", department="Steueramt", text=(
...     "# Hundesteuer\\n\\n## Kontakt\\n\\nSteueramt, Rathaus, Zimmer 2.08\\nTelefon: 0761 555-3200\\n"))
>>> ContactBook.build({"d": doc}).for_documents(["d"]).phone
'0761 555-3200'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.answering.facts.values import EMAIL, PHONE, ROOM
from assistant.records import Contact, Document

CONTACT_HEADING = re.compile(r"kontakt|contact|zuständige stelle|ansprech|responsible office|where to go", re.I)
HOURS_HEADING = re.compile(r"öffnungszeiten|sprechzeiten|opening hours|office hours", re.I)
HOURS_LINE = re.compile(r"^(?:öffnungszeiten|sprechzeiten|opening hours|office hours)\b[^:]*:\s*(.+)$", re.I)
LABEL = re.compile(r"^(?:telefon|tel\.?|phone|e-mail|email|fax)\s*:?\s*", re.I)
# the city's general office answers when no page names a better one
DEFAULT_DEPARTMENTS = ("Bürgerbüro", "Citizens' Office (Bürgerbüro)")
MAX_HOURS = 7


@dataclass
class ContactBook:
    by_doc: dict[str, Contact]
    by_department: dict[str, Contact]
    default: Contact | None

    @classmethod
    def build(cls, documents: dict[str, Document]) -> ContactBook:
        by_doc = {doc_id: contact for doc_id, doc in documents.items() if (contact := parse_contact(doc))}
        by_department: dict[str, Contact] = {}
        for doc_id, contact in sorted(by_doc.items(), key=lambda item: -_completeness(item[1])):
            by_department.setdefault(documents[doc_id].department, contact)
        for doc_id, contact in by_doc.items():  # a page without hours: its office's hours
            office = by_department[documents[doc_id].department]
            if not contact.hours and office.hours and office.phone == contact.phone:
                by_doc[doc_id] = contact.model_copy(update={"hours": office.hours})
        default = next((by_department[d] for d in DEFAULT_DEPARTMENTS if d in by_department), None)
        return cls(by_doc, by_department, default)

    def for_documents(self, doc_ids: Iterable[str], departments: Iterable[str] = ()) -> Contact | None:
        """The first cited page's own contact, else its department's, else the general office."""
        for doc_id in doc_ids:
            if doc_id in self.by_doc:
                return self.by_doc[doc_id]
        for department in departments:
            if department in self.by_department:
                return self.by_department[department]
        return self.default


def parse_contact(doc: Document) -> Contact | None:
    """Contact details of one page, or None when it names no phone or e-mail."""
    sections = _sections(doc.text)
    contact_lines = [line for heading, lines in sections if CONTACT_HEADING.search(heading) for line in lines]
    hours = [
        _clean(line)
        for heading, lines in sections
        if HOURS_HEADING.search(heading)
        for line in lines
        if line.lstrip().startswith(("-", "*"))
    ]
    if not contact_lines and not hours:  # a phone number in running text may be another office's
        return None
    lines = contact_lines or [line for _heading, lines in sections for line in lines]
    hours += [m.group(1).strip() for line in lines if (m := HOURS_LINE.match(_clean(line)))]
    text = "\n".join(lines)
    phone, email = PHONE.search(text), EMAIL.search(text)
    if not phone and not email:
        return None
    office = next(
        (
            _clean(line)
            for line in contact_lines
            if not PHONE.search(line) and not EMAIL.search(line) and not HOURS_LINE.match(_clean(line))
        ),
        doc.department or doc.title,
    )
    room = ROOM.search("\n".join(contact_lines) or doc.text)
    return Contact(
        office=office,
        room=room.group(0) if room else "",
        phone=phone.group(0) if phone else "",
        email=email.group(0) if email else "",
        hours=hours[:MAX_HOURS],
        doc_id=doc.doc_id,
        title=doc.title,
        url=doc.url,
    )


def _sections(text: str) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines():
        if line.startswith("#"):
            sections.append((line.lstrip("#").strip(), []))
        elif line.strip():
            sections[-1][1].append(line.strip())
    return sections


def _clean(line: str) -> str:
    return LABEL.sub("", line.strip().lstrip("-*• ").strip())


def _completeness(contact: Contact) -> int:
    # opening hours are what a citizen on the way to the office needs most
    return sum(bool(value) for value in (contact.room, contact.phone, contact.email)) + 2 * bool(contact.hours)
