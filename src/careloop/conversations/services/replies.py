"""What the team writes into a conversation: agents' replies and notes, and automated messages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from careloop.conversations import sla
from careloop.conversations.events import publish_reply
from careloop.conversations.models import (
    Attachment,
    Conversation,
    ConversationEvent,
    Message,
    Status,
)
from careloop.conversations.sanitise import safe_filename
from careloop.conversations.services.conversations import _append_search_text, _apply_status
from careloop.conversations.services.figures import business_calendar, refresh_conversation
from careloop.conversations.services.timeline import _record
from careloop.notifications import services as notifications
from careloop.notifications.selectors import mentioned_people
from careloop.people.models import User


@transaction.atomic
def reply(
    conversation: Conversation,
    agent: User,
    body_text: str,
    *,
    internal: bool = False,
    then_status: Status | None = None,
    attachments: Iterable[UploadedFile] = (),
    at: datetime | None = None,
) -> Message:
    """An agent's public reply (sent to the customer on the conversation's channel) or note."""
    at = at or timezone.now()
    if not body_text.strip():
        raise ValueError("A reply needs some text.")
    calendar = business_calendar()
    message = Message.objects.create(
        conversation=conversation,
        author_kind=Message.Author.AGENT,
        author=agent,
        channel=conversation.channel,
        is_internal_note=internal,
        note_team_id=conversation.team_id if internal else None,
        body_text=body_text,
        created_at=at,
    )
    for upload in attachments:
        Attachment.objects.create(
            message=message,
            file=upload,
            filename=safe_filename(upload.name or "attachment"),
            content_type=(upload.content_type or "application/octet-stream")[:120],
            size=upload.size or 0,
        )
    # A note is private to its team (see Message.row_ownership), so its words are not in the
    # search text every agent searches.
    if not internal:
        _append_search_text(conversation, body_text)
    if internal:
        _record(conversation, ConversationEvent.Kind.NOTE, agent, at, message=message.pk)
        notifications.notify(
            notifications.Kind.MENTIONED,
            mentioned_people(body_text),
            message,
            f"{agent} mentioned you in a note: {conversation}",
            url=reverse("conversations:conversation", args=[conversation.pk]),
            actor=agent,
        )
        return message

    if conversation.first_response_at is None:
        sla.record_first_response(conversation, calendar, at)
    if conversation.waiting_since is not None:
        message.response_seconds = int((at - conversation.waiting_since).total_seconds())
        message.response_business_seconds = calendar.seconds_between(conversation.waiting_since, at)
        message.save(update_fields=["response_seconds", "response_business_seconds"])
    conversation.waiting_since = None
    conversation.public_reply_count += 1
    if conversation.assignee_id is None:
        conversation.assignee = agent
    _record(conversation, ConversationEvent.Kind.REPLY, agent, at, message=message.pk)
    if then_status is not None and then_status != conversation.status:
        _apply_status(conversation, then_status, agent, calendar, at)
    conversation.save()
    refresh_conversation(conversation, calendar, now=at)
    publish_reply(message)
    transaction.on_commit(lambda: _deliver(message.pk))
    return message


def _deliver(message_id: int) -> None:
    from careloop.conversations.tasks import deliver_reply

    deliver_reply.enqueue(message_id)


def post_automated_message(
    conversation: Conversation, body_text: str, at: datetime | None = None
) -> Message:
    """A message from the team with no agent behind it (a survey link in a chat): the customer
    sees it on the conversation's channel, but it is not a reply and touches no SLA."""
    if not body_text.strip():
        raise ValueError("A message needs some text.")
    return Message.objects.create(
        conversation=conversation,
        author_kind=Message.Author.AGENT,
        author=None,
        channel=conversation.channel,
        body_text=body_text,
        created_at=at or timezone.now(),
    )
