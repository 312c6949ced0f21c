"""The HTML pages a customer's browser gets instead of JSON: one small shell, its headers, and when to use it.

The pages carry no script, so the Content-Security-Policy allows none: only the shell's own style
(by its hash), the cell alignments Markdown tables carry, and forms posting back to this origin.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from functions.api.guard import header

_STYLE = (
    "body{font-family:system-ui,sans-serif;line-height:1.5;max-width:42rem;margin:2rem auto;padding:0 1rem}"
    ".short-answer{font-size:1.15rem;border-left:4px solid #2b6cb0;background:#ebf4ff;padding:.75rem 1rem}"
    "form{display:inline-block;margin:0 .5rem .5rem 0}textarea{display:block;width:100%;margin:.5rem 0}"
    "button,summary{cursor:pointer;font:inherit;padding:.3rem 1.2rem}details{display:inline-block}"
)
# markdown-it writes a table column's alignment as a style attribute; nh3 keeps only text-align.
_CELL_STYLES = ("text-align:left", "text-align:center", "text-align:right")


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        " ".join(["style-src", _hash(_STYLE), "'unsafe-hashes'", *map(_hash, _CELL_STYLES)]),
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

_SHELL = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{style}</style></head>
<body><main>{body}</main></body></html>"""


def wants_html(event: dict[str, Any]) -> bool:
    """A browser asks for HTML (a link followed, a form posted); API clients get JSON."""
    return "text/html" in (header(event, "accept") or "")


def page(title: str, body: str, *, lang: str = "en", status: int = 200) -> Response[str]:
    """`title` is plain text (escaped here); `body` is HTML its caller built with everything escaped."""
    html = _SHELL.format(lang=escape(lang), title=escape(title), style=_STYLE, body=body)
    return Response(status_code=status, content_type=content_types.TEXT_HTML, body=html, headers=dict(HEADERS))
