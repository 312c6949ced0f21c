"""Channels a contact arrives on, and who writes a message."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "email"
    WEB_FORM = "web_form"
    CHAT = "chat"
    PHONE = "phone"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    MESSENGER = "messenger"
    VISIT = "visit"
    NOTE = "note"  # an agent's internal note; never shown to the customer


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class AuthorKind(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"
