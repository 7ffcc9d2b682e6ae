"""Things that happened, told outside careloop (webhooks, chat channels) as versioned events.

The catalogue of events lives here, each with a name (`conversation.created`), a payload version
and the shape of its data (a TypedDict): the contract receivers outside rely on. The publishing
domain builds the data at the point the thing happens and calls `publish`; the event leaves
after the transaction commits (never for work that rolled back), as one task. Each event type
holds its subscribers in a core.hooks Hook (the one mechanism between domains): they register in
their AppConfig.ready() and run in that task, each on its own: one that fails is logged and the
others still hear of the event.

`subscribers_of(event)` names who hears what, so the whole flow reads in one place.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypedDict, cast

from django.conf import settings
from django.db import connections, transaction
from django.tasks import task_backends
from django.tasks.backends.immediate import ImmediateBackend
from django.utils import timezone

from careloop.core.hooks import Hook

logger = logging.getLogger(__name__)

# The envelope's `api_version`: bumped when a payload changes in a way receivers must know of.
API_VERSION = "2026-12-01"


# --- The shapes of the data ---------------------------------------------------------------------


class ConversationData(TypedDict):
    id: int
    subject: str
    channel: str
    status: str
    priority: str
    team_id: int | None
    assignee_id: int | None
    customer_id: int
    created_at: str
    url: str


class MessageData(TypedDict):
    id: int
    conversation_id: int
    team_id: int | None
    channel: str
    body_text: str
    created_at: str
    # The empathy engine's reading, 0 (calm) to 1 (very upset), and in words.
    distress: float | None
    distress_words: str
    first_in_conversation: bool
    url: str


class ReplyData(TypedDict):
    id: int
    conversation_id: int
    team_id: int | None
    agent_id: int | None
    channel: str
    body_text: str
    created_at: str
    url: str


class SurveyAnswerData(TypedDict):
    id: int
    kind: str
    customer_id: int
    conversation_id: int | None
    team_id: int | None
    agent_id: int | None
    csat: int | None
    ces: int | None
    nps: int | None
    comment: str
    is_detractor: bool
    answered_at: str


class RecoveryData(TypedDict):
    id: int
    survey_response_id: int
    customer_id: int
    team_id: int | None
    owner_id: int | None
    status: str
    outcome: str
    due_at: str
    closed_at: str | None
    url: str


class GestureData(TypedDict):
    id: int
    kind: str
    amount: str
    currency: str
    status: str
    within_allowance: bool
    conversation_id: int
    customer_id: int
    agent_id: int | None
    team_id: int | None
    approval_due: str | None
    decided_by_id: int | None
    decided_at: str | None
    url: str


class ConcernData(TypedDict):
    """Never the concern's words, the person's name or address: only that one arrived."""

    id: int
    category: str
    raised_on: str
    first_response_due: str | None
    url: str


class IdeaData(TypedDict):
    """Never who suggested it (ideas may be anonymous)."""

    id: str
    title: str
    status: str
    team_id: int | None
    submitted_on: str
    respond_by: str
    responded_on: str | None
    url: str


class ActionItemData(TypedDict):
    id: int
    title: str
    kind: str
    source_kind: str
    owner_id: int | None
    due: str
    completed_at: str | None
    url: str


# --- The catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventType[Data: Mapping[str, Any]]:
    """One kind of event: its name, the version of its payload and the shape of its data."""

    name: str
    version: int
    description: str
    data: type[Data]
    example: Data
    # Who hears of it; run by `dispatch`, in the task that delivers the event.
    hook: Hook[Event] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hook", Hook(f"events.{self.name}", self.description))


def _changed[Data: Mapping[str, Any]](example: Data, **changes: Any) -> Data:
    """An example with some fields changed, still of its declared shape."""
    return cast(Data, {**example, **changes})


_CONVERSATION_EXAMPLE = ConversationData(
    id=4182,
    subject="Order 1093 arrived damaged",
    channel="email",
    status="open",
    priority="normal",
    team_id=2,
    assignee_id=17,
    customer_id=905,
    created_at="2026-12-07T09:14:03+00:00",
    url="https://care.example.com/inbox/4182/",
)
_IDEA_EXAMPLE = IdeaData(
    id="6f1c1d5e-8d41-4c7e-9a55-2a0f0f3c9b11",
    title="Macros for the top five refund questions",
    status="adopted",
    team_id=2,
    submitted_on="2026-11-20",
    respond_by="2026-12-04",
    responded_on="2026-12-03",
    url="https://care.example.com/pulse/ideas/6f1c1d5e-8d41-4c7e-9a55-2a0f0f3c9b11/",
)
_GESTURE_EXAMPLE = GestureData(
    id=311,
    kind="refund",
    amount="25.00",
    currency="EUR",
    status="granted",
    within_allowance=True,
    conversation_id=4182,
    customer_id=905,
    agent_id=17,
    team_id=2,
    approval_due=None,
    decided_by_id=None,
    decided_at=None,
    url="https://care.example.com/care/gestures/311/",
)
_RECOVERY_EXAMPLE = RecoveryData(
    id=77,
    survey_response_id=1204,
    customer_id=905,
    team_id=2,
    owner_id=17,
    status="open",
    outcome="",
    due_at="2026-12-08T09:14:03+00:00",
    closed_at=None,
    url="https://care.example.com/feedback/recovery/77/",
)

CONVERSATION_CREATED = EventType(
    "conversation.created",
    1,
    "A customer started a conversation (any channel, the API included).",
    ConversationData,
    _CONVERSATION_EXAMPLE,
)
CONVERSATION_ASSIGNED = EventType(
    "conversation.assigned",
    1,
    "A conversation was given to an agent (or unassigned: assignee_id is null).",
    ConversationData,
    _CONVERSATION_EXAMPLE,
)
CONVERSATION_SOLVED = EventType(
    "conversation.solved",
    1,
    "A conversation was solved or closed.",
    ConversationData,
    _changed(_CONVERSATION_EXAMPLE, status="solved"),
)
MESSAGE_RECEIVED = EventType(
    "message.received",
    1,
    "A customer's message was received and read for distress by the empathy engine.",
    MessageData,
    MessageData(
        id=99120,
        conversation_id=4182,
        team_id=2,
        channel="email",
        body_text="The vase was in pieces. This was a gift for my mother.",
        created_at="2026-12-07T09:14:03+00:00",
        distress=0.82,
        distress_words="very upset",
        first_in_conversation=True,
        url="https://care.example.com/inbox/4182/",
    ),
)
REPLY_SENT = EventType(
    "reply.sent",
    1,
    "An agent sent a public reply to the customer (internal notes are never sent).",
    ReplyData,
    ReplyData(
        id=99131,
        conversation_id=4182,
        team_id=2,
        agent_id=17,
        channel="email",
        body_text="I am so sorry. A new vase is on its way today.",
        created_at="2026-12-07T09:31:40+00:00",
        url="https://care.example.com/inbox/4182/",
    ),
)
SURVEY_ANSWERED = EventType(
    "survey.answered",
    1,
    "A customer answered a survey (CSAT 1-5, effort 1-7, NPS 0-10; unasked scores are null).",
    SurveyAnswerData,
    SurveyAnswerData(
        id=1204,
        kind="post_resolution",
        customer_id=905,
        conversation_id=4182,
        team_id=2,
        agent_id=17,
        csat=2,
        ces=None,
        nps=3,
        comment="Slow to reply.",
        is_detractor=True,
        answered_at="2026-12-07T12:02:11+00:00",
    ),
)
RECOVERY_OPENED = EventType(
    "recovery.opened",
    1,
    "A detractor's answer opened a recovery task.",
    RecoveryData,
    _RECOVERY_EXAMPLE,
)
RECOVERY_CLOSED = EventType(
    "recovery.closed",
    1,
    "A recovery task was closed with its outcome (recovered, not_recovered, no_reply).",
    RecoveryData,
    _changed(
        _RECOVERY_EXAMPLE,
        status="closed",
        outcome="recovered",
        closed_at="2026-12-07T15:40:00+00:00",
    ),
)
GESTURE_GRANTED = EventType(
    "gesture.granted",
    1,
    "An agent granted a goodwill gesture within their allowance.",
    GestureData,
    _GESTURE_EXAMPLE,
)
GESTURE_REQUESTED = EventType(
    "gesture.requested",
    1,
    "A gesture above the allowance waits for a lead's approval.",
    GestureData,
    _changed(_GESTURE_EXAMPLE, status="pending", within_allowance=False),
)
GESTURE_DECIDED = EventType(
    "gesture.decided",
    1,
    "A lead approved or declined a requested gesture (status approved or declined).",
    GestureData,
    _changed(
        _GESTURE_EXAMPLE,
        status="approved",
        within_allowance=False,
        decided_by_id=4,
        decided_at="2026-12-07T10:02:00+00:00",
    ),
)
CONCERN_RECEIVED = EventType(
    "concern.received",
    1,
    "A confidential concern arrived. The payload never carries its content or who raised it.",
    ConcernData,
    ConcernData(
        id=58,
        category="employee",
        raised_on="2026-12-07",
        first_response_due="2026-12-09T17:00:00+00:00",
        url="https://care.example.com/feedback/concerns/58/",
    ),
)
IDEA_ANSWERED = EventType(
    "idea.answered",
    1,
    "A lead answered an employee's idea (adopted, trying or not_now).",
    IdeaData,
    _IDEA_EXAMPLE,
)
IDEA_OVERDUE = EventType(
    "idea.overdue",
    1,
    "An idea is still unanswered past its answer date.",
    IdeaData,
    _changed(_IDEA_EXAMPLE, status="new", responded_on=None),
)
ACTION_ITEM_DONE = EventType(
    "action_item.done",
    1,
    "An action item (from a learning review, a recovery cause, an idea...) was done.",
    ActionItemData,
    ActionItemData(
        id=640,
        title="Pack glassware in double boxes",
        kind="improvement",
        source_kind="learning",
        owner_id=17,
        due="2026-12-20",
        completed_at="2026-12-07T16:00:00+00:00",
        url="https://care.example.com/actions/640/",
    ),
)

EVENT_TYPES: tuple[EventType[Any], ...] = (
    CONVERSATION_CREATED,
    CONVERSATION_ASSIGNED,
    CONVERSATION_SOLVED,
    MESSAGE_RECEIVED,
    REPLY_SENT,
    SURVEY_ANSWERED,
    RECOVERY_OPENED,
    RECOVERY_CLOSED,
    GESTURE_GRANTED,
    GESTURE_REQUESTED,
    GESTURE_DECIDED,
    CONCERN_RECEIVED,
    IDEA_ANSWERED,
    IDEA_OVERDUE,
    ACTION_ITEM_DONE,
)
BY_NAME: dict[str, EventType[Any]] = {event.name: event for event in EVENT_TYPES}


@dataclass(frozen=True)
class Event:
    """One occurrence, as subscribers receive it (JSON-ready: it travels through a task)."""

    id: str
    type: str
    version: int
    team_id: int | None
    created: datetime
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "version": self.version,
            "team_id": self.team_id,
            "created": self.created.isoformat(),
            "data": self.data,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Event:
        return cls(
            id=value["id"],
            type=value["type"],
            version=value["version"],
            team_id=value["team_id"],
            created=datetime.fromisoformat(value["created"]),
            data=dict(value["data"]),
        )


# --- Subscribers --------------------------------------------------------------------------------

Handler = Callable[[Event], object]


def subscribe(
    name: str, events: list[EventType[Any]] | tuple[EventType[Any], ...], handler: Handler
) -> None:
    """Call `handler` (in a task, after commit) for each event of these types; `name` once."""
    for event in events:
        event.hook.subscribe(handler, name=name)


def unsubscribe(name: str) -> None:
    for event in EVENT_TYPES:
        event.hook.unsubscribe(name)


def subscribers_of(event: EventType[Any]) -> list[str]:
    """The names of the subscribers that hear of `event`, sorted."""
    return sorted(event.hook.subscribers())


def publish[Data: Mapping[str, Any]](
    event: EventType[Data], data: Data, *, team_id: int | None = None
) -> None:
    """Tell the subscribers of `event` once the current transaction commits (at once outside one).

    Costs the request no query: only an enqueue, and nothing when no one listens.
    """
    if not subscribers_of(event):
        return
    occurrence = Event(
        id=f"evt_{uuid.uuid4().hex}",
        type=event.name,
        version=event.version,
        team_id=team_id,
        created=timezone.now(),
        data=dict(data),
    )
    transaction.on_commit(lambda: _hand_off(occurrence.as_json()))


def dispatch(envelope: Mapping[str, Any]) -> int:
    """Run every subscriber of the event, each on its own; how many ran without raising."""
    occurrence = Event.from_json(envelope)
    event = BY_NAME.get(occurrence.type)
    return 0 if event is None else event.hook.call_each(occurrence)


def _hand_off(envelope: dict[str, Any]) -> None:
    from careloop.core.tasks import dispatch_event

    # Without a task queue, tasks run in the caller: a subscriber waiting on a slow receiver
    # would hold up the request that published. One background thread of this process takes
    # the events in order instead, so the product stays fast.
    immediate = isinstance(task_backends["default"], ImmediateBackend)
    if settings.CARELOOP_EVENTS_IN_THREAD and immediate:
        background_idle.clear()
        _background_queue().put(envelope)
    else:
        dispatch_event.enqueue(envelope)


_queue: queue.SimpleQueue[dict[str, Any]] | None = None
_queue_lock = threading.Lock()
# Set while the background thread has nothing to do (and holds no database connection).
background_idle = threading.Event()
background_idle.set()


def _background_queue() -> queue.SimpleQueue[dict[str, Any]]:
    global _queue
    with _queue_lock:
        if _queue is None:
            _queue = queue.SimpleQueue()
            threading.Thread(
                target=_dispatch_forever, args=(_queue,), name="careloop-events", daemon=True
            ).start()
        return _queue


def _dispatch_forever(waiting: queue.SimpleQueue[dict[str, Any]]) -> None:
    while True:
        envelope = waiting.get()
        try:
            dispatch(envelope)
        except Exception:
            logger.exception("Dispatching event %s failed", envelope.get("id"))
        if waiting.empty():
            # Idle: hold no connection (a database restart or a test's teardown needs none).
            connections.close_all()
            if waiting.empty():
                background_idle.set()


def stamp(moment: date | None) -> str | None:
    """A date or time (a datetime is a date) as ISO 8601, None as None."""
    return None if moment is None else moment.isoformat()
