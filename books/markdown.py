"""Render editor Markdown into sanitised HTML: the only place HTML is made from editor text."""

import contextvars
import multiprocessing
import os
import pickle
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

import markdown as markdown_lib
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .words import count_words

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


# Texts already rendered elsewhere (a worker process, during a long import).
_prerendered = contextvars.ContextVar("prerendered_markdown", default=None)


def render_markdown(text):
    """Return safe HTML for Markdown ``text``: scripts, event handlers and unsafe URLs removed."""
    if not text:
        return ""
    prerendered = _prerendered.get()
    if prerendered is not None and text in prerendered:
        return prerendered[text]
    return sanitise_html(_converter().convert(text))


def render_many(texts):
    """Render each of ``texts`` and count the words of its HTML (a worker process runs it).

    Returns ``{text: html}`` for ``prerendered`` and ``{html: words}`` for
    ``books.reading.precounted``.
    """
    html_by_text = {text: render_markdown(text) for text in texts}
    return html_by_text, {html: count_words(html) for html in html_by_text.values()}


@contextmanager
def prerendered(html_by_text):
    """Within the block, ``render_markdown`` returns this HTML for the texts it holds."""
    token = _prerendered.set(html_by_text)
    try:
        yield
    finally:
        _prerendered.reset(token)


class RenderAhead:
    """Renders batches of Markdown in one worker process while the caller does other work.

    A long import writes one batch to the database while the next batch's text is
    rendered on another core. Anything that goes wrong with the worker only means
    the text is rendered in this process after all (``result`` returns None).
    """

    def __init__(self):
        self._executor = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)

    def submit(self, texts):
        """Start rendering ``texts``; returns a handle for ``result``, or None."""
        if len(os.sched_getaffinity(0)) < 2:
            return None  # one core: a second process would only compete with this one
        try:
            if self._executor is None:
                # spawn, not fork: a forked child would share the database connection.
                self._executor = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn")
                )
            return self._executor.submit(render_many, list(dict.fromkeys(texts)))
        except (OSError, RuntimeError, BrokenProcessPool):
            return None

    @staticmethod
    def result(handle):
        """The ``render_many`` result of a submitted batch, or None to render in this process."""
        if handle is None:
            return None
        try:
            return handle.result()
        except (OSError, RuntimeError, BrokenProcessPool, pickle.PicklingError):
            return None


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
