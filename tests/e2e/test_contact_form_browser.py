"""The portal's contact form in chromium against `tugi dev`: answers appear while the customer types,
sending shows the case's reference, a refused field is marked with the rest kept, nothing typed is lost."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import call, console_errors, serious_violations, token


def test_the_form_answers_before_it_is_sent_and_sending_gives_the_reference(
    dev: dict[str, Any], browser_page: Page
) -> None:
    problems = console_errors(browser_page)
    browser_page.goto(f"{dev['url']}/")
    browser_page.get_by_role("link", name="Contact us").first.click()
    expect(browser_page.get_by_role("heading", name="Contact us", level=1)).to_be_visible()

    browser_page.get_by_label("Subject", exact=True).fill("Card gone")
    browser_page.get_by_label("Message", exact=True).press_sequentially("I think someone stole my card", delay=20)
    answers = browser_page.get_by_role("region", name="Is this your question?")
    expect(answers.get_by_role("link", name="Lost or stolen card")).to_be_visible()
    expect(answers.locator(".short-answer").first).to_contain_text("Freeze your card")
    assert serious_violations(browser_page) == []

    browser_page.get_by_label("Your name").fill("Mari Maasikas")
    browser_page.get_by_label("Email", exact=True).fill("mari.contact-form@example.ee")
    browser_page.get_by_role("button", name="Send").click()

    sent = browser_page.get_by_role("region", name="Thank you, we have your message")
    expect(sent).to_be_visible()
    reference = browser_page.locator("#reference").inner_text()
    assert re.fullmatch(r"TG-[0-9A-Z-]+", reference), reference
    expect(sent).to_contain_text("acknowledgement")
    status, case = call(f"{dev['url']}/v1/cases/{reference}", token=token(dev, "agent"))
    assert status == 200
    assert case["subject"] == "Card gone"
    assert problems == []


def test_a_refused_field_is_marked_and_everything_typed_is_kept(dev: dict[str, Any], browser_page: Page) -> None:
    browser_page.goto(f"{dev['url']}/contact/")
    browser_page.get_by_label("Your name").fill("Jaan")
    browser_page.get_by_label("Subject", exact=True).fill("Statement")
    browser_page.get_by_label("Message", exact=True).fill("Please send my statement for March.")
    browser_page.get_by_role("button", name="Send").click()

    email = browser_page.get_by_label("Email", exact=True)
    expect(email).to_have_attribute("aria-invalid", "")
    expect(email).to_be_focused()
    expect(browser_page.get_by_role("alert")).to_have_text("Please check the fields marked below.")
    expect(browser_page.locator("#email-error")).to_have_text(
        "Give an email address or a phone number, so we can answer."
    )

    email.fill("jaan@@example")
    browser_page.get_by_role("button", name="Send").click()
    expect(browser_page.locator("#email-error")).to_be_visible()  # the API's invalid_email, next to the field
    expect(browser_page.get_by_label("Message", exact=True)).to_have_value("Please send my statement for March.")

    browser_page.reload()
    expect(browser_page.get_by_label("Message", exact=True)).to_have_value("Please send my statement for March.")
    expect(browser_page.get_by_label("Email", exact=True)).to_have_value("jaan@@example")
    assert serious_violations(browser_page) == []
