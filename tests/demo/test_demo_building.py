"""Tests that build a demo of their own on an empty database, so share none
(the demo tests that only read one share it per module: tests/fixtures/demo.py)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careloop.conversations.models import Conversation, Status
from careloop.demo.conversations import create_demo_conversations
from careloop.demo.organisation import DEMO_PASSWORD, create_demo_organisation

pytestmark = pytest.mark.django_db

COUNT = 200


def test_demo_command_prints_logins_that_work(client: Client) -> None:
    out = StringIO()
    call_command("demo", no_serve=True, conversations=20, stdout=out)
    printed = out.getvalue()
    assert DEMO_PASSWORD in printed
    admin_email = next(
        line.split()[-1] for line in printed.splitlines() if line.strip().startswith("Admin:")
    )
    response = client.post(
        reverse("account_login"), {"login": admin_email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("people:organisation")).status_code == 200


def test_the_same_seed_and_moment_give_the_same_conversations() -> None:
    create_demo_organisation(conversations=0)
    now = timezone.now()

    def made() -> list[tuple[str, str, str, list[str]]]:
        return [
            (c.subject, c.status, c.channel, [m.body_text for m in c.messages.all()])
            for c in Conversation.objects.order_by("pk").prefetch_related("messages")
        ]

    create_demo_conversations(60, seed=3, now=now)
    first = made()
    Conversation.objects.all().delete()
    create_demo_conversations(60, seed=3, now=now)
    assert made() == first


def test_a_small_demo_gets_the_asked_number_of_conversations() -> None:
    create_demo_organisation(conversations=0)
    assert create_demo_conversations(COUNT) == COUNT


def test_demo_command_reports_the_conversations() -> None:
    out = StringIO()
    call_command("demo", no_serve=True, conversations=30, stdout=out)
    waiting = Conversation.objects.filter(status=Status.OPEN, waiting_since__isnull=False).count()
    assert f"Conversations: 30 ({waiting} waiting on us)" in out.getvalue()
