"""The article page for browsers through the real public handler on moto: the "read more" link of an
auto-answer opens a page, its Yes/No forms post feedback, and API clients still get JSON."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from infra.local.platform import ApiResponse, EmbeddedPlatform
from tests.integration.test_knowledge_base import assert_opened_then_not_helpful, eventually, save, search

HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
FORM = {"content-type": "application/x-www-form-urlencoded"}

CARD_LOST = {
    "title": "Lost or stolen card",
    "short_answer": "Freeze your card in the app at once, then order a new one.",
    "body": "## What to do\n\n1. Open **Cards**.\n2. Choose *Freeze*.\n\n<script>alert('x')</script>",
    "tags": ["cards"],
}


@pytest.fixture
def kb() -> Iterator[EmbeddedPlatform]:
    with EmbeddedPlatform(knowledge=True) as running:
        save(running, "card_lost", "en", **CARD_LOST, publish=True)
        yield running


def page(kb: EmbeddedPlatform, article_id: str, **query: str) -> ApiResponse:
    return kb.api("GET", f"/v1/kb/articles/{article_id}", query=query or None, headers=HTML)


def post_form(kb: EmbeddedPlatform, article_id: str, fields: dict[str, str], *, browser: bool = True) -> ApiResponse:
    headers = FORM | (HTML if browser else {})
    return kb.api("POST", f"/v1/kb/articles/{article_id}/feedback", body=urlencode(fields), headers=headers)


def form_fields(html: str, helpful: str) -> dict[str, str]:
    """The hidden fields of the page's Yes (`true`) or No (`false`) form, as the browser would send them."""
    forms = re.findall(r"<form .*?</form>", html, flags=re.DOTALL)
    chosen = next(f for f in forms if f'name="helpful" value="{helpful}"' in f)
    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', chosen))


def editor_view(kb: EmbeddedPlatform, article_id: str, locale: str = "en") -> dict[str, Any]:
    response = kb.api("GET", f"/v1/kb/articles/{article_id}/{locale}", token=kb.token("agent"))
    assert response.status == 200, response.body
    view: dict[str, Any] = response.json()
    return view


def test_a_browser_gets_a_page_with_the_short_answer_before_the_body(kb: EmbeddedPlatform) -> None:
    response = page(kb, "card_lost")

    assert response.status == 200, response.body
    assert response.headers["Content-Type"] == "text/html"
    html = response.body
    assert html.startswith("<!doctype html>")
    assert '<html lang="en">' in html
    assert "<title>Lost or stolen card</title>" in html
    assert "<h1>Lost or stolen card</h1>" in html
    short = html.index('<p class="short-answer">Freeze your card in the app at once, then order a new one.</p>')
    assert short < html.index("<h2>What to do</h2>") < html.index("<strong>Cards</strong>")
    assert "Was this helpful?" in html
    assert 'action="card_lost/feedback"' in html, "relative: works behind any stage prefix"
    assert form_fields(html, "true") == {"locale": "en", "helpful": "true"}
    assert '<textarea id="reason" name="reason"' in html


def test_an_api_client_still_gets_json(kb: EmbeddedPlatform) -> None:
    for headers in ({}, {"accept": "application/json"}, {"accept": "*/*"}):
        response = kb.api("GET", "/v1/kb/articles/card_lost", headers=headers)

        assert response.status == 200, headers
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["Vary"] == "Accept"
        assert response.json()["short_answer"] == CARD_LOST["short_answer"]


def test_script_in_an_article_never_reaches_the_page(kb: EmbeddedPlatform) -> None:
    save(
        kb,
        "evil",
        "en",
        title="<script>alert('title')</script> Fees",
        short_answer='<img src=x onerror="alert(1)"> See the price list.',
        body="Hi <script>alert('body')</script>\n\n<SCRIPT src=//x></SCRIPT>\n\n[click](javascript:alert(1))",
        publish=True,
    )

    html = page(kb, "evil", search_id='"><script>alert("search")</script>').body

    assert "<script" not in html.lower()
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert "<title>&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt; Fees</title>" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; See the price list." in html
    assert form_fields(html, "false")["search_id"] == "&quot;&gt;&lt;script&gt;alert(&quot;search&quot;)&lt;/script&gt;"


def test_an_estonian_article_is_an_estonian_page(kb: EmbeddedPlatform) -> None:
    save(kb, "card_lost", "et", title="Kaotatud kaart", short_answer="Külmuta kaart äpis.", body="Kaart", publish=True)

    html = page(kb, "card_lost", locale="et").body

    assert '<html lang="et">' in html
    assert '<p class="short-answer">Külmuta kaart äpis.</p>' in html
    assert "Kas sellest oli abi?" in html
    assert ">Jah</button>" in html
    assert "<summary>Ei</summary>" in html
    assert "Was this helpful?" not in html
    assert form_fields(html, "false") == {"locale": "et", "helpful": "false"}
    save(kb, "fees", "en", title="Fees", short_answer="See the price list.", publish=True)
    fallback = page(kb, "fees", locale="et").body
    assert '<html lang="en">' in fallback, "served in English: the page says so"
    assert "Was this helpful?" in fallback


def test_form_feedback_is_counted_on_the_article_and_logged_with_its_search(kb: EmbeddedPlatform) -> None:
    eventually(lambda: search(kb, "stolen card")["items"], bool)
    search_id = search(kb, "stolen card")["search_id"]
    html = page(kb, "card_lost", search_id=search_id).body
    fields = form_fields(html, "false")
    assert fields == {"locale": "en", "search_id": search_id, "helpful": "false"}

    thanked = post_form(kb, "card_lost", fields | {"reason": "call me on +372 5123 4567"})

    assert thanked.status == 200, thanked.body
    assert thanked.headers["Content-Type"] == "text/html"
    assert "<h1>Thank you</h1>" in thanked.body
    assert 'href="../card_lost?locale=en"' in thanked.body
    counts = editor_view(kb, "card_lost")
    assert (counts["helpful"], counts["not_helpful"]) == (0, 1)
    assert_opened_then_not_helpful(kb, search_id, "card_lost", reason="call me on [phone]")


def test_yes_with_an_empty_reason_is_counted_and_an_api_client_gets_204(kb: EmbeddedPlatform) -> None:
    fields = form_fields(page(kb, "card_lost").body, "true") | {"reason": "", "search_id": ""}

    assert post_form(kb, "card_lost", fields, browser=False).status == 204
    assert post_form(kb, "card_lost", fields).status == 200
    voted = kb.api("POST", "/v1/kb/articles/card_lost/feedback", json_body={"helpful": True})
    assert (voted.status, voted.body) == (204, "")
    assert editor_view(kb, "card_lost")["helpful"] == 3


def test_estonian_feedback_is_thanked_in_estonian(kb: EmbeddedPlatform) -> None:
    save(kb, "card_lost", "et", title="Kaotatud kaart", short_answer="Külmuta kaart.", publish=True)

    thanked = post_form(kb, "card_lost", {"helpful": "true", "locale": "et"})

    assert '<html lang="et">' in thanked.body
    assert "<h1>Aitäh</h1>" in thanked.body
    assert "Tagasi artikli juurde" in thanked.body
    assert (editor_view(kb, "card_lost", "et")["helpful"], editor_view(kb, "card_lost")["helpful"]) == (1, 0)


def test_a_missing_article_is_a_404_page_for_a_browser_and_json_for_an_api_client(kb: EmbeddedPlatform) -> None:
    missing = page(kb, "nope")

    assert missing.status == 404
    assert missing.headers["Content-Type"] == "text/html"
    assert "<h1>Article not found</h1>" in missing.body
    assert '<html lang="et">' in page(kb, "nope", locale="et").body
    assert "Artiklit ei leitud" in page(kb, "nope", locale="et").body
    api = kb.api("GET", "/v1/kb/articles/nope")
    assert (api.status, api.json()["error"]["code"]) == (404, "article_not_found")
    vote = post_form(kb, "nope", {"helpful": "true"})
    assert (vote.status, vote.headers["Content-Type"]) == (404, "text/html")
    assert post_form(kb, "nope", {"helpful": "true"}, browser=False).json()["error"]["code"] == "article_not_found"


def test_pages_forbid_script_framing_caching_and_referers(kb: EmbeddedPlatform) -> None:
    pages = [page(kb, "card_lost"), page(kb, "nope"), post_form(kb, "card_lost", {"helpful": "true"})]

    for response in pages:
        csp = dict(d.strip().split(" ", 1) for d in response.headers["Content-Security-Policy"].split(";"))
        assert csp["default-src"] == "'none'"
        assert "script-src" not in csp, "default-src 'none' covers script: none at all"
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert "<style" not in response.body, "the portal's stylesheet, from this origin, styles the page"
        assert '<link rel="stylesheet" href="/assets/portal.css">' in response.body
        assert csp["style-src"].split()[0] == "'self'"
        assert (csp["form-action"], csp["frame-ancestors"], csp["base-uri"]) == ("'self'", "'none'", "'none'")
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert " style=" not in response.body, "no style attributes but a table's cell alignments"


def test_an_article_page_sits_in_the_portal_frame_with_search_and_the_way_to_a_person(kb: EmbeddedPlatform) -> None:
    english, estonian_missing = page(kb, "card_lost"), page(kb, "nope", locale="et")

    assert '<a class="brand" href="/">Help centre</a>' in english.body
    assert '<form role="search" action="/" method="get">' in english.body, "the portal's home page runs it"
    assert english.body.count('href="/contact/?article=card_lost&amp;locale=en"') == 2, "in the menu and below"
    assert "Still need help?" in english.body
    assert "Vajad ikka abi?" in estonian_missing.body, "the frame speaks the page's language"
    assert '<nav aria-label="Peamenüü"><a href="/contact/">Võta ühendust</a></nav>' in estonian_missing.body


def test_form_posts_are_taken_only_where_a_page_sends_them_and_json_is_unchanged(kb: EmbeddedPlatform) -> None:
    contact = kb.api("POST", "/v1/contacts", body="name=Mari", headers=FORM | HTML)
    assert (contact.status, contact.json()["error"]["code"]) == (415, "unsupported_media_type")
    assert post_form(kb, "card_lost", {"helpful": "maybe"}).status == 422
    assert post_form(kb, "card_lost", {"helpful": "true", "colour": "red"}).status == 422
    assert post_form(kb, "card_lost", {"reason": "no helpful field"}).status == 422
    assert post_form(kb, "card_lost", {"helpful": "true", "reason": "x" * 1001}).status == 422
    listed = kb.api("POST", "/v1/kb/articles/card_lost/feedback", json_body={"helpful": ["true"]})
    assert listed.status == 422, "JSON is read as sent: only a form's lists are unwrapped"
    assert editor_view(kb, "card_lost")["helpful"] == 0
