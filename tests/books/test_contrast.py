"""The colour pairs of site.css meet WCAG 2.2 AA contrast (4.5:1 for text) in light and dark."""

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "site.css").read_text()
DARK = re.compile(r"@media \(prefers-color-scheme: dark\)\s*\{\s*:root\s*\{(.*?)\}", re.S)
LIGHT = re.compile(r"(?<![\w-]):root\s*\{(.*?)\}", re.S)
VARIABLE = re.compile(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})")

# (text, background): every pairing the templates use for text.
PAIRS = [
    ("fg", "bg"), ("muted", "bg"), ("accent", "bg"),
    ("fg", "card"), ("muted", "card"), ("accent", "card"),
    ("accent", "tag-bg"), ("fg", "tag-bg"),
    ("banner-fg", "banner-bg"),
    *[("placeholder-fg", f"hue-{n}") for n in range(6)],
]  # fmt: skip


def palette(scheme):
    colours = {}
    light_blocks = [m.group(1) for m in LIGHT.finditer(DARK.sub("", CSS))]
    for block in light_blocks:
        colours.update(VARIABLE.findall(block))
    if scheme == "dark":
        for match in DARK.finditer(CSS):
            colours.update(VARIABLE.findall(match.group(1)))
    return colours


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
    assert {name for name in light if light[name] != dark[name]} == set(light)
