"""Desktop and phone screenshots of the home, summary, tag and search pages.

    .venv/bin/python tools/screenshots.py docs/screenshots/after     (or: make screenshots)

Serves this checkout like production with the demo library and the search corpus
(tools/library_server.py) and saves one PNG per page and device into the folder
given. Copied with tools/library_server.py into another checkout, it takes the
"before" pictures the same way (docs/screenshots/README.md).
"""

import argparse
from pathlib import Path

from library_server import CHROMIUM, CHROMIUM_ARGS, ROOT, serving

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


def shoot(base, folder, scheme):
    from PIL import Image
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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
                    # 256 colours keep the committed pictures small and the text sharp.
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
    with serving(PAGE_CACHE_SECONDS="0") as base:
        shoot(base, folder, arguments.scheme)


if __name__ == "__main__":
    main()
