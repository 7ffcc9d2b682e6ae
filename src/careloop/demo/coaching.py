"""Demo coaching: a default rubric, practice scenarios (some drawn from demo conversations),
Sam Okafor's practice over the last weeks, QA reviews with one open dispute, a calibration
session and a coaching plan. Everything goes through the coaching services."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from careloop.coaching.models import (
    MAX_RATING,
    CalibrationSession,
    Criterion,
    Dispute,
    QAReview,
    Rubric,
    Scenario,
)
from careloop.coaching.services import calibration, plans, practice, reviews, rubrics
from careloop.coaching.services.reviews import RatingInput
from careloop.conversations.models import FINISHED, Conversation, Message
from careloop.conversations.reading import score_sent_reply
from careloop.core import calendar
from careloop.core.permissions import Role
from careloop.demo.people import first_cx_leader
from careloop.people.models import User

DEFAULT_RUBRIC = "Customer care (default)"

CRITERIA = (
    rubrics.CriterionInput(
        "Empathy",
        "Named the customer's feeling and showed it mattered.",
        weight=3,
        allows_na=False,
        autoqa=Criterion.AutoQA.EMPATHY,
    ),
    rubrics.CriterionInput(
        "Understood the real need",
        "Reflected the situation in their own words.",
        weight=2,
        allows_na=False,
        autoqa=Criterion.AutoQA.INTERPRETATIONS,
    ),
    rubrics.CriterionInput(
        "Clear next step and timing", "Said what happens next and when.", weight=2
    ),
    rubrics.CriterionInput(
        "No policy walls",
        "Explained any rule in the customer's terms with an alternative.",
        weight=1,
        autoqa=Criterion.AutoQA.POLICY_WALLS,
    ),
    rubrics.CriterionInput("Offered a follow-up", "Where the case called for one.", weight=1),
    rubrics.CriterionInput(
        "Identity verified before account changes",
        "A process check: if missed, look at the tools and the flow first.",
        is_critical=True,
    ),
)

WRITTEN = (
    (
        "Second damaged delivery",
        "Priya, a loyal customer for four years, upset and tired of chasing.",
        "Her new tent arrived with a torn flysheet, the second damaged order this year.",
        (
            (
                "This is the second time my order has arrived damaged. I'm honestly fed up, "
                "we're leaving for the lake on Friday.",
                "I'm so sorry, a second damaged order is really disappointing, especially with "
                "your trip on Friday. I've sent a replacement by express today so it arrives "
                "Thursday, and you don't need to return the torn one.",
            ),
            (
                "Thursday is cutting it fine. What if it doesn't come?",
                "That's a fair worry. I'll watch the tracking myself on Thursday morning; if it "
                "isn't out for delivery by 10:00 I'll call you and we'll arrange pick-up from "
                "our Utrecht store instead. Would that work for you?",
            ),
        ),
    ),
    (
        "Refund not arrived after two weeks",
        "Tom, anxious about money, writing late in the evening.",
        "He returned boots two weeks ago; the refund has not shown on his card.",
        (
            (
                "I sent the boots back two weeks ago and still no refund. I really need that "
                "money this month. Has it even been processed?",
                "I understand, waiting on money you need is stressful. I can see the refund was "
                "processed on the 3rd; banks can take up to 5 working days, so it should land "
                "by Friday. If it hasn't, reply here and I'll chase the bank with you.",
            ),
        ),
    ),
    (
        "Angry about a cancelled pre-order",
        "Alex, furious, has told friends about the jacket.",
        "The supplier cancelled the batch; the pre-order was cancelled by email without warning.",
        (
            (
                "You cancelled my pre-order with a two-line email?! I waited six weeks. "
                "Unbelievable.",
                "You're right to be angry: six weeks of waiting deserved more than a two-line "
                "email, and I'm sorry. The supplier cancelled the whole batch. I can reserve the "
                "same jacket from the next batch at the pre-order price, arriving in March.",
            ),
            (
                "March is too late for my trip. What else can you do?",
                "Thanks for telling me about the trip. Two options: the similar Fjell jacket is "
                "in stock and I can send it today at the same price, or a full refund right "
                "now. Which would suit you better?",
            ),
        ),
    ),
    (
        "Confused by a double charge",
        "Mina, calm but confused, not confident with online banking.",
        "She sees two charges for one order; one is a pre-authorisation.",
        (
            (
                "Hello, I see two payments for my order on my bank app. Did I pay twice?",
                "Good question, and I can see why two lines look worrying. Only one payment was "
                "taken: the second is a temporary hold your bank releases within 3 days. If it's "
                "still there on Monday, let me know and I'll contact the bank for you.",
            ),
        ),
    ),
    (
        "Wrong size, no receipt",
        "Jonas, polite, bought a gift that does not fit.",
        "A gift without a receipt; the policy normally asks for proof of purchase.",
        (
            (
                "My sister gave me a jacket for my birthday but it's too small. I don't have a "
                "receipt. Can I still swap it?",
                "Happy birthday! Of course we can help. If you send me a photo of the label I "
                "can find the order without a receipt and send you a free return label for the "
                "swap. Which size would you like?",
            ),
        ),
    ),
)

# Sam's practice over the last weeks: warmer and more curious each time.
SAM_PRACTICE = (
    (
        "Second damaged delivery",
        21,
        (
            "A replacement has been ordered. Per our policy we can't offer express shipping.",
            "It should arrive Thursday.",
        ),
    ),
    (
        "Refund not arrived after two weeks",
        14,
        ("Sorry for the wait. The refund was processed on the 3rd and should arrive soon.",),
    ),
    (
        "Angry about a cancelled pre-order",
        7,
        (
            "I'm really sorry, that email was not good enough after six weeks of waiting. "
            "I can reserve the jacket from the next batch for you.",
            "I hear that March is too late. Would the Fjell jacket today, or a full refund, "
            "work better for your trip?",
        ),
    ),
    (
        "Second damaged delivery",
        2,
        (
            "I'm so sorry, a second damaged order is frustrating, and with your trip on Friday "
            "even more so. I've sent a replacement by express so it arrives Thursday.",
            "That's completely understandable. I'll check the tracking myself on Thursday and "
            "call you if it's late: would a store pick-up be a good backup for you?",
        ),
    ),
)


def demo_coaching_exists() -> bool:
    return Rubric.objects.filter(name=DEFAULT_RUBRIC).exists()


def _person(full_name: str) -> User | None:
    return User.objects.filter(full_name=full_name).first()


def _solved_for(people: list[User], limit: int) -> list[Conversation]:
    found: list[Conversation] = []
    for person in people:
        found += list(
            Conversation.objects.filter(
                assignee=person, status__in=FINISHED, merged_into__isnull=True
            )
            .filter(messages__author=person, messages__is_internal_note=False)
            .distinct()
            .order_by("-solved_at", "-pk")[: limit - len(found)]
        )
        if len(found) >= limit:
            break
    return found


def _score_replies(conversation: Conversation) -> None:
    for message in conversation.messages.filter(
        author_kind=Message.Author.AGENT, is_internal_note=False, reply_score__isnull=True
    ):
        score_sent_reply(message)


def _rate(review: QAReview, lead: User, rng: random.Random, to_grow: str) -> QAReview:
    given = {}
    for rating in review.ratings.select_related("criterion"):
        criterion = rating.criterion
        if criterion.is_critical:
            given[criterion.pk] = RatingInput(None, is_na=True)
        elif rating.value is not None:
            given[criterion.pk] = RatingInput(rating.value)
        elif criterion.allows_na and rng.random() < 0.3:
            given[criterion.pk] = RatingInput(None, is_na=True)
        else:
            given[criterion.pk] = RatingInput(rng.choice([2, 3, 3, 4]))
    reviews.save_ratings(
        review,
        by=lead,
        ratings=given,
        strengths="Warm opening and a clear fix.",
        to_grow=to_grow,
    )
    return reviews.submit_review(review, by=lead)


def _scenarios(lead: User, team_agents: list[User]) -> dict[str, Scenario]:
    made = {}
    for title, persona, situation, turns in WRITTEN:
        scenario = practice.create_scenario(
            created_by=lead, title=title, persona=persona, situation=situation, turns=list(turns)
        )
        made[title] = practice.publish_scenario(scenario, by=lead)
    candidates = _solved_for(team_agents, 8)
    answered = [c for c in candidates if _ends_with_a_reply(c)]
    if answered:
        published = practice.draft_scenario_from_conversation(answered[0], by=lead)
        made[published.title] = practice.publish_scenario(published, by=lead)
    waiting = [c for c in candidates if not answered or c.pk != answered[0].pk]
    if waiting:
        # One stays a draft: the lead still has to read it for anything personal.
        drafted = practice.draft_scenario_from_conversation(waiting[0], by=lead)
        made[drafted.title] = drafted
    return made


def _ends_with_a_reply(conversation: Conversation) -> bool:
    last = (
        conversation.messages.filter(is_internal_note=False).order_by("-created_at", "-pk").first()
    )
    return last is not None and last.author_kind == Message.Author.AGENT


def _practice(sam: User, scenarios: dict[str, Scenario]) -> None:
    now = timezone.now()
    for title, days_ago, replies in SAM_PRACTICE:
        at = now - timedelta(days=days_ago)
        attempt = practice.start_attempt(scenarios[title], sam, at=at)
        for text in replies:
            practice.submit_reply(attempt, trainee=sam, text=text, at=at + timedelta(minutes=12))


def _qa(lead: User, sam: User, team_agents: list[User], rubric: Rubric, seed: int) -> None:
    rng = random.Random(seed)
    conversations = _solved_for([sam, *team_agents], 3)
    for conversation in conversations:
        _score_replies(conversation)
    outcomes = ("acknowledged", "disputed", "resolved")
    for conversation, outcome in zip(conversations, outcomes, strict=False):
        review = reviews.create_review(conversation=conversation, rubric=rubric, reviewer=lead)
        _rate(review, lead, rng, "Ask one open question about what the customer needs next.")
        agent = review.agent
        if outcome == "acknowledged":
            reviews.acknowledge_review(review, by=agent)
        elif outcome == "disputed":
            reviews.dispute_review(
                review,
                by=agent,
                reason="The customer asked us not to follow up, so 'Offered a follow-up' "
                "should be N/A.",
            )
        else:
            dispute = reviews.dispute_review(
                review, by=agent, reason="The next step was in my second reply."
            )
            reviews.resolve_dispute(
                dispute,
                by=lead,
                outcome="upheld",
                note="You're right that it was there; it came after the refund details, so the "
                "customer missed it. Score stands; let's practise leading with it.",
            )


def _calibration(rubric: Rubric, seed: int) -> CalibrationSession | None:
    facilitator = first_cx_leader()
    leads = list(User.objects.filter(role=Role.TEAM_LEAD).order_by("pk")[:3])
    americas = list(User.objects.filter(team__name="Frontline Americas", role=Role.AGENT))
    conversations = _solved_for(americas, 1)
    if facilitator is None or len(leads) < 2 or not conversations:
        return None
    _score_replies(conversations[0])
    session = calibration.create_calibration(
        title="Monthly calibration: a delayed delivery",
        conversation=conversations[0],
        rubric=rubric,
        facilitator=facilitator,
        reviewers=leads,
    )
    rng = random.Random(seed + 1)
    for reviewer in leads:
        review = calibration.review_for(session, reviewer)
        given = {}
        for rating in review.ratings.select_related("criterion"):
            criterion = rating.criterion
            if criterion.is_critical:
                given[criterion.pk] = RatingInput(MAX_RATING)
            elif criterion.allows_na and rng.random() < 0.25:
                given[criterion.pk] = RatingInput(None, is_na=True)
            else:
                base = rating.value if rating.value is not None else 3
                given[criterion.pk] = RatingInput(
                    max(0, min(MAX_RATING, base + rng.choice([-1, 0, 1])))
                )
        reviews.save_ratings(review, by=reviewer, ratings=given)
        reviews.submit_review(review, by=reviewer)
    return calibration.reveal(session, by=facilitator)


@transaction.atomic
def create_demo_coaching(seed: int = 7) -> None:
    """Create the demo coaching data once; running it again changes nothing."""
    if demo_coaching_exists():
        return
    lead = _person("Leah Lindqvist")
    sam = _person("Sam Okafor")
    cx_leader = first_cx_leader()
    if lead is None or sam is None or cx_leader is None or lead.team_id is None:
        return
    rubric = rubrics.create_rubric(
        by=cx_leader,
        name=DEFAULT_RUBRIC,
        description="Our shared view of a caring reply. Scores are for coaching, never ranking.",
        criteria=list(CRITERIA),
    )
    team_agents = list(
        User.objects.filter(team_id=lead.team_id, role=Role.AGENT).exclude(pk=sam.pk).order_by("pk")
    )
    scenarios = _scenarios(lead, [sam, *team_agents])
    _practice(sam, scenarios)
    _qa(lead, sam, team_agents, rubric, seed)
    _calibration(rubric, seed)
    # The demo's history happened "before": no emails go out about it. Marked as the
    # notification tasks mark what they sent; no service claims a notification for them.
    now = timezone.now()
    QAReview.objects.update(agent_notified_at=now)
    Dispute.objects.update(raised_notified_at=now, resolved_notified_at=now)
    plans.create_plan(
        plans.CoachingPlanDraft(
            person=sam,
            title="Exploring what the customer really needs",
            goals="Ask one open question in every upset conversation\n"
            "Name the feeling before the fix\n"
            "Say what happens next and when",
            next_check_in=calendar.today() + timedelta(days=10),
            scenarios=[
                scenarios["Angry about a cancelled pre-order"],
                scenarios["Wrong size, no receipt"],
            ],
        ),
        coach=lead,
    )
