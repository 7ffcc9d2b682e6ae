"""Each kind of notification reaches the people the access policy says, once."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from careloop.actions.tasks import send_action_reminders
from careloop.care import services as care_services
from careloop.care import tasks as care_tasks
from careloop.care.models import Gesture
from careloop.conversations.models import Channel, Conversation
from careloop.conversations.services.assignment import assign
from careloop.conversations.services.conversations import receive_customer_message
from careloop.conversations.services.replies import reply
from careloop.core import calendar
from careloop.core.permissions import Role
from careloop.feedback.models import RecoveryTask
from careloop.feedback.services.escalation import escalate_overdue_recovery
from careloop.notifications import services
from careloop.notifications.models import Kind, Notification
from careloop.notifications.selectors import mentioned_people
from careloop.people.models import Team, User
from careloop.pulse.services.ideas import respond_to_idea, submit_idea
from tests.actions.factories import ActionItemFactory
from tests.conversations.factories import ConversationFactory, CustomerFactory
from tests.feedback.factories import answered, solved_conversation
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def told(kind: Kind) -> list[User]:
    return [n.recipient for n in Notification.objects.filter(kind=kind).order_by("pk")]


@pytest.fixture
def team() -> Team:
    return TeamFactory()


@pytest.fixture
def agent(team: Team) -> User:
    return UserFactory(role=Role.AGENT, team=team, full_name="Bea Jones", email="bea@example.test")


@pytest.fixture
def lead(team: Team) -> User:
    return UserFactory(role=Role.TEAM_LEAD, team=team)


def test_the_assignee_is_told_once_and_never_the_one_who_assigned(agent: User, lead: User) -> None:
    conversation = ConversationFactory()
    assign(conversation, agent, actor=lead)
    assign(conversation, agent, actor=lead)
    assert told(Kind.ASSIGNED) == [agent]
    [notification] = Notification.objects.all()
    assert notification.url == f"/inbox/{conversation.pk}/"
    assert conversation.subject in notification.text


def test_assigning_oneself_or_someone_without_the_inbox_tells_nobody(agent: User) -> None:
    assign(ConversationFactory(), agent, actor=agent)
    assign(ConversationFactory(), UserFactory(role=Role.PEOPLE_PARTNER), actor=agent)
    assert not Notification.objects.exists()


def test_a_customer_reply_tells_the_assignee_once_until_they_read_it(agent: User) -> None:
    customer = CustomerFactory()
    first = receive_customer_message(customer, channel=Channel.EMAIL, body_text="Hello")
    conversation = first.conversation
    assign(conversation, agent, actor=None)
    Notification.objects.all().delete()
    for text in ("Anyone there?", "Still waiting"):
        receive_customer_message(
            customer, channel=Channel.EMAIL, body_text=text, conversation=conversation
        )
    assert told(Kind.CUSTOMER_REPLIED) == [agent]
    services.mark_read(Notification.objects.get())
    receive_customer_message(
        customer, channel=Channel.EMAIL, body_text="Hello?", conversation=conversation
    )
    assert told(Kind.CUSTOMER_REPLIED) == [agent, agent]


def test_a_new_unassigned_conversation_tells_nobody_that_the_customer_replied() -> None:
    receive_customer_message(CustomerFactory(), channel=Channel.EMAIL, body_text="Hi")
    assert not Notification.objects.filter(kind=Kind.CUSTOMER_REPLIED).exists()


def test_a_mention_tells_only_colleagues_who_may_read_the_note(
    agent: User, lead: User, team: Team
) -> None:
    writer = UserFactory(role=Role.AGENT, team=team)
    other_team_agent = UserFactory(role=Role.AGENT, full_name="Carl Berg", email="carl@x.test")
    other_team_lead = UserFactory(role=Role.TEAM_LEAD, full_name="Dana Fox", email="dana@x.test")
    conversation = ConversationFactory(team=team)
    reply(
        conversation,
        writer,
        f"@Bea Jones and @carl, please look. @Dana Fox too. @{writer.email.split('@')[0]}",
        internal=True,
    )
    assert set(told(Kind.MENTIONED)) == {agent, other_team_lead}
    assert other_team_agent not in told(Kind.MENTIONED)
    assert lead not in told(Kind.MENTIONED)


def test_a_public_reply_mentions_nobody(agent: User, team: Team) -> None:
    reply(ConversationFactory(team=team), UserFactory(team=team), "@Bea Jones hello")
    assert not Notification.objects.filter(kind=Kind.MENTIONED).exists()


def test_mentions_need_a_whole_name_and_are_not_email_addresses(agent: User) -> None:
    assert mentioned_people("write to customer@bea.example or @Beatrix") == []
    assert mentioned_people("@bea: can you call?") == [agent]
    assert mentioned_people("Thanks @bea jones.") == [agent]


def refund(giver: User, team: Team, capture: Any) -> Gesture:
    with capture(execute=True):
        return care_services.grant_gesture(
            agent=giver,
            conversation=ConversationFactory(team=team),
            kind="refund",
            amount=Decimal("9000.00"),
            reason="Cake never arrived",
        )


def test_an_approval_request_tells_the_teams_lead_not_the_giver_nor_other_leads(
    agent: User, lead: User, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    UserFactory(role=Role.TEAM_LEAD)  # another team's lead
    gesture = refund(agent, team, django_capture_on_commit_callbacks)
    care_tasks.notify_leads_of_request.call(gesture.pk)
    assert told(Kind.APPROVAL_REQUESTED) == [lead]
    assert Notification.objects.get().url == "/care/approvals/"


def test_an_overdue_request_tells_cx_leadership_once(
    agent: User, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    cx_leader = UserFactory(role=Role.CX_LEADER, team=None)
    gesture = refund(agent, team, django_capture_on_commit_callbacks)
    Gesture.objects.filter(pk=gesture.pk).update(
        approval_due=timezone.now() - datetime.timedelta(minutes=1)
    )
    care_tasks.escalate_overdue_requests.call()
    Gesture.objects.filter(pk=gesture.pk).update(escalated_at=None)
    care_tasks.escalate_overdue_requests.call()
    overdue = Notification.objects.filter(kind=Kind.APPROVAL_REQUESTED, occasion="overdue")
    assert [n.recipient for n in overdue] == [cx_leader]


def test_a_decision_tells_the_agent_not_the_lead_who_decided(
    agent: User, lead: User, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    gesture = refund(agent, team, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        care_services.decide_gesture(gesture, lead=lead, approve=False, reason="Too much")
    assert told(Kind.APPROVAL_DECIDED) == [agent]
    assert "declined" in Notification.objects.get(kind=Kind.APPROVAL_DECIDED).text


def test_an_overdue_recovery_tells_owner_and_lead_once(agent: User, lead: User) -> None:
    UserFactory(role=Role.TEAM_LEAD)  # another team's lead
    answered(solved_conversation(agent=agent), csat=1)
    task = RecoveryTask.objects.get()
    later = task.due_at + datetime.timedelta(minutes=1)
    escalate_overdue_recovery(later)
    RecoveryTask.objects.filter(pk=task.pk).update(escalated_at=None)
    escalate_overdue_recovery(later)
    assert set(told(Kind.RECOVERY_DUE)) == {agent, lead}
    assert len(told(Kind.RECOVERY_DUE)) == 2


def test_an_action_item_due_tells_its_owner_once_per_reminder(agent: User) -> None:
    item = ActionItemFactory(owner=agent, due=calendar.today() + datetime.timedelta(days=1))
    send_action_reminders.call()
    type(item).objects.filter(pk=item.pk).update(last_reminded_on=None)
    send_action_reminders.call()
    assert told(Kind.ACTION_DUE) == [agent]
    assert Notification.objects.get().text.startswith("Due soon: ")


def test_an_answered_idea_tells_its_author_but_never_reveals_an_anonymous_one(
    agent: User, lead: User
) -> None:
    idea, _ = submit_idea(title="Shorter forms", body="Fewer fields", author=agent)
    anonymous, _ = submit_idea(title="Quiet room", body="Please", author=agent, anonymous=True)
    for each in (idea, anonymous):
        respond_to_idea(each, by=lead, status="adopted", response="Yes, from Monday")
    assert told(Kind.IDEA_ANSWERED) == [agent]
    assert Notification.objects.get().target_id == str(idea.pk)


def test_nobody_is_told_about_a_row_they_may_not_see(agent: User) -> None:
    conversation = Conversation.objects.create(customer=CustomerFactory(), channel=Channel.EMAIL)
    people_partner = UserFactory(role=Role.PEOPLE_PARTNER)
    told_now = services.notify(
        Kind.ASSIGNED, [people_partner, agent, None], conversation, "x", url="/inbox/"
    )
    assert [n.recipient for n in told_now] == [agent]


def test_erasing_a_customer_removes_notifications_that_name_their_conversation(
    agent: User,
) -> None:
    from careloop.core.privacy import erase_customer

    customer = CustomerFactory()
    message = receive_customer_message(
        customer, channel=Channel.EMAIL, body_text="Hi", subject="Noor's broken tent"
    )
    assign(message.conversation, agent, actor=None)
    reply(message.conversation, UserFactory(team=agent.team), "@bea look", internal=True)
    other = services.notify(
        Kind.ASSIGNED, [agent], ConversationFactory(), "Someone else", url="/inbox/"
    )
    erase_customer(customer, UserFactory(role=Role.ADMIN))
    assert list(Notification.objects.all()) == other


def test_read_notifications_expire_after_their_retention_period(agent: User) -> None:
    from careloop.core.privacy import purge_expired_data

    old, recent, unread = (
        services.notify(Kind.ASSIGNED, [agent], ConversationFactory(), t, url="/inbox/")[0]
        for t in ("old", "recent", "unread")
    )
    services.mark_read(old, at=timezone.now() - datetime.timedelta(days=91))
    services.mark_read(recent)
    assert purge_expired_data()["read_notifications"] == 1
    assert set(Notification.objects.all()) == {recent, unread}
