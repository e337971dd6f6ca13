"""The reading product in a real Chromium: the reading list, the contents that follow the reader,
the theme switch, multi-tag narrowing by clicks, and the contents bar on phones."""

import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SUMMARY = "/books/hands-on-large-language-models/"


@pytest.fixture
def second_summary(demo_book):
    """A second published summary with other tags, so lists and narrowing have a choice."""
    from tests.factories import BookFactory

    return BookFactory(title="Designing Data Systems", tags=["databases", "LLM"])


def test_saving_and_marking_read_survive_a_reload(library, second_summary, open_page):
    from playwright.sync_api import expect

    page = open_page(**DESKTOP)
    page.goto(library.url + "/books/")
    card = page.locator(f'article.card[data-slug="{second_summary.slug}"]')
    save = card.get_by_role("button", name=re.compile("^Save for later"))
    expect(save).to_have_attribute("aria-pressed", "false")
    save.click()
    expect(save).to_have_attribute("aria-pressed", "true")

    page.goto(library.url + SUMMARY)
    page.get_by_role("button", name=re.compile("^Mark as read")).first.click()

    page.reload()
    expect(page.get_by_role("button", name=re.compile("^Mark as read")).first).to_have_attribute(
        "aria-pressed", "true"
    )
    page.goto(library.url + "/books/")
    expect(card.get_by_role("button", name=re.compile("^Save for later"))).to_have_attribute(
        "aria-pressed", "true"
    )
    read_card = page.locator('article.card[data-slug="hands-on-large-language-models"]')
    expect(read_card.locator(".read-mark")).to_be_visible()
    expect(card.locator(".read-mark")).to_be_hidden()

    page.goto(library.url + "/reading-list/")
    saved = page.locator("[data-list='saved']")
    read = page.locator("[data-list='read']")
    expect(saved.get_by_role("link", name="Designing Data Systems")).to_be_visible()
    expect(read.get_by_role("link", name="Hands-On Large Language Models")).to_be_visible()
    # Unsaving on the list page moves the card out at once.
    saved.get_by_role("button", name=re.compile("^Save for later")).click()
    expect(saved.get_by_role("link", name="Designing Data Systems")).to_have_count(0)
    # No cookie was set: the list lives in localStorage only.
    assert page.context.cookies() == []


def test_the_reading_list_says_why_it_needs_javascript(library, open_page):
    from playwright.sync_api import expect

    page = open_page(**PHONE, java_script_enabled=False)
    page.goto(library.url + "/reading-list/")
    expect(page.get_by_text("This page needs JavaScript")).to_be_visible()


def test_the_contents_highlight_the_section_being_read(library, open_page):
    from playwright.sync_api import expect

    page = open_page(**DESKTOP)
    page.goto(library.url + SUMMARY)
    contents = page.get_by_role("navigation", name="Contents")
    expect(contents.get_by_role("link", name="Overview")).to_have_attribute(
        "aria-current", "location"
    )
    page.evaluate("document.getElementById('chapter-2-5').scrollIntoView()")
    chapter = contents.get_by_role("link", name="Semantic Search and RAG")
    expect(chapter).to_have_attribute("aria-current", "location")
    expect(contents.get_by_role("link", name="Overview")).not_to_have_attribute(
        "aria-current", "location"
    )
    page.evaluate("document.getElementById('who-for').scrollIntoView()")
    expect(contents.get_by_role("link", name="Who it is for")).to_have_attribute(
        "aria-current", "location"
    )


def test_on_a_phone_the_contents_are_a_bar_that_opens_and_closes(library, open_page):
    from playwright.sync_api import expect

    page = open_page(**PHONE)
    page.goto(library.url + SUMMARY)
    contents = page.get_by_role("navigation", name="Contents")
    link = contents.get_by_role("link", name="Semantic Search and RAG")
    expect(link).to_be_hidden()
    contents.locator("summary").click()
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(re.compile("#chapter-2-5$"))
    expect(link).to_be_hidden()
    # The bar stays at the top of the screen while the reader scrolls.
    page.mouse.wheel(0, 2500)
    expect(contents).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]


def test_the_theme_switch_is_remembered_and_the_system_stays_the_default(library, open_page):
    from playwright.sync_api import expect

    page = open_page(**DESKTOP, color_scheme="light")
    page.goto(library.url + "/")

    def background():
        return page.evaluate("getComputedStyle(document.body).backgroundColor")

    assert background() == "rgb(253, 252, 249)"
    toggle = page.get_by_role("button", name="Dark theme")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert background() == "rgb(26, 25, 23)"
    page.goto(library.url + SUMMARY)
    assert background() == "rgb(26, 25, 23)"
    page.get_by_role("button", name="Dark theme").click()
    page.reload()
    assert background() == "rgb(253, 252, 249)"

    system_dark = open_page(**PHONE, color_scheme="dark")
    system_dark.goto(library.url + "/")
    assert system_dark.evaluate("getComputedStyle(document.body).backgroundColor") == (
        "rgb(26, 25, 23)"
    )


@pytest.mark.parametrize("javascript", [False, True])
def test_narrowing_by_several_tags_with_clicks(library, second_summary, open_page, javascript):
    from playwright.sync_api import expect

    page = open_page(**PHONE, java_script_enabled=javascript)
    # The demo summary, its Russian translation and the second summary are tagged LLM.
    page.goto(library.url + "/tags/llm/")
    expect(page.locator(".card")).to_have_count(3)
    narrow = page.get_by_role("region", name="Narrow with another tag")
    narrow.get_by_role("link", name=re.compile("^RAG")).click()
    expect(page).to_have_url(re.compile(r"/tags/llm/\?and=rag$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("LLM and RAG")
    expect(page.locator(".card")).to_have_count(2)
    feed = page.get_by_role("link", name=re.compile("^Subscribe to"))
    assert feed.get_attribute("href") == "/tags/llm/feed/?and=rag"
    page.get_by_role("link", name="Remove the tag “LLM”").click()
    expect(page).to_have_url(re.compile(r"/tags/rag/$"))

    page.goto(library.url + "/books/")
    expect(page.locator(".card")).to_have_count(3)
    filters = page.locator(".filters")
    filters.get_by_role("link", name=re.compile("^databases")).click()
    expect(page.locator(".card")).to_have_count(1)
    filters.get_by_role("link", name=re.compile("^LLM")).click()
    expect(page).to_have_url(re.compile(r"/books/\?tag=databases&tag=llm$"))
    expect(page.locator(".card")).to_have_count(1)
    filters.get_by_role("link", name="Title").click()
    expect(page).to_have_url(re.compile(r"/books/\?tag=databases&tag=llm&sort=title$"))
    filters.get_by_role("link", name=re.compile("^databases.*remove this tag")).click()
    expect(page).to_have_url(re.compile(r"/books/\?tag=llm&sort=title$"))
    expect(page.locator(".card")).to_have_count(3)
