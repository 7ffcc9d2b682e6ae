"""Role-play practice: scenarios from real conversations, turn-by-turn coaching, privacy."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from careloop.coaching import selectors
from careloop.coaching.models import Scenario
from careloop.coaching.services import practice
from careloop.conversations.models import Channel, Status
from careloop.conversations.services import assignment, conversations, replies
from careloop.core.audit import audit_events_for
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.coaching.factories import CARING, scenario_with_turns, solved_conversation
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

COLD = "Per our policy we cannot refund opened items. Please read the terms."


@pytest.fixture
def team_lead() -> User:
    return UserFactory(role=Role.TEAM_LEAD, full_name="Leah Lindqvist")


def test_a_solved_conversation_becomes_an_anonymised_draft_scenario(team_lead: User) -> None:
    agent = UserFactory(full_name="Sam Okafor", team=team_lead.team)
    conversation = solved_conversation(
        agent,
        customer_text="Hi, I'm Harriet Quist, my card 4111 1111 1111 1111 was charged twice! "
        "Call me on +44 20 7946 0958 or harriet.q@example.test.",
        reply_text="Hi Harriet, I'm so sorry. Sam here: I've refunded the second charge.",
        subject="Charged twice, Harriet Quist",
    )
    conversations.receive_customer_message(
        conversation.customer,
        channel=Channel.EMAIL,
        body_text="Thanks Sam, but when will I see it?",
        conversation=conversation,
    )
    replies.reply(conversation, agent, "Within 3-5 working days.", then_status=Status.SOLVED)
    scenario = practice.draft_scenario_from_conversation(conversation, by=team_lead)

    assert scenario.status == Scenario.Status.DRAFT
    assert scenario.source == Scenario.Source.CONVERSATION
    turns = list(scenario.turns.all())
    assert len(turns) == 2
    everything = " ".join(
        [scenario.title, scenario.situation] + [t.customer_message + t.model_answer for t in turns]
    )
    for personal in ("Harriet", "Quist", "Sam", "4111", "7946", "harriet.q@example.test"):
        assert personal not in everything
    assert "charged twice" in turns[0].customer_message
    assert "refunded the second charge" in turns[0].model_answer
    assert turns[1].model_answer == "Within 3-5 working days."
    assert audit_events_for(scenario).filter(action="coaching.scenario_drafted").exists()


def test_an_open_conversation_cannot_become_a_scenario(team_lead: User) -> None:
    message = conversations.receive_customer_message(
        CustomerFactory(), channel=Channel.EMAIL, body_text="Where is my order?"
    )
    with pytest.raises(ValidationError):
        practice.draft_scenario_from_conversation(message.conversation, by=team_lead)


def test_publishing_needs_a_model_answer_for_every_turn(team_lead: User) -> None:
    scenario = practice.create_scenario(
        created_by=team_lead,
        title="Late delivery",
        persona="A parent waiting for a birthday present.",
        situation="The parcel is three days late.",
        turns=[("Where is my parcel? The party is tomorrow!", "")],
    )
    with pytest.raises(ValidationError, match="model answer"):
        practice.publish_scenario(scenario, by=team_lead)
    scenario.turns.update(model_answer="I'm so sorry, let me check right now.")
    practice.publish_scenario(scenario, by=team_lead)
    assert scenario.status == Scenario.Status.PUBLISHED
    assert audit_events_for(scenario).filter(action="coaching.scenario_published").exists()


def test_an_agent_cannot_publish_or_practise_a_draft() -> None:
    agent = UserFactory(role=Role.AGENT)
    draft = scenario_with_turns(status=Scenario.Status.DRAFT)
    with pytest.raises(PermissionDenied):
        practice.publish_scenario(draft, by=agent)
    with pytest.raises(ValidationError):
        practice.start_attempt(draft, agent)


def test_each_reply_gets_the_inbox_coachs_feedback_and_the_last_completes_the_attempt() -> None:
    trainee = UserFactory(role=Role.AGENT)
    attempt = practice.start_attempt(scenario_with_turns(2), trainee)

    cold = practice.submit_reply(attempt, trainee=trainee, text=COLD)
    assert cold.flags and cold.flags[0]["kind"] == "policy_wall"
    assert cold.suggestion == cold.flags[0]["prompt"]
    assert attempt.completed_at is None

    warm = practice.submit_reply(attempt, trainee=trainee, text=CARING)
    assert warm.emotional_reactions >= 1
    assert warm.empathy > cold.empathy
    attempt.refresh_from_db()
    assert attempt.is_complete
    assert attempt.empathy == pytest.approx((cold.empathy + warm.empathy) / 2, abs=1e-3)
    with pytest.raises(ValidationError, match="complete"):
        practice.submit_reply(attempt, trainee=trainee, text=CARING)


def test_a_practice_recorded_from_the_past_keeps_when_it_began_and_ended() -> None:
    trainee = UserFactory(role=Role.AGENT)
    began = timezone.now() - datetime.timedelta(days=9)
    ended = began + datetime.timedelta(minutes=12)
    attempt = practice.start_attempt(scenario_with_turns(2), trainee, at=began)
    practice.submit_reply(attempt, trainee=trainee, text=COLD, at=began)
    assert attempt.completed_at is None
    practice.submit_reply(attempt, trainee=trainee, text=CARING, at=ended)
    attempt.refresh_from_db()
    assert (attempt.started_at, attempt.completed_at) == (began, ended)


def test_blame_language_in_a_practice_reply_is_flagged() -> None:
    trainee = UserFactory(role=Role.AGENT)
    attempt = practice.start_attempt(scenario_with_turns(1), trainee)
    reply = practice.submit_reply(
        attempt, trainee=trainee, text="That was the warehouse's fault, they messed up again."
    )
    kinds = {flag["kind"] for flag in reply.flags}
    assert "blame" in kinds


def test_an_empty_reply_is_refused_with_a_clear_error() -> None:
    trainee = UserFactory(role=Role.AGENT)
    attempt = practice.start_attempt(scenario_with_turns(1), trainee)
    with pytest.raises(ValidationError, match="Write a reply"):
        practice.submit_reply(attempt, trainee=trainee, text="   ")


def test_only_the_trainee_replies_in_their_practice() -> None:
    trainee = UserFactory(role=Role.AGENT)
    attempt = practice.start_attempt(scenario_with_turns(1), trainee)
    with pytest.raises(PermissionDenied):
        practice.submit_reply(attempt, trainee=UserFactory(), text=CARING)


def test_practice_progress_is_private_to_the_trainee_and_their_team_lead() -> None:
    team = TeamFactory()
    trainee = UserFactory(role=Role.AGENT, team=team)
    own_lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    other_lead = UserFactory(role=Role.TEAM_LEAD)
    teammate = UserFactory(role=Role.AGENT, team=team)
    cx_leader = UserFactory(role=Role.CX_LEADER)
    attempt = practice.start_attempt(scenario_with_turns(1), trainee)

    assert selectors.may_see_attempt(trainee, attempt)
    assert selectors.may_see_attempt(own_lead, attempt)
    for outsider in (other_lead, teammate, cx_leader):
        assert not selectors.may_see_attempt(outsider, attempt)
        assert not selectors.may_see_practice_of(outsider, trainee)


def test_progress_lists_finished_attempts_with_mechanism_averages() -> None:
    trainee = UserFactory(role=Role.AGENT)
    scenario = scenario_with_turns(1)
    first = practice.start_attempt(scenario, trainee)
    practice.submit_reply(first, trainee=trainee, text=COLD)
    second = practice.start_attempt(scenario, trainee)
    practice.submit_reply(second, trainee=trainee, text=CARING)
    unfinished = practice.start_attempt(scenario, trainee)

    progress = selectors.progress_for(trainee)
    assert [s.attempt for s in progress.attempts] == [second, first]
    assert progress.in_progress == [unfinished]
    assert progress.latest is not None and progress.first is not None
    assert progress.latest.empathy > progress.first.empathy
    assert set(progress.latest.mechanisms) == {
        "emotional_reactions",
        "interpretations",
        "explorations",
    }


def test_customer_messages_before_a_reply_read_as_one_turn(team_lead: User) -> None:
    agent = UserFactory(team=team_lead.team)
    message = conversations.receive_customer_message(
        CustomerFactory(), channel=Channel.CHAT, body_text="Hello? Is anyone there?"
    )
    conversation = message.conversation
    conversations.receive_customer_message(
        conversation.customer,
        channel=Channel.CHAT,
        body_text="My order never came.",
        conversation=conversation,
    )
    assignment.assign(conversation, agent, None)
    replies.reply(conversation, agent, "I'm here, sorry for the wait.", then_status=Status.SOLVED)
    scenario = practice.draft_scenario_from_conversation(conversation, by=team_lead)
    (turn,) = scenario.turns.all()
    assert turn.customer_message == "Hello? Is anyone there?\n\nMy order never came."
    assert turn.model_answer == "I'm here, sorry for the wait."
