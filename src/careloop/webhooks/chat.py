"""Slack and Microsoft Teams: what needs a person's attention, posted into a team's channel.

Five things are told: a new conversation from a very upset customer, a gesture waiting for
approval, a detractor's survey answer, a concern received (never its words) and an idea left
unanswered past its date. Each goes to the channels of the event's team and to the
organisation-wide ones, in the format each product documents for its incoming webhooks:
Slack's Block Kit message, and a Teams message carrying an Adaptive Card. Sending is a task;
a failure is logged on the channel and never reaches the product.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from careloop.core import events
from careloop.core.events import Event
from careloop.people.models import Team
from careloop.webhooks.models import ChatChannel, ChatService
from careloop.webhooks.outbound import check_url, post_json

logger = logging.getLogger(__name__)

# A first message at least this upset makes the conversation urgent ("very upset").
URGENT_DISTRESS = 0.75


@dataclass(frozen=True)
class ChatNotice:
    """What one post says, before it is put into a product's format."""

    title: str
    text: str
    url: str
    facts: tuple[tuple[str, str], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "text": self.text, "url": self.url, "facts": self.facts}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ChatNotice:
        return cls(
            value["title"],
            value["text"],
            value["url"],
            tuple((str(name), str(fact)) for name, fact in value["facts"]),
        )


def _urgent(data: dict[str, Any]) -> ChatNotice | None:
    distress = data.get("distress")
    if not data.get("first_in_conversation") or distress is None or distress < URGENT_DISTRESS:
        return None
    return ChatNotice(
        "New urgent conversation",
        f"A customer wrote in {data['distress_words']} (distress {distress:.2f}).",
        data["url"],
        (("Channel", data["channel"]), ("Conversation", f"#{data['conversation_id']}")),
    )


def _approval(data: dict[str, Any]) -> ChatNotice:
    return ChatNotice(
        "Approval requested",
        f"A {data['kind']} of {data['amount']} {data['currency']} is above the allowance "
        "and waits for a lead.",
        data["url"],
        (("Conversation", f"#{data['conversation_id']}"),),
    )


def _detractor(data: dict[str, Any]) -> ChatNotice | None:
    if not data.get("is_detractor"):
        return None
    scores = [f"{name.upper()} {data[name]}" for name in ("nps", "csat", "ces") if data[name]]
    return ChatNotice(
        "Detractor",
        "A customer gave a low score: " + ", ".join(scores) + ".",
        "",
        (("Conversation", f"#{data['conversation_id']}" if data["conversation_id"] else "—"),),
    )


def _concern(data: dict[str, Any]) -> ChatNotice:
    return ChatNotice(
        "Concern received",
        "A confidential concern arrived. Its handlers read it in careloop.",
        data["url"],
        (("Answer due", data["first_response_due"] or "—"),),
    )


def _overdue_idea(data: dict[str, Any]) -> ChatNotice:
    return ChatNotice(
        "Idea waiting past its answer date",
        f"“{data['title']}” was due an answer by {data['respond_by']}.",
        data["url"],
        (("Submitted", data["submitted_on"]),),
    )


NOTICES: dict[str, Callable[[dict[str, Any]], ChatNotice | None]] = {
    events.MESSAGE_RECEIVED.name: _urgent,
    events.GESTURE_REQUESTED.name: _approval,
    events.SURVEY_ANSWERED.name: _detractor,
    events.CONCERN_RECEIVED.name: _concern,
    events.IDEA_OVERDUE.name: _overdue_idea,
}
EVENTS = tuple(events.BY_NAME[name] for name in NOTICES)


# --- The products' formats ----------------------------------------------------------------------


def slack_payload(notice: ChatNotice) -> dict[str, Any]:
    """A Slack incoming-webhook message: `text` (the notification's fallback) and Block Kit."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": notice.title}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(notice.text)}},
    ]
    if notice.facts:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{_slack_escape(name)}*\n{_slack_escape(value)}"}
                    for name, value in notice.facts
                ],
            }
        )
    if notice.url:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open in careloop"},
                        "url": notice.url,
                    }
                ],
            }
        )
    return {"text": f"{notice.title}: {notice.text}", "blocks": blocks}


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn treats these three as control characters (links, mentions).
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def teams_payload(notice: ChatNotice) -> dict[str, Any]:
    """A Teams incoming-webhook message carrying one Adaptive Card (schema 1.4)."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": notice.title, "weight": "Bolder", "size": "Medium"},
        {"type": "TextBlock", "text": notice.text, "wrap": True},
    ]
    if notice.facts:
        body.append(
            {
                "type": "FactSet",
                "facts": [{"title": name, "value": value} for name, value in notice.facts],
            }
        )
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if notice.url:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": "Open in careloop", "url": notice.url}
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


FORMATS: dict[str, Callable[[ChatNotice], dict[str, Any]]] = {
    ChatService.SLACK: slack_payload,
    ChatService.TEAMS: teams_payload,
}


# --- Channels -----------------------------------------------------------------------------------


def add_channel(*, service: str, webhook_url: str, team: Team | None) -> ChatChannel:
    if service not in ChatService.values:
        raise ValueError("Choose Slack or Microsoft Teams.")
    check_url(webhook_url, resolve=False)
    return ChatChannel.objects.create(service=service, webhook_url=webhook_url, team=team)


def channels_for(team_id: int | None) -> list[ChatChannel]:
    """The enabled channels that hear of a team's events: its own, and the organisation's."""
    wanted = (
        Q(team__isnull=True) | Q(team_id=team_id) if team_id is not None else Q(team__isnull=True)
    )
    return list(ChatChannel.objects.filter(wanted, enabled=True))


def notify_channels(event: Event) -> int:
    """The `chat` subscriber: one post task per channel for events that need a person."""
    from careloop.webhooks.tasks import post_chat_notice

    build = NOTICES.get(event.type)
    notice = build(event.data) if build else None
    if notice is None:
        return 0
    channels = channels_for(event.team_id)
    for channel in channels:
        post_chat_notice.enqueue(channel.pk, notice.as_json())
    return len(channels)


def post_notice(channel: ChatChannel, notice: ChatNotice) -> bool:
    """Post to the channel; a failure is written on the channel and logged, never raised."""
    body = json.dumps(FORMATS[channel.service](notice)).encode()
    result = post_json(channel.webhook_url, body, {})
    now = timezone.now()
    if result.succeeded:
        ChatChannel.objects.filter(pk=channel.pk).update(last_sent_at=now)
        return True
    problem = (result.error or f"HTTP {result.status}") + (
        f": {result.excerpt}" if result.excerpt else ""
    )
    logger.warning("Chat channel %s refused a notice: %s", channel.pk, problem)
    ChatChannel.objects.filter(pk=channel.pk).update(last_error=problem[:500], last_error_at=now)
    return False
