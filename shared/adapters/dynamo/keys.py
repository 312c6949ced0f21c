"""Key shapes of the single table (docs/data-model.md). Only the DynamoDB adapters know them."""

from __future__ import annotations

from datetime import datetime

from shared.domain.clock import iso

GSI1 = "gsi1"
GSI2 = "gsi2"


def customer_pk(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


PROFILE = "PROFILE"
MERGE = "MERGE"
# Sort keys of the items that are alone in their partition.
IDENTITY = "IDENTITY"
CHANNEL_ID = "CHANNELID"
REF = "REF"
INTAKE = "INTAKE"


def identity_pk(identity_key: str) -> str:
    return f"IDENTITY#{identity_key}"


def case_pk(case_id: str) -> str:
    return f"CASE#{case_id}"


CASE = "CASE"


def reference_pk(reference: str) -> str:
    return f"REF#{reference}"


def channel_id_pk(channel: str, external_id: str) -> str:
    return f"CHANNELID#{channel}#{external_id}"


def message_sk(at: datetime, message_id: str) -> str:
    return f"MSG#{iso(at)}#{message_id}"


def event_sk(at: datetime, event_id: str) -> str:
    return f"EVT#{iso(at)}#{event_id}"


def timeline_pk(customer_id: str) -> str:
    return f"TIMELINE#{customer_id}"


def timeline_message_sk(at: datetime, message_id: str) -> str:
    return f"{iso(at)}#MSG#{message_id}"


def timeline_event_sk(at: datetime, event_id: str) -> str:
    return f"{iso(at)}#EVT#{event_id}"


def customer_case_sk(created_at: datetime, case_id: str) -> str:
    return f"CASE#{iso(created_at)}#{case_id}"


def queue_pk(queue: str) -> str:
    return f"QUEUE#{queue}"


def queue_sk(status: str, created_at: datetime, case_id: str) -> str:
    return f"{status}#{iso(created_at)}#{case_id}"


def intake_pk(object_key: str) -> str:
    return f"INTAKE#{object_key}"


AGENTS = "AGENTS"


def agent_sk(agent_id: str) -> str:
    return f"AGENT#{agent_id}"


ANSWER = "ANSWER"


def answer_pk(answer_id: str) -> str:
    return f"ANSWER#{answer_id}"


# Knowledge base: one partition per article. Within it, sort keys group by locale, and a translation's
# head sorts before its learned phrasings, which sort before its versions (H < P < V), so the head and
# the phrasings the index needs are one contiguous range.
def article_pk(article_id: str) -> str:
    return f"ARTICLE#{article_id}"


def article_head_sk(locale: str) -> str:
    return f"{locale}#HEAD"


def article_version_sk(locale: str, version: int) -> str:
    return f"{locale}#VERSION#{version:06d}"


def article_phrasing_sk(locale: str, phrasing_id: str) -> str:
    return f"{locale}#PHRASING#{phrasing_id}"


def articles_pk(locale: str) -> str:
    """GSI1: the articles of a locale, by status then review date (stale ones are a range)."""
    return f"ARTICLES#{locale}"


def articles_sk(status: str, review_by: str | None, article_id: str) -> str:
    return f"{status}#{review_by or '9999-12-31'}#{article_id}"


def article_feedback_sk(locale: str, at: datetime, feedback_id: str) -> str:
    """Sorts before the head (F < H): never in the head-and-phrasings range."""
    return f"{locale}#FEEDBACK#{iso(at)}#{feedback_id}"


# A learned word: how many distinct customers used it in the locale (its own partition: one write per word).
LEARNED_WORD = "WORD"


def learned_word_pk(locale: str, term: str) -> str:
    return f"LEARNED#{locale}#{term}"


def search_pk(search_id: str) -> str:
    return f"SEARCH#{search_id}"


SEARCH = "SEARCH"


def searches_pk(day: str) -> str:
    """GSI1: a day's searches, in time order (gaps reports read a range of days)."""
    return f"SEARCHES#{day}"


def visitor_pk(visitor: str) -> str:
    """GSI2: one visitor's searches (did they contact us after searching?)."""
    return f"VISITOR#{visitor}"


def contact_pk(case_id: str) -> str:
    """What the knowledge base's reports keep about a contact (who searched first, what went unanswered)."""
    return f"CONTACT#{case_id}"


VISITOR_CONTACT = "VISITOR"
UNANSWERED = "UNANSWERED"


def visitor_contacts_pk(day: str) -> str:
    """GSI1: a day's contacts from known visitors (deflection joins them to the searches)."""
    return f"VISITORCONTACTS#{day}"


def unanswered_pk(day: str) -> str:
    """GSI1: a day's cases resolved without an article (gaps)."""
    return f"UNANSWERED#{day}"
