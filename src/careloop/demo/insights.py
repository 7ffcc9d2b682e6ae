"""Demo insights: the daily roll-ups of the demo's whole history, so dashboards have data, and
a customer journey whose touchpoints gather the demo conversations by their tags."""

from __future__ import annotations

from careloop.conversations.coaching import score_sent_reply
from careloop.conversations.models import Message
from careloop.core.permissions import Role
from careloop.demo.conversations import HISTORY_DAYS
from careloop.insights import rollups, services
from careloop.insights.models import JourneyStage
from careloop.people.models import User

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


def create_demo_journey() -> None:
    if JourneyStage.objects.exists():
        return
    author = User.objects.filter(role=Role.CX_LEADER).order_by("pk").first()
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
    scores every sent reply, so team empathy (and the culture analytics) has history."""
    replies = Message.objects.filter(
        author_kind=Message.Author.AGENT, is_internal_note=False, reply_score__isnull=True
    ).select_related("conversation")
    return sum(score_sent_reply(reply) for reply in replies.iterator(chunk_size=500))


def create_demo_insights(seed: int = 7) -> int:
    """Score unscored replies, rebuild the roll-ups over the demo's history (idempotent) and
    add the journey once; `seed` is accepted like the other builders, nothing here is random."""
    score_demo_replies()
    create_demo_journey()
    return rollups.rebuild(HISTORY_DAYS + 31)
