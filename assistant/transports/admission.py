"""Who may ask now: a per-client rate limit and a bounded queue for answering.

Answering is CPU-bound, so the server computes at most ``max_concurrent_answers``
answers at once and lets at most ``max_queued_answers`` more wait for a turn.
A question beyond that is refused at once with :class:`Busy` (the API answers
HTTP 503 with ``Retry-After``, the kiosk a friendly sentence) instead of piling
up until every request times out. The API, the stream and the kiosk share one
:class:`Admission`, because they share the same cores and the same model.

>>> admission = Admission(max_concurrent=1, max_queued=0, wait_s=1)
>>> with admission.slot():
...     admission.reserve()
Traceback (most recent call last):
...
assistant.transports.admission.Busy: The assistant is busy right now. Please try again in a moment.

The rate limit is a token bucket per client address. Addresses are kept in
memory only, as a keyed hash with a per-process random key, so neither a log
nor a memory dump of the limiter lists the citizens' IP addresses.

>>> limiter = RateLimiter(per_minute=60, burst=2)
>>> [limiter.check("203.0.113.7")[0] for _ in range(3)]
[True, True, False]
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from assistant.settings import WebSettings

BUSY_MESSAGE = {
    "de": "Der Assistent ist gerade stark ausgelastet. Bitte versuchen Sie es in einem Moment noch einmal.",
    "en": "The assistant is busy right now. Please try again in a moment.",
}
RATE_LIMITED_MESSAGE = {
    "de": "Sie haben in kurzer Zeit sehr viele Fragen gestellt. Bitte warten Sie einen Moment.",
    "en": "You have asked very many questions in a short time. Please wait a moment.",
}


class Busy(RuntimeError):
    """No answer slot free and the queue full (or the wait too long): try again later."""

    def __init__(self, retry_after_s: float = 5.0) -> None:
        super().__init__(BUSY_MESSAGE["en"])
        self.retry_after_s = retry_after_s


class Ticket:
    """A place in the queue; ``running()`` waits for an answer slot. Releasing is idempotent."""

    def __init__(self, admission: Admission) -> None:
        self._admission = admission
        self.state = "queued"  # -> "running" -> "done"

    def start(self) -> None:
        """Wait (blocking, at most ``wait_s``) for an answer slot; ``Busy`` when none came free."""
        self._admission._start(self)

    @contextmanager
    def running(self) -> Iterator[None]:
        self.start()
        try:
            yield
        finally:
            self.release()

    def release(self) -> None:
        self._admission._release(self)


class Admission:
    """At most ``max_concurrent`` answers at once and ``max_queued`` waiting; the rest are ``Busy``."""

    def __init__(self, max_concurrent: int, max_queued: int, wait_s: float) -> None:
        self.max_concurrent = max(1, max_concurrent)
        self.max_queued = max(0, max_queued)
        self.wait_s = wait_s
        self._cond = threading.Condition()
        self._running = 0
        self._queued = 0
        self.refused = 0  # since start: questions answered with "busy"

    @classmethod
    def from_settings(cls, web: WebSettings) -> Admission:
        return cls(web.max_concurrent_answers, web.max_queued_answers, web.queue_wait_s)

    def reserve(self) -> Ticket:
        """A place in the queue, or ``Busy`` at once when every slot and every place is taken.

        Never blocks, so the event loop may call it.
        """
        with self._cond:
            if self._running + self._queued >= self.max_concurrent + self.max_queued:
                self.refused += 1
                raise Busy(self._retry_after())
            self._queued += 1
            return Ticket(self)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Reserve and run (blocking); for callers in worker threads."""
        ticket = self.reserve()
        with ticket.running():
            yield

    def status(self) -> dict[str, Any]:
        with self._cond:
            return {
                "answering": self._running,
                "waiting": self._queued,
                "max_concurrent": self.max_concurrent,
                "max_queued": self.max_queued,
                "refused_busy": self.refused,
            }

    def _retry_after(self) -> float:
        return 2.0 + self._queued / self.max_concurrent  # a rough "your turn would come in about ..."

    def _start(self, ticket: Ticket) -> None:
        deadline = time.monotonic() + self.wait_s
        with self._cond:
            if ticket.state != "queued":
                raise RuntimeError("this ticket was already used")
            while self._running >= self.max_concurrent:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._queued -= 1
                    ticket.state = "done"
                    self.refused += 1
                    self._cond.notify_all()
                    raise Busy(self._retry_after())
                self._cond.wait(left)
            self._queued -= 1
            self._running += 1
            ticket.state = "running"

    def _release(self, ticket: Ticket) -> None:
        with self._cond:
            if ticket.state == "queued":
                self._queued -= 1
            elif ticket.state == "running":
                self._running -= 1
            ticket.state = "done"
            self._cond.notify_all()


class RateLimiter:
    """Token buckets per client: ``burst`` requests at once, refilled at ``per_minute``.

    ``per_minute <= 0`` switches the limit off. At most ``max_clients`` buckets are
    kept (the least recently seen are dropped), so a flood of addresses cannot
    exhaust the memory.
    """

    def __init__(self, per_minute: float, burst: int, max_clients: int = 50_000) -> None:
        self.rate_s = per_minute / 60.0
        self.burst = max(1, burst)
        self.max_clients = max_clients
        self._key = secrets.token_bytes(16)  # per process: the hashes mean nothing after a restart
        self._buckets: OrderedDict[bytes, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, web: WebSettings) -> RateLimiter:
        return cls(web.rate_limit_per_minute, web.rate_limit_burst)

    @property
    def enabled(self) -> bool:
        return self.rate_s > 0

    def check(self, client: str, kind: str = "answer") -> tuple[bool, float]:
        """``(allowed, seconds until the next request would be allowed)``; takes a token when allowed."""
        if not self.enabled:
            return True, 0.0
        key = hashlib.blake2b(f"{kind}\0{client}".encode(), key=self._key, digest_size=16).digest()
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - stamp) * self.rate_s)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        wait = 0.0 if allowed else (1.0 - tokens) / self.rate_s
        return allowed, wait


def retry_after_header(seconds: float) -> str:
    """Whole seconds, at least 1 (the HTTP ``Retry-After`` header takes no fractions)."""
    return str(max(1, math.ceil(seconds)))
