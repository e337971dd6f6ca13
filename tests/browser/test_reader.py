"""A reader in a real Chromium: home page → tag → the Hands-On LLMs summary → a chapter → the review."""

import re
from urllib.parse import urlencode

import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SUMMARY = "Hands-On Large Language Models"


@pytest.mark.parametrize(
    ("device", "options"),
    [("phone", {**PHONE, "java_script_enabled": False}), ("desktop", DESKTOP)],
)
def test_reader_finds_the_summary_through_a_tag_and_reads_it(
    library, open_page, artifacts, device, options
):
    from playwright.sync_api import expect

    page = open_page(**options)
    page.goto(library.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("books worth reading")

    page.locator(".tag-cloud").get_by_role("link", name=re.compile(r"^LLM\b")).click()
    expect(page).to_have_url(re.compile(r"/tags/llm/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("LLM")

    # The English summary's card: its Russian translation, titled the same, is tagged LLM too.
    card = page.locator('article.card[data-slug="hands-on-large-language-models"]')
    card.get_by_role("link", name=SUMMARY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SUMMARY)
    expect(page.locator(".reading-time").first).to_contain_text("min read")

    contents = page.get_by_role("navigation", name="Contents")
    contents.get_by_role("link", name="Semantic Search and RAG").click()
    expect(page).to_have_url(re.compile(r"#chapter-2-5$"))
    chapter = page.locator("#chapter-2-5")
    expect(chapter).to_be_in_viewport()
    expect(chapter).to_contain_text("RAG extends model knowledge")

    review = page.locator("#review")
    review.scroll_into_view_if_needed()
    expect(review.get_by_role("heading", name="Practical value of this chapter")).to_be_visible()
    expect(review.get_by_role("link", name="Telegram: Book Cube")).to_be_visible()

    # Nothing is wider than a phone's screen: no sideways scrolling.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= options["viewport"]["width"]

    page.goto(page.url.split("#")[0])
    path = artifacts / f"summary-{device}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


def test_reader_subscribes_to_the_tags_feed(library, open_page):
    page = open_page(**DESKTOP)
    page.goto(library.url + "/tags/llm/")
    feed = page.get_by_role("link", name=re.compile("Subscribe to “LLM”"))
    response = page.request.get(library.url + feed.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert SUMMARY in response.text()


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(library, open_page):
    from playwright.sync_api import expect

    page = open_page(**DESKTOP)
    page.goto(library.url + "/books/hands-on-large-language-models/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))


def test_dark_scheme_on_a_phone(library, open_page, artifacts):
    page = open_page(**PHONE, color_scheme="dark")
    page.goto(library.url + "/books/hands-on-large-language-models/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(26, 25, 23)"
    page.screenshot(path=str(artifacts / "summary-phone-dark.png"), full_page=True)


def test_a_russian_reader_goes_from_home_to_a_tag_to_the_summary_and_on_to_the_english_one(
    library, open_page
):
    """One pass in Russian: home → tag → the Russian summary → its English version."""
    from playwright.sync_api import expect

    page = open_page(**DESKTOP)
    page.goto(library.url + "/ru/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_contain_text("книг")

    page.locator(".tag-cloud").get_by_role("link", name=re.compile(r"^LLM\b")).click()
    expect(page).to_have_url(re.compile(r"/ru/tags/llm/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("LLM")

    card = page.locator('article.card[data-slug="hands-on-large-language-models-ru"]')
    card.get_by_role("link", name=SUMMARY).click()
    expect(page).to_have_url(re.compile(r"/ru/books/hands-on-large-language-models-ru/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(SUMMARY)
    expect(page.locator(".reading-time").first).to_contain_text("минут")
    expect(page.get_by_role("navigation", name="Содержание")).to_be_visible()

    page.get_by_role("link", name="Read in English").click()
    expect(page).to_have_url(re.compile(r"/books/hands-on-large-language-models/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".reading-time").first).to_contain_text("min read")
    expect(page.get_by_role("link", name="Читать по-русски")).to_have_attribute("lang", "ru")


@pytest.mark.parametrize(
    "query",
    ["x" * 5000, "transformer " * 400, "трансформер" * 300],
    ids=["one 5,000-letter word", "a long query of short words", "one long Cyrillic word"],
)
def test_an_overlong_query_never_widens_the_phone_page(library, open_page, query):
    page = open_page(**PHONE)
    page.goto(library.url + "/search/?" + urlencode({"q": query}))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    # The query the page shows is the part that was used, cut with "…", in the search box too.
    echoed = page.locator("main").inner_text()
    assert query not in echoed and "…" in echoed
