"""Lists, tag pages, search and feeds by the summaries' language; tags named per language;
sitemaps per language with translation alternates."""

import re

import pytest
from taggit.models import Tag

from books.changes import ChangedSummaries
from books.models import TagRedirect, TagTranslation
from tests.factories import BookFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    english = BookFactory(title="Deep Work", slug="deep-work", language="en", tags=["focus"])
    russian = BookFactory(
        title="Глубокая работа", slug="v-rabotu", language="ru", tags=["focus"],
        translation_of=english,
    )  # fmt: skip
    BookFactory(title="Only English", slug="only-english", language="en", tags=["focus"])
    BookFactory(title="Черновик", slug="chernovik", language="ru", draft=True, tags=["focus"])
    return english, russian


def titles(html):
    return sorted(
        re.findall(r'class="card-title"(?: lang="..")?><a href="[^"]+">([^<]+)</a>', html)
    )


@pytest.mark.parametrize("url", ["/books/", "/tags/focus/", "/ru/books/", "/ru/tags/focus/"])
def test_lists_and_tag_pages_filter_by_language(client, library, url):
    assert titles(client.get(url).content.decode()) == [
        "Deep Work", "Only English", "Глубокая работа",
    ]  # fmt: skip
    assert titles(client.get(f"{url}?lang=ru").content.decode()) == ["Глубокая работа"]
    assert titles(client.get(f"{url}?lang=en").content.decode()) == ["Deep Work", "Only English"]


@pytest.mark.parametrize("value", ["xx", "", "RU", "\x00", "ru" * 200])
def test_an_unknown_language_is_ignored(client, library, value):
    response = client.get("/books/", {"lang": value})
    assert response.status_code == 200
    assert len(titles(response.content.decode())) == 3


def test_the_home_page_offers_the_filter_with_each_language_named_in_itself(client, library):
    html = client.get("/?lang=ru").content.decode()
    assert '<nav class="language-filter"' in html
    assert '<a href="/?lang=en" lang="en" hreflang="en" rel="nofollow">English</a>' in html
    assert 'lang="ru" hreflang="ru" aria-current="page" rel="nofollow">Русский</a>' in html
    assert "Only English" not in html.split('id="newest"')[1].split("</section>")[0]


def test_search_filters_by_language(client, library):
    from books.search import rebuild

    rebuild()
    html = client.get("/search/", {"q": "Deep Work"}).content.decode()
    assert "Deep Work" in html
    html = client.get("/search/", {"q": "работу", "lang": "ru"}).content.decode()
    assert "Глубокая работа" in html
    html = client.get("/search/", {"q": "Deep Work", "lang": "ru"}).content.decode()
    assert 'href="/books/deep-work/"' not in html
    assert '<nav class="language-filter"' in html


def entries(xml):
    return re.findall(r'<entry xml:lang="(..)"><title>([^<]+)</title>', xml)


def test_the_default_feed_follows_the_interface_language(client, library):
    assert sorted(entries(client.get("/feeds/latest/").content.decode())) == [
        ("en", "Deep Work"), ("en", "Only English"),
    ]  # fmt: skip
    xml = client.get("/ru/feeds/latest/").content.decode()
    assert entries(xml) == [("ru", "Глубокая работа")]
    assert 'xml:lang="ru"' in xml.split("<entry")[0]
    assert len(entries(client.get("/feeds/latest/?lang=all").content.decode())) == 3
    assert entries(client.get("/feeds/latest/?lang=ru").content.decode()) == [
        ("ru", "Глубокая работа")
    ]
    assert entries(client.get("/ru/tags/focus/feed/").content.decode()) == [
        ("ru", "Глубокая работа")
    ]


@pytest.fixture
def named_tag(library):
    tag = Tag.objects.get(slug="focus")
    TagTranslation.objects.create(tag=tag, language="ru", name="Концентрация", slug="концентрация")
    return tag


def test_a_tag_shows_its_name_and_slug_in_the_interface_language(client, named_tag):
    ru = client.get("/ru/tags/концентрация/")
    assert ru.status_code == 200
    html = ru.content.decode()
    assert '<span class="tag-name">Концентрация</span>' in html
    html = client.get("/ru/books/deep-work/").content.decode()
    assert (
        '<a href="/ru/tags/%D0%BA%D0%BE%D0%BD%D1%86%D0%B5%D0%BD%D1%82%D1%80%D0%B0%D1%86%D0%B8%D1%8F/">Концентрация</a>'
        in html
    )
    html = client.get("/books/deep-work/").content.decode()
    assert '<a href="/tags/focus/">focus</a>' in html
    html = client.get("/ru/tags/").content.decode()
    assert "Концентрация" in html and ">focus<" not in html


def test_other_slugs_of_a_tag_lead_to_the_interface_languages(client, named_tag):
    assert client.get("/ru/tags/focus/").headers["Location"] == (
        "/ru/tags/%D0%BA%D0%BE%D0%BD%D1%86%D0%B5%D0%BD%D1%82%D1%80%D0%B0%D1%86%D0%B8%D1%8F/"
    )
    assert client.get("/tags/концентрация/").headers["Location"] == "/tags/focus/"
    TagRedirect.objects.create(old_slug="deep-focus", tag=named_tag)
    response = client.get("/ru/tags/deep-focus/")
    assert response.status_code == 301
    assert response.headers["Location"].startswith("/ru/tags/%D0%BA")
    assert client.get("/tags/deep-focus/").headers["Location"] == "/tags/focus/"


def test_the_sitemap_lists_every_page_per_language_with_alternates(client, named_tag):
    xml = client.get("/sitemap.xml").content.decode()
    locs = re.findall(r"<loc>([^<]+)</loc>", xml)
    host = "http://testserver"
    # A summary once, at its own language's address; drafts never.
    assert f"{host}/books/deep-work/" in locs and f"{host}/ru/books/v-rabotu/" in locs
    assert f"{host}/ru/books/deep-work/" not in locs and "chernovik" not in xml
    # Other pages in each interface language.
    assert f"{host}/tags/focus/" in locs
    assert (
        f"{host}/ru/tags/%D0%BA%D0%BE%D0%BD%D1%86%D0%B5%D0%BD%D1%82%D1%80%D0%B0%D1%86%D0%B8%D1%8F/"
        in locs
    )
    assert f"{host}/ru/" in locs and f"{host}/" in locs
    entry = xml.split(f"<loc>{host}/ru/books/v-rabotu/</loc>")[1].split("</url>")[0]
    assert f'<xhtml:link rel="alternate" hreflang="en" href="{host}/books/deep-work/"/>' in entry
    assert f'<xhtml:link rel="alternate" hreflang="ru" href="{host}/ru/books/v-rabotu/"/>' in entry
    assert 'hreflang="x-default"' in entry
    only = xml.split(f"<loc>{host}/books/only-english/</loc>")[1].split("</url>")[0]
    assert 'hreflang="ru"' not in only


def test_editors_name_a_tag_in_russian_in_the_tag_admin(client, library):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    tag = Tag.objects.get(slug="focus")
    url = f"/admin/taggit/tag/{tag.pk}/change/"
    data = {
        "name": "focus", "slug": "focus",
        "translations-TOTAL_FORMS": "1", "translations-INITIAL_FORMS": "0",
        "translations-0-language": "ru", "translations-0-name": "Концентрация",
        "translations-0-slug": "",
        "redirects-TOTAL_FORMS": "0", "redirects-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    translation = TagTranslation.objects.get(tag=tag)
    assert (translation.name, translation.slug) == ("Концентрация", "концентрация")
    client.logout()
    assert client.get("/ru/tags/концентрация/").status_code == 200
    # A new slug keeps the old one working.
    translation.slug = "фокус"
    translation.save()
    ChangedSummaries.of().send()  # what the commit does (tests never commit)
    assert client.get("/ru/tags/концентрация/").status_code == 301
