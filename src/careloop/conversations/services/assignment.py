"""Who works on a conversation: assigning it, and round-robin assignment within a team."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from careloop.conversations.events import publish_conversation
from careloop.conversations.models import FINISHED, Conversation, ConversationEvent
from careloop.conversations.services.timeline import _record
from careloop.core import events
from careloop.core.permissions import Action, holders
from careloop.notifications import services as notifications
from careloop.people.models import Team, User


@transaction.atomic
def assign(conversation: Conversation, assignee: User | None, actor: User | None) -> Conversation:
    conversation.assignee = assignee
    if assignee is not None and assignee.team_id is not None:
        conversation.team_id = assignee.team_id
    conversation.save(update_fields=["assignee", "team", "updated_at"])
    _record(
        conversation,
        ConversationEvent.Kind.ASSIGNED,
        actor,
        assignee=assignee.pk if assignee else None,
        assignee_name=str(assignee) if assignee else "",
    )
    notifications.notify(
        notifications.Kind.ASSIGNED,
        [assignee],
        conversation,
        f"Assigned to you: {conversation}",
        url=reverse("conversations:conversation", args=[conversation.pk]),
        actor=actor,
    )
    publish_conversation(events.CONVERSATION_ASSIGNED, conversation)
    return conversation


def open_conversation_count(agent: User) -> int:
    return agent.assigned_conversations.exclude(status__in=FINISHED).count()


@transaction.atomic
def assign_round_robin(conversation: Conversation, team: Team) -> User | None:
    """Give the conversation to the team's agent whose turn it is and who has room for it.

    Returns None (and leaves it unassigned) when every agent is at capacity.
    """
    agents = (
        User.objects.select_for_update()
        .filter(team=team, pk__in=holders(Action.RECEIVE_ASSIGNMENTS).values("pk"))
        .order_by(F("last_assigned_at").asc(nulls_first=True), "pk")
    )
    for agent in agents:
        if open_conversation_count(agent) < agent.conversation_capacity:
            agent.last_assigned_at = timezone.now()
            agent.save(update_fields=["last_assigned_at"])
            conversation.team = team
            assign(conversation, agent, None)
            return agent
    conversation.team = team
    conversation.save(update_fields=["team", "updated_at"])
    return None
