from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from careloop.conversations.channels import chat, chat_transcript, chat_visitors
from careloop.conversations.models import (
    Channel,
    ContactPoint,
    Conversation,
    InboundRecord,
    Message,
    Status,
)
from careloop.conversations.services import conversations, replies
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent() -> User:
    return UserFactory(role=Role.AGENT, full_name="Grace Hopper")


def say(text: str, **details: str) -> chat_visitors.ChatMessageInput:
    return chat_visitors.ChatMessageInput(uuid.uuid4(), text, **details)


def test_a_token_proves_its_visitor_and_a_forged_one_is_refused() -> None:
    visitor = chat_visitors.new_visitor()

    assert chat_visitors.visitor_from_token(visitor.token) == visitor
    with pytest.raises(chat_visitors.InvalidChatToken):
        chat_visitors.visitor_from_token(
            visitor.token[:-1] + ("A" if visitor.token[-1] != "A" else "B")
        )
    with pytest.raises(chat_visitors.InvalidChatToken):
        chat_visitors.visitor_from_token(visitor.identity)


def test_first_message_is_kept_raw_then_filed_as_an_open_chat_conversation() -> None:
    visitor = chat_visitors.new_visitor()
    incoming = say("My kettle arrived dented.")

    posted = chat.post_customer_message(visitor, incoming)

    record = InboundRecord.objects.get()
    assert record.channel == Channel.CHAT
    assert record.dedupe_key == f"chat:{incoming.client_message_id}"
    assert json.loads(bytes(record.raw))["text"] == "My kettle arrived dented."
    assert record.state == InboundRecord.State.PROCESSED
    assert record.message == posted.message
    conversation = posted.message.conversation
    assert conversation.channel == Channel.CHAT
    assert conversation.status == Status.OPEN
    assert conversation.is_waiting_on_us
    assert conversation.subject == "Web chat: My kettle arrived dented."
    point = ContactPoint.objects.get(kind=ContactPoint.Kind.CHAT, value=visitor.identity)
    assert point.customer == conversation.customer
    assert not posted.duplicate


def test_retrying_with_the_same_client_id_files_the_message_once() -> None:
    visitor = chat_visitors.new_visitor()
    incoming = say("Hello?")

    first = chat.post_customer_message(visitor, incoming)
    again = chat.post_customer_message(visitor, incoming)

    assert again.duplicate
    assert again.message == first.message
    assert Message.objects.count() == 1
    assert InboundRecord.objects.count() == 1


def test_a_message_that_fails_to_file_is_kept_and_a_retry_files_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    visitor = chat_visitors.new_visitor()
    incoming = say("Please call me back.")

    def broken(*args: object, **kwargs: object) -> Message:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(chat, "receive_customer_message", broken)
    with pytest.raises(chat_visitors.MessageNotFiled):
        chat.post_customer_message(visitor, incoming)

    record = InboundRecord.objects.get()
    assert record.state == InboundRecord.State.FLAGGED
    assert "database hiccup" in record.problem
    assert not Message.objects.exists()

    monkeypatch.setattr(chat, "receive_customer_message", conversations.receive_customer_message)
    retried = chat.post_customer_message(visitor, incoming)

    record.refresh_from_db()
    assert record.state == InboundRecord.State.PROCESSED
    assert record.message == retried.message
    assert retried.message.body_text == "Please call me back."
    assert Message.objects.count() == 1


def test_another_visitor_cannot_reuse_someone_elses_client_id() -> None:
    incoming = say("Mine")
    chat.post_customer_message(chat_visitors.new_visitor(), incoming)

    with pytest.raises(chat_visitors.ClientIdClash):
        chat.post_customer_message(chat_visitors.new_visitor(), incoming)
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": "hi"}, "client_message_id"),
        ({"client_message_id": "not-a-uuid", "text": "hi"}, "client_message_id"),
        ({"client_message_id": str(uuid.uuid4()), "text": "   "}, "text"),
        ({"client_message_id": str(uuid.uuid4())}, "text"),
        ({"client_message_id": str(uuid.uuid4()), "text": 42}, "text"),
        ({"client_message_id": str(uuid.uuid4()), "text": "x" * 4001}, "text"),
        ({"client_message_id": str(uuid.uuid4()), "text": "hi", "name": "n" * 201}, "name"),
        ({"client_message_id": str(uuid.uuid4()), "text": "hi", "email": "nope"}, "email"),
    ],
)
def test_invalid_input_is_refused_naming_the_field(payload: dict[str, object], field: str) -> None:
    with pytest.raises(chat_visitors.ChatError) as refused:
        chat_visitors.parse_message_input(payload)
    assert refused.value.field == field
    assert refused.value.status == 400


def test_valid_input_is_trimmed() -> None:
    incoming = chat_visitors.parse_message_input(
        {"client_message_id": str(uuid.uuid4()), "text": "  hi  ", "name": " Ann ", "email": ""}
    )
    assert (incoming.text, incoming.name, incoming.email) == ("hi", "Ann", "")


def test_a_visitor_sending_too_fast_is_slowed_down_without_losing_what_was_filed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(chat, "RATE_LIMIT_MESSAGES", 2)
    visitor = chat_visitors.new_visitor()
    first = say("one")
    chat.post_customer_message(visitor, first)
    chat.post_customer_message(visitor, say("two"))

    with pytest.raises(chat_visitors.TooManyMessages):
        chat.post_customer_message(visitor, say("three"))
    # A retry of a message already filed is no new message, so it is never refused.
    assert chat.post_customer_message(visitor, first).duplicate
    assert Message.objects.count() == 2
    assert chat.post_customer_message(chat_visitors.new_visitor(), say("someone else")).message


def test_a_visitor_reads_only_their_own_chat() -> None:
    ann, bob = chat_visitors.new_visitor(), chat_visitors.new_visitor()
    chat.post_customer_message(ann, say("Ann's secret order number 123"))

    assert [m.body_text for m in chat_transcript.messages_after(ann, 0).messages] == [
        "Ann's secret order number 123"
    ]
    assert chat_transcript.messages_after(bob, 0).messages == []
    assert chat_transcript.open_chat(bob).conversation is None


def test_internal_notes_never_reach_the_visitor(agent: User) -> None:
    visitor = chat_visitors.new_visitor()
    conversation = chat.post_customer_message(
        visitor, say("Where is my order?")
    ).message.conversation
    replies.reply(conversation, agent, "Customer seems cross", internal=True)
    replies.reply(conversation, agent, "It ships today.")

    texts = [m.body_text for m in chat_transcript.messages_after(visitor, 0).messages]
    assert texts == ["Where is my order?", "It ships today."]
    assert [m.body_text for m in chat_transcript.replies_after(visitor, 0)] == ["It ships today."]


def test_stream_yields_a_reply_an_agent_posts_while_it_waits(agent: User) -> None:
    visitor = chat_visitors.new_visitor()
    conversation = chat.post_customer_message(visitor, say("Anyone there?")).message.conversation
    now = [0.0]
    agent_wrote = []

    def sleep(seconds: float) -> None:
        now[0] += seconds
        if not agent_wrote:
            replies.reply(conversation, agent, "Note: check stock", internal=True)
            replies.reply(conversation, agent, "Yes, I'm here!")
            agent_wrote.append(True)

    stream = chat_transcript.stream_replies(
        visitor, 0, seconds=5, poll_every=1, sleep=sleep, clock=lambda: now[0]
    )
    received = [item for item in stream if item is not None]

    assert [m.body_text for m in received] == ["Yes, I'm here!"]
    assert now[0] == 5  # it kept listening until its time was up, then ended


def test_stream_resumes_after_the_last_reply_it_sent(agent: User) -> None:
    visitor = chat_visitors.new_visitor()
    conversation = chat.post_customer_message(visitor, say("Hi")).message.conversation
    seen = replies.reply(conversation, agent, "First answer")
    replies.reply(conversation, agent, "Second answer")

    stream = chat_transcript.stream_replies(visitor, seen.pk, seconds=0, sleep=lambda s: None)

    assert [m.body_text for m in stream if m is not None] == ["Second answer"]


def test_ending_a_chat_keeps_the_conversation_open_while_the_customer_waits() -> None:
    visitor = chat_visitors.new_visitor()
    conversation = chat.post_customer_message(visitor, say("Still waiting")).message.conversation

    ended = chat.end_chat(visitor)
    chat.end_chat(visitor)

    assert ended == conversation
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.is_waiting_on_us
    events = conversation.events.filter(kind=chat_transcript.CHAT_ENDED)
    assert [event.detail for event in events] == [{"reason": "visitor"}]
    state = chat_transcript.open_chat(visitor)
    assert state.ended
    assert [m.body_text for m in state.messages] == ["Still waiting"]


def test_after_a_chat_ends_the_next_message_starts_a_new_conversation() -> None:
    visitor = chat_visitors.new_visitor()
    first = chat.post_customer_message(visitor, say("First chat")).message.conversation
    chat.end_chat(visitor)

    second = chat.post_customer_message(visitor, say("New question")).message.conversation

    assert second != first
    assert second.customer == first.customer
    assert Conversation.objects.filter(channel=Channel.CHAT).count() == 2
    assert chat_transcript.latest_chat(visitor) == second


def test_a_chat_idle_for_too_long_ends_and_a_new_message_starts_another() -> None:
    visitor = chat_visitors.new_visitor()
    start = timezone.now() - timedelta(hours=2)
    first = chat.post_customer_message(visitor, say("Hello"), at=start).message.conversation

    later = start + chat_transcript.IDLE_AFTER + timedelta(minutes=1)
    second = chat.post_customer_message(visitor, say("Hello again"), at=later).message.conversation

    assert second != first
    assert first.events.get(kind=chat_transcript.CHAT_ENDED).detail == {"reason": "idle"}


def test_a_chat_still_in_use_continues_in_the_same_conversation() -> None:
    visitor = chat_visitors.new_visitor()
    start = timezone.now() - timedelta(minutes=20)
    first = chat.post_customer_message(visitor, say("Hello"), at=start).message.conversation

    second = chat.post_customer_message(visitor, say("More"), at=start + timedelta(minutes=10))

    assert second.message.conversation == first
    assert not chat_transcript.is_chat_ended(first)


def test_idle_chats_are_ended_in_bulk_and_only_once(agent: User) -> None:
    idle_visitor, busy_visitor = chat_visitors.new_visitor(), chat_visitors.new_visitor()
    long_ago = timezone.now() - timedelta(hours=1)
    idle = chat.post_customer_message(idle_visitor, say("Hi"), at=long_ago).message.conversation
    busy = chat.post_customer_message(busy_visitor, say("Hi")).message.conversation

    assert chat.end_idle_chats() == 1
    assert chat.end_idle_chats() == 0
    assert chat_transcript.is_chat_ended(idle)
    assert not chat_transcript.is_chat_ended(busy)


def test_name_is_used_and_email_noted_without_claiming_that_address() -> None:
    visitor = chat_visitors.new_visitor()

    posted = chat.post_customer_message(
        visitor, say("Hi", name="Ann Example", email="ann@example.test")
    )

    customer = posted.message.conversation.customer
    assert customer.full_name == "Ann Example"
    assert customer.email is None
    assert "ann@example.test" in customer.notes
    assert not ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL).exists()


def test_the_scheduled_idle_chat_task_ends_idle_chats() -> None:
    from django.conf import settings
    from django.utils.module_loading import import_string

    visitor = chat_visitors.new_visitor()
    long_ago = timezone.now() - timedelta(hours=1)
    conversation = chat.post_customer_message(visitor, say("Hi"), at=long_ago).message.conversation
    task_path = settings.CELERY_BEAT_SCHEDULE["end-idle-chats"]["args"][0]

    result = import_string(task_path).enqueue()

    assert result.return_value == 1
    assert chat_transcript.is_chat_ended(conversation)
