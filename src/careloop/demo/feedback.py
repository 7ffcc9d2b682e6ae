"""Demo voice of the customer: survey answers over the demo conversations' months, detractors
with recovery tasks in every state, a few confidential concerns, themes and milestone rules.

Built through the feedback services (with their clocks set to the past); nothing is emailed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from careloop.conversations.models import FINISHED, Conversation, Customer
from careloop.core import calendar
from careloop.demo.culture import felt_by_customers
from careloop.demo.initiatives import lifted_csat
from careloop.demo.people import first_cx_leader
from careloop.feedback.models import (
    RecoveryTask,
    SurveyInvitation,
    SurveyKind,
    SurveyQuestion,
    SurveyResponse,
    SurveySettings,
)
from careloop.feedback.services import concerns, milestones, recovery, surveys, theming

RESPONSE_RATE = 0.38
RELATIONSHIP_CUSTOMERS = 700

PRAISE = (
    "Quick answer and the agent really listened, thank you!",
    "Friendly and kind, she really listened to me.",
    "Very helpful and kind, explained everything clearly.",
    "I felt heard and the agent was so friendly.",
    "Lovely, patient and kind person on the chat.",
    "Fast reply, sorted within the hour, thank you.",
    "Solved in one message, fast and easy.",
    "Super quick response and no fuss at all.",
)
NEUTRAL = (
    "Fine in the end, but it took a couple of emails.",
    "Okay. I had to explain the problem twice.",
    "Solved, although the first answer did not fit my question.",
)
COMPLAINTS = {
    "delivery": (
        "The parcel arrived a week late and nobody told me why.",
        "Courier lost my parcel and I had to chase the delivery myself.",
        "Delivery was late again, third parcel this year.",
        "My parcel never arrived and tracking said delivered.",
        "The courier left my parcel in the rain, late as usual.",
    ),
    "refund": (
        "Still waiting for my refund after three weeks.",
        "The refund took forever and I had to ask four times.",
        "Refund not processed, I was promised my money in five days.",
        "Where is my money? The refund is still pending.",
        "I returned the boots a month ago and still no refund.",
    ),
    "damaged": (
        "Item arrived broken and the box was crushed.",
        "The jacket arrived torn, the packaging was damaged.",
        "Tent arrived damaged with a broken pole.",
        "Broken zip on arrival, clearly damaged in transit.",
    ),
    "billing": (
        "I was charged twice and it took ages to fix the invoice.",
        "The invoice was wrong, I was billed for the wrong amount.",
        "Double charge on my card and the invoice never came.",
        "Billing error on my invoice, charged for shipping twice.",
    ),
    "other": (
        "I waited days for a reply and then got a copy-paste answer.",
        "The answer felt like a template, nobody read my message.",
        "The policy makes no sense, you could not make an exception?",
        "Your return policy is rigid and unfair.",
        "Nobody took responsibility, I was passed around between teams.",
    ),
}
CAUSES = {
    "delivery": ["Carrier delay", "No proactive delay notice"],
    "refund": ["Refund processing time"],
    "damaged": ["Packaging", "Return form unclear"],
    "billing": ["Double charge", "Template answer"],
    "other": ["Slow first response", "Rigid policy"],
}
CONCERNS = (
    ("employee", "The person on the phone laughed at my question about the warranty.", True),
    ("unfair_policy", "You refuse returns after 30 days even for faulty zips. Unfair.", True),
    ("privacy", "Why did I get marketing emails after I asked you to delete my data?", False),
    ("employee", "An agent asked for my full card number in the chat. Is that allowed?", True),
)
QUESTIONS = (
    ("What is the one thing we could have done better?", SurveyKind.POST_RESOLUTION),
    ("What is the main reason for your score?", SurveyKind.RELATIONSHIP),
)


def demo_feedback_exists() -> bool:
    return SurveyResponse.objects.exists()


def _topic(conversation: Conversation) -> str:
    names = {tag.name for tag in conversation.tags.all()}
    for topic in ("delivery", "refund", "damaged", "billing"):
        if topic in names or (topic == "billing" and "invoice" in names):
            return topic
    return "other"


def _scores(rng: random.Random, conversation: Conversation, felt: float) -> tuple[int, int, int]:
    """CSAT, CES and NPS: trouble in the conversation and the team climate the customer felt
    (`felt`, 0..1) both make an unhappy answer more likely."""
    trouble = (
        0.25 * bool(conversation.sla_breached)
        + 0.25 * min(conversation.reopen_count, 2)
        + 0.4 * (conversation.distress or 0.0)
    )
    if rng.random() < 0.03 + 0.3 * (1 - felt) + trouble * 0.4:
        nps = rng.choices(range(11), weights=(3, 3, 4, 5, 6, 8, 8, 5, 3, 1, 1))[0]
        return rng.choice((1, 2, 2, 3)), rng.choice((1, 2, 3, 3, 4)), nps
    # Even a fixed problem leaves a lukewarm customer where the team was short of care.
    lukewarm = rng.random() < 0.45 * (1 - felt)
    csat = 3 if lukewarm else rng.choice((4, 5, 5))
    ces = rng.choice((3, 4, 4, 5)) if lukewarm else rng.choice((5, 6, 6, 7, 7))
    promoter = rng.random() < 0.25 + 0.65 * felt
    nps = rng.choice((9, 10, 10)) if promoter else rng.choice((6, 7, 7, 8, 8, 8))
    return csat, ces, nps


def _comment(rng: random.Random, csat: int, topic: str) -> str:
    if rng.random() < 0.35:
        return ""
    if csat <= 2:
        return rng.choice(COMPLAINTS[topic])
    return rng.choice(NEUTRAL if csat == 3 else PRAISE)


def _send(invitation: SurveyInvitation, at: datetime, rules: SurveySettings) -> None:
    # As the periodic task would have, minus the email: demo customers get no mail. Not
    # surveys.send_survey, which emails (or posts in the chat) and can skip.
    invitation.status = SurveyInvitation.Status.SENT
    invitation.sent_at = at
    invitation.expires_at = at + timedelta(days=rules.link_valid_days)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        status=invitation.status, sent_at=invitation.sent_at, expires_at=invitation.expires_at
    )


def _remind(now: datetime) -> None:
    """As the periodic task would have: the one reminder, for history old enough to have had it,
    so a freshly started demo does not send months of reminders at once. Not
    surveys.send_reminder, which emails."""
    after = timedelta(days=surveys.survey_settings().reminder_after_days)
    SurveyInvitation.objects.filter(
        status=SurveyInvitation.Status.SENT, reminded_at__isnull=True, sent_at__lte=now - after
    ).update(reminded_at=F("sent_at") + after)


def _work_on(rng: random.Random, task: RecoveryTask, topic: str, stage: str, now: datetime) -> None:
    """Move a task to `stage`: left open, contacted, or closed with an outcome."""
    if stage == "open":
        return
    contact_at = min(task.created_at + timedelta(hours=rng.uniform(2, 40)), now)
    recovery.log_contact(
        task,
        by=task.owner,
        channel=rng.choice(("phone", "email", "email", "chat")),
        note=rng.choice(
            (
                "Called, apologised and listened. Offered a goodwill credit.",
                "Emailed to apologise and explained what went wrong and what we changed.",
                "Reached them by phone; they appreciated the call.",
                "Left a voicemail and sent an email.",
            )
        ),
        at=contact_at,
    )
    if stage == "contacted":
        return
    outcome = rng.choices(("recovered", "not_recovered", "no_reply"), weights=(6, 2, 2))[0]
    recovery.close_task(
        task,
        by=task.owner,
        outcome=outcome,
        causes=[] if outcome == "no_reply" else rng.sample(CAUSES[topic], 1),
        note="Customer thanked us for calling." if outcome == "recovered" else "",
        at=min(contact_at + timedelta(days=1), now),
        thank_customer=False,
    )


def _stage(rank: int) -> str:
    """Newest tasks first: two still open, two contacted, older ones closed."""
    return "open" if rank < 2 else "contacted" if rank < 4 else "closed"


def _relationship_surveys(rng: random.Random, now: datetime, rules: SurveySettings) -> None:
    customers = list(
        Customer.objects.filter(conversations__status__in=FINISHED).distinct().order_by("pk")
    )
    for customer in rng.sample(customers, min(RELATIONSHIP_CUSTOMERS, len(customers))):
        at = now - timedelta(days=rng.uniform(3, 360))
        if surveys.in_quiet_period(customer, at, rules=rules):
            continue
        # schedule_relationship_surveys invites all due customers at one moment; the demo's
        # were invited over a year.
        invitation = SurveyInvitation.objects.create(
            kind=SurveyKind.RELATIONSHIP, customer=customer, send_after=at, created_at=at
        )
        _send(invitation, at, rules)
        if rng.random() < 0.35:
            score = rng.choices(range(11), weights=(1, 1, 1, 1, 2, 3, 4, 8, 12, 14, 13))[0]
            reason = rng.choice(PRAISE) if score >= 9 else rng.choice(COMPLAINTS["other"])
            surveys.submit_answers(
                invitation,
                nps=score,
                comment=reason if rng.random() < 0.5 else "",
                now=at + timedelta(hours=rng.uniform(1, 48)),
                notify=False,
            )


@transaction.atomic
def create_demo_feedback(seed: int = 7) -> None:
    """Create the demo's survey history once; running it again changes nothing."""
    milestones.seed_default_rules()
    if demo_feedback_exists():
        return
    rng = random.Random(seed)
    now = timezone.now()
    today = calendar.today()
    # The demo organisation asks "would you recommend us" after conversations too, so NPS is
    # known per team (relationship surveys belong to no team).
    # Survey rules and questions have no service yet (the settings view saves its forms).
    settings = surveys.survey_settings()
    settings.ask_nps_after_conversation = True
    settings.save(update_fields=["ask_nps_after_conversation"])
    for text, kind in QUESTIONS:
        SurveyQuestion.objects.get_or_create(text=text, kind=kind)
    solved = (
        Conversation.objects.filter(status__in=FINISHED, solved_at__isnull=False)
        .select_related("customer", "assignee", "team")
        .prefetch_related("tags")
        .order_by("solved_at", "pk")
    )
    delay = timedelta(hours=settings.delay_hours)
    topics: dict[int, str] = {}  # response -> what the conversation was about
    for conversation in solved:
        assert conversation.solved_at is not None
        invitation = surveys.schedule_post_resolution_survey(
            conversation, now=conversation.solved_at, rules=settings
        )
        if invitation is None or invitation.status != SurveyInvitation.Status.SCHEDULED:
            continue
        sent_at = conversation.solved_at + delay
        if sent_at > now:
            continue  # the periodic task sends it
        _send(invitation, sent_at, settings)
        if rng.random() > RESPONSE_RATE:
            continue
        team_name = conversation.team.name if conversation.team else ""
        day = calendar.local_date(sent_at)
        csat, ces, nps = _scores(rng, conversation, felt_by_customers(team_name, day, today))
        csat = lifted_csat(team_name, day, csat, conversation.pk)
        topic = _topic(conversation)
        response = surveys.submit_answers(
            invitation,
            csat=csat,
            ces=ces,
            nps=nps,
            comment=_comment(rng, csat, topic),
            now=min(sent_at + timedelta(hours=rng.uniform(0.5, 60)), now),
            notify=False,
        )
        topics[response.pk] = topic
    _relationship_surveys(rng, now, settings)
    _remind(now)
    newest_first = RecoveryTask.objects.select_related("owner").order_by("-created_at", "-pk")
    for rank, task in enumerate(newest_first):
        _work_on(rng, task, topics.get(task.response_id, "other"), _stage(rank), now)
    handler = first_cx_leader()
    for index, (category, body, anonymous) in enumerate(CONCERNS):
        concern, _ = concerns.raise_concern(
            category=category,
            body=body,
            anonymous=anonymous,
            name="" if anonymous else "Rosa Martínez",
            today=calendar.today() - timedelta(days=3 * (len(CONCERNS) - index)),
            notify=False,
        )
        if handler is not None and index < 2:
            concerns.reply_to_concern(
                concern,
                handler,
                "Thank you for telling us. I am looking into this personally and will come back "
                "to you here within a week.",
            )
    theming.refresh_themes()


def bring_pending_surveys_forward(delay: timedelta, count: int = 3) -> int:
    """As if the newest solved conversations still waiting for their survey had just been
    solved: their surveys go out `delay` from now, so a demo just started sends some itself."""
    pending = SurveyInvitation.objects.filter(
        kind=SurveyKind.POST_RESOLUTION,
        status=SurveyInvitation.Status.SCHEDULED,
        send_after__gt=timezone.now() + delay,
    ).order_by("-send_after", "-pk")[:count]
    # A demo-only rescheduling, for `careloop demo` to show the schedule at work.
    return SurveyInvitation.objects.filter(
        pk__in=list(pending.values_list("pk", flat=True))
    ).update(send_after=timezone.now() + delay)
