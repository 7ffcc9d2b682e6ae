from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from careloop.core.permissions import Role
from careloop.feedback.models import RecoveryTask
from careloop.feedback.services import concerns, recovery
from careloop.feedback.services.escalation import (
    escalate_overdue_concerns,
    escalate_overdue_recovery,
)
from tests.feedback.factories import answered, solved_conversation
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_uncontacted_task_past_its_target_is_escalated_to_owner_and_lead_once() -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    agent = UserFactory(role=Role.AGENT, team=team)
    answered(solved_conversation(agent=agent), csat=1)
    task = RecoveryTask.objects.get()
    assert escalate_overdue_recovery(task.due_at - timedelta(minutes=1)) == 0
    later = task.due_at + timedelta(minutes=1)
    mail.outbox.clear()
    assert escalate_overdue_recovery(later) == 1
    assert escalate_overdue_recovery(later + timedelta(hours=1)) == 0
    [email] = mail.outbox
    assert set(email.to) == {agent.email, lead.email}
    assert email.subject.startswith("Overdue recovery:")


def test_a_contacted_task_is_not_escalated() -> None:
    agent = UserFactory(role=Role.AGENT)
    answered(solved_conversation(agent=agent), csat=1)
    task = RecoveryTask.objects.get()
    recovery.log_contact(task, by=agent, channel="phone", note="Called")
    assert escalate_overdue_recovery(task.due_at + timedelta(days=1)) == 0


def test_an_unanswered_concern_past_its_sla_is_escalated_once_without_its_text() -> None:
    leader = UserFactory(role=Role.CX_LEADER)
    concern, _ = concerns.raise_concern(
        category="employee", body="Private words", anonymous=True, notify=False
    )
    answered_concern, _ = concerns.raise_concern(
        category="other", body="x", anonymous=True, notify=False
    )
    concerns.reply_to_concern(answered_concern, leader, "On it.")
    later = timezone.now() + timedelta(days=10)
    assert escalate_overdue_concerns(later) == 1
    assert escalate_overdue_concerns(later) == 0
    [email] = mail.outbox
    assert email.to == [leader.email]
    assert concern.reference in email.subject
    assert "Private words" not in email.body
