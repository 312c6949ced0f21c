"""The knowledge base's pages for browsers: an article with "Was this helpful?", the thanks, not found.

In the served locale's words (English where a locale has none of its own). Every text is escaped
here; only the article's body goes in as it is, because it is HTML that nh3 has already sanitised.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response

from functions.api.pages import page
from shared.services.self_service import PublishedArticle

_WORDS = {
    "en": {
        "helpful": "Was this helpful?",
        "yes": "Yes",
        "no": "No",
        "why": "What was missing? (optional)",
        "send": "Send",
        "thanks": "Thank you",
        "thanks_text": "Your feedback helps us improve our answers.",
        "back": "Back to the article",
        "missing": "Article not found",
        "missing_text": "It may have been moved or removed.",
    },
    "et": {
        "helpful": "Kas sellest oli abi?",
        "yes": "Jah",
        "no": "Ei",
        "why": "Mis jäi puudu? (valikuline)",
        "send": "Saada",
        "thanks": "Aitäh",
        "thanks_text": "Teie tagasiside aitab meil vastuseid paremaks teha.",
        "back": "Tagasi artikli juurde",
        "missing": "Artiklit ei leitud",
        "missing_text": "See võib olla teisaldatud või eemaldatud.",
    },
}

# Relative actions and links: they work behind any stage or domain prefix. No means nothing until
# sent, so the reason can go with it: <details> opens the form without a line of script.
_ARTICLE = """<article><h1>{title}</h1>
<p class="short-answer">{short_answer}</p>
{body_html}
</article>
<section class="feedback" aria-labelledby="helpful"><h2 id="helpful">{helpful}</h2>
<form method="post" action="{action}">{fields}<input type="hidden" name="helpful" value="true">\
<button type="submit">{yes}</button></form>
<details><summary>{no}</summary><form method="post" action="{action}">{fields}\
<input type="hidden" name="helpful" value="false"><label for="reason">{why}</label>
<textarea id="reason" name="reason" rows="4" maxlength="1000"></textarea><button type="submit">{send}</button></form>\
</details></section>"""
_THANKS = '<h1>{thanks}</h1><p>{thanks_text}</p><p><a href="../{article_id}?locale={locale}">{back}</a></p>'
_MISSING = "<h1>{missing}</h1><p>{missing_text}</p>"


def _words(locale: str) -> dict[str, str]:
    return _WORDS.get(locale, _WORDS["en"])


def _escaped(locale: str) -> dict[str, str]:
    return {name: escape(text) for name, text in _words(locale).items()}


def _hidden(name: str, value: str | None) -> str:
    return f'<input type="hidden" name="{name}" value="{escape(value)}">' if value else ""


def article_page(article: PublishedArticle, *, search_id: str | None) -> Response[str]:
    """The short answer first, then the body; the feedback forms keep the locale and the search."""
    body = _ARTICLE.format(
        title=escape(article.title),
        short_answer=escape(article.short_answer),
        body_html=article.body_html,  # sanitised by shared.domain.markdown.render
        action=f"{escape(article.article_id)}/feedback",
        fields=_hidden("locale", article.locale) + _hidden("search_id", search_id),
        **_escaped(article.locale),
    )
    contact_query = urlencode({"article": article.article_id, "locale": article.locale})
    return page(article.title, body, lang=article.locale, contact_query=contact_query)


def thanks_page(article_id: str, locale: str) -> Response[str]:
    body = _THANKS.format(article_id=escape(article_id), locale=escape(locale), **_escaped(locale))
    return page(_words(locale)["thanks"], body, lang=locale)


def not_found_page(locale: str) -> Response[str]:
    return page(_words(locale)["missing"], _MISSING.format(**_escaped(locale)), lang=locale, status=404)
