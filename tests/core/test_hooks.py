"""core.hooks: who reacts to what between domains (the whole flow in one table), and how."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin

from careloop.core.admin_audit import AuditedModelAdmin
from careloop.core.hooks import Hook

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

# Every hook a domain declares, and the subscribers registered in their apps' ready(), in the
# order they run: the whole flow between domains. (The events told outside careloop, each held
# in a hook of its own, are listed with their subscribers in tests/core/test_events.py.)
SUBSCRIBERS = {
    "conversations.conversation_solved": ["careloop.feedback.tasks.schedule_survey_when_solved"],
    "conversations.customer_messages_read": [
        "careloop.recognition.tasks.surface_praise_in_messages_read"
    ],
    "feedback.survey_answered": ["careloop.recognition.tasks.surface_praise_in_survey_answer"],
}


def declared_hooks() -> list[Hook[Any]]:
    """The hooks in every careloop app's `hooks` module."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("careloop.") or not importlib.util.find_spec(
            f"{config.name}.hooks"
        ):
            continue
        module = importlib.import_module(f"{config.name}.hooks")
        found += [value for value in vars(module).values() if isinstance(value, Hook)]
    return found


def test_each_hook_has_the_subscribers_this_table_lists() -> None:
    assert {hook.name: hook.subscribers() for hook in declared_hooks()} == SUBSCRIBERS


def test_every_admin_registered_is_audited() -> None:
    registered = admin.site._registry.values()
    assert registered and all(isinstance(found, AuditedModelAdmin) for found in registered)


def test_subscribers_run_in_the_order_they_subscribed_and_subscribe_once() -> None:
    hook: Hook[str] = Hook("test.now", "A test hook.")
    heard: list[str] = []
    hook.subscribe(lambda word: heard.append(f"first {word}"), name="first")
    hook.subscribe(lambda word: heard.append(f"second {word}"), name="second")
    hook.subscribe(lambda word: heard.append(f"first again {word}"), name="first")
    hook.call("hello")
    assert hook.subscribers() == ["first", "second"]
    assert heard == ["first again hello", "second hello"]


def test_a_failing_subscriber_fails_the_call_and_stops_the_ones_after_it() -> None:
    hook: Hook[int] = Hook("test.now", "A test hook.")
    heard: list[int] = []

    def broken(number: int) -> None:
        raise RuntimeError("subscriber bug")

    hook.subscribe(broken)
    hook.subscribe(heard.append)
    with pytest.raises(RuntimeError, match="subscriber bug"):
        hook.call(1)
    assert heard == []
    assert hook.subscribers()[0] == f"{__name__}.{broken.__qualname__}"


@pytest.mark.django_db
def test_an_after_commit_hook_tells_no_one_before_the_commit(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    hook: Hook[int] = Hook("test.later", "A test hook.", after_commit=True)
    heard: list[int] = []
    hook.subscribe(heard.append)
    with django_capture_on_commit_callbacks(execute=True):
        hook.call(7)
        assert heard == []
    assert heard == [7]


@pytest.mark.django_db
def test_after_commit_a_failing_subscriber_is_logged_and_the_others_still_run(
    django_capture_on_commit_callbacks: OnCommit, caplog: pytest.LogCaptureFixture
) -> None:
    hook: Hook[int] = Hook("test.later", "A test hook.", after_commit=True)
    heard: list[int] = []

    def broken(number: int) -> None:
        raise RuntimeError("subscriber bug")

    hook.subscribe(broken, name="broken")
    hook.subscribe(heard.append, name="listener")
    with (
        caplog.at_level(logging.ERROR, logger="careloop.core.hooks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        hook.call(7)
    assert heard == [7]
    assert "Subscriber broken of test.later failed" in caplog.text


@pytest.mark.django_db
def test_a_hook_no_one_subscribed_to_leaves_nothing_for_the_commit(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    hook: Hook[int] = Hook("test.later", "A test hook.", after_commit=True)
    with django_capture_on_commit_callbacks() as callbacks:
        hook.call(7)
    assert callbacks == []
