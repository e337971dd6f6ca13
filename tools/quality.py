"""Page quality: Lighthouse (mobile), axe-core and the Nu HTML checker against a live server.

    make quality        (installs tools/quality's npm packages once, then runs this)

Serves this checkout like production with a library in it (tools/library_server.py)
and checks:

- Lighthouse, mobile: every category 1.00 on the home, summary, tag and search pages;
- axe-core in Chromium, light and dark, desktop and phone: no serious or critical issue;
- the Nu HTML checker (vnu.jar, Java 17): no error on any reader's page.

Prints one line per check and exits non-zero when one fails. Reports go to
tests/artifacts/quality/.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import quote

from library_server import CHROMIUM, CHROMIUM_ARGS, ROOT, serving

TOOLS = ROOT / "tools" / "quality" / "node_modules"
REPORTS = ROOT / "tests" / "artifacts" / "quality"

LIGHTHOUSE_PAGES = {
    "home": "/",
    "summary": "/books/hands-on-large-language-models/",
    "tag": "/tags/llm/",
    "search": "/search/?q=attention",
    "home (ru)": "/ru/",
    "summary (ru)": "/ru/books/hands-on-large-language-models-ru/",
}
PAGES = {
    **LIGHTHOUSE_PAGES,
    "summary, short": "/books/accelerate/",
    "tag, narrowed": "/tags/llm/?and=rag",
    "all summaries": "/books/?tag=llm&sort=title",
    "tags": "/tags/",
    "authors": "/authors/",
    "author": "/authors/chip-huyen/",
    "collections": "/collections/",
    "collection": "/collections/start-here-llms/",
    "reading list": "/reading-list/",
    "search, nothing found": "/search/?q=zzzzqqq",
    "not found": "/books/no-such-summary/",
    "tag (ru)": "/ru/tags/llm/",
    "search (ru)": "/ru/search/?q=" + quote("трансформеры"),
    "all summaries (ru)": "/ru/books/?lang=ru",
    "not found (ru)": "/ru/books/no-such-summary/",
}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def lighthouse(base):
    failures = []
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    for name, path in LIGHTHOUSE_PAGES.items():
        report = REPORTS / f"lighthouse-{name}.json"
        subprocess.run(
            [
                str(TOOLS / ".bin" / "lighthouse"),
                base + path,
                f"--chrome-flags={flags}",
                f"--only-categories={','.join(CATEGORIES)}",
                "--output=json",
                f"--output-path={report}",
                "--quiet",
            ],
            env=env,
            check=True,
        )
        result = json.loads(report.read_text())
        scores = {key: result["categories"][key]["score"] for key in CATEGORIES}
        line = "  ".join(f"{key} {score:.2f}" for key, score in scores.items())
        print(f"lighthouse  {name:<22} {line}")
        for key, score in scores.items():
            if score < 1:
                audits = [
                    audit_ref["id"]
                    for audit_ref in result["categories"][key]["auditRefs"]
                    if audit_ref["weight"]
                    and result["audits"][audit_ref["id"]]["score"] not in (1, None)
                ]
                failures.append(f"lighthouse {name}: {key} {score:.2f} ({', '.join(audits)})")
    return failures


def axe(base):
    from playwright.sync_api import sync_playwright

    failures = []
    script = (TOOLS / "axe-core" / "axe.min.js").read_text()
    setups = {
        "desktop light": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "light"},
        "phone dark": {
            "viewport": {"width": 390, "height": 844},
            "is_mobile": True,
            "has_touch": True,
            "color_scheme": "dark",
        },
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for setup, options in setups.items():
                # bypass_csp: axe is injected into the page, which the site's CSP forbids.
                context = browser.new_context(bypass_csp=True, **options)
                page = context.new_page()
                for name, path in PAGES.items():
                    page.goto(base + path, wait_until="networkidle")
                    page.add_script_tag(content=script)
                    violations = page.evaluate(
                        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
                    )
                    serious = [v for v in violations if v["impact"] in {"serious", "critical"}]
                    others = [v for v in violations if v not in serious]
                    print(
                        f"axe         {name:<22} {setup:<14} serious/critical {len(serious)}"
                        f"  minor/moderate {len(others)}"
                        + "".join(f"\n            - {v['impact']}: {v['id']}" for v in violations)
                    )
                    failures += [
                        f"axe {name} ({setup}): {v['impact']} {v['id']}: "
                        f"{[node['target'] for node in v['nodes']][:3]}"
                        for v in serious
                    ]
                context.close()
        finally:
            browser.close()
    return failures


def nu_checker(base):
    folder = REPORTS / "html"
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, path in PAGES.items():
        target = folder / (name.replace(" ", "-").replace(",", "") + ".html")
        try:
            with urllib.request.urlopen(base + path, timeout=30) as response:
                target.write_bytes(response.read())
        except urllib.error.HTTPError as error:  # the 404 page is checked too
            target.write_bytes(error.read())
        files[str(target)] = name
    result = subprocess.run(
        ["java", "-jar", str(TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"),
         "--format", "json", "--also-check-css", *files],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [m for m in messages if m.get("type") == "error"]
    for file, name in files.items():
        mine = [m for m in errors if m.get("url", "").endswith(Path(file).name)]
        warnings = [
            m for m in messages if m.get("url", "").endswith(Path(file).name) and m not in mine
        ]
        print(f"nu checker  {name:<22} errors {len(mine)}  warnings/info {len(warnings)}")
    return [
        f"nu checker {files.get(m.get('url', '').removeprefix('file:'), m.get('url'))}: "
        f"line {m.get('lastLine')}: {m['message']}"
        for m in errors
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["lighthouse", "axe", "nu"], action="append")
    checks = parser.parse_args().only or ["lighthouse", "axe", "nu"]
    if not TOOLS.is_dir():
        sys.exit("Run `npm ci --prefix tools/quality` first (make quality does).")
    REPORTS.mkdir(parents=True, exist_ok=True)
    failures = []
    with serving() as base:
        for page in PAGES.values():  # warm the page cache, as a running site has it
            with contextlib.suppress(urllib.error.HTTPError):
                urllib.request.urlopen(base + page, timeout=30).read()
        if "nu" in checks:
            failures += nu_checker(base)
        if "axe" in checks:
            failures += axe(base)
        if "lighthouse" in checks:
            failures += lighthouse(base)
    if failures:
        print("\nFAILED:\n" + "\n".join(f"- {failure}" for failure in failures))
        sys.exit(1)
    print("\nAll quality checks passed.")


if __name__ == "__main__":
    main()
