"""Practice by role-play: scenarios (written or drawn from real conversations) and attempts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from careloop.coaching.models import (
    PracticeAttempt,
    PracticeReply,
    Scenario,
    ScenarioTurn,
)
from careloop.conversations.models import Conversation, Message, Status
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, can
from careloop.empathy.blame import find_blame_language
from careloop.empathy.coach import Coaching, coach_reply_to
from careloop.empathy.rules import Flag
from careloop.empathy.scrub import scrub_personal_data
from careloop.people.models import User

MAX_REPLY_LENGTH = 5000


@dataclass(frozen=True)
class Feedback:
    """The inbox coach's reading of a practice reply, plus any blame language found."""

    coaching: Coaching
    blame: list[Flag]


def coach_reply(customer_text: str, reply_text: str) -> Feedback:
    """The same engine and advice as the inbox composer, for a reply to a scenario turn."""
    return Feedback(
        coaching=coach_reply_to(customer_text, reply_text),
        blame=find_blame_language(reply_text),
    )


def _clean_turns(turns: list[tuple[str, str]]) -> list[tuple[str, str]]:
    cleaned = [(customer.strip(), answer.strip()) for customer, answer in turns]
    return [(customer, answer) for customer, answer in cleaned if customer]


def create_scenario(
    *,
    created_by: User,
    title: str,
    persona: str,
    situation: str,
    turns: list[tuple[str, str]],
) -> Scenario:
    """A lead's own scenario, as a draft: (customer message, model answer) per turn."""
    turns = _clean_turns(turns)
    if not title.strip():
        raise ValidationError("A scenario needs a title.")
    if not turns:
        raise ValidationError("A scenario needs at least the customer's opening message.")
    with transaction.atomic():
        scenario = Scenario.objects.create(
            title=title.strip()[:200],
            persona=persona.strip(),
            situation=situation.strip(),
            created_by=created_by,
        )
        ScenarioTurn.objects.bulk_create(
            ScenarioTurn(scenario=scenario, position=index, customer_message=c, model_answer=a)
            for index, (c, a) in enumerate(turns)
        )
    return scenario


def _persona_from(messages: list[Message], conversation: Conversation) -> str:
    distress = max((m.distress or 0.0 for m in messages), default=0.0)
    feeling = (
        "clearly upset"
        if distress >= 0.5
        else "a little frustrated"
        if distress >= 0.25
        else "calm and matter-of-fact"
    )
    return (
        f"A customer writing by {conversation.get_channel_display().lower()}, {feeling}. "
        "Drawn from a real conversation; names and personal details are removed."
    )


def draft_scenario_from_conversation(conversation: Conversation, *, by: User) -> Scenario:
    """A draft scenario from a solved conversation: customer messages become the turns,
    the agents' replies the model answers, personal data scrubbed. A lead reviews it."""
    if conversation.status not in (Status.SOLVED, Status.CLOSED):
        raise ValidationError("Only solved conversations become practice scenarios.")
    messages = list(
        conversation.messages.filter(is_internal_note=False)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    names = {conversation.customer.full_name}
    names |= {m.author.full_name for m in messages if m.author is not None}
    if conversation.assignee is not None:
        names.add(conversation.assignee.full_name)

    def scrub(text: str) -> str:
        return scrub_personal_data(text, names=sorted(names)).strip()

    turns: list[tuple[str, str]] = []
    customer_messages: list[Message] = []
    for message in messages:
        if message.author_kind == Message.Author.CUSTOMER:
            customer_messages.append(message)
            if turns and not turns[-1][1]:
                # Several messages before a reply read as one turn.
                turns[-1] = (f"{turns[-1][0]}\n\n{scrub(message.body_text)}", "")
            else:
                turns.append((scrub(message.body_text), ""))
        elif message.author_kind == Message.Author.AGENT and turns:
            customer, answer = turns[-1]
            joined = (
                f"{answer}\n\n{scrub(message.body_text)}" if answer else scrub(message.body_text)
            )
            turns[-1] = (customer, joined)
    turns = [(customer, answer) for customer, answer in turns if customer]
    if not turns:
        raise ValidationError("This conversation has no customer messages to practise with.")
    subject = scrub(conversation.subject) or "A customer conversation"
    with transaction.atomic():
        scenario = create_scenario(
            created_by=by,
            title=f"Practice: {subject}",
            persona=_persona_from(customer_messages, conversation),
            situation=f"The customer wrote about: {subject}.",
            turns=turns,
        )
        scenario.source = Scenario.Source.CONVERSATION
        scenario.source_conversation = conversation
        scenario.save(update_fields=["source", "source_conversation"])
        record_audit(
            by,
            "coaching.scenario_drafted",
            scenario,
            summary=f"Drafted from conversation #{conversation.pk}",
        )
    return scenario


def renumber_turns(scenario: Scenario) -> None:
    for index, turn in enumerate(scenario.turns.order_by("position", "pk")):
        if turn.position != index:
            ScenarioTurn.objects.filter(pk=turn.pk).update(position=index)


def publish_scenario(scenario: Scenario, *, by: User) -> Scenario:
    """Open a reviewed scenario to trainees; every turn needs a model answer first."""
    if not can(by, Action.MANAGE_COACHING):
        raise PermissionDenied("Leads publish scenarios.")
    turns = list(scenario.turns.all())
    if not turns:
        raise ValidationError("Add at least the customer's opening message.")
    if any(not turn.model_answer.strip() for turn in turns):
        raise ValidationError("Every turn needs a model answer before publishing.")
    scenario.status = Scenario.Status.PUBLISHED
    scenario.published_at = timezone.now()
    scenario.save(update_fields=["status", "published_at", "updated_at"])
    record_audit(by, "coaching.scenario_published", scenario, summary=scenario.title)
    return scenario


def archive_scenario(scenario: Scenario, *, by: User) -> Scenario:
    if not can(by, Action.MANAGE_COACHING):
        raise PermissionDenied("Leads archive scenarios.")
    scenario.status = Scenario.Status.ARCHIVED
    scenario.save(update_fields=["status", "updated_at"])
    record_audit(by, "coaching.scenario_archived", scenario, summary=scenario.title)
    return scenario


def start_attempt(
    scenario: Scenario, trainee: User, *, at: datetime.datetime | None = None
) -> PracticeAttempt:
    """Begin a practice run; leads may also try a draft before publishing it. `at` (default
    now) is when it began, for recorded history."""
    if scenario.status != Scenario.Status.PUBLISHED and not can(trainee, Action.MANAGE_COACHING):
        raise ValidationError("This scenario is not open for practice.")
    if not scenario.turns.exists():
        raise ValidationError("This scenario has no turns yet.")
    return PracticeAttempt.objects.create(
        scenario=scenario, trainee=trainee, started_at=at or timezone.now()
    )


def next_turn(attempt: PracticeAttempt) -> ScenarioTurn | None:
    answered = attempt.replies.values_list("turn_id", flat=True)
    return attempt.scenario.turns.exclude(pk__in=answered).order_by("position", "pk").first()


def submit_reply(
    attempt: PracticeAttempt, *, trainee: User, text: str, at: datetime.datetime | None = None
) -> PracticeReply:
    """Score the trainee's reply to the current turn; the last reply completes the attempt
    (at `at`, default now, for recorded history)."""
    if attempt.trainee_id != trainee.pk:
        raise PermissionDenied("Only the trainee replies in their own practice.")
    text = text.strip()
    if not text:
        raise ValidationError("Write a reply to the customer first.")
    if len(text) > MAX_REPLY_LENGTH:
        raise ValidationError(f"Keep the reply under {MAX_REPLY_LENGTH} characters.")
    turn = next_turn(attempt)
    if turn is None or attempt.is_complete:
        raise ValidationError("This practice is already complete.")
    feedback = coach_reply(turn.customer_message, text)
    coaching = feedback.coaching
    flags = [
        {"kind": "policy_wall", "text": flag.text, "prompt": flag.prompt} for flag in coaching.walls
    ] + [{"kind": "blame", "text": flag.text, "prompt": flag.prompt} for flag in feedback.blame]
    with transaction.atomic():
        reply = PracticeReply.objects.create(
            attempt=attempt,
            turn=turn,
            reply_text=text,
            empathy=coaching.empathy,
            need=coaching.need,
            customer_distress=coaching.customer_distress,
            suggestion=coaching.suggestion,
            flags=flags,
            **coaching.levels,
        )
        if next_turn(attempt) is None:
            replies = list(attempt.replies.all())
            attempt.completed_at = at or timezone.now()
            attempt.empathy = round(sum(r.empathy for r in replies) / len(replies), 4)
            attempt.save(update_fields=["completed_at", "empathy"])
    return reply
