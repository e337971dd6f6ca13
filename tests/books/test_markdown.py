"""The Markdown sanitiser against XSS payloads, and what it keeps."""

from html.parser import HTMLParser

import pytest

from books.markdown import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](  javascript:alert(1) )",
    "![x](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p onmouseover="alert(1)">hover</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<form action=//evil.example><button>go</button></form>",
    '<meta http-equiv="refresh" content="0;url=//evil.example">',
    '<base href="//evil.example/">',
    '<input autofocus onfocus="alert(1)">',
    '<details open ontoggle="alert(1)">x</details>',
    "<style>body{display:none}</style>",
    '<a href="vbscript:msgbox(1)">x</a>',
    '<img src="x" srcset="javascript:alert(1)">',
    '<p id="main" class="x">clobber</p>',
]
URL_ATTRIBUTES = {"href", "src"}
SAFE_SCHEMES = ("http://", "https://", "mailto:", "/", "#")


class ElementCollector(HTMLParser):
    """Collects every element and attribute a browser would build from the HTML."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_are_neutralised(payload):
    html = render_markdown(payload)
    collector = ElementCollector()
    collector.feed(html)
    for tag, attrs in collector.elements:
        assert tag not in {"script", "style", "iframe", "object", "embed", "svg", "math", "form",
                           "input", "button", "meta", "base", "details"}, html  # fmt: skip
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name not in {"style", "id", "class", "srcset"}, html
            if name in URL_ATTRIBUTES and value:
                assert value.strip().lower().startswith(SAFE_SCHEMES) or ":" not in value, html


def test_safe_markdown_survives_with_safe_link_rel():
    html = render_markdown(
        "Read **this** and [the site](https://example.com).\n\n- one\n- two\n\n`code`"
    )
    assert "<strong>this</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">the site</a>' in html
    assert "<li>one</li>" in html
    assert "<code>code</code>" in html


def test_top_level_headings_nest_under_the_page_headings():
    html = render_markdown("# One\n\n## Two\n\n#### Four")
    assert html.split() == ["<h3>One</h3>", "<h3>Two</h3>", "<h4>Four</h4>"]


def test_empty_text_renders_nothing():
    assert render_markdown("") == ""
