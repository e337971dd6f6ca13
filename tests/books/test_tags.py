"""Browsing by tag: counts over published summaries, narrowing, unicode slugs, merges, redirects."""

from datetime import timedelta

import pytest
from django.utils import timezone
from taggit.models import Tag

from books.models import Book, TagRedirect
from books.tags import merge_tags, tag_cloud
from tests.factories import BookFactory

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def test_tag_index_counts_published_summaries_only(client):
    BookFactory(tags=["python", "testing"])
    BookFactory(tags=["python"])
    BookFactory(tags=["python", "secret-draft-tag"], draft=True)
    BookFactory(tags=["scheduled-tag"], scheduled=True)
    html = client.get("/tags/").content.decode()
    assert '<a href="/tags/python/">python</a> <span class="count">2 summaries</span>' in html
    assert '<a href="/tags/testing/">testing</a> <span class="count">1 summary</span>' in html
    assert "secret-draft-tag" not in html
    assert "scheduled-tag" not in html


def test_tag_index_sorts_alphabetically_and_by_popularity(client):
    BookFactory(tags=["Zebra", "apple"])
    BookFactory(tags=["Zebra", "mango"])
    BookFactory(tags=["Zebra"])
    BookFactory(tags=["mango"])
    alphabetical = client.get("/tags/").content.decode()
    assert (
        alphabetical.index(">apple<")
        < alphabetical.index(">mango<")
        < alphabetical.index(">Zebra<")
    )
    popular = client.get("/tags/?sort=popular").content.decode()
    assert popular.index(">Zebra<") < popular.index(">mango<") < popular.index(">apple<")
    assert 'rel="canonical" href="http://testserver/tags/?sort=popular"' in popular
    # A made-up order is ignored, not an error.
    response = client.get("/tags/?sort=<script>")
    assert response.status_code == 200
    assert 'rel="canonical" href="http://testserver/tags/"' in response.content.decode()


def test_tag_page_lists_published_summaries_newest_first_with_its_feed(client):
    BookFactory(title="Old one", tags=["llm"], published_at=days_ago(3))
    BookFactory(title="New one", tags=["llm"], published_at=days_ago(1))
    BookFactory(title="Untagged", tags=["other"])
    BookFactory(title="Hidden draft", tags=["llm"], draft=True)
    response = client.get("/tags/llm/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("New one") < html.index("Old one")
    assert "Untagged" not in html and "Hidden draft" not in html
    assert "2 summaries" in html
    assert 'href="/tags/llm/feed/"' in html
    assert 'type="application/atom+xml" title="Book summaries tagged “llm”"' in html


def test_tag_page_is_paginated(client):
    for day in range(14):
        BookFactory(title=f"Tagged {day:02}", tags=["many"], published_at=days_ago(day + 1))
    first = client.get("/tags/many/").content.decode()
    second = client.get("/tags/many/?page=2").content.decode()
    assert "Tagged 00" in first and "Tagged 11" in first and "Tagged 12" not in first
    assert "Tagged 12" in second and "Tagged 13" in second and "Tagged 00" not in second
    assert 'href="?page=2" rel="next"' in first
    assert 'href="/tags/many/" rel="prev"' in second


def test_several_tags_narrow_the_list_and_each_can_be_dropped(client):
    BookFactory(title="Both tags", tags=["llm", "rag"])
    BookFactory(title="Only llm", tags=["llm"])
    BookFactory(title="All three", tags=["llm", "rag", "agents"])
    html = client.get("/tags/llm/?and=rag").content.decode()
    assert "Both tags" in html and "All three" in html and "Only llm" not in html
    assert "Summaries tagged" in html and ">llm</span> and <span" in html
    # one click drops each active tag
    assert '<a href="/tags/rag/" class="drop-tag">' in html
    assert '<a href="/tags/llm/" class="drop-tag">' in html
    narrowed = client.get("/tags/llm/?and=rag&and=agents").content.decode()
    assert "All three" in narrowed and "Both tags" not in narrowed
    assert '<a href="/tags/rag/?and=agents" class="drop-tag">' in narrowed
    assert 'rel="canonical" href="http://testserver/tags/llm/?and=rag&amp;and=agents"' in narrowed


def test_narrowing_to_nothing_says_so(client):
    BookFactory(tags=["llm"])
    BookFactory(tags=["cooking"])
    response = client.get("/tags/llm/?and=cooking")
    assert response.status_code == 200
    assert "No summary has all of these tags" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/tags/nothing-here/", "/tags/llm/?and=nothing-here", "/tags/draft-only/", "/tags/llm/?and=%00",
     "/tags/llm/?and="],
)  # fmt: skip
def test_unknown_and_draft_only_tags_are_a_clear_404(client, url):
    BookFactory(tags=["llm"])
    BookFactory(tags=["draft-only"], draft=True)
    response = client.get(url)
    assert response.status_code == 404
    assert "No published summary has the tag" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/tags/%00/",
        "/tags/%00/feed/",
        "/authors/%00/",
        "/books/%00/",
        "/tags/a%20b/",
        "/tags/%3Cb%3E/",
    ],
)
def test_addresses_that_cannot_be_slugs_are_404_on_every_database(client, url):
    BookFactory(tags=["llm"])
    assert client.get(url).status_code == 404


def test_too_many_combined_tags_are_refused_clearly(client):
    BookFactory(tags=["a", "b", "c", "d", "e", "f"])
    response = client.get("/tags/a/?and=b&and=c&and=d&and=e&and=f")
    assert response.status_code == 404
    assert "At most 5 tags can be combined" in response.content.decode()


def test_unicode_tags_keep_their_slug(client):
    book = BookFactory(title="Книга", tags=["Машинное обучение"])
    tag = Tag.objects.get()
    assert tag.slug == "машинное-обучение"
    html = client.get(book.get_absolute_url()).content.decode()
    assert (
        'href="/tags/%D0%BC%D0%B0%D1%88%D0%B8%D0%BD%D0%BD%D0%BE%D0%B5-%D0%BE%D0%B1%D1%83%D1%87%D0%B5%D0%BD%D0%B8%D0%B5/"'
        in html
    )
    response = client.get("/tags/машинное-обучение/")
    assert response.status_code == 200
    assert "Книга" in response.content.decode()
    assert client.get("/tags/машинное-обучение/feed/").status_code == 200


def test_tags_differing_only_by_case_are_one_tag():
    first = BookFactory(tags=["LLM"])
    second = BookFactory(tags=["llm"])
    assert Tag.objects.count() == 1
    assert list(Book.objects.tagged(Tag.objects.get())) == [second, first]


def test_tag_cloud_weights_published_counts():
    for _ in range(8):
        BookFactory(tags=["popular"])
    BookFactory(tags=["rare", "popular"])
    BookFactory(tags=["hidden"], draft=True)
    cloud = {tag.name: (tag.count, tag.weight) for tag in tag_cloud()}
    assert cloud == {"popular": (9, 5), "rare": (1, 1)}


def test_home_shows_the_tag_cloud(client):
    BookFactory(tags=["llm"])
    html = client.get("/").content.decode()
    assert 'class="tag-cloud"' in html
    assert '<a class="weight-1" href="/tags/llm/">llm <span class="count">(1)</span></a>' in html


# --- Merging duplicates -------------------------------------------------------------------


def make_case_duplicates():
    """Two tags that differ only by case, as they were before TAGGIT_CASE_INSENSITIVE."""
    upper = Tag.objects.create(name="LLM", slug="llm")
    lower = Tag.objects.create(name="llm", slug="llm_1")
    both = BookFactory(title="Carries both")
    both.tags.add(upper, lower)
    only_lower = BookFactory(title="Only lower case")
    only_lower.tags.add(lower)
    return upper, lower


def test_merge_moves_uses_and_keeps_old_slugs_redirecting(client):
    upper, lower = make_case_duplicates()
    merge_tags(upper, [lower])
    assert list(Tag.objects.values_list("name", flat=True)) == ["LLM"]
    assert Book.objects.tagged(upper).count() == 2
    response = client.get("/tags/llm_1/")
    assert response.status_code == 301
    assert response["Location"] == "/tags/llm/"
    assert client.get("/tags/llm_1/feed/")["Location"] == "/tags/llm/feed/"
    follow = client.get("/tags/rag/?and=llm_1")
    assert follow.status_code == 404  # rag does not exist: an old slug does not hide that


def test_old_slug_in_a_narrowed_list_redirects_to_the_current_url(client):
    upper, lower = make_case_duplicates()
    BookFactory(tags=["rag"]).tags.add(upper)
    merge_tags(upper, [lower])
    response = client.get("/tags/rag/?and=llm_1")
    assert response.status_code == 301
    assert response["Location"] == "/tags/rag/?and=llm"


def test_redirects_follow_a_second_merge():
    upper, lower = make_case_duplicates()
    merge_tags(lower, [upper])
    third = Tag.objects.create(name="Large language models")
    merge_tags(third, [lower])
    assert dict(TagRedirect.objects.values_list("old_slug", "tag__slug")) == {
        "llm": third.slug,
        "llm_1": third.slug,
    }


def test_admin_offers_case_duplicates_and_merges_them(editor_client, client):
    upper, lower = make_case_duplicates()
    Tag.objects.create(name="unrelated")
    listing = editor_client.get("/admin/taggit/tag/?duplicates=case").content.decode()
    assert ">LLM<" in listing and ">llm<" in listing and "unrelated" not in listing

    selected = {"action": "merge_selected", "_selected_action": [upper.pk, lower.pk]}
    confirm = editor_client.post("/admin/taggit/tag/", selected)
    assert confirm.status_code == 200
    assert "Keep this tag" in confirm.content.decode()

    done = editor_client.post(
        "/admin/taggit/tag/", {**selected, "apply": "Merge tags", "survivor": lower.pk}
    )
    assert done.status_code == 302
    assert list(Tag.objects.filter(name__iexact="llm").values_list("slug", flat=True)) == ["llm_1"]
    assert client.get("/tags/llm/")["Location"] == "/tags/llm_1/"


def test_admin_merge_needs_two_tags(editor_client):
    tag = Tag.objects.create(name="alone")
    response = editor_client.post(
        "/admin/taggit/tag/",
        {"action": "merge_selected", "_selected_action": [tag.pk]},
        follow=True,
    )
    assert "Select at least two tags to merge." in response.content.decode()
    assert Tag.objects.count() == 1


def test_changing_a_slug_in_the_admin_keeps_the_old_url(editor_client, client):
    BookFactory(tags=["machine learning"])
    tag = Tag.objects.get()
    response = editor_client.post(
        f"/admin/taggit/tag/{tag.pk}/change/",
        {"name": "machine learning", "slug": "ml",
         "redirects-TOTAL_FORMS": "0", "redirects-INITIAL_FORMS": "0",
         "taggit-taggeditem-content_type-object_id-TOTAL_FORMS": "0",
         "taggit-taggeditem-content_type-object_id-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/tags/machine-learning/")["Location"] == "/tags/ml/"
    assert client.get("/tags/ml/").status_code == 200
