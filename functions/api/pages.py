"""The HTML pages a customer's browser gets instead of JSON: the portal's frame, its headers, and when to use it.

The pages carry no script, so the Content-Security-Policy allows none: only the portal's stylesheet
(same origin), the cell alignments Markdown tables carry (by their hashes), and forms posting back to
this origin.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from functions.api.guard import header

# markdown-it writes a table column's alignment as a style attribute; nh3 keeps only text-align.
_CELL_STYLES = ("text-align:left", "text-align:center", "text-align:right")
# The portal's stylesheet, same origin (CloudFront sends /v1/* here and serves /assets/ from the site's
# bucket; `tugi dev` does the same). Reached on the API's own domain the page is plain, never broken.
STYLESHEET = "/assets/portal.css"


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        " ".join(["style-src 'self'", "'unsafe-hashes'", *map(_hash, _CELL_STYLES)]),
        "img-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
# A page's link may be the customer's key (auto-answers) or carry their search: no caching, and no
# Referer carrying it to another site. No framing: the buttons must not be clicked through a disguise.
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
}

# The portal's frame (web/partials/header.html, in the page's language): home, contact, a search that
# the portal's home page runs (?q=), and "still need help?" under every page.
_FRAME_WORDS = {
    "en": {
        "skip": "Skip to content",
        "brand": "Help centre",
        "main_nav": "Main",
        "contact": "Contact us",
        "search_label": "Search the help centre",
        "search": "Search",
        "still_need_help": "Still need help?",
        "still_need_help_text": "Tell us what happened and we will answer by email.",
    },
    "et": {
        "skip": "Liigu sisu juurde",
        "brand": "Abikeskus",
        "main_nav": "Peamenüü",
        "contact": "Võta ühendust",
        "search_label": "Otsi abikeskusest",
        "search": "Otsi",
        "still_need_help": "Vajad ikka abi?",
        "still_need_help_text": "Kirjelda, mis juhtus, ja vastame e-kirjaga.",
    },
}

_SHELL = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{stylesheet}"></head>
<body><a class="skip" href="#main">{skip}</a>
<header class="site"><a class="brand" href="/">{brand}</a>
<nav aria-label="{main_nav}"><a href="{contact_url}">{contact}</a></nav></header>
<main id="main"><form role="search" action="/" method="get"><label for="q">{search_label}</label>
<input id="q" name="q" type="search" maxlength="500"><button type="submit">{search}</button></form>
{body}
<section class="need-help" aria-labelledby="need-help"><h2 id="need-help">{still_need_help}</h2>
<p>{still_need_help_text} <a href="{contact_url}">{contact}</a></p></section></main></body></html>"""
CONTACT_PAGE = "/contact/"


def wants_html(event: dict[str, Any]) -> bool:
    """A browser asks for HTML (a link followed, a form posted); API clients get JSON."""
    return "text/html" in (header(event, "accept") or "")


def page(title: str, body: str, *, lang: str = "en", status: int = 200, contact_query: str = "") -> Response[str]:
    """`title` is plain text (escaped here); `body` is HTML its caller built with everything escaped.
    `contact_query` (already URL-encoded) goes with the frame's links to the contact form."""
    words = {name: escape(text) for name, text in _FRAME_WORDS.get(lang, _FRAME_WORDS["en"]).items()}
    contact_url = escape(CONTACT_PAGE + (f"?{contact_query}" if contact_query else ""))
    html = _SHELL.format(
        lang=escape(lang), title=escape(title), stylesheet=STYLESHEET, body=body, contact_url=contact_url, **words
    )
    return Response(status_code=status, content_type=content_types.TEXT_HTML, body=html, headers=dict(HEADERS))
