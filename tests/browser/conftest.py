"""Real-browser fixtures: Debian's Chromium driven by Playwright against the live test server.

One Chromium serves the browser tests that a test process runs one after another (each
test gets its own contexts, so no cookie or storage is shared): starting Playwright and
Chromium cost about 1.2 s per test. Playwright's sync API keeps an asyncio
loop marked as running in this thread while it is started, and Django refuses ORM calls
from such a thread (SynchronousOnlyOperation) unless DJANGO_ALLOW_ASYNC_UNSAFE is set. The
loop never runs Django code (it only talks to the browser), so the ``chromium`` fixture
sets that variable for as long as Playwright is started, and only then.
"""

import os
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


class _OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server, answering one request at a time.

    With SQLite the live server's threads share the test database's one in-memory
    connection, which breaks ("bad parameter or other API misuse") when a page sends
    requests at once (an editor's heartbeat beside a save, Markdown previews). The
    lock is around each request, not each connection, so keep-alive cannot stall it.
    """

    _lock = threading.Lock()

    def set_app(self, application):
        def one_at_a_time(environ, start_response):
            with self._lock:
                return list(application(environ, start_response))

        super().set_app(one_at_a_time)


LiveServerThread.server_class = _OneRequestAtATimeServer


def _unavailable(reason):
    """Skip on a developer's machine; in CI a browser test that cannot run is a failure."""
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason}. CI must run the browser tests (.ci/run installs Chromium).")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path():
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(
            f"Chromium is not installed at {CHROMIUM}: "
            "apt-get install chromium chromium-driver (or set CHROMIUM_PATH)"
        )
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def library(demo_book, live_server):
    """The demo library in the live server's database (set up before any browser starts)."""
    return live_server


@pytest.fixture(scope="package")
def chromium(chromium_path):
    """A headless Chromium, started once for the browser tests run in a row; never a
    downloaded browser. Pytest stops it as soon as a test from elsewhere comes next."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -r requirements-dev.txt)")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()


@pytest.fixture
def browser(chromium, library):
    """The browser, once the test's library is in the live server's database."""
    return chromium


@pytest.fixture
def open_page(browser):
    """Open a page with context options (viewport, colour scheme, JavaScript on or off)."""
    contexts = []

    def open_page(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
