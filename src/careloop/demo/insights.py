"""Demo insights: the daily roll-ups of the demo's whole history, so dashboards have data, and
a customer journey whose touchpoints gather the demo conversations by their tags."""

from __future__ import annotations

from careloop.conversations.models import Message
from careloop.conversations.reading import reply_score_of
from careloop.demo.conversations import HISTORY_DAYS
from careloop.demo.people import first_cx_leader
from careloop.empathy.coach import coach_replies_to
from careloop.insights import rollups, services
from careloop.insights.models import JourneyStage

# (stage, description, [(touchpoint, tags)])
JOURNEY = (
    (
        "Choose and buy",
        "Finding the right gear",
        [("Product advice", ["product-question", "sizing"])],
    ),
    ("Delivery", "From the warehouse to the door", [("Parcel on its way", ["delivery", "delay"])]),
    ("Use", "Out on the trail", [("Something broke", ["damaged", "warranty"])]),
    (
        "Returns and refunds",
        "Sending things back",
        [("Returns", ["returns", "exchange"]), ("Refunds", ["refund"])],
    ),
    (
        "Account and billing",
        "Invoices and sign-in",
        [("Invoices", ["invoice", "billing", "account"])],
    ),
)  # fmt: skip
# Replies scored in one pass of the engine: large enough to batch, small enough for memory.
SCORING_BATCH = 1000


def create_demo_journey() -> None:
    if JourneyStage.objects.exists():
        return
    author = first_cx_leader()
    if author is None:
        return
    for stage_name, description, touchpoints in JOURNEY:
        stage = services.add_stage(name=stage_name, description=description, by=author)
        for name, tags in touchpoints:
            services.save_touchpoint(
                stage=stage, name=name, description="", tag_names=tags, channel="", by=author
            )


def score_demo_replies() -> int:
    """The demo's replies are written in bulk, without the coach; score them as the inbox
    scores every sent reply (against the customer message before each), so team empathy and
    the culture analytics have history. One pass over the messages, scored and written in
    batches."""
    replies: list[tuple[Message, str]] = []  # each reply with the customer message before it
    last_customer_text: dict[int, str] = {}
    messages = Message.objects.order_by("conversation_id", "created_at", "pk").only(
        "conversation_id", "author_kind", "is_internal_note", "body_text", "reply_score"
    )
    for message in messages.iterator(chunk_size=2000):
        if message.author_kind == Message.Author.CUSTOMER:
            last_customer_text[message.conversation_id] = message.body_text
        elif (
            message.author_kind == Message.Author.AGENT
            and not message.is_internal_note
            and message.reply_score is None
        ):
            replies.append((message, last_customer_text.get(message.conversation_id, "")))
    scored: list[Message] = []
    for start in range(0, len(replies), SCORING_BATCH):
        batch = replies[start : start + SCORING_BATCH]
        # A year of history: the static heads alone, 15 times cheaper than the pair model.
        readings = coach_replies_to(
            [(customer, reply.body_text) for reply, customer in batch], contextual=False
        )
        for (reply, _), coaching in zip(batch, readings, strict=True):
            if not coaching.not_scored:
                reply.reply_score = reply_score_of(coaching)
                scored.append(reply)
    # Seeding: score_sent_reply would save (and re-read the conversation) once per reply.
    Message.objects.bulk_update(scored, ["reply_score"], batch_size=500)
    return len(scored)


def create_demo_insights(seed: int = 7) -> int:
    """Score unscored replies, rebuild the roll-ups over the demo's history (idempotent) and
    add the journey once; `seed` is accepted like the other builders, nothing here is random."""
    score_demo_replies()
    create_demo_journey()
    return rollups.rebuild(HISTORY_DAYS + 31)
