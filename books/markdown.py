"""Render editor Markdown into sanitised HTML: the only place HTML is made from editor text."""

import nh3
from markdown_it import MarkdownIt

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


def _nested_headings(state):
    """Editor text sits under the page's <h1> and a section's <h2>: its top headings become <h3>."""
    for token in state.tokens:
        if token.type in {"heading_open", "heading_close"} and token.tag in {"h1", "h2"}:
            token.tag = "h3"


# CommonMark with tables and strikethrough (markdown-it-py). Raw HTML and every link are
# let through to the sanitiser, which alone decides what stays: a javascript: link
# loses its address there, as raw HTML does. One parser serves every thread: each call
# keeps its state to itself.
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_MARKDOWN.core.ruler.push("nested_headings", _nested_headings)
_MARKDOWN.validateLink = lambda url: True


def render_markdown(text):
    """Return safe HTML for Markdown ``text``: scripts, event handlers and unsafe URLs removed."""
    if not text:
        return ""
    return sanitise_html(_MARKDOWN.render(text)).rstrip("\n")


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
