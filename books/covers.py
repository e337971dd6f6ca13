"""Generated book covers: a colour and a pattern derived from a summary's main tag.

The same design is drawn as SVG on the pages (``cover_svg``) and with Pillow on
the share cards (``books.share_cards``), so a summary looks the same everywhere.
An uploaded cover always wins over the generated one.
"""

import zlib
from dataclasses import dataclass
from textwrap import wrap

from django.utils.html import escape

# (background, ink, pattern colour): ink on background is at least 7:1, so the
# title reads at any size; the pattern is a quieter shade of the background.
PALETTE = [
    ("#12355b", "#fdf6e3", "#1d4b7d"),  # deep blue
    ("#7a2e1d", "#fff4e6", "#96402c"),  # brick
    ("#1f4d3a", "#f1f8ef", "#2c6650"),  # forest
    ("#4b2a66", "#f7efff", "#613a84"),  # plum
    ("#f2c14e", "#1f1a0e", "#e3ad2e"),  # mustard
    ("#e8e1d3", "#1d1d1f", "#d6ccb8"),  # paper
    ("#0f5257", "#eefafa", "#186a70"),  # teal
    ("#2b2b2b", "#f5f1e8", "#404040"),  # ink black
]
PATTERNS = ("stripes", "dots", "rings", "grid", "chevrons", "plain")
# The SVG's own coordinate space: a 2:3 book cover.
WIDTH, HEIGHT = 200, 300


@dataclass(frozen=True)
class CoverDesign:
    """How a generated cover looks: colours, pattern, and the lines of text it carries."""

    background: str
    ink: str
    accent: str
    pattern: str
    title_lines: tuple
    author_line: str


def main_tag(tags):
    """The tag a cover is coloured by: the oldest of the summary's tags (lowest id), or None."""
    tags = list(tags)
    return min(tags, key=lambda tag: tag.pk) if tags else None


def design(title, authors, tag_slug):
    """The ``CoverDesign`` of a summary with ``title``, ``authors`` (names) and main tag slug."""
    seed = zlib.crc32((tag_slug or "untagged").encode())
    background, ink, accent = PALETTE[seed % len(PALETTE)]
    pattern = PATTERNS[(seed // len(PALETTE)) % len(PATTERNS)]
    lines = wrap(title, 16, break_long_words=True) or [""]
    if len(lines) > 5:
        lines = [*lines[:4], lines[4][:14].rstrip() + "…"]
    names = ", ".join(authors)
    if len(names) > 24 and authors:
        names = authors[0] if len(authors) == 1 else f"{authors[0]} et al."
    author_line = names if len(names) <= 24 else names[:23].rstrip(" ,") + "…"
    return CoverDesign(background, ink, accent, pattern, tuple(lines), author_line)


def _pattern_svg(cover):
    accent = cover.accent
    if cover.pattern == "stripes":
        return "".join(
            f'<path d="M{x} 0 L{x - 120} 300" stroke="{accent}" stroke-width="10"/>'
            for x in range(0, 340, 28)
        )
    if cover.pattern == "dots":
        return "".join(
            f'<circle cx="{x}" cy="{y}" r="4" fill="{accent}"/>'
            for y in range(14, 300, 24)
            for x in range(14 + (y // 24 % 2) * 12, 200, 24)
        )
    if cover.pattern == "rings":
        return "".join(
            f'<circle cx="170" cy="270" r="{r}" fill="none" stroke="{accent}" stroke-width="8"/>'
            for r in range(24, 320, 26)
        )
    if cover.pattern == "grid":
        lines = [
            f'<path d="M{x} 0 V300" stroke="{accent}" stroke-width="3"/>'
            for x in range(20, 200, 20)
        ]
        lines += [
            f'<path d="M0 {y} H200" stroke="{accent}" stroke-width="3"/>'
            for y in range(20, 300, 20)
        ]
        return "".join(lines)
    if cover.pattern == "chevrons":
        return "".join(
            f'<path d="M-10 {y} L100 {y - 40} L210 {y}" fill="none" stroke="{accent}" '
            'stroke-width="9"/>'
            for y in range(40, 360, 34)
        )
    return f'<rect x="0" y="0" width="14" height="300" fill="{accent}"/>'


def cover_svg(cover, *, label=""):
    """The cover as an inline ``<svg>``: decorative (``aria-hidden``) unless ``label`` is given."""
    text_y = 78
    title = "".join(
        f'<tspan x="24" y="{text_y + index * 25}">{escape(line)}</tspan>'
        for index, line in enumerate(cover.title_lines)
    )
    band_top = text_y - 34
    band_height = 25 * len(cover.title_lines) + 26
    accessible = (
        f' role="img" aria-label="{escape(label)}"'
        if label
        else ' aria-hidden="true" focusable="false"'
    )
    return (
        f'<svg class="cover-art" viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg"'
        f"{accessible}>"
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{cover.background}"/>'
        f"{_pattern_svg(cover)}"
        f'<rect x="12" y="{band_top}" width="176" height="{band_height}" '
        f'fill="{cover.background}" opacity="0.92"/>'
        f'<text fill="{cover.ink}" font-family="Georgia, \'Times New Roman\', serif" '
        f'font-size="21" font-weight="700">{title}</text>'
        f'<rect x="12" y="248" width="176" height="34" fill="{cover.background}" opacity="0.92"/>'
        f'<text x="24" y="270" fill="{cover.ink}" font-family="system-ui, sans-serif" '
        f'font-size="13">{escape(cover.author_line)}</text>'
        "</svg>"
    )
