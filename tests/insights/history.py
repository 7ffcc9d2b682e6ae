"""A varied history through the real services, for checking the roll-ups against definitions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from careloop.care import services as care
from careloop.conversations.models import Channel, Conversation, Status
from careloop.conversations.services.assignment import assign
from careloop.conversations.services.conversations import change_status, receive_customer_message
from careloop.conversations.services.merging import merge_conversations
from careloop.conversations.services.replies import reply
from careloop.core.permissions import Role
from careloop.feedback.models import RecoveryTask, SurveyInvitation, SurveyKind
from careloop.feedback.services import recovery, surveys
from careloop.people.models import Team, User
from careloop.people.selectors import current_organisation
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TeamFactory, UserFactory


@dataclass
class History:
    teams: list[Team]
    agents: list[User]


def _send(invitation: SurveyInvitation, at: datetime.datetime) -> SurveyInvitation | None:
    SurveyInvitation.objects.filter(pk=invitation.pk).update(send_after=at)
    invitation.refresh_from_db()
    if not surveys.send_survey(invitation, now=at):
        return None  # the customer's quiet period: skipped, as in production
    invitation.refresh_from_db()
    return invitation


def build_history(days: int = 12) -> History:
    """Conversations over `days` days on two teams and three channels: replied once or twice,
    solved, reopened, breached, merged; surveys answered and not; detractors recovered and not;
    gestures granted and swapped."""
    organisation = current_organisation()
    organisation.time_zone = "Europe/Berlin"
    organisation.save()
    teams = [TeamFactory(name="Trail"), TeamFactory(name="Harbour")]
    agents = [UserFactory(role=Role.AGENT, team=team) for team in teams]
    UserFactory(role=Role.CX_LEADER, team=None)
    customers = [CustomerFactory() for _ in range(9)]
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    channels = [Channel.EMAIL, Channel.CHAT, Channel.API]
    made: list[Conversation] = []
    for index in range(days * 3):
        at = now - datetime.timedelta(days=days - index // 3, hours=(index * 7) % 23)
        agent = agents[index % 2]
        message = receive_customer_message(
            customers[index % len(customers)],
            channel=channels[index % 3],
            body_text="My tent pole snapped on the first night.",
            subject=f"Tent {index}",
            at=at,
        )
        conversation = message.conversation
        assign(conversation, agent, actor=agent)
        if index % 5 != 4:
            reply(
                conversation,
                agent,
                "I am sorry, a new pole is on its way.",
                at=at + datetime.timedelta(hours=2),
            )
        if index % 4 == 1:
            reply(conversation, agent, "It shipped today.", at=at + datetime.timedelta(hours=5))
        if index % 5 != 3:
            change_status(
                conversation, Status.SOLVED, actor=agent, at=at + datetime.timedelta(hours=6)
            )
        if index % 7 == 2:
            receive_customer_message(
                conversation.customer,
                channel=conversation.channel,
                body_text="It still does not fit.",
                conversation=conversation,
                at=at + datetime.timedelta(hours=9),
            )
            reply(
                conversation, agent, "Sending the right size.", at=at + datetime.timedelta(hours=10)
            )
            change_status(
                conversation, Status.SOLVED, actor=agent, at=at + datetime.timedelta(hours=11)
            )
        if index % 6 == 5:
            Conversation.objects.filter(pk=conversation.pk).update(sla_breached=True)
        conversation.refresh_from_db()
        made.append(conversation)
    # A merged conversation counts only in the one that absorbed it.
    merge_conversations(made[1], made[0], actor=agents[0])
    made[1].refresh_from_db()

    # Customers are also asked NPS after the conversation (the first, second and third answers
    # are about conversations that get a goodwill gesture below).
    rules = surveys.survey_settings()
    rules.ask_nps_after_conversation = True
    rules.save()
    answers = [(5, 6, 9), (4, 7, 8), (2, 3, 4), (1, 2, 0), (5, 5, 10), (3, 4, 7)]
    solved = [
        c
        for c in made
        if c.status == Status.SOLVED and c.first_solved_at and c.merged_into_id is None
    ]
    for position, conversation in enumerate(solved[: len(answers) + 3]):
        sent_at = conversation.first_solved_at + datetime.timedelta(hours=1)
        if sent_at > now:
            continue
        invitation = surveys.schedule_post_resolution_survey(conversation, now=sent_at)
        if invitation is None:
            continue
        invitation = _send(invitation, sent_at)
        if invitation is not None and position < len(answers):
            csat, ces, nps = answers[position]
            surveys.submit_answers(
                invitation, csat=csat, ces=ces, nps=nps, now=sent_at, notify=False
            )
    for position, score in enumerate((10, 9, 8, 6, 0, 10)):
        at = now - datetime.timedelta(days=position + 1)
        invitation = SurveyInvitation.objects.create(
            kind=SurveyKind.RELATIONSHIP, customer=CustomerFactory(), send_after=at
        )
        invitation = _send(invitation, at)
        if invitation is not None and position < 5:
            surveys.submit_answers(invitation, nps=score, now=at, notify=False)
    cx_leader = User.objects.get(role=Role.CX_LEADER)

    for position, task in enumerate(RecoveryTask.objects.order_by("pk")):
        outcome = [RecoveryTask.Outcome.RECOVERED, RecoveryTask.Outcome.NOT_RECOVERED][position % 2]
        recovery.close_task(
            task, by=cx_leader, outcome=outcome, causes=["late delivery"], thank_customer=False
        )

    for position, conversation in enumerate(made[:5]):
        if conversation.merged_into_id is not None:
            continue
        care.grant_gesture(
            agent=User.objects.get(pk=conversation.assignee_id),
            conversation=conversation,
            kind="credit" if position % 2 == 0 else "refund",
            amount=Decimal("12.50") * (position + 1),
            reason="The pole snapped on the first night.",
        )
    return History(teams=teams, agents=agents)
