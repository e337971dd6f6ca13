"""The summary page: reading time, contents, tag links, review, related and “more like this”."""

import json
import re

import pytest

from books.models import Chapter
from tests.factories import BookFactory, RelatedLinkFactory, build_summary

pytestmark = pytest.mark.django_db


def test_demo_summary_has_reading_time_contents_tags_and_review(client, demo_book):
    html = client.get(demo_book.get_absolute_url()).content.decode()
    assert re.search(r'class="reading-time">\d+ min read<', html)
    assert '<nav class="toc" aria-labelledby="contents" data-contents>' in html
    # every chapter is in the contents, linking to its anchor on the page
    for chapter in Chapter.objects.filter(part__book=demo_book):
        assert f'<a href="#{chapter.anchor}">{chapter.title}</a>' in html
        assert f'id="{chapter.anchor}"' in html
    assert '<a href="/tags/llm/">LLM</a>' in html
    assert 'id="review"' in html and "Practical value of this chapter" in html
    assert '<a href="https://t.me/' in html


def test_reading_time_counts_every_part_of_the_summary(client, django_capture_on_commit_callbacks):
    book = build_summary(parts=1, chapters_per_part=1, lede="", description="")
    with django_capture_on_commit_callbacks(execute=True):
        Chapter.objects.filter(part__book=book).delete()
    base = client.get(book.get_absolute_url()).context["book"].reading_words
    part = book.parts.get()
    with django_capture_on_commit_callbacks(execute=True):  # committed: the cached page goes
        Chapter.objects.create(part=part, position=1, title="Long", summary="word " * 460)
    book_after = client.get(book.get_absolute_url()).context["book"]
    assert book_after.reading_words == base + 461
    assert book_after.reading_minutes == -(-(base + 461) // 230)


def test_more_like_this_ranks_published_summaries_by_shared_tags(client):
    book = build_summary(tags=["llm", "rag", "agents"])
    BookFactory(title="Shares three", tags=["llm", "rag", "agents"])
    BookFactory(title="Shares one", tags=["agents"])
    BookFactory(title="Shares two", tags=["llm", "rag", "cooking"])
    BookFactory(title="Shares none", tags=["cooking"])
    BookFactory(title="Draft sharing all", tags=["llm", "rag", "agents"], draft=True)
    BookFactory(title="Scheduled sharing all", tags=["llm", "rag", "agents"], scheduled=True)
    html = client.get(book.get_absolute_url()).content.decode()
    section = html[html.index('id="more-like-this"') :]
    assert section.index("Shares three") < section.index("Shares two") < section.index("Shares one")
    assert "3 tags in common" in section and "1 tag in common" in section
    for hidden in ("Shares none", "Draft sharing all", "Scheduled sharing all"):
        assert hidden not in html


def test_more_like_this_skips_what_the_editors_already_linked(client):
    book = build_summary(tags=["llm"])
    linked = BookFactory(title="Linked by editors", tags=["llm"])
    RelatedLinkFactory(book=book, target=linked, position=9)
    html = client.get(book.get_absolute_url()).content.decode()
    assert "Linked by editors" in html
    assert 'id="more-like-this"' not in html


def test_editors_links_come_before_more_like_this(client):
    book = build_summary(tags=["llm"])
    BookFactory(title="Similar", tags=["llm"])
    html = client.get(book.get_absolute_url()).content.decode()
    assert html.index('id="related-chapters"') < html.index('id="more-like-this"')
    assert "<cite>Not in the library yet</cite>" in html


def json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_json_ld_describes_the_book_its_authors_and_the_review(client, demo_book):
    html = client.get(demo_book.get_absolute_url()).content.decode()
    data = json_ld(html)
    assert data["@type"] == "Book"
    assert data["name"] == "Hands-On Large Language Models"
    assert data["url"] == "http://testserver/books/hands-on-large-language-models/"
    assert [a["name"] for a in data["author"]] == ["Jay Alammar", "Maarten Grootendorst"]
    assert data["author"][0] == {
        "@type": "Person",
        "name": "Jay Alammar",
        "url": "http://testserver/authors/jay-alammar/",
        "sameAs": "https://jalammar.github.io/",
    }
    assert data["numberOfPages"] == 428
    assert data["review"]["@type"] == "Review"
    assert data["review"]["author"] == {"@type": "Person", "name": "Alexander Polomodov"}
    assert data["review"]["publisher"]["name"] == "Telegram: Book Cube"


def test_json_ld_cannot_break_out_of_its_script_block(client):
    book = BookFactory(title="</script><script>alert(1)</script>", lede="a & b")
    html = client.get(book.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(html)["name"] == "</script><script>alert(1)</script>"


def test_open_graph_and_canonical_on_the_summary_page(client, demo_book):
    html = client.get(demo_book.get_absolute_url() + "?utm_source=x").content.decode()
    url = "http://testserver/books/hands-on-large-language-models/"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:type" content="book">' in html
    assert '<meta property="og:title" content="Hands-On Large Language Models">' in html
    assert '<meta property="book:author" content="http://testserver/authors/jay-alammar/">' in html
    assert '<meta name="description" content="LLMs stop feeling like magic' in html
