"""Article bodies: Markdown in, sanitised HTML out.

Raw HTML in the source is shown as text (markdown-it with `html` off), and nh3 (Ammonia) then
keeps only the tags an article needs, so an author's paste can never run script in a customer's
browser. Links get `rel="noopener noreferrer nofollow"`.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import nh3

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_TAGS = frozenset(
    {"p", "br", "hr", "h2", "h3", "h4", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
    | {"table", "thead", "tbody", "tr", "th", "td"}
)
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"}}


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # noqa: PLC0415 - only reading an article pays for it (cold starts)

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render(markdown: str) -> str:
    """The body as HTML safe to put in a page."""
    unsafe = _parser().render(markdown)
    return nh3.clean(
        unsafe,
        tags=set(_TAGS),
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )
