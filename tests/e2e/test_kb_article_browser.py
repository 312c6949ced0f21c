"""The knowledge-base article page in a real browser: Debian's chromium, driven by Playwright, against
`tugi dev` in a subprocess. Playwright never downloads a browser; `make e2e` installs chromium."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import call, console_errors, token

ARTICLE = {
    "title": "Changing your PIN",
    "short_answer": "Open Cards in the app, choose the card and tap Change PIN.",
    "body": (
        "## Step by step\n\n1. Open **Cards**.\n2. Choose *Change PIN*.\n\n"
        "| card | fee |\n|:--|--:|\n| debit | 0 € |\n\n<script>document.title='owned'</script>"
    ),
    "tags": ["cards"],
    "publish": True,
}


def test_a_customer_reads_the_article_and_says_it_did_not_help(dev: dict[str, Any], browser_page: Page) -> None:
    url = dev["url"]
    status, _ = call(f"{url}/v1/kb/articles/browser_test_pin/en", "PUT", data=ARTICLE, token=token(dev, "supervisor"))
    assert status == 201
    problems = console_errors(browser_page)  # a CSP violation (a style without its hash, any script) is one

    browser_page.goto(f"{url}/v1/kb/articles/browser_test_pin?locale=en")

    expect(browser_page).to_have_title("Changing your PIN")
    short_answer = browser_page.locator(".short-answer")
    expect(short_answer).to_be_visible()
    expect(short_answer).to_have_text(ARTICLE["short_answer"])
    assert short_answer.evaluate("e => getComputedStyle(e).borderLeftStyle") == "solid", "the portal's stylesheet"
    expect(browser_page.get_by_role("heading", name="Step by step")).to_be_visible()
    fee = browser_page.get_by_role("cell", name="0 €")
    assert fee.evaluate("e => getComputedStyle(e).textAlign") == "right", "a cell's alignment is allowed by its hash"
    reason = browser_page.get_by_label("What was missing? (optional)")
    expect(reason).to_be_hidden()

    browser_page.get_by_text("No", exact=True).click()
    reason.fill("I have no app, only online banking.")
    browser_page.get_by_role("button", name="Send").click()

    expect(browser_page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert problems == []
    _, article = call(f"{url}/v1/kb/articles/browser_test_pin")
    assert (article["helpful"], article["not_helpful"]) == (0, 1)
    browser_page.get_by_role("link", name="Back to the article").click()
    expect(browser_page.get_by_role("button", name="Yes")).to_be_visible()
