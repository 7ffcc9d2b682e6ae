"""Saved replies are starting points: placeholders are filled, then the agent makes it theirs."""

from __future__ import annotations

import re

from careloop.conversations.models import Conversation, SavedReply
from careloop.people.models import User

PLACEHOLDER = re.compile(r"\{\{\s*(customer|agent|conversation)\.(\w+)\s*\}\}")


def _values(conversation: Conversation, agent: User) -> dict[tuple[str, str], str]:
    customer = conversation.customer
    first_name = customer.full_name.split(" ", 1)[0] if customer.full_name else "there"
    return {
        ("customer", "first_name"): first_name,
        ("customer", "full_name"): customer.full_name or first_name,
        ("customer", "email"): customer.email or "",
        ("agent", "first_name"): agent.first_name,
        ("agent", "full_name"): agent.full_name,
        ("conversation", "subject"): conversation.subject,
        ("conversation", "number"): str(conversation.pk),
    }


def fill(saved_reply: SavedReply, conversation: Conversation, agent: User) -> str:
    """The saved reply with its placeholders filled; unknown placeholders stay visible."""
    values = _values(conversation, agent)
    return PLACEHOLDER.sub(
        lambda match: values.get((match.group(1), match.group(2)), match.group(0)),
        saved_reply.body,
    )
