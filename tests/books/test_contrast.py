"""The colour pairs of site.css meet WCAG 2.2 AA contrast (4.5:1 for text) in light and dark,
and so does the text on every generated cover."""

import re
from pathlib import Path

import pytest

from books.covers import PALETTE

CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "site.css").read_text()
# Each colour is one declaration: --name: light-dark(<light>, <dark>).
PAIR = re.compile(r"--([\w-]+):\s*light-dark\(\s*(#[0-9a-fA-F]{6})\s*,\s*(#[0-9a-fA-F]{6})\s*\)")

# (text, background): every pairing the templates use for text.
PAIRS = [
    ("fg", "bg"), ("muted", "bg"), ("accent", "bg"),
    ("fg", "card"), ("muted", "card"), ("accent", "card"),
    ("accent", "tag-bg"), ("fg", "tag-bg"), ("muted", "tag-bg"),
    ("banner-fg", "banner-bg"),
    ("chip-on-fg", "chip-on-bg"),
    ("read-fg", "read-bg"),
    ("bg", "brand"),  # the home page's main button
    ("bg", "accent"),  # the search button
]  # fmt: skip


def palette(scheme):
    index = 1 if scheme == "light" else 2
    return {match.group(1): match.group(index + 1) for match in PAIR.finditer(CSS)}


def luminance(colour):
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one, two):
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_text_colours_meet_aa(scheme, text, background):
    colours = palette(scheme)
    ratio = contrast(colours[text], colours[background])
    assert ratio >= 4.5, f"{scheme}: --{text} on --{background} is {ratio:.2f}:1"


def test_dark_scheme_changes_every_colour():
    light, dark = palette("light"), palette("dark")
    assert len(light) >= 14
    assert {name for name in light if light[name] != dark[name]} == set(light)


@pytest.mark.parametrize(("background", "ink", "pattern"), PALETTE)
def test_cover_titles_are_readable_on_their_cover(background, ink, pattern):
    # The title sits on a band of the background colour; the pattern never runs under it.
    assert contrast(ink, background) >= 7
    assert contrast(ink, pattern) >= 4.5
