from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, time
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from careloop.actions.models import ActionItem
from careloop.core.audit import audit_events_for
from careloop.core.permissions import Role
from careloop.feedback import selectors
from careloop.feedback.models import EmailDelivery, RecoveryTask, SurveyKind
from careloop.feedback.services import milestones, recovery, surveys
from careloop.people.models import BusinessHours
from careloop.people.selectors import current_organisation
from tests.conversations.factories import CustomerFactory
from tests.feedback.factories import answered, sent_invitation, solved_conversation
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.mark.parametrize(
    ("csat", "ces", "detractor"),
    [(2, 7, True), (1, 7, True), (3, 7, False), (5, 3, True), (5, 4, False), (4, 5, False)],
)
def test_csat_1_to_2_and_effort_1_to_3_open_a_recovery_task(
    csat: int, ces: int, detractor: bool
) -> None:
    agent = UserFactory(role=Role.AGENT)
    answered(solved_conversation(agent=agent), csat=csat, ces=ces)
    assert RecoveryTask.objects.exists() is detractor


@pytest.mark.parametrize(("nps", "detractor"), [(0, True), (6, True), (7, False), (10, False)])
def test_nps_0_to_6_opens_a_recovery_task(nps: int, detractor: bool) -> None:
    UserFactory(role=Role.CX_LEADER)
    invitation = sent_invitation(kind=SurveyKind.RELATIONSHIP)
    surveys.submit_answers(invitation, nps=nps)
    assert RecoveryTask.objects.exists() is detractor


def test_the_assignee_owns_the_task_and_is_told_by_email(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    agent = UserFactory(role=Role.AGENT)
    with django_capture_on_commit_callbacks(execute=True):
        answered(solved_conversation(agent=agent), csat=1, ces=2)
    task = RecoveryTask.objects.get()
    assert task.owner == agent
    assert task.reason == "CSAT 1, Effort 2"
    [notice] = [email for email in mail.outbox if email.to == [agent.email]]
    assert f"/feedback/recovery/{task.pk}/" in notice.body


def test_without_an_active_assignee_the_team_lead_owns_the_task() -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    agent = UserFactory(role=Role.AGENT, team=team)
    conversation = solved_conversation(agent=agent)
    agent.is_active = False
    agent.save()
    answered(conversation, csat=1)
    assert RecoveryTask.objects.get().owner == lead


def test_the_target_is_48_business_hours_on_the_business_calendar() -> None:
    organisation = current_organisation()
    for weekday in range(5):
        BusinessHours.objects.create(
            organisation=organisation, weekday=weekday, opens=time(9), closes=time(17)
        )
    agent = UserFactory(role=Role.AGENT)
    monday_morning = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    invitation = sent_invitation(solved_conversation(agent=agent), now=monday_morning)
    surveys.submit_answers(invitation, csat=1, ces=1, now=monday_morning)
    task = RecoveryTask.objects.get()
    # Six eight-hour days: Monday 09:00 + 48 business hours = the next Monday 17:00.
    assert task.due_at == datetime(2026, 11, 9, 17, 0, tzinfo=UTC)


def test_contacts_are_logged_and_the_task_closes_with_outcome_and_causes() -> None:
    agent = UserFactory(role=Role.AGENT)
    answered(solved_conversation(agent=agent), csat=1)
    task = RecoveryTask.objects.get()
    recovery.log_contact(task, by=agent, channel="phone", note="Called, apologised, resent.")
    task.refresh_from_db()
    assert task.status == RecoveryTask.Status.CONTACTED
    assert task.first_contact_at is not None

    with pytest.raises(ValidationError, match="Tag at least one cause"):
        recovery.close_task(task, by=agent, outcome="recovered")
    recovery.close_task(
        task, by=agent, outcome="recovered", causes=["Late delivery", " late  delivery ", "Tone"]
    )
    task.refresh_from_db()
    assert task.status == RecoveryTask.Status.CLOSED
    assert sorted(task.causes.values_list("name", flat=True)) == ["Late delivery", "Tone"]
    assert [event.action for event in audit_events_for(task)] == ["recovery.closed"]
    with pytest.raises(ValidationError):
        recovery.close_task(task, by=agent, outcome="no_reply")


def test_no_reply_closes_without_a_cause() -> None:
    agent = UserFactory(role=Role.AGENT)
    answered(solved_conversation(agent=agent), csat=2)
    task = recovery.close_task(RecoveryTask.objects.get(), by=agent, outcome="no_reply")
    assert task.outcome == "no_reply"


def test_a_recovered_customer_gets_the_thank_you_once(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    milestones.seed_default_rules()
    agent = UserFactory(role=Role.AGENT)
    customer = CustomerFactory()
    answered(solved_conversation(agent=agent, customer=customer), csat=1)
    with django_capture_on_commit_callbacks(execute=True):
        recovery.close_task(
            RecoveryTask.objects.get(), by=agent, outcome="recovered", causes=["Tone"]
        )
    thanks = [e for e in mail.outbox if e.subject == "Thank you for giving us another chance"]
    assert [e.to for e in thanks] == [[customer.email]]
    assert milestones.send_rule_email("recovered", customer) is False
    assert EmailDelivery.objects.count() == 1


def test_only_the_owner_their_lead_and_cx_leaders_work_on_a_task() -> None:
    team = TeamFactory()
    agent = UserFactory(role=Role.AGENT, team=team)
    answered(solved_conversation(agent=agent), csat=1)
    task = RecoveryTask.objects.get()
    allowed = [
        agent,
        UserFactory(role=Role.TEAM_LEAD, team=team),
        UserFactory(role=Role.CX_LEADER),
        UserFactory(role=Role.ADMIN),
    ]
    refused = [
        UserFactory(role=Role.AGENT, team=team),
        UserFactory(role=Role.TEAM_LEAD),
        UserFactory(role=Role.PEOPLE_PARTNER),
    ]
    assert all(selectors.can_work_on_task(user, task) for user in allowed)
    assert not any(selectors.can_work_on_task(user, task) for user in refused)
    with pytest.raises(PermissionDenied):
        recovery.log_contact(task, by=refused[0], channel="email", note="Hi")


def test_causes_roll_up_into_a_backlog_and_become_action_items() -> None:
    agent = UserFactory(role=Role.AGENT)
    for causes in (["Late delivery"], ["Late delivery", "Refund delay"], ["Late delivery"]):
        answered(solved_conversation(agent=agent), csat=1)
        task = RecoveryTask.objects.filter(status="open").get()
        recovery.close_task(task, by=agent, outcome="not_recovered", causes=causes)
    backlog = selectors.cause_backlog()
    assert [(row.cause.name, row.tasks) for row in backlog] == [
        ("Late delivery", 3),
        ("Refund delay", 1),
    ]
    lead = UserFactory(role=Role.CX_LEADER)
    item = recovery.promote_cause(backlog[0].cause, by=lead, owner=agent)
    assert item.source_kind == ActionItem.SourceKind.RECOVERY
    assert item.source_label == "Late delivery"
    with pytest.raises(ValidationError):
        recovery.promote_cause(backlog[0].cause, by=lead, owner=agent)
