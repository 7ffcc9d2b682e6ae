"""Demo conversations: thousands of realistic threads over fifteen months, made in a minute.

Each conversation is played out in memory by the same rules the conversation services apply
(waiting time, first response, solves, reopens, holds), then written with bulk inserts, and the
still-open ones are refreshed through `services.refresh_conversation` so care priority and its
reasons come from the real code.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from careloop.conversations.business_time import BusinessCalendar
from careloop.conversations.models import (
    FINISHED,
    Channel,
    ContactPoint,
    Conversation,
    ConversationEvent,
    Customer,
    Message,
    Priority,
    SlaPolicy,
    Status,
    Tag,
)
from careloop.conversations.services import conversations, figures
from careloop.conversations.sla import policy_for
from careloop.core import calendar as organisation_calendar
from careloop.core.permissions import Role
from careloop.demo import conversation_texts as texts
from careloop.demo.conversation_texts import Tone, Topic
from careloop.demo.culture import climate
from careloop.empathy.language import ENGLISH, Language, detect_language
from careloop.people.models import Team, User
from careloop.people.selectors import current_organisation

DEFAULT_CONVERSATIONS = 6000
# A year of history and a quarter before it, so that even the year-long dashboard period has
# customers who were active at its start (retention needs them).
HISTORY_DAYS = 365 + 90
DEMO_SOURCE = "demo"  # marks the CREATED event of every demo conversation
CHANNEL_WEIGHTS = {Channel.EMAIL: 55, Channel.CHAT: 30, Channel.API: 15}
AUTO_CLOSE_AFTER = timedelta(days=4)
REPEAT_SHARE = 0.1
BATCH_SIZE = 500
# Whatever the demo's size, this many finished conversations are from the last few days, so
# some are solved and not yet closed: the solved view and customers' thanks need them.
RECENTLY_FINISHED = 6
RECENTLY_FINISHED_AGE = (36, 84)  # hours since the conversation started

# Demo tones, not model output: the empathy engine scores real messages later. Open
# conversations get these so the demo inbox shows care priority working from the start.
DEMO_TONE_DISTRESS = {
    Tone.ANGRY: (0.75, 0.95),
    Tone.ANXIOUS: (0.5, 0.7),
    Tone.CONFUSED: (0.3, 0.45),
    Tone.CALM: (0.05, 0.2),
    Tone.GRATEFUL: (0.0, 0.05),
}


class Outcome(StrEnum):
    """Where a conversation stands today."""

    FINISHED = "finished"
    REOPENED_FINISHED = "reopened_finished"
    WAITING = "waiting"
    REOPENED_WAITING = "reopened_waiting"
    PENDING = "pending"
    ON_HOLD = "on_hold"


# outcome: (weight, (youngest, oldest) age in hours when the conversation started)
OUTCOMES = {
    # Fifteen months of history: most conversations are long finished; the open ones are recent.
    Outcome.FINISHED: (166, (36, HISTORY_DAYS * 24)),
    Outcome.REOPENED_FINISHED: (6, (96, HISTORY_DAYS * 24)),
    Outcome.WAITING: (7, (0.1, 72)),
    Outcome.REOPENED_WAITING: (1, (48, 240)),
    Outcome.PENDING: (4, (24, 288)),
    Outcome.ON_HOLD: (2, (48, 336)),
}


@dataclass
class Plan:
    """What one conversation is about, before it is played out."""

    customer: Customer
    topic: Topic
    tone: Tone
    channel: Channel
    outcome: Outcome
    created_at: datetime
    slots: dict[str, str]
    priority: Priority = Priority.NORMAL
    repeat_of: Plan | None = None


@dataclass
class Thread:
    """A conversation played out in memory, ready for bulk insertion."""

    conversation: Conversation
    tags: tuple[str, ...]
    messages: list[Message] = field(default_factory=list)
    # Events with the message they are about (its pk is known only after insertion).
    events: list[tuple[ConversationEvent, Message | None]] = field(default_factory=list)
    tones: dict[int, Tone] = field(default_factory=dict)  # id(message) -> tone written in


class OutOfTime(Exception):
    """The next step would happen after now: the conversation stays where it is."""


def demo_conversations_exist() -> bool:
    return ConversationEvent.objects.filter(
        kind=ConversationEvent.Kind.CREATED, detail__source=DEMO_SOURCE
    ).exists()


@transaction.atomic
def create_demo_conversations(
    count: int = DEFAULT_CONVERSATIONS, seed: int = 7, now: datetime | None = None
) -> int:
    """Create `count` demo conversations for the existing customers, once; returns how many."""
    if demo_conversations_exist():
        return 0
    customers = list(Customer.objects.filter(merged_into__isnull=True).order_by("pk"))
    agents = _agents_by_team()
    if not customers or not agents:
        return 0
    now = now or timezone.now()
    rng = random.Random(seed)
    calendar = BusinessCalendar.for_organisation(current_organisation())
    _add_contact_points(customers)
    writer = Writer(rng, calendar, now, agents)
    threads = [writer.play(plan) for plan in _plans(rng, count, customers, calendar, now)]
    _save(threads)
    for thread in threads:
        if thread.conversation.status not in FINISHED:
            figures.refresh_conversation(thread.conversation, calendar, now)
    return len(threads)


def _agents_by_team() -> dict[str, list[User]]:
    agents: dict[str, list[User]] = {}
    people = User.objects.filter(
        is_active=True, role__in=[Role.AGENT, Role.TEAM_LEAD], team__isnull=False
    ).select_related("team")
    for person in people.order_by("pk"):
        assert person.team is not None
        agents.setdefault(person.team.name, []).append(person)
    return agents


def _add_contact_points(customers: list[Customer]) -> None:
    # Mail from a demo customer's address threads to them instead of creating a stranger.
    # Seeding, with the customers' bulk insert: no service adds contact points in bulk.
    ContactPoint.objects.bulk_create(
        (
            ContactPoint(customer=customer, kind=ContactPoint.Kind.EMAIL, value=customer.email)
            for customer in customers
            if customer.email
        ),
        ignore_conflicts=True,
        batch_size=BATCH_SIZE,
    )


# --- planning ------------------------------------------------------------------------------


def _weighted[T](rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _plausible_moment(
    rng: random.Random, now: datetime, hours_ago: float, zone: tzinfo
) -> datetime:
    moment = now - timedelta(hours=hours_ago)
    # Few customers write between midnight and seven; move those to the evening before.
    if moment.astimezone(zone).hour < 7:
        moment -= timedelta(hours=rng.uniform(6, 9))
    return moment


def _plans(
    rng: random.Random,
    count: int,
    customers: list[Customer],
    calendar: BusinessCalendar,
    now: datetime,
) -> list[Plan]:
    weights = {outcome: weight for outcome, (weight, _) in OUTCOMES.items()}
    # A fifth of the customers are regulars who write three times as often.
    customer_weights = list(itertools.accumulate(3 if rng.random() < 0.2 else 1 for _ in customers))
    plans: list[Plan] = []
    finished_recently = 0
    for _ in range(count):
        outcome = _weighted(rng, weights)
        youngest, oldest = OUTCOMES[outcome][1]
        if outcome == Outcome.FINISHED and finished_recently < RECENTLY_FINISHED:
            youngest, oldest = RECENTLY_FINISHED_AGE
            finished_recently += 1
        created_at = _plausible_moment(rng, now, rng.uniform(youngest, oldest), calendar.time_zone)
        topic = rng.choice(texts.TOPICS)
        customer = rng.choices(customers, cum_weights=customer_weights)[0]
        tone = _weighted(rng, texts.TONE_WEIGHTS)
        plans.append(
            Plan(
                customer=customer,
                topic=topic,
                tone=tone,
                channel=_weighted(rng, CHANNEL_WEIGHTS),
                outcome=outcome,
                created_at=created_at,
                slots=slot_values(rng, customer, topic, created_at),
                priority=_priority(rng, topic, tone),
            )
        )
    plans.sort(key=lambda plan: plan.created_at)
    _make_repeats(rng, plans)
    return plans


def _make_repeats(rng: random.Random, plans: list[Plan]) -> None:
    """Some customers write again about the same problem within three weeks, more upset."""
    moments = [plan.created_at for plan in plans]
    for plan in plans:
        if rng.random() >= REPEAT_SHARE:
            continue
        low = bisect.bisect_left(moments, plan.created_at - timedelta(days=20))
        high = bisect.bisect_left(moments, plan.created_at - timedelta(days=2))
        if high <= low:
            continue
        earlier = plans[rng.randrange(low, high)]
        if earlier.repeat_of is not None:
            continue
        plan.repeat_of = earlier
        plan.customer, plan.topic = earlier.customer, earlier.topic
        plan.slots = {**earlier.slots, "previous_date": f"{earlier.created_at:%-d %B}"}
        plan.tone = rng.choice([Tone.ANGRY, Tone.ANGRY, Tone.ANXIOUS, Tone.CONFUSED])
        if plan.priority in (Priority.LOW, Priority.NORMAL):
            plan.priority = Priority.HIGH if rng.random() < 0.5 else Priority.NORMAL


def _priority(rng: random.Random, topic: Topic, tone: Tone) -> Priority:
    roll = rng.random()
    if tone in (Tone.ANGRY, Tone.ANXIOUS):
        if roll < 0.06:
            return Priority.URGENT
        if roll < 0.3:
            return Priority.HIGH
    elif topic.key == "product_question" and roll < 0.5:
        return Priority.LOW
    elif roll < 0.05:
        return Priority.HIGH
    elif roll < 0.12:
        return Priority.LOW
    return Priority.NORMAL


def slot_values(
    rng: random.Random, customer: Customer, topic: Topic, created_at: datetime
) -> dict[str, str]:
    sized = [product for product in texts.PRODUCTS if product[1] in texts.SIZES]
    product, kind = rng.choice(sized if topic.needs_size else texts.PRODUCTS)
    other = rng.choice([name for name, _ in texts.PRODUCTS if name != product])
    sizes = texts.SIZES.get(kind) or texts.SIZES["apparel"]
    index = rng.randrange(len(sizes))
    other_index = index + 1 if index + 1 < len(sizes) else index - 1
    first = customer.full_name.split()[0] if customer.full_name else "there"
    ordered = created_at - timedelta(days=rng.randint(2, 20))
    local_part = first.lower().encode("ascii", "ignore").decode() or "me"
    return {
        "first": first,
        "product": product,
        "product2": other,
        "order": f"HP-{rng.randint(100000, 999999)}",
        "order_date": f"{ordered:%-d %B}",
        "carrier": rng.choice(texts.CARRIERS),
        "tracking": f"3S{rng.choice('HPXKQ')}{rng.randint(10**9, 10**10 - 1)}",
        "size": sizes[index],
        "other_size": sizes[other_index],
        "amount": f"€{rng.randint(19, 449)}.{rng.choice(['95', '00', '50', '99'])}",
        "invoice": f"INV-{created_at:%Y}-{rng.randint(10000, 99999)}",
        "trip": rng.choice(texts.TRIPS),
        "trip_date": rng.choice(texts.TRIP_DATES),
        "days": str(rng.randint(4, 14)),
        "colour": rng.choice(texts.COLOURS),
        "company": customer.company or f"{customer.full_name.split()[-1]} Outdoor Club",
        "email_alt": f"{local_part}.{rng.randint(10, 99)}@mail.example",
        "damage": rng.choice(texts.DAMAGES[kind]),
        "wear": rng.choice(texts.WEARS[kind]),
        "previous_date": "",
    }


# --- playing a conversation out -------------------------------------------------------------


class Writer:
    """Plays plans out by the services' rules and writes every message's text."""

    def __init__(
        self,
        rng: random.Random,
        calendar: BusinessCalendar,
        now: datetime,
        agents: dict[str, list[User]],
    ) -> None:
        self.rng, self.calendar, self.now, self.agents = rng, calendar, now, agents
        # One lookup per priority rather than one per conversation.
        self.policies: dict[str, SlaPolicy] = {p: policy_for(p) for p in Priority}
        self.teams = {team.name: team for team in Team.objects.all()}
        # Anything later than this would be in the future.
        self.limit = now - timedelta(minutes=2)
        self.open_load: Counter[int] = Counter()
        self.waiting_played = 0

    # The steps, mirroring careloop.conversations.services.

    def _customer_writes(self, thread: Thread, at: datetime, text: str, tone: Tone) -> None:
        conversation = thread.conversation
        if at >= self.limit:
            raise OutOfTime
        if conversation.status == Status.SOLVED:
            conversation.reopen_count += 1
            self._event(thread, ConversationEvent.Kind.STATUS, at, old="solved", new="open")
        if conversation.status in (Status.SOLVED, Status.PENDING):
            conversation.status = Status.OPEN
        if conversation.waiting_since is None:
            conversation.waiting_since = at
        conversation.last_customer_message_at = at
        message = self._message(thread, at, text, Message.Author.CUSTOMER)
        thread.tones[id(message)] = tone
        self._event(thread, ConversationEvent.Kind.MESSAGE, at, message=message)

    def _agent_replies(
        self, thread: Thread, at: datetime, agent: User, text: str, then: Status | None = None
    ) -> None:
        conversation = thread.conversation
        if at >= self.limit:
            raise OutOfTime
        message = self._message(thread, at, text, Message.Author.AGENT, agent)
        if conversation.first_response_at is None:
            conversation.first_response_at = at
            conversation.first_response_seconds = int(
                (at - conversation.created_at).total_seconds()
            )
            conversation.first_response_business_seconds = self.calendar.seconds_between(
                conversation.created_at, at
            )
        conversation.waiting_since = None
        conversation.public_reply_count += 1
        if conversation.assignee is None:
            conversation.assignee = agent
        self._event(thread, ConversationEvent.Kind.REPLY, at, agent, message=message)
        if then is not None and then != conversation.status:
            self._status(thread, at, then, agent)

    def _note(self, thread: Thread, at: datetime, agent: User, text: str) -> None:
        if at >= self.limit:
            raise OutOfTime
        message = self._message(thread, at, text, Message.Author.AGENT, agent, internal=True)
        self._event(thread, ConversationEvent.Kind.NOTE, at, agent, message=message)

    def _status(self, thread: Thread, at: datetime, status: Status, actor: User | None) -> None:
        conversation = thread.conversation
        old = Status(conversation.status)
        if status == Status.ON_HOLD and conversation.paused_since is None:
            conversation.paused_since = at
        if status in FINISHED and old not in FINISHED:
            conversation.solved_at = at
            conversation.first_solved_at = conversation.first_solved_at or at
            conversation.resolution_seconds = int((at - conversation.created_at).total_seconds())
            conversation.resolution_business_seconds = self.calendar.seconds_between(
                conversation.created_at, at
            )
            conversation.waiting_since = None
        if old == Status.SOLVED and status in (Status.OPEN, Status.PENDING, Status.ON_HOLD):
            conversation.reopen_count += 1
        conversation.status = status
        self._event(thread, ConversationEvent.Kind.STATUS, at, actor, old=old, new=status)

    def _message(
        self,
        thread: Thread,
        at: datetime,
        text: str,
        author_kind: Message.Author,
        author: User | None = None,
        internal: bool = False,
    ) -> Message:
        message = Message(
            author_kind=author_kind,
            author=author,
            channel=thread.conversation.channel,
            is_internal_note=internal,
            note_team=thread.conversation.team if internal else None,
            body_text=text,
            created_at=at,
        )
        thread.messages.append(message)
        return message

    def _event(
        self,
        thread: Thread,
        kind: ConversationEvent.Kind,
        at: datetime,
        actor: User | None = None,
        message: Message | None = None,
        **detail: object,
    ) -> None:
        event = ConversationEvent(kind=kind, actor=actor, at=at, detail=detail)
        thread.events.append((event, message))

    def _agent_for(self, plan: Plan, team_name: str) -> User:
        team_agents = self.agents[team_name]
        recent = plan.created_at > self.now - timedelta(days=7)
        if plan.outcome in (Outcome.FINISHED, Outcome.REOPENED_FINISHED) and not recent:
            return self.rng.choice(team_agents)
        # Open work is spread evenly, so agents stay within their capacity and round-robin
        # assignment still finds room in the demo.
        agent = min(team_agents, key=lambda person: (self.open_load[person.pk], self.rng.random()))
        self.open_load[agent.pk] += 1
        return agent

    # Timing.

    def _response_time(self, plan: Plan, after: datetime, first: bool) -> datetime:
        if plan.channel == Channel.CHAT and self.calendar.is_open_at(after):
            return after + timedelta(seconds=self.rng.randint(30, 600))
        roll = self.rng.random()
        if roll < 0.06:  # the slow tail that breaches targets
            seconds = self.rng.randint(5 * 3600, 14 * 3600)
        elif plan.priority in (Priority.URGENT, Priority.HIGH) or not first:
            seconds = self.rng.randint(5 * 60, 2 * 3600)
        else:
            seconds = self.rng.randint(10 * 60, 4 * 3600)
        return self.calendar.add_seconds(after, seconds)

    def _customer_delay(self, plan: Plan, after: datetime) -> datetime:
        if plan.channel == Channel.CHAT:
            return after + timedelta(seconds=self.rng.randint(20, 240))
        return after + timedelta(minutes=self.rng.randint(20, 12 * 60))

    # The play.

    def play(self, plan: Plan) -> Thread:
        conversation = Conversation(
            customer=plan.customer,
            subject=self._subject(plan),
            channel=plan.channel,
            priority=plan.priority,
            created_at=plan.created_at,
        )
        thread = Thread(conversation=conversation, tags=plan.topic.tags)
        at = plan.created_at
        self._event(
            thread, ConversationEvent.Kind.CREATED, at, channel=plan.channel, source=DEMO_SOURCE
        )
        self._customer_writes(thread, at, self.opening(plan), plan.tone)
        addition_at = at + timedelta(seconds=self.rng.randint(15, 90))
        if plan.channel == Channel.CHAT and addition_at < self.limit and self.rng.random() < 0.35:
            at = addition_at
            self._customer_writes(thread, at, self._chat_addition(plan), plan.tone)
        self._event(
            thread, ConversationEvent.Kind.TAGGED, plan.created_at, tags=sorted(plan.topic.tags)
        )
        team = self.teams[self._team_name(plan)]
        conversation.team = team
        agent = self._agent_for(plan, team.name)
        # A third of new conversations (the first among them) has not been picked up yet: the
        # "Unassigned" view's work, there in a demo of any size.
        unassigned = plan.outcome == Outcome.WAITING and self.waiting_played % 3 == 0
        self.waiting_played += plan.outcome == Outcome.WAITING
        if not unassigned:
            conversation.assignee = agent
            self._event(
                thread,
                ConversationEvent.Kind.ASSIGNED,
                plan.created_at + timedelta(seconds=1),
                assignee=agent.pk,
                assignee_name=str(agent),
            )
        with contextlib.suppress(OutOfTime):
            self._play_outcome(plan, thread, agent, at)
        self._finish(plan, thread)
        return thread

    def _play_outcome(self, plan: Plan, thread: Thread, agent: User, at: datetime) -> None:
        rng = self.rng
        if plan.outcome == Outcome.WAITING:
            self._waiting(plan, thread, agent, at)
            return
        if rng.random() < 0.2:
            at += timedelta(minutes=rng.randint(2, 40))
            self._note(thread, at, agent, self._fill(rng.choice(plan.topic.notes), plan))
        if plan.outcome == Outcome.PENDING:
            at = self._response_time(plan, at, first=True)
            self._agent_replies(
                thread, at, agent, self.agent_text(plan, agent, "waiting"), Status.PENDING
            )
            return
        if plan.outcome == Outcome.ON_HOLD:
            at = self._response_time(plan, at, first=True)
            self._agent_replies(
                thread, at, agent, self.agent_text(plan, agent, "waiting"), Status.ON_HOLD
            )
            at += timedelta(minutes=rng.randint(1, 30))
            self._note(thread, at, agent, self._fill(rng.choice(plan.topic.notes), plan))
            return
        at = self._rounds(plan, thread, agent, at, rounds=rng.choice([0, 0, 1, 1, 1, 2]))
        at = self._response_time(plan, at, first=thread.conversation.first_response_at is None)
        self._agent_replies(
            thread, at, agent, self.agent_text(plan, agent, "resolution"), Status.SOLVED
        )
        if plan.outcome in (Outcome.REOPENED_FINISHED, Outcome.REOPENED_WAITING):
            at = at + timedelta(hours=rng.uniform(6, 60))
            if plan.outcome == Outcome.REOPENED_WAITING:
                at = max(at, self.now - timedelta(hours=rng.uniform(1, 30)))
            self._customer_writes(thread, at, self.reopening(plan), _escalated(plan.tone))
            if plan.outcome == Outcome.REOPENED_WAITING:
                return
            at = self._response_time(plan, at, first=False)
            self._agent_replies(
                thread, at, agent, self.agent_text(plan, agent, "resolution"), Status.SOLVED
            )
        solved_at = thread.conversation.solved_at
        if solved_at is not None and solved_at + AUTO_CLOSE_AFTER < self.limit:
            self._status(thread, solved_at + AUTO_CLOSE_AFTER, Status.CLOSED, None)

    def _rounds(
        self, plan: Plan, thread: Thread, agent: User, at: datetime, rounds: int
    ) -> datetime:
        for _ in range(rounds):
            at = self._response_time(plan, at, first=thread.conversation.first_response_at is None)
            # Most answers wait on the customer; their next message opens it again.
            then = Status.PENDING if self.rng.random() < 0.7 else None
            self._agent_replies(thread, at, agent, self.agent_text(plan, agent, "answer"), then)
            at = self._customer_delay(plan, at)
            self._customer_writes(thread, at, self.follow_up(plan, agent), plan.tone)
        return at

    def _waiting(self, plan: Plan, thread: Thread, agent: User, at: datetime) -> None:
        """Still waiting on us: maybe one exchange that fits before now, then the customer."""
        reply_at = self._response_time(plan, at, first=True)
        follow_at = self._customer_delay(plan, reply_at)
        if (
            thread.conversation.assignee is not None
            and follow_at < self.limit
            and self.rng.random() < 0.5
        ):
            self._agent_replies(thread, reply_at, agent, self.agent_text(plan, agent, "answer"))
            self._customer_writes(
                thread, follow_at, self.follow_up(plan, agent, still_open=True), plan.tone
            )
        elif plan.tone in (Tone.ANGRY, Tone.ANXIOUS) and self.rng.random() < 0.4:
            chase_at = at + timedelta(hours=self.rng.uniform(2, 20))
            self._customer_writes(thread, chase_at, self.chaser(plan), plan.tone)

    def _finish(self, plan: Plan, thread: Thread) -> None:
        """Denormalised figures the services keep: due times, breach, distress, search text."""
        conversation = thread.conversation
        policy = self.policies[conversation.priority]
        add = self.calendar.add_seconds
        conversation.first_response_due = add(
            conversation.created_at, policy.first_response_minutes * 60
        )
        conversation.resolution_due = add(
            conversation.created_at,
            policy.resolution_minutes * 60 + conversation.paused_business_seconds,
        )
        if conversation.first_response_at is not None and conversation.waiting_since is not None:
            conversation.next_response_due = add(
                conversation.waiting_since, policy.next_response_minutes * 60
            )
        late = [
            due
            for due, done in (
                (conversation.first_response_due, conversation.first_response_at),
                (conversation.resolution_due, conversation.solved_at),
            )
            if done is not None and done > due
        ]
        if late:
            conversation.sla_breached = True
            self._event(thread, ConversationEvent.Kind.SLA_BREACH, min(late))
        customer = conversation.customer
        parts = [conversation.subject, customer.full_name, customer.email or ""]
        parts += [m.body_text for m in thread.messages if not m.is_internal_note]
        conversation.search_text = " ".join(part for part in parts if part)[
            : conversations.SEARCH_TEXT_LIMIT
        ]
        if conversation.status not in FINISHED:
            for message in thread.messages:
                tone = thread.tones.get(id(message))
                if tone is None:
                    continue
                distress = round(self.rng.uniform(*DEMO_TONE_DISTRESS[tone]), 2)
                language = (
                    detect_language(message.body_text)
                    if customer.language != ENGLISH
                    else Language(ENGLISH, "English")
                )
                if language.is_english:
                    message.distress = distress
                else:
                    message.emotions = {"not_read": language.name, "language": language.code}
                    message.distress = None
                conversation.distress = message.distress
                conversation.distress_not_read = "" if language.is_english else language.name

    # Texts.

    def _fill(self, template: str, plan: Plan) -> str:
        return template.format_map(plan.slots)

    def _subject(self, plan: Plan) -> str:
        subject = self._fill(self.rng.choice(plan.topic.subjects), plan)
        if plan.channel == Channel.CHAT:
            return f"Web chat: {subject}"[:300]
        if plan.channel == Channel.API:
            return f"[Order portal] {subject}"[:300]
        return subject

    def _team_name(self, plan: Plan) -> str:
        escalate = plan.repeat_of is not None or plan.outcome in (
            Outcome.REOPENED_FINISHED,
            Outcome.REOPENED_WAITING,
        )
        wanted = "Frontline Europe"
        if plan.topic.billing:
            wanted = "Orders & Billing"
        elif escalate and plan.tone == Tone.ANGRY and self.rng.random() < 0.6:
            wanted = "Care Escalations"
        elif self.rng.random() < (0.75 if plan.customer.language == "en" else 0.3):
            wanted = "Frontline Americas"
        # A third of each frontline's customers belong to the smaller regional teams.
        if plan.customer.pk % 3 == 1:
            wanted = {
                "Frontline Europe": "Frontline Nordics",
                "Frontline Americas": "Frontline Asia-Pacific",
            }.get(wanted, wanted)
        # Fall back to any staffed team when the organisation has been reshaped.
        return wanted if wanted in self.agents else next(iter(self.agents))

    def opening(self, plan: Plan) -> str:
        rng, topic = self.rng, plan.topic
        sentences = [
            rng.choice(texts.OPENERS[plan.tone]),
            rng.choice(texts.REPEAT_LINES) if plan.repeat_of is not None else "",
            rng.choice(topic.problems),
            rng.choice(topic.details),
            rng.choice(texts.CLOSERS[plan.tone]),
        ]
        body = self._fill(" ".join(part for part in sentences if part), plan)
        first = plan.slots["first"]
        native = texts.NATIVE_OPENINGS.get(plan.customer.language)
        # A quarter of these customers (chosen by id, so the demo's random draws don't shift)
        # write their first email in their own language.
        if native and plan.channel == Channel.EMAIL and plan.customer.pk % 4 == 0:
            return self._fill(native[plan.customer.pk // 4 % len(native)], plan)
        if plan.channel == Channel.CHAT:
            return body if rng.random() < 0.5 else f"Hi, {body[0].lower()}{body[1:]}"
        if plan.channel == Channel.API:
            return (
                f"Sent from the order portal contact form\nOrder: {plan.slots['order']}\n"
                f"Topic: {topic.key.replace('_', ' ')}\n\n{body}"
            )
        return f"{rng.choice(texts.GREETINGS)}\n\n{body}\n\n{rng.choice(texts.SIGN_OFFS)}\n{first}"

    def _chat_addition(self, plan: Plan) -> str:
        return self._fill(
            self.rng.choice(
                ["Order number is {order} btw", "Are you there?", "It's for {trip}.", "hello?"]
            ),
            plan,
        )

    def follow_up(self, plan: Plan, agent: User, *, still_open: bool = False) -> str:
        """The customer's next message: a settled one never ends in a threat, and a
        conversation that still waits on us never ends on one."""
        chosen = self.rng.choice(plan.topic.follow_ups)
        unsettled = [line for line in plan.topic.follow_ups if line not in texts.SETTLED_FOLLOW_UPS]
        if still_open and chosen in texts.SETTLED_FOLLOW_UPS:
            chosen = unsettled[0]
        text = self._fill(chosen, plan)
        if plan.tone == Tone.ANGRY:
            # Drawn either way, so the demo's later draws stay as they were.
            closer = self.rng.choice(texts.CLOSERS[Tone.ANGRY])
            if chosen not in texts.SETTLED_FOLLOW_UPS:
                text = f"{text} {closer}"
        if plan.channel == Channel.CHAT:
            return text
        return f"Hi {agent.first_name},\n\n{text}\n\n{plan.slots['first']}"

    def chaser(self, plan: Plan) -> str:
        line = self.rng.choice(
            [
                "Any update on this? I haven't heard anything.",
                "Hello?? Is anyone reading these messages?",
                "I'm still waiting for an answer about {order}.",
                "Please, I need an answer before {trip_date}.",
            ]
        )
        return self._fill(line, plan)

    def reopening(self, plan: Plan) -> str:
        line = self.rng.choice(texts.REOPEN_LINES)
        problem = self._fill(self.rng.choice(plan.topic.follow_ups[:2]), plan)
        return f"{line} {problem}"

    def agent_text(self, plan: Plan, agent: User, kind: str) -> str:
        rng, topic = self.rng, plan.topic
        # Where a team feels safe and engaged, its agents acknowledge feelings and ask what
        # else the customer needs; elsewhere replies turn curt and hide behind policy.
        team_name = agent.team.name if agent.team else ""
        empathetic = rng.random() < 0.2 + 0.75 * climate(
            team_name,
            organisation_calendar.local_date(plan.created_at),
            organisation_calendar.local_date(self.now),
        )
        body = {
            "answer": lambda: rng.choice(topic.answers),
            "waiting": lambda: rng.choice(texts.WAITING_REPLIES),
            "resolution": lambda: rng.choice(topic.resolutions),
        }[kind]()
        parts: tuple[str, ...]
        if empathetic:
            parts = (
                rng.choice(texts.EMPATHY_OPENERS[plan.tone]),
                body,
                rng.choice(texts.CHECK_INS) if kind != "resolution" else "",
                rng.choice(texts.EXPLORATIONS) if rng.random() < 0.4 else "",
            )
        else:
            parts = (
                rng.choice(texts.PLAIN_OPENERS),
                body,
                rng.choice(texts.POLICY_LINES) if rng.random() < 0.25 else "",
            )
        paragraph = self._fill(" ".join(part for part in parts if part), plan)
        if plan.channel == Channel.CHAT:
            return paragraph
        return (
            f"Hi {plan.slots['first']},\n\n{paragraph}\n\n{rng.choice(texts.AGENT_SIGN_OFFS)}\n"
            f"{agent.first_name}\nHarbour & Pine Outfitters"
        )


def _escalated(tone: Tone) -> Tone:
    return {Tone.CALM: Tone.CONFUSED, Tone.GRATEFUL: Tone.CALM}.get(tone, Tone.ANGRY)


# --- writing ---------------------------------------------------------------------------------


def _save(threads: list[Thread]) -> None:
    """Bulk-insert conversations, then tags, messages and events pointing at them.

    Seeding, not use cases: thousands of threads, played out by the services' rules above,
    would take many minutes written one service call at a time."""
    Conversation.objects.bulk_create([t.conversation for t in threads], batch_size=BATCH_SIZE)
    names = sorted({name for thread in threads for name in thread.tags})
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name in names}
    Through = Conversation.tags.through
    Through.objects.bulk_create(
        [
            Through(conversation_id=thread.conversation.pk, tag_id=tags[name].pk)
            for thread in threads
            for name in thread.tags
        ],
        batch_size=BATCH_SIZE,
    )
    messages = []
    for thread in threads:
        for message in thread.messages:
            message.conversation = thread.conversation
            messages.append(message)
    Message.objects.bulk_create(messages, batch_size=BATCH_SIZE)
    events = []
    for thread in threads:
        for event, about in thread.events:
            event.conversation = thread.conversation
            if about is not None:
                event.detail["message"] = about.pk
            events.append(event)
    ConversationEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
