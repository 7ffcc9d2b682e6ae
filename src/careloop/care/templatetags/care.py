"""Goodwill pieces other pages include: the section's navigation and the conversation panel."""

from __future__ import annotations

from typing import Any

from django import template

from careloop.care import selectors
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


@register.inclusion_tag("care/_conversation_panel.html", takes_context=True)
def goodwill_panel(context: template.Context, conversation: Conversation) -> dict[str, Any]:
    """The conversation page's Goodwill panel: what was granted, and a way to grant more."""
    user = context["request"].user
    if not can(user, Action.GRANT_GESTURES):
        return {"shown": False}
    return {
        "shown": True,
        "conversation": conversation,
        "gestures": list(selectors.gestures_on(conversation)),
        "earlier": list(selectors.earlier_for_customer(conversation)),
        "headroom": selectors.headroom_for(user, conversation),
        "settings": selectors.care_settings(),
    }
