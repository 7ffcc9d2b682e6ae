"""Reading customer messages in micro-batches: claimed, read in one engine call, stored in bulk."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from typing import Any

import pytest
from django.db import connection

from careloop.conversations import coaching
from careloop.conversations.models import Channel, Conversation, Message
from careloop.conversations.services import conversations
from careloop.conversations.tasks import read_unread_customer_messages, score_unscored_messages
from careloop.empathy import engine
from tests.conversations.factories import CustomerFactory

ANGRY = "This is the THIRD time my order arrived broken. I'm furious. Absolutely unacceptable."
CALM = "Thanks, that sorted it out. Have a lovely day!"


def stored_unread(texts: Sequence[str], conversation: Conversation | None = None) -> list[Message]:
    """Customer messages as a Celery deployment leaves them until a reader comes: unread."""
    messages = []
    for text in texts:
        message = conversations.receive_customer_message(
            conversation.customer if conversation else CustomerFactory(),
            channel=Channel.API,
            body_text=text,
            conversation=conversation,
        )
        messages.append(message)
    Message.objects.filter(pk__in=[m.pk for m in messages]).update(
        scored_at=None, emotions=None, distress=None
    )
    return messages


@pytest.fixture
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of each batch the real engine was asked to read."""
    sizes: list[int] = []
    real = engine.read_customer_messages

    def counted(texts: Sequence[str], explain: bool = True) -> Any:
        sizes.append(len(texts))
        return real(texts, explain)

    monkeypatch.setattr(engine, "read_customer_messages", counted)
    return sizes


@pytest.mark.django_db
def test_unread_messages_are_read_in_batches_of_the_configured_size(
    settings: Any, engine_calls: list[int]
) -> None:
    settings.CARELOOP_READING_BATCH = 2
    messages = stored_unread([ANGRY, CALM, ANGRY, CALM, ANGRY])
    assert read_unread_customer_messages.call() == 5
    assert engine_calls == [2, 2, 1]
    for message in messages:
        message.refresh_from_db()
        assert message.scored_at is not None and message.emotions["labels"]
        conversation = Conversation.objects.get(pk=message.conversation_id)
        assert conversation.distress == message.distress
        assert conversation.care_priority_breakdown[0]["factor"] == "distress" or (
            message.distress is not None and message.distress < 0.1
        )
    assert read_unread_customer_messages.call() == 0


@pytest.mark.django_db
def test_a_conversation_follows_its_latest_message_read_in_the_same_batch(
    engine_calls: list[int],
) -> None:
    first = stored_unread([ANGRY])[0]
    conversation = Conversation.objects.get(pk=first.conversation_id)
    later = stored_unread([CALM], conversation)[0]
    Message.objects.filter(pk=first.pk).update(scored_at=None, emotions=None, distress=None)
    assert read_unread_customer_messages.call() == 2
    assert engine_calls == [2]
    first.refresh_from_db()
    later.refresh_from_db()
    conversation.refresh_from_db()
    assert first.distress is not None and later.distress is not None
    assert first.distress > later.distress
    assert conversation.distress == later.distress


@pytest.mark.django_db
def test_the_sweep_leaves_fresh_messages_to_the_reading_they_asked_for(settings: Any) -> None:
    settings.CARELOOP_SCORING_RETRY_AFTER_S = 3600
    fresh = stored_unread([CALM])[0]
    assert score_unscored_messages.call() == 0
    settings.CARELOOP_SCORING_RETRY_AFTER_S = 0
    assert score_unscored_messages.call() == 1
    fresh.refresh_from_db()
    assert fresh.scored_at is not None


@pytest.mark.django_db
def test_one_unreadable_message_does_not_hold_back_its_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    messages = stored_unread([ANGRY, "POISON", CALM])
    real = engine.read_customer_messages

    def fails_on_poison(texts: Sequence[str], explain: bool = True) -> Any:
        if "POISON" in texts:
            raise RuntimeError("cannot read this one")
        return real(texts, explain)

    monkeypatch.setattr(engine, "read_customer_messages", fails_on_poison)
    assert read_unread_customer_messages.call() == 2
    read = {m.pk for m in Message.objects.filter(scored_at__isnull=False)}
    assert read == {messages[0].pk, messages[2].pk}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED claims are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_readers_side_by_side_read_each_message_exactly_once(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.CARELOOP_READING_BATCH = 5
    stored_unread([ANGRY if n % 2 else CALM for n in range(40)])
    read_by: dict[str, list[int]] = {"a": [], "b": []}
    real = coaching.read_messages
    both_claimed = threading.Barrier(2, timeout=30)

    def recorded(messages: Sequence[Message]) -> int:
        read_by[threading.current_thread().name].extend(m.pk for m in messages)
        if len(read_by["a"]) <= 5 and len(read_by["b"]) <= 5:
            # Hold the first claims open together, so the second must skip the first's.
            with contextlib.suppress(threading.BrokenBarrierError):
                both_claimed.wait()
        return real(messages)

    monkeypatch.setattr(coaching, "read_messages", recorded)

    def reader() -> None:
        try:
            while coaching.read_unread_messages(5).claimed:
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=reader, name=name) for name in read_by]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert read_by["a"] and read_by["b"], read_by
    assert not set(read_by["a"]) & set(read_by["b"])
    assert len(read_by["a"]) + len(read_by["b"]) == 40
    assert not Message.objects.filter(scored_at__isnull=True).exists()
