"""Slack and Teams channels against a real receiver on loopback, checking each product's format."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from careloop.care.services import grant_gesture
from careloop.conversations.models import Channel, Message
from careloop.conversations.services.conversations import receive_customer_message
from careloop.conversations.services.figures import record_message_reading
from careloop.core import events
from careloop.core.permissions import Role
from careloop.feedback.services.concerns import raise_concern
from careloop.people.models import Team
from careloop.webhooks import chat
from careloop.webhooks.models import ChatChannel, ChatService
from tests.conversations.factories import CustomerFactory
from tests.feedback.factories import answered, solved_conversation
from tests.people.factories import TeamFactory, UserFactory
from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.django_db
OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

SLACK_BLOCK_TYPES = {"header", "section", "actions", "context", "divider"}


def assert_slack_message(body: dict[str, Any]) -> dict[str, Any]:
    """The shape Slack documents for incoming webhooks: `text` (fallback) and Block Kit."""
    assert isinstance(body["text"], str) and body["text"]
    assert set(body) == {"text", "blocks"}
    for block in body["blocks"]:
        assert block["type"] in SLACK_BLOCK_TYPES
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text" and len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            texts = [block["text"]] if "text" in block else block["fields"]
            assert all(t["type"] in ("mrkdwn", "plain_text") and t["text"] for t in texts)
            assert len(texts) <= 10
        if block["type"] == "actions":
            for element in block["elements"]:
                assert element["type"] == "button" and element["url"].startswith("http")
    return body


def assert_teams_message(body: dict[str, Any]) -> dict[str, Any]:
    """A Teams incoming-webhook message: one Adaptive Card attachment."""
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["version"] == "1.4"
    assert card["body"] and all(e["type"] in ("TextBlock", "FactSet") for e in card["body"])
    for action in card.get("actions", []):
        assert action["type"] == "Action.OpenUrl" and action["url"].startswith("http")
    return card


def channel(receiver: Receiver, service: str, team: Team | None, path: str = "") -> ChatChannel:
    return chat.add_channel(
        service=service, webhook_url=receiver.url(path or f"/ok/{service}"), team=team
    )


def by_path(receiver: Receiver, count: int) -> dict[str, Any]:
    return {request.path: request.json() for request in receiver.wait_for(count)}


def test_a_very_upset_first_message_is_an_urgent_conversation_in_slack_and_teams(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    team = TeamFactory()
    channel(receiver, ChatService.SLACK, team)
    channel(receiver, ChatService.TEAMS, None)
    message = receive_customer_message(
        CustomerFactory(), channel=Channel.EMAIL, body_text="This is a disaster"
    )
    message.conversation.team = team
    message.conversation.save()
    with django_capture_on_commit_callbacks(execute=True):
        record_message_reading(message, {}, 0.9)
    posts = by_path(receiver, 2)
    slack = assert_slack_message(posts["/ok/slack"])
    assert slack["blocks"][0]["text"]["text"] == "New urgent conversation"
    assert "very upset" in slack["text"]
    card = assert_teams_message(posts["/ok/teams"])
    assert card["body"][0]["text"] == "New urgent conversation"
    page = reverse("conversations:conversation", args=[message.conversation_id])
    assert card["actions"][0]["url"].endswith(page)


def test_a_calm_message_or_a_later_one_posts_nothing(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    channel(receiver, ChatService.SLACK, None)
    first = receive_customer_message(CustomerFactory(), channel=Channel.EMAIL, body_text="Hi")
    later = receive_customer_message(
        first.conversation.customer,
        channel=Channel.EMAIL,
        body_text="Still nothing!",
        conversation=first.conversation,
    )
    with django_capture_on_commit_callbacks(execute=True):
        record_message_reading(first, {}, 0.1)
        record_message_reading(Message.objects.get(pk=later.pk), {}, 0.95)
    assert receiver.requests == []


def test_an_approval_request_goes_to_its_teams_channel_only(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    team, other = TeamFactory(), TeamFactory()
    channel(receiver, ChatService.TEAMS, team)
    channel(receiver, ChatService.SLACK, other)
    agent = UserFactory(role=Role.AGENT, team=team)
    conversation = receive_customer_message(
        CustomerFactory(), channel=Channel.EMAIL, body_text="Broken"
    ).conversation
    with django_capture_on_commit_callbacks(execute=True):
        grant_gesture(
            agent=agent,
            conversation=conversation,
            kind="refund",
            amount=Decimal("9999"),
            reason="Broken twice",
        )
    [post] = receiver.wait_for(1)
    assert post.path == "/ok/teams"
    card = assert_teams_message(post.json())
    assert card["body"][0]["text"] == "Approval requested"
    assert "9999" in card["body"][1]["text"]


def test_a_detractor_is_posted(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    channel(receiver, ChatService.SLACK, None)
    agent = UserFactory(role=Role.AGENT, team=TeamFactory())
    with django_capture_on_commit_callbacks(execute=True):
        answered(solved_conversation(agent=agent), csat=1, ces=2, comment="Awful")
    [post] = receiver.wait_for(1)
    slack = assert_slack_message(post.json())
    assert slack["blocks"][0]["text"]["text"] == "Detractor"
    assert "CSAT 1" in slack["text"]


def test_a_concern_reaches_only_organisation_channels_and_never_its_words(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    channel(receiver, ChatService.SLACK, TeamFactory())
    channel(receiver, ChatService.TEAMS, None)
    with django_capture_on_commit_callbacks(execute=True):
        raise_concern(category="employee", body="Dana insulted me", anonymous=True)
    [post] = receiver.wait_for(1)
    assert post.path == "/ok/teams"
    assert_teams_message(post.json())
    assert "Dana" not in post.body.decode() and "insulted" not in post.body.decode()


def test_an_overdue_idea_is_posted_with_user_text_escaped_for_slack(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    channel(receiver, ChatService.SLACK, None)
    idea = {**events.IDEA_OVERDUE.example, "title": "<!channel> & more"}
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(events.IDEA_OVERDUE, idea, team_id=None)  # type: ignore[arg-type]
    slack = assert_slack_message(receiver.wait_for(1)[0].json())
    assert "&lt;!channel&gt; &amp; more" in slack["blocks"][1]["text"]["text"]


def test_a_refused_post_is_noted_on_the_channel_and_never_raises(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    failing = channel(receiver, ChatService.SLACK, None, path="/fail")
    with django_capture_on_commit_callbacks(execute=True):
        raise_concern(category="other", body="Something", anonymous=True)
    receiver.wait_for(1)
    failing.refresh_from_db()
    assert failing.last_error.startswith("HTTP 500") and failing.last_error_at is not None
    assert failing.last_sent_at is None
