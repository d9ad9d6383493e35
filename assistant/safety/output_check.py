"""Output checks: the last look at an answer before a citizen sees it.

An answer sentence is dropped when it

* repeats the system prompt (shares a run of 8 words with it, or is itself a run of at least
  6 words of it): a model talked into reciting its rules must not show them;
* links outside the city's domains (``settings.web.link_domains`` and their subdomains);
* gives a phone number or e-mail address that no indexed document contains (a poisoned page
  or a made-up hotline).

The grounding gate (``verify``) already requires facts to be in the cited evidence; this
check is independent of it, so that a gap in one is not a gap in both.

>>> from assistant.records import AnswerSentence, Document
>>> check = OutputCheck.build([Document(doc_id="a", title="A", source="a", text="Tel. 0761 555-1000")],
...                           ["musterstadt.de"], ["Answer only from the sources."])
>>> [s.text for s in check.keep([AnswerSentence(text="Rufen Sie 0761 555-1000 an."),
...                             AnswerSentence(text="Oder 0800 666-6666 anrufen."),
...                             AnswerSentence(text="Siehe https://evil.example/x")])]
['Rufen Sie 0761 555-1000 an.']
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.answering.facts.values import EMAIL, PHONE
from assistant.records import AnswerSentence, Document

log = logging.getLogger(__name__)

NGRAM = 8
MIN_CONTAINED_WORDS = 6
_WORD = re.compile(r"\w+")
# international numbers ("+1 555 0100 200"), which the German phone pattern in facts.py does not cover
_PHONE_INTL = re.compile(r"(?<![\w+])\+\d{1,3}[\s/-]?\(?\d{1,5}\)?(?:[\s/-]?\d{2,}){2,}")
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"')\]]+|"
    r"\b(?:[a-z0-9-]+\.)+(?:de|com|org|net|info|eu|io|ru|xyz|example|biz|co|me|app|online|site|top|tk)\b(?:/[^\s<>\"')\]]*)?",
    re.IGNORECASE,
)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+49"):
        digits = "0" + digits[2:]
    return digits


def _host(link: str) -> str:
    host = re.sub(r"^(?:https?://)", "", link, flags=re.IGNORECASE).split("/")[0].split(":")[0]
    return host.lower().rstrip(".")


@dataclass
class OutputCheck:
    prompt_ngrams: set[tuple[str, ...]]
    prompt_text: str  # the system prompt's words joined by single spaces
    link_domains: list[str]
    known_phones: set[str]
    known_emails: set[str]

    @classmethod
    def build(
        cls, documents: Iterable[Document], link_domains: list[str], system_prompts: Iterable[str]
    ) -> OutputCheck:
        """From the indexed documents (their contact data is allowed) and the system prompts that must not leak."""
        prompts = list(system_prompts)
        ngrams: set[tuple[str, ...]] = set()
        for prompt in prompts:
            words = _words(prompt)
            ngrams |= {tuple(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)}
        phones: set[str] = set()
        emails: set[str] = set()
        for doc in documents:
            text = f"{doc.title}\n{doc.text}"
            phones |= {_digits(m.group()) for m in PHONE.finditer(text)}
            phones |= {_digits(m.group()) for m in _PHONE_INTL.finditer(text)}
            emails |= {m.group().lower().rstrip(".") for m in EMAIL.finditer(text)}
        return cls(
            ngrams,
            "\n".join(" ".join(_words(p)) for p in prompts),
            [d.lower().lstrip(".") for d in link_domains],
            phones,
            emails,
        )

    def problems(self, text: str) -> list[str]:
        """Why ``text`` must not be shown (empty when it may)."""
        found: list[str] = []
        words = _words(text)
        if any(tuple(words[i : i + NGRAM]) in self.prompt_ngrams for i in range(len(words) - NGRAM + 1)) or (
            len(words) >= MIN_CONTAINED_WORDS and " ".join(words) in self.prompt_text
        ):
            found.append("system prompt")
        emails = [m.group().lower().rstrip(".") for m in EMAIL.finditer(text)]
        without_emails = EMAIL.sub(" ", text)
        for link in _URL.findall(without_emails):
            host = _host(link)
            if not any(host == d or host.endswith("." + d) for d in self.link_domains):
                found.append(f"link to {host}")
        for match in [*PHONE.finditer(without_emails), *_PHONE_INTL.finditer(without_emails)]:
            if _digits(match.group()) not in self.known_phones:
                found.append(f"phone number {match.group().strip()}")
        found += [f"e-mail {e}" for e in emails if e not in self.known_emails]
        return found

    def keep(self, sentences: list[AnswerSentence]) -> list[AnswerSentence]:
        """``sentences`` without the ones that fail a check (each drop is logged)."""
        kept = []
        for sentence in sentences:
            problems = self.problems(sentence.text)
            if problems:
                log.warning("output check dropped a sentence (%s)", "; ".join(problems))
                continue
            kept.append(sentence)
        return kept
