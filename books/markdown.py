"""Render editor Markdown into sanitised HTML: the only place HTML is made from editor text."""

import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_block import html_block

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


# Elements whose content an HTML parser reads as raw text up to their closing tag: one
# left open would swallow everything after it (<style>, <script> and unclosed comments
# are then dropped by the sanitiser, <textarea> and <title> turn the rest into text).
# An opening tag that is never closed is shown as text instead, and what follows stays;
# a closed pair is left to the sanitiser, which removes it.
_RAW_TEXT_TAG = re.compile(
    r"<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext|template)"
    r"(?=[\s/>]|$)",
    re.IGNORECASE,
)


def _closed(name, html, position):
    if name.lower() == "plaintext":  # nothing ever closes it
        return False
    return re.compile(rf"</{name}\s*>", re.IGNORECASE).search(html, position) is not None


def _defuse(html, start=0, end=None):
    """``html[start:end]`` with each raw-text tag and comment that ``html`` never closes
    after it shown as text."""
    end = len(html) if end is None else end
    parts, last = [], start
    for match in re.finditer(r"<!--|" + _RAW_TEXT_TAG.pattern, html[:end], re.IGNORECASE):
        if match.start() < start:
            continue
        if match[0] == "<!--":
            closed = "-->" in html[match.end() :]
        else:
            closed = _closed(match[1], html, match.end())
        if not closed:
            parts += [html[last : match.start()], "&lt;"]
            last = match.start() + 1
    return "".join([*parts, html[last:end]])


def _html_block(state, start_line, end_line, silent):
    """CommonMark's HTML block, except one opened by a raw-text tag or a comment that is
    never closed: that line is a paragraph instead, so the Markdown after it stays Markdown."""
    start = state.bMarks[start_line] + state.tShift[start_line]
    opening = _RAW_TEXT_TAG.match(state.src, start)
    if opening and not _closed(opening[1], state.src, opening.end()):
        return False
    if state.src.startswith("<!--", start) and "-->" not in state.src[start:]:
        return False
    return html_block(state, start_line, end_line, silent)


def _defuse_raw_html(state):
    """Show as text every raw-text tag and comment of the raw HTML that nothing closes after it."""
    tokens = [
        token
        for block in state.tokens
        for token in ([block] if block.type == "html_block" else block.children or [])
        if token.type in {"html_block", "html_inline"}
    ]
    whole = "".join(token.content for token in tokens)
    offset = 0
    for token in tokens:
        length = len(token.content)
        token.content = _defuse(whole, offset, offset + length)
        offset += length


# CommonMark with tables and strikethrough (markdown-it-py). Raw HTML and every link are
# let through to the sanitiser, which alone decides what stays: a javascript: link
# loses its address there, as raw HTML does. One parser serves every thread: each call
# keeps its state to itself.
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_MARKDOWN.core.ruler.push("nested_headings", _nested_headings)
_MARKDOWN.validateLink = lambda url: True
_MARKDOWN.block.ruler.at(
    "html_block", _html_block, {"alt": ["paragraph", "reference", "blockquote"]}
)
_MARKDOWN.core.ruler.push("defuse_raw_html", _defuse_raw_html)


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
