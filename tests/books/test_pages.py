"""Every public page: one h1, ordered headings, landmarks, labels, alt text, meta tags, no inline code.

These are the checks of WCAG 2.2 AA and of a Content-Security-Policy without
'unsafe-inline' that can be read off the HTML; contrast is in test_contrast.py.
"""

import os
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from tests.factories import BookFactory, build_summary
from tests.shared_data import shared_rows

pytestmark = pytest.mark.django_db

HEADING = re.compile(r"h([1-6])")
FIELDS = {"input", "select", "textarea"}
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


class PageParser(HTMLParser):
    """Collects what the checks need from a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.headings = []
        self.ids = []
        self.label_for = set()
        self.fields = []
        self.meta = {}
        self.links = {}
        self.scripts = []
        self.inline_styles = []
        self.images = []
        self.html_lang = None
        self._label_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if match := HEADING.fullmatch(tag):
            self.headings.append(int(match.group(1)))
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if "style" in attrs:
            self.inline_styles.append(tag)
        if tag == "style":
            self.inline_styles.append("<style>")
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if tag in FIELDS and attrs.get("type", "text") not in UNLABELLED_INPUT_TYPES:
            self.fields.append((attrs, self._label_depth > 0))
        if tag == "meta":
            key = attrs.get("name") or attrs.get("property")
            if key:
                self.meta[key] = attrs.get("content", "")
        if tag == "link" and attrs.get("rel"):
            self.links[attrs["rel"]] = attrs.get("href")
        if tag == "script":
            self.scripts.append(attrs)
        if tag == "img":
            self.images.append(attrs)
        if any(name.startswith("on") for name in attrs):
            self.inline_styles.append(f"{tag} event handler")

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth -= 1


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """The demo summary, a second summary sharing its tags, and a draft.

    Built once for the module (tests/shared_data.py): its tests only read pages.
    """

    def build():
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", stdout=quiet)
        build_summary(tags=["llm", "nlp"], title="Another summary")
        BookFactory(title="A draft", draft=True, tags=["llm"])

    yield from shared_rows(django_db_blocker, build, after_commit=False)


PAGES = [
    "/",
    "/tags/",
    "/tags/?sort=popular",
    "/tags/llm/",
    "/tags/llm/?and=nlp",
    "/authors/jay-alammar/",
    "/books/hands-on-large-language-models/",
    "/no-such-page/",
    "/tags/llm/?page=abc",
]


def parse(client, url):
    response = client.get(url)
    assert response.status_code in {200, 404}
    parser = PageParser()
    parser.feed(response.content.decode())
    return parser


@pytest.mark.parametrize("url", PAGES)
def test_headings_landmarks_and_skip_link(client, site, url):
    page = parse(client, url)
    assert page.html_lang == "en"
    assert page.headings.count(1) == 1, "exactly one h1"
    assert page.headings[0] == 1, "the h1 comes first"
    for previous, current in zip(page.headings, page.headings[1:], strict=False):
        assert current <= previous + 1, f"heading level jumps from h{previous} to h{current}"
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in page.tags
    assert "skip-link" in client.get(url).content.decode()
    assert "main" in page.ids
    assert len(page.ids) == len(set(page.ids)), "ids are unique"


@pytest.mark.parametrize("url", PAGES)
def test_images_have_alt_and_fields_have_labels(client, site, url):
    page = parse(client, url)
    assert all("alt" in image for image in page.images)
    for attrs, wrapped in page.fields:
        assert wrapped or attrs.get("id") in page.label_for or attrs.get("aria-label"), attrs


@pytest.mark.parametrize("url", PAGES)
def test_no_inline_script_or_style(client, site, url):
    page = parse(client, url)
    assert not page.inline_styles
    for script in page.scripts:
        assert script.get("type") == "application/ld+json" or script.get("src"), script


@pytest.mark.parametrize("url", PAGES[:7])
def test_description_canonical_and_open_graph(client, site, url):
    page = parse(client, url)
    assert page.meta["description"].strip()
    assert page.links["canonical"].startswith("http://testserver/")
    assert page.meta["og:url"] == page.links["canonical"]
    for key in ("og:title", "og:description", "og:type", "og:site_name"):
        assert page.meta[key].strip(), key


def test_drafts_leave_no_trace_on_public_pages(client, site):
    for url in PAGES[:7]:
        assert "A draft" not in client.get(url).content.decode(), url


HOSTILE = [
    "%00",
    "abc",
    "-1",
    "1e30",
    "%27%22%3E%3Cscript%3E",
    "9" * 40,
    "%F0%9F%92%A9",
    "%C0%AF",
    "",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_parameters_never_give_a_500(client, site, value):
    urls = [
        f"/?page={value}",
        f"/tags/?sort={value}",
        f"/tags/llm/?page={value}",
        f"/tags/llm/?and={value}",
        f"/tags/{value}/",
        f"/tags/{value}/feed/",
        f"/authors/{value}/",
        f"/authors/jay-alammar/?page={value}",
        f"/books/{value}/",
        f"/sitemap.xml?p={value}",
    ]
    for url in urls:
        assert client.get(url).status_code in {200, 301, 404}, url
