"""Desktop and phone screenshots of the home, summary, tag and search pages.

    .venv/bin/python tools/screenshots.py docs/screenshots/after

Serves this checkout like production (gunicorn, DEBUG off, a fresh SQLite file),
loads the demo library and the search corpus (tests/search/corpus), and saves one
PNG per page and device into the folder given. The same script, copied into
another checkout, takes the "before" pictures (docs/screenshots/README.md).
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, gunicorn, manage, production_env  # noqa: E402

PAGES = {
    "home": "/",
    "summary": "/books/hands-on-large-language-models/",
    "tag": "/tags/llm/",
    "search": "/search/?q=attention",
}
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
# The tallest part of a page kept, in CSS pixels: the page as a reader first sees it.
MAX_HEIGHT = {"desktop": 2000, "phone": 2400}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def load_library(env, folder):
    """The demo library, and the search corpus beside it, so lists look like a library's.

    The corpus's summaries link to each other, so they are imported as one file.
    """
    items = []
    for path in sorted((ROOT / "tests" / "search" / "corpus").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        items += data if isinstance(data, list) else [data]
    corpus = folder / "corpus.json"
    corpus.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    manage(env, "import_summaries", str(corpus))
    manage(env, "seed_demo")


def shoot(base, folder, scheme):
    from PIL import Image
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            for device, options in DEVICES.items():
                context = browser.new_context(color_scheme=scheme, **options)
                page = context.new_page()
                for name, path in PAGES.items():
                    page.goto(base + path, wait_until="networkidle")
                    height = min(
                        page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT[device]
                    )
                    width = options["viewport"]["width"]
                    target = folder / f"{name}-{device}.png"
                    page.screenshot(
                        path=str(target),
                        full_page=True,
                        clip={"x": 0, "y": 0, "width": width, "height": height},
                    )
                    # 256 colours keep the committed pictures small and still sharp for text.
                    with Image.open(target) as image:
                        image.convert("RGB").quantize(colors=256).save(target, optimize=True)
                    print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
                context.close()
        finally:
            browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where the PNGs go, e.g. docs/screenshots/after")
    parser.add_argument("--scheme", choices=["light", "dark"], default="light")
    arguments = parser.parse_args()
    folder = arguments.folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        port = free_port()
        env = production_env(Path(scratch), port, PAGE_CACHE_SECONDS="0")
        manage(env, "migrate", "--no-input")
        load_library(env, Path(scratch))
        with gunicorn(env, "/") as base:
            shoot(base, folder, arguments.scheme)


if __name__ == "__main__":
    main()
