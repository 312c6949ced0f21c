"""The customer portal's home page and search in a real browser (Debian's chromium through Playwright),
against `tugi dev` in a subprocess with its demo knowledge base: what a customer does, on a desktop, on a
phone and with the keyboard alone, in English and Estonian; axe-core checks every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.e2e.conftest import browser_context, console_errors, serious_violations

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def estonian_page(browser: Browser) -> Iterator[Page]:
    with browser_context(browser, locale="et-EE") as page:
        yield page


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    with browser_context(browser, locale="en-GB", viewport=PHONE, is_mobile=True, has_touch=True) as page:
        yield page


def search_requests(page: Page) -> list[Request]:
    seen: list[Request] = []
    page.on("request", lambda request: seen.append(request) if "/v1/kb/" in request.url else None)
    return seen


def test_a_customer_finds_the_answer_from_the_first_words_they_type(dev: dict[str, Any], browser_page: Page) -> None:
    problems = console_errors(browser_page)
    requests = search_requests(browser_page)
    browser_page.goto(f"{dev['url']}/")
    expect(browser_page.get_by_role("heading", name="How can we help?", level=1)).to_be_visible()

    box = browser_page.get_by_role("combobox", name="Search the help centre")
    box.press_sequentially("lost ca", delay=40)
    suggestions = browser_page.get_by_role("listbox", name="Suggestions")
    expect(suggestions.get_by_role("option", name="Lost or stolen card")).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")

    box.press("Escape")
    expect(suggestions).to_be_hidden()
    box.fill("I lost my card")
    box.press("Enter")
    expect(browser_page).to_have_url(re.compile(r"/\?q=I\+lost\+my\+card$"))
    results = browser_page.get_by_role("region", name="Results for “I lost my card”")
    first = results.get_by_role("listitem").first
    expect(first.get_by_role("link", name="Lost or stolen card")).to_be_visible()
    expect(first.locator(".short-answer")).to_contain_text("Freeze your card at once")

    visitors = {r.headers.get("x-tugi-visitor") for r in requests}
    assert len(visitors) == 1, "every search carries the same visitor id, for deflection"
    assert None not in visitors
    assert all("locale=en" in r.url for r in requests)
    assert serious_violations(browser_page) == []
    assert problems == [], "no CSP violation, no script error"


def test_a_search_result_opens_the_article_in_the_portal_frame_and_the_search_is_kept(
    dev: dict[str, Any], browser_page: Page
) -> None:
    browser_page.goto(f"{dev['url']}/?q=how+do+I+block+my+card")
    browser_page.get_by_role("link", name="Lost or stolen card").click()

    expect(browser_page).to_have_url(re.compile(r"/v1/kb/articles/card_lost\?locale=en&search_id=\w+"))
    expect(browser_page.get_by_role("heading", name="Lost or stolen card", level=1)).to_be_visible()
    short_answer = browser_page.locator(".short-answer")
    assert short_answer.evaluate("e => getComputedStyle(e).borderLeftStyle") == "solid", "the portal's stylesheet"
    expect(browser_page.get_by_role("heading", name="Was this helpful?")).to_be_visible()
    assert serious_violations(browser_page) == []
    help_link = browser_page.get_by_role("region", name="Still need help?").get_by_role("link", name="Contact us")
    expect(help_link).to_have_attribute("href", "/contact/?article=card_lost&locale=en")

    browser_page.get_by_role("searchbox", name="Search the help centre").fill("change my PIN")
    browser_page.get_by_role("button", name="Search").click()
    expect(browser_page).to_have_url(re.compile(r"/\?q=change\+my\+PIN$"))
    expect(browser_page.get_by_role("link", name=re.compile("PIN")).first).to_be_visible()
    browser_page.go_back()
    expect(browser_page.get_by_role("heading", name="Lost or stolen card", level=1)).to_be_visible()


def test_an_estonian_browser_gets_estonian_and_the_choice_is_kept(dev: dict[str, Any], estonian_page: Page) -> None:
    requests = search_requests(estonian_page)
    estonian_page.goto(f"{dev['url']}/?q=kaotasin+kaardi")

    expect(estonian_page.get_by_role("heading", name="Kuidas saame aidata?")).to_be_visible()
    assert estonian_page.evaluate("document.documentElement.lang") == "et"
    expect(estonian_page.get_by_role("link", name="Kaotatud või varastatud kaart")).to_be_visible()
    assert all("locale=et" in r.url for r in requests)

    estonian_page.get_by_role("button", name="In English").click()
    expect(estonian_page.get_by_role("heading", name="How can we help?")).to_be_visible()
    expect(estonian_page.get_by_role("link", name="Lost or stolen card")).to_be_visible()
    estonian_page.reload()
    expect(estonian_page.get_by_role("heading", name="How can we help?")).to_be_visible()
    expect(estonian_page.get_by_role("button", name="Eesti keeles")).to_be_visible()


def test_on_a_phone_nothing_scrolls_sideways_and_the_search_works(dev: dict[str, Any], phone_page: Page) -> None:
    phone_page.goto(f"{dev['url']}/?q=card+declined")
    expect(
        phone_page.get_by_role("region", name=re.compile("Results for")).get_by_role("listitem").first
    ).to_be_visible()

    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"
    box = phone_page.get_by_role("combobox", name="Search the help centre").bounding_box()
    assert box is not None
    assert box["width"] >= 200, "the search box takes the screen's width"
    assert serious_violations(phone_page) == []


def test_the_keyboard_alone_reaches_search_suggestions_and_an_article(dev: dict[str, Any], browser_page: Page) -> None:
    browser_page.goto(f"{dev['url']}/")
    browser_page.keyboard.press("Tab")
    expect(browser_page.get_by_role("link", name="Skip to content")).to_be_focused()
    browser_page.keyboard.press("Enter")
    browser_page.keyboard.press("Tab")
    box = browser_page.get_by_role("combobox", name="Search the help centre")
    expect(box).to_be_focused()

    browser_page.keyboard.type("change pi", delay=40)
    option = browser_page.get_by_role("option").first
    expect(option).to_be_visible()
    browser_page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "suggestion-0")
    browser_page.keyboard.press("Enter")
    expect(browser_page).to_have_url(re.compile(r"/v1/kb/articles/\w+\?locale=en"))


def test_a_page_that_does_not_exist_is_a_404_in_the_portal_frame(dev: dict[str, Any], browser_page: Page) -> None:
    response = browser_page.goto(f"{dev['url']}/no/such/page")

    assert response is not None
    assert response.status == 404
    expect(browser_page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(browser_page.get_by_role("link", name="Help centre")).to_have_attribute("href", "/")
    assert response.headers["content-security-policy"].startswith("default-src 'none'; script-src 'self'")
    assert serious_violations(browser_page) == []
