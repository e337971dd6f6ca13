"""Editors in a real Chromium: the dashboard, a live preview in a row added before the first
save, unsaved work kept and restored after the tab is closed, and two editors on one summary
(two browser contexts) told about each other. The screenshots go into tests/artifacts/ (ignored
by git); with SCREENSHOTS_TO_DOCS=1 they replace the ones docs/editors.md shows."""

import os
import re
from pathlib import Path

import pytest
from django.test import Client

from tests.browser.conftest import DESKTOP
from tests.factories import BookFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" if os.environ.get("SCREENSHOTS_TO_DOCS") else ROOT / "tests" / "artifacts"
WIDE = {"viewport": {"width": 1400, "height": 1000}}


@pytest.fixture
def editors(library):
    """Two editors' session cookies for the live server, made before any browser starts."""
    cookies = {}
    for username, name in (("anna", "Anna"), ("boris", "Boris")):
        # Superusers: a transactional test's flush drops the Editors group the migration made.
        user = UserFactory(username=username, first_name=name, is_staff=True, is_superuser=True)
        client = Client()
        client.force_login(user)
        cookies[username] = [
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": library.url}
        ]
    BookFactory(title="Building a Second Brain", draft=True)
    BookFactory(title="Введение в машинное обучение", draft=True)
    return cookies


def editor_page(open_page, cookies, **options):
    page = open_page(**{**DESKTOP, **options})
    page.context.add_cookies(cookies)
    return page


def demo_change_url(page, library):
    # The English summary (the demo has its Russian translation too, with the same title).
    page.goto(library.url + "/admin/books/book/?q=Hands-On&language__exact=en")
    link = page.locator("#result_list").get_by_role("link", name="Hands-On Large Language Models")
    url = library.url + link.get_attribute("href")
    page.goto(url)
    return url


def test_the_dashboard_says_what_needs_doing(library, editors, open_page):
    from playwright.sync_api import expect

    page = editor_page(open_page, editors["anna"], **WIDE)
    page.goto(library.url + "/admin/")
    dashboard = page.locator("#dashboard")
    expect(dashboard.get_by_role("heading", name="What needs doing")).to_be_visible()
    for heading in ("Your drafts", "Scheduled", "Recent changes by others", "Not complete yet"):
        expect(dashboard.get_by_role("heading", name=heading)).to_be_visible()
    unfinished = dashboard.locator(".dashboard-incomplete")
    expect(unfinished).to_contain_text("Введение в машинное обучение")
    expect(unfinished).to_contain_text("missing: a cover")
    page.screenshot(path=str(DOCS / "editors-dashboard.png"))

    unfinished.get_by_role("link", name=re.compile("summaries with something missing")).click()
    expect(page).to_have_url(re.compile(r"completeness=incomplete"))
    expect(page.locator("#result_list")).to_contain_text("Building a Second Brain")


def test_a_row_added_before_the_first_save_has_a_live_preview(library, editors, open_page):
    from playwright.sync_api import expect

    page = editor_page(open_page, editors["anna"])
    page.goto(library.url + "/admin/books/book/add/")
    page.locator("#parts-group .djn-add-handler.djn-model-books-part").last.click()
    page.locator("#parts-0-chapters-group .djn-add-handler.djn-model-books-chapter").last.click()
    editor = page.locator("textarea[name='parts-0-chapters-0-summary']")
    editor.fill("A **bold** claim")
    preview = editor.locator("xpath=ancestor::*[contains(@class,'markdownx')][1]").locator(
        ".markdownx-preview"
    )
    expect(preview.locator("strong")).to_have_text("bold", timeout=10_000)

    # An image dropped into the field is uploaded, and the editor is asked for its alt text.
    page.on("dialog", lambda dialog: dialog.accept("A diagram of attention heads"))
    editor.evaluate(
        """async (area) => {
            const canvas = document.createElement("canvas");
            canvas.width = canvas.height = 4;
            const blob = await new Promise((done) => canvas.toBlob(done, "image/png"));
            const files = new DataTransfer();
            files.items.add(new File([blob], "diagram.png", {type: "image/png"}));
            area.dispatchEvent(new DragEvent("drop", {dataTransfer: files, bubbles: true}));
        }"""
    )
    expect(editor).to_have_value(re.compile(r"!\[A diagram of attention heads\]\(/media/"))
    expect(preview.locator("img")).to_have_attribute("alt", "A diagram of attention heads")


def test_unsaved_work_survives_a_closed_tab(library, editors, open_page):
    from playwright.sync_api import expect

    page = editor_page(open_page, editors["anna"])
    url = demo_change_url(page, library)
    lede = page.locator("textarea[name='lede']")
    lede.fill("")
    lede.click()  # a real keystroke: browsers only warn on leaving a page the user touched
    page.keyboard.type("A hook typed but never saved.")
    page.locator("#related_links-group .djn-add-handler").last.click()
    page.locator("input[name='related_links-6-title']").fill("A new related title")
    page.locator("input[name='related_links-6-note']").fill("Why read it next")
    # The autosave runs half a second after the last keystroke: wait until it has kept that.
    page.wait_for_function(
        "() => Object.values(localStorage).some((kept) => kept.includes('Why read it next'))"
    )

    # Leaving the page warns first (beforeunload), then the tab is gone.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    with page.expect_event("close"):
        page.close(run_before_unload=True)
    assert dialogs == ["beforeunload"]

    page = page.context.new_page()
    page.goto(url)
    notice = page.locator("#autosave-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("were kept in this browser")
    expect(page.locator("textarea[name='lede']")).not_to_have_value("A hook typed but never saved.")
    notice.get_by_role("button", name="Restore them").click()
    expect(page.locator("textarea[name='lede']")).to_have_value("A hook typed but never saved.")
    expect(page.locator("input[name='related_links-6-title']")).to_have_value("A new related title")

    # Saving clears what was kept: the next visit offers nothing.
    page.get_by_role("button", name="Save changes").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(url)
    expect(page.locator("#autosave-notice")).to_be_hidden()
    expect(page.locator("textarea[name='lede']")).to_have_value("A hook typed but never saved.")


def test_two_editors_on_one_summary_are_told_about_each_other(
    settings, library, editors, open_page
):
    from playwright.sync_api import expect

    settings.EDITING_HEARTBEAT_SECONDS = 1
    anna = editor_page(open_page, editors["anna"], **WIDE)
    url = demo_change_url(anna, library)
    expect(anna.locator("#editing-notice")).to_be_hidden()

    boris = editor_page(open_page, editors["boris"], **WIDE)
    boris.goto(url)
    expect(boris.locator("#editing-notice")).to_be_visible()
    expect(boris.locator("#editing-notice")).to_contain_text("Anna")
    # Anna's page learns of Boris at its next heartbeat, with nothing reloaded.
    expect(anna.locator("#editing-notice")).to_be_visible(timeout=5_000)
    expect(anna.locator("#editing-notice")).to_contain_text("Boris")

    # The page has a contents bar, and long groups fold away.
    bar = anna.get_by_role("navigation", name="Parts of this page")
    expect(bar.get_by_role("link", name="Checklist")).to_be_visible()
    expect(bar.get_by_role("link", name="Schedule")).to_have_count(0)
    anna.evaluate("window.scrollTo(0, 0)")
    anna.screenshot(path=str(DOCS / "editors-change-page.png"))
    parts = anna.locator("#parts-group")
    parts.get_by_role("button", name="Collapse").click()
    expect(parts.locator("input[name='parts-0-title']")).to_be_hidden()
    bar.get_by_role("link", name=re.compile("Parts")).click()
    expect(parts.locator("input[name='parts-0-title']")).to_be_visible()

    boris.close()
    expect(anna.locator("#editing-notice")).to_be_hidden(timeout=5_000)
