"""Goodwill pieces other pages include: the section's navigation and the conversation panel."""

from __future__ import annotations

from typing import Any

from django import template

from careloop.conversations.models import Conversation
from careloop.core.permissions import Action, can

register = template.Library()


@register.inclusion_tag("care/_nav.html", takes_context=True)
def care_nav(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    return {
        "perms_care": {
            "approve": can(user, Action.APPROVE_GESTURES),
            "allowances": can(user, Action.MANAGE_ALLOWANCES),
        }
    }


@register.inclusion_tag("care/_conversation_panel_slot.html", takes_context=True)
def goodwill_panel(context: template.Context, conversation: Conversation) -> dict[str, Any]:
    """Where the conversation page's Goodwill panel goes, for those who may grant: htmx fetches
    it (views.conversation_panel) so the page itself reads no gestures, allowances or ledgers."""
    return {
        "shown": can(context["request"].user, Action.GRANT_GESTURES),
        "conversation": conversation,
    }
