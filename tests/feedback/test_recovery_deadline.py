"""A recovery task's deadline reads the same in the owner's email, the overdue email and the
task's page: the organisation's local time, even around midnight at the end of a month."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from careloop.core import calendar
from careloop.core.permissions import Role
from careloop.feedback.models import RecoveryTask
from careloop.feedback.services.escalation import escalate_overdue_recovery
from tests.calendar_edges import Edge, edges, stand_at
from tests.feedback.factories import answered, solved_conversation
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@edges
def test_the_email_and_the_page_give_the_same_local_deadline(
    monkeypatch: pytest.MonkeyPatch,
    edge: Edge,
    client: Client,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    stand_at(monkeypatch, edge)
    agent = UserFactory(role=Role.AGENT)
    with django_capture_on_commit_callbacks(execute=True):
        answered(solved_conversation(agent=agent), csat=1, ces=2)
    task = RecoveryTask.objects.get()
    local_due = task.due_at.astimezone(calendar.organisation_zone())
    deadline = f"{local_due.day} {local_due:%b %Y %H:%M}"
    assert calendar.format_moment(task.due_at) == deadline

    [notice] = [email for email in mail.outbox if email.to == [agent.email]]
    assert f"by {deadline} (48 business hours)" in notice.body

    client.force_login(agent)
    page = client.get(reverse("feedback:recovery", kwargs={"pk": task.pk})).content.decode()
    [shown] = re.findall(r"Contact the customer by</dt><dd>([^(<]+) \(48", page)
    assert shown == deadline

    mail.outbox.clear()
    assert escalate_overdue_recovery(now=task.due_at + datetime.timedelta(hours=1)) == 1
    [overdue] = [email for email in mail.outbox if email.to == [agent.email]]
    assert f"The target was {deadline} (48 business hours)" in overdue.body
