"""What conversations tell subscribers (core.events): the payloads, built from rows."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Min

from careloop.conversations.care_priority import distress_words
from careloop.conversations.models import Conversation, Message
from careloop.core import events
from careloop.core.links import absolute_url_for


def conversation_data(conversation: Conversation) -> events.ConversationData:
    return events.ConversationData(
        id=conversation.pk,
        subject=conversation.subject,
        channel=conversation.channel,
        status=conversation.status,
        priority=conversation.priority,
        team_id=conversation.team_id,
        assignee_id=conversation.assignee_id,
        customer_id=conversation.customer_id,
        created_at=conversation.created_at.isoformat(),
        url=absolute_url_for("conversations:conversation", conversation.pk),
    )


def publish_conversation(
    event: events.EventType[events.ConversationData], conversation: Conversation
) -> None:
    events.publish(event, conversation_data(conversation), team_id=conversation.team_id)


def publish_message_read(message: Message) -> None:
    """A customer's message, with the distress the empathy engine read in it."""
    publish_messages_read([message])


def publish_messages_read(messages: Sequence[Message]) -> None:
    """Customer messages just read (their `conversation` loaded): whether each is its
    conversation's first is one query for all of them, and none when no one listens."""
    if not messages or not events.subscribers_of(events.MESSAGE_RECEIVED):
        return
    firsts = dict(
        Message.objects.filter(
            conversation_id__in={message.conversation_id for message in messages},
            author_kind=Message.Author.CUSTOMER,
        )
        .values("conversation_id")
        .annotate(first=Min("created_at"))
        .values_list("conversation_id", "first")
    )
    for message in messages:
        first = message.created_at <= firsts.get(message.conversation_id, message.created_at)
        _publish_message_read(message, first)


def _publish_message_read(message: Message, first: bool) -> None:
    conversation = message.conversation
    events.publish(
        events.MESSAGE_RECEIVED,
        events.MessageData(
            id=message.pk,
            conversation_id=conversation.pk,
            team_id=conversation.team_id,
            channel=message.channel,
            body_text=message.body_text,
            created_at=message.created_at.isoformat(),
            distress=message.distress,
            distress_words=distress_words(message.distress or 0.0),
            first_in_conversation=first,
            url=absolute_url_for("conversations:conversation", conversation.pk),
        ),
        team_id=conversation.team_id,
    )


def publish_reply(message: Message) -> None:
    conversation = message.conversation
    events.publish(
        events.REPLY_SENT,
        events.ReplyData(
            id=message.pk,
            conversation_id=conversation.pk,
            team_id=conversation.team_id,
            agent_id=message.author_id,
            channel=message.channel,
            body_text=message.body_text,
            created_at=message.created_at.isoformat(),
            url=absolute_url_for("conversations:conversation", conversation.pk),
        ),
        team_id=conversation.team_id,
    )
