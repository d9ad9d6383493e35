from __future__ import annotations

import threading
import time

import pytest

from assistant.transports.admission import Admission, Busy, RateLimiter


def test_beyond_running_and_queued_a_question_is_refused_at_once():
    admission = Admission(max_concurrent=1, max_queued=1, wait_s=5)
    running = admission.reserve()
    running.start()
    queued = admission.reserve()
    started = time.monotonic()
    with pytest.raises(Busy) as refused:
        admission.reserve()
    assert time.monotonic() - started < 0.1 and refused.value.retry_after_s >= 1
    running.release()
    queued.start()  # the queued one gets the free slot
    assert admission.status() == {"answering": 1, "waiting": 0, "max_concurrent": 1, "max_queued": 1, "refused_busy": 1}
    queued.release()
    queued.release()  # idempotent
    assert admission.status()["answering"] == 0


def test_a_queued_question_waits_for_a_slot_and_gives_up_after_wait_s():
    admission = Admission(max_concurrent=1, max_queued=4, wait_s=0.3)
    holder = admission.reserve()
    holder.start()
    with pytest.raises(Busy), admission.slot():
        pass
    assert admission.status()["waiting"] == 0  # the one that gave up left the queue

    got_it = threading.Event()

    def waiter() -> None:
        with admission.slot():
            got_it.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.1)
    holder.release()
    thread.join(5)
    assert got_it.is_set()


def test_rate_limit_per_client_with_burst_and_refill(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("assistant.transports.admission.time.monotonic", lambda: now[0])
    limiter = RateLimiter(per_minute=6, burst=2)  # one every 10 s
    assert [limiter.check("198.51.100.1")[0] for _ in range(3)] == [True, True, False]
    allowed, wait = limiter.check("198.51.100.1")
    assert not allowed and wait == pytest.approx(10.0)
    assert limiter.check("198.51.100.2")[0]  # another client has its own bucket
    assert limiter.check("198.51.100.1", kind="feedback")[0]  # ratings count separately
    now[0] += 10.0
    assert limiter.check("198.51.100.1")[0]
    assert not limiter.check("198.51.100.1")[0]


def test_the_limiter_keeps_no_ip_address_and_a_bounded_number_of_clients():
    limiter = RateLimiter(per_minute=60, burst=5, max_clients=100)
    for i in range(500):
        limiter.check(f"203.0.113.{i % 250}-{i}")
    assert len(limiter._buckets) == 100
    assert "203.0.113" not in repr(limiter._buckets)


def test_zero_switches_the_limit_off():
    limiter = RateLimiter(per_minute=0, burst=1)
    assert all(limiter.check("192.0.2.1")[0] for _ in range(100))
