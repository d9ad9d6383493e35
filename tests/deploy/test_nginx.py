"""Two `assistant serve` processes behind Debian's nginx on loopback: one index, one database.

The test writes an nginx configuration to a temp folder (round robin with ``proxy_next_upstream``
for fail-over, ``proxy_buffering off`` for streaming), runs nginx in the foreground, sends
questions and ratings through it, switches the index while both instances serve (``assistant
ingest`` as a job, picked up without a restart), kills one instance with SIGKILL, and checks
that every request still succeeded and every acknowledged rating is in the database.

The store is a shared SQLite file, or PostgreSQL when ``ASSISTANT_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from assistant.components.store import InteractionRow, RatingRow, Store
from assistant.ingest.pipeline import ingest
from tests.conftest import markdown, write

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
NGINX = Path("/usr/sbin/nginx")
QUESTIONS = [
    "Was kostet ein Personalausweis?",
    "Wo ist das Fundbüro?",
    "How do I register my address?",
    "Wann ist das Bürgerbüro geöffnet?",
    "Was kostet die Hundesteuer?",
]
NEW_QUESTION = "Wann hat die Fahrradwerkstatt im Rathaushof geöffnet?"
NEW_PAGE = markdown(
    "Fahrradwerkstatt im Rathaushof",
    "Die Fahrradwerkstatt im Rathaushof hat dienstags "
    "von 14 bis 18 Uhr geöffnet. Dort können Sie Ihr Fahrrad kostenlos selbst reparieren.",
)

NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format upstream '$request_uri|$status|$upstream_addr|$upstream_status';
    access_log {tmp}/access.log upstream;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;

    upstream assistant {{
        server 127.0.0.1:{port_a} max_fails=1 fail_timeout=30s;
        server 127.0.0.1:{port_b} max_fails=1 fail_timeout=30s;
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://assistant;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_buffering off;
            proxy_read_timeout 120s;
            proxy_connect_timeout 2s;
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 2;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{url} exited during start-up:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not start within {seconds} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def store_url(tmp_path):
    from tests.postgres import ENV, temporary_database

    if os.environ.get(ENV):
        with temporary_database(os.environ[ENV]) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'shared.sqlite3'}"


@pytest.fixture
def cluster(tmp_path, corpus_app, store_url):
    """Two instances over a copy of the session's index, nginx in front.

    Yields (nginx URL, the instances' processes, settings of the index copy, nginx's folder, store URL).
    """
    if not NGINX.is_file():
        pytest.skip(f"{NGINX} is missing: run scripts/install-system-deps.sh as root (make test does)")
    index_dir = tmp_path / "index"
    shutil.copytree(corpus_app.settings.index_dir, index_dir)
    Store(store_url).migrate()  # as a deployment would, once; the instances find it at head
    env = os.environ | {
        "ASSISTANT_STORE__URL": store_url,
        "ASSISTANT_LLM__MODE": "extractive",  # two instances on 2 cores: no model, answers are the evidence
        "ASSISTANT_INDEX_RELOAD_S": "1",
        "ASSISTANT_STAFF__SESSION_SECRET": "same-on-every-instance",
        "ASSISTANT_WEB__RATE_LIMIT_PER_MINUTE": "0",  # every request comes from 127.0.0.1 here
        "ASSISTANT_EMBEDDING_THREADS": "1",
    }
    ports = [free_port(), free_port()]
    processes: dict[str, subprocess.Popen] = {}
    with ExitStack() as stack:
        for name, port in zip("ab", ports, strict=True):
            log = tmp_path / f"instance-{name}.log"
            instance_env = env | {"ASSISTANT_STORE__SPOOL_PATH": str(tmp_path / f"spool-{name}.jsonl")}
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "assistant.cli",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--index",
                    str(index_dir),
                ],
                cwd=ROOT,
                env=instance_env,
                stdout=stack.enter_context(open(log, "w")),
                stderr=subprocess.STDOUT,
            )
            stack.callback(lambda p=process: (p.kill(), p.wait(timeout=30)))
            processes[name] = process
        for name, port in zip("ab", ports, strict=True):
            wait_until_up(f"http://127.0.0.1:{port}", processes[name], tmp_path / f"instance-{name}.log")

        conf_dir = tmp_path / "nginx"
        conf_dir.mkdir()
        port = free_port()
        conf = conf_dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=conf_dir, port=port, port_a=ports[0], port_b=ports[1]))
        nginx = subprocess.Popen(
            [str(NGINX), "-c", str(conf), "-p", str(conf_dir), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        stack.callback(lambda: (nginx.terminate(), nginx.wait(timeout=30)))
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url, nginx, conf_dir / "error.log", seconds=30)
        settings = corpus_app.settings.model_copy(deep=True)
        settings.index_dir = index_dir
        yield url, processes, settings, conf_dir, store_url


def ask_and_rate(client: httpx.Client, number: int) -> dict:
    """One citizen: a question (JSON API, NDJSON stream or the OpenAI endpoint, in turn) and a rating."""
    question = QUESTIONS[number % len(QUESTIONS)]
    kind = ("ask", "stream", "openai")[number % 3]
    if kind == "ask":
        response = client.post("/api/ask", json={"question": question})
        answer = response.json() if response.status_code == 200 else {}
    elif kind == "stream":
        response = client.post("/api/ask/stream", json={"question": question})
        lines = [line for line in response.text.splitlines() if line]
        answer = next((json.loads(line)["answer"] for line in lines if '"type": "answer"' in line), {})
    else:
        response = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": question}]})
        answer = response.json().get("assistant", {}) if response.status_code == 200 else {}
    result = {
        "kind": kind,
        "status": response.status_code,
        "interaction_id": answer.get("interaction_id"),
        "index_version": answer.get("index_version"),
        "rated": False,
    }
    if result["interaction_id"]:
        rating = client.post(
            "/api/feedback",
            json={"interaction_id": result["interaction_id"], "rating": "up" if number % 2 else "down", "reason": None},
        )
        result["rating_status"] = rating.status_code
        result["rated"] = rating.status_code == 201
    return result


def traffic(url: str, count: int, start: int = 0, workers: int = 3) -> list[dict]:
    with httpx.Client(base_url=url, timeout=120) as client, ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda n: ask_and_rate(client, n), range(start, start + count)))


def upstreams(conf_dir: Path) -> Counter:
    lines = (conf_dir / "access.log").read_text().splitlines()
    # "$upstream_addr" is "A, B" when nginx passed a request on to the next instance
    fields = [line.split("|") for line in lines]
    return Counter(f[2] for f in fields if f[0].startswith(("/api/ask", "/v1/")))


def test_two_instances_behind_nginx_share_the_index_job_and_survive_a_kill(cluster, embedder):
    url, processes, settings, conf_dir, store_url = cluster

    before = traffic(url, 18)
    assert [r["status"] for r in before] == [200] * 18
    assert all(r["rated"] for r in before), before
    assert len(upstreams(conf_dir)) >= 2  # both instances answered

    # the index job writes a new version; both instances switch without a restart
    page = write(settings.index_dir.parent / "new" / "fahrradwerkstatt.md", NEW_PAGE)
    new_version = ingest([page.parent], settings, embedder).index_version
    deadline, fresh = time.monotonic() + 60, 0
    with httpx.Client(base_url=url, timeout=60) as client:
        while fresh < 6 and time.monotonic() < deadline:  # six in a row: round robin reached both
            answer = client.post("/api/ask", json={"question": NEW_QUESTION}).json()
            fresh = fresh + 1 if answer["index_version"] == new_version else 0
            time.sleep(0.2)
    assert fresh >= 6, "the instances did not switch to the new index version"
    assert answer["supporting"][0]["doc_id"] == "fahrradwerkstatt" and "14 bis 18 Uhr" in answer["answer"]

    processes["a"].send_signal(signal.SIGKILL)
    processes["a"].wait(timeout=30)
    after = traffic(url, 18, start=18)

    assert [r["status"] for r in after] == [200] * 18, after
    assert all(r["rated"] for r in after), after
    assert all(r["index_version"] == new_version for r in after)
    # every acknowledged answer and rating is in the database, once
    acknowledged = {r["interaction_id"] for r in before + after if r["rated"]}
    store = Store(store_url)
    with store.session() as session:
        logged = set(session.scalars(select(InteractionRow.id)))
        rated = Counter(session.scalars(select(RatingRow.interaction_id)))
    assert acknowledged <= logged
    assert all(rated[interaction_id] >= 1 for interaction_id in acknowledged)
    store.engine.dispose()
    print(f"\nanswers per upstream (nginx access log): {dict(upstreams(conf_dir))}")
