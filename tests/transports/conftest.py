"""A live HTTP server on loopback, static sites on other origins, and headless Chromium.

``live_server`` runs the real app (``create_http_app``) under uvicorn in a background
thread, over the session's index of the sample corpus, with a temp SQLite store.
``static_site`` is a plain web server on another port (another origin, allowed to embed
the widget); ``foreign_site`` is one more origin that is not allowed. ``drafting_app`` is an
App whose "language model" writes a fixed draft with an invented fee in it, so tests can
check that the unchecked draft never reaches a client.
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import uvicorn
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from assistant.app import App
from assistant.transports.http import create_http_app

ROOT = Path(__file__).resolve().parents[2]
DEMO_PAGE = ROOT / "ui" / "widget-demo.html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def loopback_socket() -> socket.socket:
    """A listening-ready socket on a free loopback port (bound now, so no other test can take it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def origin_of(sock: socket.socket) -> str:
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


@dataclass
class LiveServer:
    url: str  # http://127.0.0.1:PORT, also its origin
    app: App
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_server(app: App, sock: socket.socket) -> LiveServer:
    """``create_http_app(app)`` under uvicorn in a daemon thread; returns once it accepts requests."""
    config = uvicorn.Config(create_http_app(app), log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="uvicorn")
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    return LiveServer(origin_of(sock), app, server, thread)


def server_app(base: App, tmp: Path, widget_origins: list[str]) -> App:
    """A new App sharing ``base``'s loaded index and models, with its own SQLite store in ``tmp``."""
    settings = base.settings.model_copy(deep=True)
    settings.store.url = f"sqlite:///{tmp / 'assistant.sqlite3'}"
    settings.store.spool_path = tmp / "feedback-spool.jsonl"
    settings.web.widget_origins = widget_origins
    settings.web.rate_limit_per_minute = 0  # every test asks from 127.0.0.1; test_security turns it on
    settings.ui_dir = ROOT / "ui"
    return App(settings, embedder=base.embedder, index=base.index, chat_model=base.chat_model)


# The draft of the fake model: one sentence the evidence supports (the gate keeps it: the final
# answer differs from the evidence answer), one invented (99,00 Euro is in no document, so the
# grounding gate drops it: it must never reach a citizen's screen).
KEPT = "Für Antragsteller ab 24 Jahren kostet der Personalausweis 37,00 Euro, unter 24 Jahren 22,80 Euro."
INVENTED = "Der Ausweis kostet 99,00 Euro."
DRAFT = (
    "Für Antragsteller ab 24 Jahren kostet der Personalausweis 37,00 Euro [1], unter 24 Jahren 22,80 Euro [2]. "
    f"{INVENTED} [1]"
)


class DraftingChatModel(GenericFakeChatModel):
    """LangChain's fake chat model, writing ``DRAFT`` for every question, ``delay_s`` per streamed piece."""

    delay_s: float = 0.0

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        for chunk in super()._stream(messages, stop=stop, run_manager=run_manager, **kwargs):
            time.sleep(self.delay_s)
            yield chunk


def drafting_app(base: App, tmp: Path, delay_s: float = 0.0, widget_origins: list[str] | None = None) -> App:
    """``server_app`` with :class:`DraftingChatModel` composing the answers."""
    settings = server_app(base, tmp, widget_origins or []).settings
    settings.llm.mode = "llamacpp"  # a model composes (the fake one passed in)
    settings.llm.languages = ["de", "en"]  # it stands for a city's own model that writes German
    model = DraftingChatModel(messages=itertools.repeat(AIMessage(content=DRAFT)), delay_s=delay_s)
    return App(settings, embedder=base.embedder, index=base.index, chat_model=model)


@dataclass
class StaticSite:
    """A plain web server on its own port: pages embedding the widget from another origin."""

    url: str
    folder: Path
    server: ThreadingHTTPServer = field(repr=False)

    @property
    def origin(self) -> str:
        return self.url

    def add_widget_page(self, name: str, widget_src: str) -> str:
        """The demo page with its script tag pointing at ``widget_src``; returns the page's URL."""
        page = DEMO_PAGE.read_text(encoding="utf-8").replace('src="/widget.js"', f'src="{widget_src}"')
        assert widget_src in page, "the demo page no longer embeds /widget.js"
        (self.folder / name).write_text(page, encoding="utf-8")
        return f"{self.url}/{name}"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's signature
        pass


def start_static_site(folder: Path) -> StaticSite:
    folder.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True, name="static-site").start()
    return StaticSite(f"http://127.0.0.1:{server.server_address[1]}", folder, server)


@pytest.fixture(scope="session")
def live_socket() -> Iterator[socket.socket]:
    sock = loopback_socket()
    yield sock
    sock.close()


@pytest.fixture(scope="session")
def static_site(tmp_path_factory, live_socket) -> Iterator[StaticSite]:
    """Another origin, allowed to embed the widget; ``/demo.html`` embeds the live server's widget."""
    site = start_static_site(tmp_path_factory.mktemp("static-site"))
    site.add_widget_page("demo.html", origin_of(live_socket) + "/widget.js")
    yield site
    site.server.shutdown()


@pytest.fixture(scope="session")
def foreign_site(tmp_path_factory, live_socket) -> Iterator[StaticSite]:
    """An origin that is NOT in the allow-list, embedding the same widget."""
    site = start_static_site(tmp_path_factory.mktemp("foreign-site"))
    site.add_widget_page("demo.html", origin_of(live_socket) + "/widget.js")
    yield site
    site.server.shutdown()


@pytest.fixture(scope="session")
def live_server(corpus_app, live_socket, static_site, tmp_path_factory) -> Iterator[LiveServer]:
    """The whole HTTP app over the sample corpus (extractive answers), on loopback."""
    app = server_app(corpus_app, tmp_path_factory.mktemp("live-server"), [static_site.origin])
    server = start_server(app, live_socket)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium driven by Playwright (Playwright's own browsers cannot be downloaded here)."""
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/install-system-deps.sh as root (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(60_000)  # an answer on a busy 2-core machine can take a while
    yield page
    context.close()
