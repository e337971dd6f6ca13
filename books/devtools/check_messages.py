"""``make check-messages``: fail when the interface's catalogs are out of date or not compiled.

Run by CI. It gathers the strings again (``make messages``, which needs GNU gettext) and
fails when a catalog changed, then compares each compiled ``.mo`` with its ``.po``.
"""

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]


def _served(entry):
    # A .po's untranslated, fuzzy and obsolete entries are left out of its .mo by msgfmt;
    # a .mo's entries (polib's MOEntry, which has no translated()) are all served.
    if not isinstance(entry, polib.POEntry):
        return True
    return entry.translated() and not entry.fuzzy and not entry.obsolete


def compiled(entries):
    """The translations a catalog (.po or .mo) holds, as gettext serves them."""
    return {
        (entry.msgctxt, entry.msgid, entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))
        for entry in entries
        if _served(entry)
    }


def stale_compilations(locales):
    """The ``.mo`` files that do not hold exactly their ``.po`` file's translations."""
    stale = []
    for locale in locales:
        po = ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"
        mo = po.with_suffix(".mo")
        if not mo.exists() or compiled(polib.pofile(po)) != compiled(polib.mofile(mo)):
            stale.append(mo.relative_to(ROOT))
    return stale


def main(locales):
    subprocess.run(["make", "--no-print-directory", "messages"], cwd=ROOT, check=True)  # noqa: S607
    changed = subprocess.run(
        ["git", "diff", "--exit-code", "--stat", "-I", "POT-Creation-Date", "--", "locale"],  # noqa: S607
        cwd=ROOT,
    )
    if changed.returncode:
        sys.exit("The catalogs are out of date: run `make messages`, translate, and commit them.")
    if stale := stale_compilations(locales):
        sys.exit(
            f"Not compiled from their catalogs: {', '.join(map(str, stale))}. "
            "Run `make compilemessages` and commit them."
        )
    print(f"Catalogs up to date and compiled: {', '.join(locales)}.")


if __name__ == "__main__":
    main(sys.argv[1:] or ["ru", "en"])
