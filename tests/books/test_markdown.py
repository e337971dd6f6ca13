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


# --- Raw-text tags never eat what follows -------------------------------------------------------


@pytest.mark.parametrize(
    "opening",
    ["<style>", "<STYLE type='text/css'>", "<textarea>", "<title>", "<script>", "<xmp>",
     "<noscript>", "<plaintext>", "<!-- never closed"],
)  # fmt: skip
@pytest.mark.parametrize("where", ["block", "inline", "inside an HTML block"])
def test_an_unclosed_raw_text_tag_does_not_eat_the_text_after_it(opening, where):
    text = {
        "block": f"Before.\n\n{opening}\nStill here.\n\nAfter **bold** words.",
        "inline": f"Before {opening} still here.\n\nAfter **bold** words.",
        "inside an HTML block": f"<div>\n{opening}\n</div>\n\nAfter **bold** words.",
    }[where]
    html = render_markdown(text)
    assert "<strong>bold</strong> words" in html, html
    if where != "inside an HTML block":
        assert "Still here" in html or "still here" in html
    for tag in ("<style", "<textarea", "<title", "<script", "<xmp", "<noscript", "<plaintext"):
        assert tag not in html.lower()


@pytest.mark.django_db
def test_text_after_an_unclosed_style_reaches_the_page_and_search(
    client, django_capture_on_commit_callbacks
):
    from books.models import Chapter
    from books.search import search
    from tests.factories import build_summary

    with django_capture_on_commit_callbacks(execute=True):
        book = build_summary(title="Styled summary")
    with django_capture_on_commit_callbacks(execute=True):
        chapter = Chapter.objects.filter(part__book=book).first()
        chapter.summary = "Intro.\n\n<style>\n\nThe zanzibarian conclusion survives."
        chapter.save()
    page = client.get(book.get_absolute_url()).content.decode()
    assert "The zanzibarian conclusion survives." in page
    assert [hit.slug for hit in search("zanzibarian").hits] == [book.slug]
