"""Load benchmark: many citizens at once against the real server, over loopback.

Starts ``assistant serve`` (uvicorn, the whole app: API, kiosk, staff) in a subprocess
on 127.0.0.1 over a temporary index of ``corpus/`` and a temporary SQLite store,
in extractive mode (``--model`` uses the bundled llama.cpp model instead). Then:

1. **baseline**: one citizen asks questions one after another for ``--baseline-s`` seconds;
2. **load**: ``--citizens`` simulated citizens (default 50, each with its own address via
   ``X-Forwarded-For``, which uvicorn trusts from loopback, so the per-client rate limit
   applies per citizen as in production) for ``--duration`` seconds (default 60): each
   asks a question from ``eval/sets/sample_golden.jsonl``, rates the answer
   (``POST /api/feedback``), waits ``--think-s`` and asks again; a "busy" (503) or
   "rate limited" (429) answer makes it wait for ``Retry-After`` (at most 5 s).

Prints throughput, p50/p95/p99 latency, error, busy and rate-limited counts for both
phases and the ratios load/baseline, then stops the server and checks in the SQLite
file (plus the spool, if the store ever refused a write) that every rating that got
``201`` is stored, exactly once per acknowledgement.

    .venv/bin/python eval/bench/bench_load.py [--citizens 50] [--duration 60] [--model] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "eval" / "sets" / "sample_golden.jsonl"
PYTHON = sys.executable


@dataclass
class Phase:
    name: str
    citizens: int
    seconds: float = 0.0
    answer_ms: list[float] = field(default_factory=list)  # 200 answers
    refused_ms: list[float] = field(default_factory=list)  # 503/429: how fast "busy" came back
    statuses: Counter = field(default_factory=Counter)
    feedback: Counter = field(default_factory=Counter)
    acknowledged: Counter = field(default_factory=Counter)  # interaction_id -> ratings acknowledged (201)

    def summary(self) -> dict:
        answered = len(self.answer_ms)
        return {
            "phase": self.name,
            "citizens": self.citizens,
            "seconds": round(self.seconds, 1),
            "answers": answered,
            "throughput_answers_per_s": round(answered / self.seconds, 2) if self.seconds else 0.0,
            "p50_ms": _pct(self.answer_ms, 50),
            "p95_ms": _pct(self.answer_ms, 95),
            "p99_ms": _pct(self.answer_ms, 99),
            "max_ms": round(max(self.answer_ms), 1) if self.answer_ms else None,
            "busy_503": self.statuses.get(503, 0),
            "rate_limited_429": self.statuses.get(429, 0),
            "refusal_p95_ms": _pct(self.refused_ms, 95),
            "errors": sum(n for code, n in self.statuses.items() if code not in (200, 429, 503)),
            "status_counts": {str(k): v for k, v in sorted(self.statuses.items(), key=lambda kv: str(kv[0]))},
            "feedback_201": self.feedback.get(201, 0),
            "feedback_other": {str(k): v for k, v in self.feedback.items() if k != 201},
        }


def _pct(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[pct - 1], 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def questions() -> list[str]:
    return [json.loads(line)["question"] for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]


# -- the server ------------------------------------------------------------------------------------------


def server_env(tmp: Path, model: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "ASSISTANT_CONFIG": str(tmp / "none.toml"),  # the project's assistant.toml must not leak in
            "ASSISTANT_STORE__URL": f"sqlite:///{tmp / 'assistant.sqlite3'}",
            "ASSISTANT_STORE__SPOOL_PATH": str(tmp / "feedback-spool.jsonl"),
            "ASSISTANT_LLM__MODE": "llamacpp" if model else "extractive",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def build_index(tmp: Path, env: dict[str, str]) -> Path:
    index = tmp / "index"
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "-m", "assistant.cli", "ingest", "--index", str(index), str(ROOT / "corpus")],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"indexed corpus/ in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return index


def start_server(tmp: Path, index: Path, env: dict[str, str], port: int) -> subprocess.Popen:
    log = open(tmp / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        [PYTHON, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--index", str(index)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}); see {tmp / 'server.log'}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the server did not become healthy within 180 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)  # graceful: uvicorn finishes, the spool flusher stops
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# -- the citizens ----------------------------------------------------------------------------------------


async def citizen(
    number: int,
    client: httpx.AsyncClient,
    phase: Phase,
    stop_at: float,
    think_s: float,
    pool: list[str],
    rng: random.Random,
) -> None:
    address = f"10.{number // 250}.{number % 250}.{rng.randint(1, 250)}"  # one address per citizen
    headers = {"x-forwarded-for": address}
    while time.monotonic() < stop_at:
        question = rng.choice(pool)
        started = time.perf_counter()
        try:
            response = await client.post("/api/ask", json={"question": question, "channel": "api"}, headers=headers)
            status: int | str = response.status_code
        except httpx.HTTPError as exc:
            status, response = type(exc).__name__, None
        elapsed = (time.perf_counter() - started) * 1000
        phase.statuses[status] += 1
        if status == 200:
            phase.answer_ms.append(elapsed)
            interaction_id = response.json().get("interaction_id")
            rating = rng.choice(["up", "down"])
            body = {
                "interaction_id": interaction_id,
                "rating": rating,
                "reason": "incomplete" if rating == "down" else None,
                "comment": f"Lasttest {number}",
            }
            try:
                rated = await client.post("/api/feedback", json=body, headers=headers)
                phase.feedback[rated.status_code] += 1
                if rated.status_code == 201:
                    phase.acknowledged[interaction_id] += 1
            except httpx.HTTPError as exc:
                phase.feedback[type(exc).__name__] += 1
            if think_s:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)
        elif status in (429, 503):
            phase.refused_ms.append(elapsed)
            retry = float(response.headers.get("retry-after", "1"))
            await asyncio.sleep(min(retry, 5.0) * rng.uniform(0.8, 1.2))
        else:
            await asyncio.sleep(1.0)


async def run_phase(base_url: str, phase: Phase, seconds: float, think_s: float, seed: int) -> Phase:
    pool = questions()
    limits = httpx.Limits(max_connections=phase.citizens + 10, max_keepalive_connections=phase.citizens + 10)
    async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
        started = time.monotonic()
        stop_at = started + seconds
        await asyncio.gather(
            *(citizen(i, client, phase, stop_at, think_s, pool, random.Random(seed + i)) for i in range(phase.citizens))
        )
        phase.seconds = time.monotonic() - started
    return phase


# -- the check -------------------------------------------------------------------------------------------


def stored_ratings(tmp: Path) -> tuple[Counter, int]:
    """Ratings per interaction id in the SQLite file, plus ratings still waiting in the spool."""
    database = sqlite3.connect(f"file:{tmp / 'assistant.sqlite3'}?mode=ro", uri=True)
    try:
        rows = database.execute("SELECT interaction_id, COUNT(*) FROM ratings GROUP BY interaction_id").fetchall()
    finally:
        database.close()
    spool = tmp / "feedback-spool.jsonl"
    spooled = Counter()
    if spool.exists():
        for line in spool.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            if record.get("kind") == "rating":
                spooled[record["row"]["interaction_id"]] += 1
    return Counter(dict(rows)) + spooled, sum(spooled.values())


def check_feedback(phases: list[Phase], tmp: Path) -> dict:
    acknowledged = Counter()
    for phase in phases:
        acknowledged += phase.acknowledged
    stored, spooled = stored_ratings(tmp)
    missing = {key: n - stored.get(key, 0) for key, n in acknowledged.items() if stored.get(key, 0) < n}
    extra = {key: n - acknowledged.get(key, 0) for key, n in stored.items() if n > acknowledged.get(key, 0)}
    return {
        "acknowledged": sum(acknowledged.values()),
        "stored": sum(stored.values()),
        "still_spooled": spooled,
        "missing": sum(missing.values()),
        "unexpected": sum(extra.values()),
        "ok": not missing and not extra,
    }


# -- main ------------------------------------------------------------------------------------------------


def print_table(rows: list[dict]) -> None:
    columns = [
        "phase",
        "citizens",
        "seconds",
        "answers",
        "throughput_answers_per_s",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "busy_503",
        "rate_limited_429",
        "errors",
        "feedback_201",
    ]
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(str(row[c]) for c in columns))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--citizens", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--baseline-s", type=float, default=20.0, help="seconds of the one-citizen baseline")
    parser.add_argument("--think-s", type=float, default=0.0, help="mean pause between a rating and the next question")
    parser.add_argument("--model", action="store_true", help="compose with the bundled llama.cpp model")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (index, DB, server log)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = server_env(tmp, args.model)
    index = build_index(tmp, env)
    port = free_port()
    proc = start_server(tmp, index, env, port)
    base_url = f"http://127.0.0.1:{port}"
    try:
        health = httpx.get(f"{base_url}/healthz", timeout=10).json()
        baseline = asyncio.run(run_phase(base_url, Phase("baseline", 1), args.baseline_s, 0.0, args.seed))
        load = asyncio.run(
            run_phase(base_url, Phase("load", args.citizens), args.duration, args.think_s, args.seed + 1000)
        )
        after = httpx.get(f"{base_url}/healthz", timeout=30).json()
    finally:
        stop_server(proc)
    check = check_feedback([baseline, load], tmp)

    rows = [baseline.summary(), load.summary()]
    b, l_ = rows
    ratios = {
        "throughput_load_over_baseline": round(l_["throughput_answers_per_s"] / b["throughput_answers_per_s"], 2)
        if b["throughput_answers_per_s"]
        else None,
        "p50_load_over_baseline": round(l_["p50_ms"] / b["p50_ms"], 2) if b["p50_ms"] and l_["p50_ms"] else None,
        "p95_load_over_baseline": round(l_["p95_ms"] / b["p95_ms"], 2) if b["p95_ms"] and l_["p95_ms"] else None,
    }
    print(
        f"model: {health.get('model')}, index {health.get('index_version')}, {health.get('documents')} documents, "
        f"load settings {health.get('load')}"
    )
    print_table(rows)
    print("ratios load/baseline:", json.dumps(ratios))
    print(
        f"busy refusals came back in p95 {l_['refusal_p95_ms']} ms; server after the run: "
        f"status {after.get('status')}, load {after.get('load')}"
    )
    print("feedback check:", json.dumps(check))
    print("PASS: every acknowledged rating is stored" if check["ok"] else "FAIL: acknowledged ratings are missing")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "phases": rows,
                    "ratios": ratios,
                    "feedback_check": check,
                    "server": {"model": health.get("model"), "load": health.get("load")},
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    if args.keep:
        print(f"kept {tmp}")
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if check["ok"] and l_["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
