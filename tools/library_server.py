"""Serve this checkout like production with a library in it, for the screenshot and
quality tools: gunicorn, DEBUG off, a fresh SQLite file, the demo library and the
search corpus (tests/search/corpus)."""

import json
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, gunicorn, manage, production_env  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def load_library(env, folder):
    """The search corpus (its summaries link to each other, so one file), then the demo."""
    items = []
    for path in sorted((ROOT / "tests" / "search" / "corpus").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        items += data if isinstance(data, list) else [data]
    corpus = folder / "corpus.json"
    corpus.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    manage(env, "import_summaries", str(corpus))
    manage(env, "seed_demo")


@contextmanager
def serving(**settings):
    """Yield the base URL of a production-like server of this checkout with a library."""
    with tempfile.TemporaryDirectory() as scratch:
        env = production_env(Path(scratch), free_port(), **settings)
        manage(env, "migrate", "--no-input")
        load_library(env, Path(scratch))
        with gunicorn(env, "/") as base:
            yield base
