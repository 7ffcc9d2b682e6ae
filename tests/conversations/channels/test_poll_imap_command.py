from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from careloop.conversations.tasks import poll_mailbox
from tests.fixtures.mail import free_port


def test_poll_imap_without_a_configured_mailbox_says_what_to_set(settings: Any) -> None:
    settings.CARELOOP_IMAP_HOST = ""
    with pytest.raises(CommandError, match="Set CARELOOP_IMAP_HOST"):
        call_command("poll_imap")


def test_the_poll_task_fails_rather_than_pretending_without_a_mailbox(settings: Any) -> None:
    settings.CARELOOP_IMAP_HOST = ""
    result = poll_mailbox.enqueue()
    assert result.errors
    assert "MailboxNotConfigured" in result.errors[0].exception_class_path


def test_poll_imap_loop_keeps_going_when_the_server_is_unreachable(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from careloop.conversations.management.commands import poll_imap

    settings.CARELOOP_IMAP_HOST = "127.0.0.1"
    settings.CARELOOP_IMAP_PORT = free_port()  # nothing listens there
    settings.CARELOOP_IMAP_SSL = False
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(poll_imap.time, "sleep", pause)
    errors = StringIO()
    output = StringIO()
    call_command("poll_imap", "--loop", "--interval", "7", stderr=errors, stdout=output)
    assert pauses == [7.0, 7.0]
    assert errors.getvalue().count("Polling 127.0.0.1 failed") == 2
    assert "Stopped." in output.getvalue()
