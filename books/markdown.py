"""Render editor Markdown into sanitised HTML: the only place HTML is made from editor text."""

import threading

import markdown as markdown_lib
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
    "figcaption", "figure", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
    "li", "mark", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"


class _NestedHeadings(Treeprocessor):
    def run(self, root):
        for element in root.iter():
            if element.tag in {"h1", "h2"}:
                element.tag = "h3"


class NestedHeadingsExtension(Extension):
    """Editor text sits under the page's <h1> and a section's <h2>: its top headings become <h3>."""

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's API)
        md.treeprocessors.register(_NestedHeadings(md), "nested_headings", 0)


def _extensions():
    return ["extra", "sane_lists", NestedHeadingsExtension()]


# Building a Markdown converter loads every extension, which costs more than most
# conversions; each thread keeps one (a converter is not thread-safe) and resets it.
_converters = threading.local()


def _converter():
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown_lib.Markdown(
            extensions=_extensions(), output_format="html"
        )
    return converter.reset()


def render_markdown(text):
    """Return safe HTML for Markdown ``text``: scripts, event handlers and unsafe URLs removed."""
    if not text:
        return ""
    return sanitise_html(_converter().convert(text))


def sanitise_html(html):
    """Keep only the allow-listed tags, attributes and URL schemes of ``html``."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


class RenderedMarkdownMixin:
    """Keeps ``<field>_html`` columns in step with their Markdown sources on every save.

    ``markdown_fields`` maps each Markdown source field to the field that stores
    its rendered, sanitised HTML. Pages read the stored HTML; nothing renders
    Markdown while serving a reader.
    """

    markdown_fields = {}

    def render_markdown(self):
        for source, target in self.markdown_fields.items():
            setattr(self, target, render_markdown(getattr(self, source)))

    def save(self, *args, **kwargs):
        self.render_markdown()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {t for s, t in self.markdown_fields.items() if s in update_fields}
            kwargs["update_fields"] = set(update_fields) | extra
        super().save(*args, **kwargs)
