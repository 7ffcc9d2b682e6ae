"""Factories and small builders for coaching tests."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from careloop.coaching.models import Criterion, Rubric, Scenario, ScenarioTurn
from careloop.coaching.services.rubrics import CriterionInput, create_rubric
from careloop.conversations.models import (
    Channel,
    Conversation,
    Message,
    ReplyScoreDispute,
    Status,
)
from careloop.conversations.services import assignment, conversations, replies
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.conversations.factories import CustomerFactory
from tests.people.factories import UserFactory

UPSET = "My parcel arrived smashed and this is the second time. I'm really upset."
CARING = (
    "I'm so sorry, that sounds really frustrating, especially twice. I've sent a replacement "
    "today. Would a call tomorrow help?"
)


class ScenarioFactory(DjangoModelFactory[Scenario]):
    class Meta:
        model = Scenario

    title = factory.Sequence(lambda n: f"Broken parcel, again {n}")
    persona = "A loyal customer, upset after a second damaged delivery."
    situation = "The parcel arrived broken; it happened once before."
    status = Scenario.Status.PUBLISHED
    created_by = factory.SubFactory(UserFactory, role=Role.TEAM_LEAD)


class ScenarioTurnFactory(DjangoModelFactory[ScenarioTurn]):
    class Meta:
        model = ScenarioTurn

    scenario = factory.SubFactory(ScenarioFactory)
    position = factory.Sequence(lambda n: n)
    customer_message = UPSET
    model_answer = CARING


def scenario_with_turns(turns: int = 2, **fields: object) -> Scenario:
    scenario = ScenarioFactory(**fields)
    for index in range(turns):
        ScenarioTurnFactory(scenario=scenario, position=index)
    return scenario


def rubric(lead: User | None = None, *, critical: bool = True) -> Rubric:
    lead = lead or UserFactory(role=Role.CX_LEADER)
    criteria = [
        CriterionInput("Empathy", weight=3, allows_na=False, autoqa=Criterion.AutoQA.EMPATHY),
        CriterionInput("Clear next steps", weight=2),
        CriterionInput("Offered a follow-up", weight=1, allows_na=True),
    ]
    if critical:
        criteria.append(
            CriterionInput("Verified identity before account changes", is_critical=True)
        )
    return create_rubric(
        by=lead, name=f"Rubric {Rubric.objects.count() + 1}", description="", criteria=criteria
    )


def solved_conversation(
    agent: User, customer_text: str = UPSET, reply_text: str = CARING, subject: str = ""
) -> Conversation:
    customer = CustomerFactory(full_name="Harriet Quist")
    message = conversations.receive_customer_message(
        customer, channel=Channel.EMAIL, body_text=customer_text, subject=subject
    )
    conversation = assignment.assign(message.conversation, agent, None)
    replies.reply(conversation, agent, reply_text, then_status=Status.SOLVED)
    conversation.refresh_from_db()
    return conversation


def give_reply_scores(conversation: Conversation, **score: object) -> None:
    base = {
        "emotional_reactions": 2,
        "interpretations": 1,
        "explorations": 0,
        "empathy": 0.75,
        "need": "needed-and-given",
        "policy_walls": [],
    }
    Message.objects.filter(conversation=conversation, author_kind=Message.Author.AGENT).update(
        reply_score={**base, **score}
    )


def sample_object_pk(kind: str) -> int:
    """An object of each coaching kind, belonging to people other than the signed-in one."""
    from django.utils import timezone

    from careloop.coaching.services import calibration, plans, practice, reviews

    lead = UserFactory(role=Role.TEAM_LEAD)
    agent = UserFactory(role=Role.AGENT, team=lead.team)
    if kind == "scenario":
        return scenario_with_turns(1).pk
    if kind == "attempt":
        return practice.start_attempt(scenario_with_turns(1), agent).pk
    if kind == "person":
        return agent.pk
    if kind == "rubric":
        return rubric(lead).pk
    if kind == "review":
        return reviews.create_review(
            conversation=solved_conversation(agent), rubric=rubric(lead), reviewer=lead
        ).pk
    if kind == "calibration":
        return calibration.create_calibration(
            title="Calibration",
            conversation=solved_conversation(agent),
            rubric=rubric(lead),
            facilitator=lead,
            reviewers=[lead, UserFactory(role=Role.TEAM_LEAD)],
        ).pk
    if kind == "plan":
        return plans.create_plan(
            plans.CoachingPlanDraft(
                person=agent, title="Plan", goals="A goal", next_check_in=timezone.localdate()
            ),
            coach=lead,
        ).pk
    if kind == "score-dispute":
        return score_dispute(agent).pk
    raise ValueError(kind)


def score_dispute(
    agent: User, customer_text: str = UPSET, reply: str = CARING, mechanism: str = "explorations"
) -> ReplyScoreDispute:
    """The agent disputes the coach's score (0) of their reply; they say it should be 2."""
    conversation = solved_conversation(agent, customer_text=customer_text, reply_text=reply)
    give_reply_scores(conversation, **{mechanism: 0})
    message = conversation.messages.get(author_kind=Message.Author.AGENT)
    return ReplyScoreDispute.objects.create(
        message=message, agent=agent, mechanism=mechanism, model_level=0, agent_level=2
    )
