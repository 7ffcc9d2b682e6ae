"""core.events: who hears of what (the whole flow in one table), and when events leave."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.conf import LazySettings

from careloop.core import events

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

# Every event, and the subscribers registered for it in their apps' ready(): the whole flow.
SUBSCRIBERS = {
    "conversation.created": ["webhooks"],
    "conversation.assigned": ["webhooks"],
    "conversation.solved": ["webhooks"],
    "message.received": ["chat", "webhooks"],
    "reply.sent": ["webhooks"],
    "survey.answered": ["chat", "webhooks"],
    "recovery.opened": ["webhooks"],
    "recovery.closed": ["webhooks"],
    "gesture.granted": ["webhooks"],
    "gesture.requested": ["chat", "webhooks"],
    "gesture.decided": ["webhooks"],
    "concern.received": ["chat", "webhooks"],
    "idea.answered": ["webhooks"],
    "idea.overdue": ["chat", "webhooks"],
    "action_item.done": ["webhooks"],
}


def test_each_event_has_the_subscribers_this_table_lists() -> None:
    assert {event.name: events.subscribers_of(event) for event in events.EVENT_TYPES} == (
        SUBSCRIBERS
    )


@pytest.fixture
def heard() -> Any:
    """A subscriber of its own for these tests, removed afterwards."""
    calls: list[events.Event] = []
    events.subscribe("test", [events.REPLY_SENT], calls.append)
    yield calls
    events.unsubscribe("test")


@pytest.mark.django_db
def test_an_event_leaves_only_after_commit(
    heard: list[events.Event], django_capture_on_commit_callbacks: OnCommit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(events.REPLY_SENT, events.REPLY_SENT.example, team_id=3)
        assert heard == []
    [event] = heard
    assert (event.type, event.team_id, event.data) == ("reply.sent", 3, events.REPLY_SENT.example)
    assert event.id.startswith("evt_")


@pytest.mark.django_db
def test_a_failing_subscriber_does_not_stop_the_others(
    heard: list[events.Event], django_capture_on_commit_callbacks: OnCommit
) -> None:
    def broken(event: events.Event) -> None:
        raise RuntimeError("subscriber bug")

    events.subscribe("broken", [events.REPLY_SENT], broken)
    try:
        occurrence = events.Event("evt_1", "reply.sent", 1, None, events.timezone.now(), {})
        assert events.dispatch(occurrence.as_json()) == len(SUBSCRIBERS["reply.sent"]) + 1
    finally:
        events.unsubscribe("broken")
    assert [event.id for event in heard] == ["evt_1"]


@pytest.mark.django_db(transaction=True)
def test_without_a_task_queue_events_reach_subscribers_in_a_thread_of_their_own(
    heard: list[events.Event], settings: LazySettings
) -> None:
    import threading

    settings.CARELOOP_EVENTS_IN_THREAD = True
    threads: list[str] = []
    arrived = threading.Event()

    def record_thread(event: events.Event) -> None:
        threads.append(threading.current_thread().name)
        arrived.set()

    events.subscribe("thread", [events.REPLY_SENT], record_thread)
    try:
        events.publish(events.REPLY_SENT, events.REPLY_SENT.example)
        assert arrived.wait(5)
        assert events.background_idle.wait(5)
    finally:
        events.unsubscribe("thread")
    assert threads == ["careloop-events"]
