"""Demo learning: a few blameless reviews, the actions they led to and two feedback sessions.

Everything goes through the learning and actions services, as the review form does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from careloop.actions import services as actions
from careloop.actions.models import ActionItem
from careloop.core import calendar
from careloop.core.permissions import Role
from careloop.learning import services as learning
from careloop.learning.models import (
    FactorCategory,
    LearningReview,
    ParticipantRole,
    ReviewKind,
    ReviewStatus,
    Severity,
    Visibility,
)
from careloop.people.models import Team, User

REFUND_TOOL = "The refund tool shows no confirmation when a partial refund is submitted twice."


@dataclass(frozen=True)
class DemoAction:
    title: str
    kind: str
    due_in_days: int  # negative: already past due
    evidence: str = ""  # given: the action is done


@dataclass(frozen=True)
class DemoReview:
    title: str
    kind: ReviewKind
    severity: Severity
    status: ReviewStatus
    team: str
    summary: str
    impact: str
    went_well: str
    went_wrong: str
    got_lucky: str
    timeline: tuple[tuple[str, str], ...]
    factors: tuple[tuple[FactorCategory, str], ...]
    actions: tuple[DemoAction, ...]


REVIEWS = (
    DemoReview(
        title="Double refund on a returned tent order",
        kind=ReviewKind.MISTAKE,
        severity=Severity.MEDIUM,
        status=ReviewStatus.PUBLISHED,
        team="Orders & Billing",
        summary="A customer returning a four-person tent was refunded twice for the same order.",
        impact="The customer received €389 twice; finance recovered it with an apology call.",
        went_well="The customer told us straight away and the recovery call went warmly.",
        went_wrong="The second submission looked like a retry after the page timed out.",
        got_lucky="The customer was honest and noticed the second payment within a day.",
        timeline=(
            ("Tue 09:12", "The refund page timed out after the first submission."),
            ("Tue 09:14", "With no confirmation on screen, the refund was submitted again."),
            ("Wed 10:30", "The customer emailed to say two refunds had arrived."),
        ),
        factors=(
            (FactorCategory.TOOLING, REFUND_TOOL),
            (FactorCategory.TRAINING, "Onboarding does not cover checking the refund log."),
        ),
        actions=(
            DemoAction(
                "Add a duplicate-refund warning to the refund tool",
                "prevent",
                -20,
                "The refund tool now blocks a second refund on the same order within an hour.",
            ),
            DemoAction("Add the refund log check to onboarding", "training", -3),
        ),
    ),
    DemoReview(
        title="Sleeping bags shipped to a closed pickup point",
        kind=ReviewKind.PROCESS_DEFECT,
        severity=Severity.LOW,
        status=ReviewStatus.PUBLISHED,
        team="Frontline Europe",
        summary="Twelve orders went to a pickup point that had closed for renovation.",
        impact="Customers waited up to nine extra days for their sleeping bags.",
        went_well="Chat agents spotted the pattern after the third contact and raised it.",
        went_wrong="The carrier's closure notice reached a shared inbox no one watched.",
        got_lucky="It happened before the autumn hiking rush.",
        timeline=(
            ("Mon", "The carrier emailed a closure notice to the logistics inbox."),
            ("Thu", "The third customer asked in chat where their parcel was."),
            ("Fri", "Logistics removed the pickup point from checkout."),
        ),
        factors=(
            (FactorCategory.COMMUNICATION, "Carrier notices land in an unowned shared inbox."),
            (FactorCategory.PROCESS, "No step checks pickup points against carrier updates."),
        ),
        actions=(
            DemoAction(
                "Give the logistics inbox a weekly owner",
                "process",
                -15,
                "A rota in the team calendar names the owner each week.",
            ),
        ),
    ),
    DemoReview(
        title="Refund confirmation sent in the wrong currency",
        kind=ReviewKind.COMPLAINT,
        severity=Severity.MEDIUM,
        status=ReviewStatus.PUBLISHED,
        team="Orders & Billing",
        summary="A customer in Sweden received a refund confirmation in euros, not kronor.",
        impact="The customer worried the refund was short and complained twice.",
        went_well="The escalation team explained the amounts clearly within the hour.",
        went_wrong="The amount had to be entered a second time after a partial refund.",
        got_lucky="Only one order was affected before the template was fixed.",
        timeline=(
            ("Mon 14:05", "A partial refund for a rain jacket was started."),
            ("Mon 14:07", "The refund tool reset the currency field on the second screen."),
            ("Tue 08:40", "The customer wrote in, worried about the amount."),
        ),
        factors=(
            (FactorCategory.TOOLING, REFUND_TOOL),
            (FactorCategory.POLICY, "Partial refunds over €200 have no second check."),
        ),
        actions=(
            DemoAction(
                "Keep the order currency on every refund screen",
                "prevent",
                -30,
                "The currency is now fixed from the order; tested on SEK, NOK and GBP orders.",
            ),
            DemoAction("Agree a second check for partial refunds over €200", "process", -5),
        ),
    ),
    DemoReview(
        title="Near miss: climbing harness recall almost missed a customer",
        kind=ReviewKind.NEAR_MISS,
        severity=Severity.HIGH,
        status=ReviewStatus.PUBLISHED,
        team="Care Escalations",
        summary="A harness recall email nearly skipped customers who paid by gift card.",
        impact="No customer was left out; the list was corrected before sending.",
        went_well="A second look at the recipient count caught the gap.",
        went_wrong="The export filtered on card payments only.",
        got_lucky="The count looked low to someone who knew the sales figures.",
        timeline=(
            ("Wed 11:00", "The recall list was exported from orders."),
            ("Wed 15:20", "The recipient count looked lower than sales suggested."),
            ("Wed 16:45", "Gift-card orders were added and the recall went out."),
        ),
        factors=(
            (FactorCategory.PROCESS, "Recall lists have no checklist for payment types."),
            (FactorCategory.WORKLOAD, "The export was prepared during a short-staffed afternoon."),
            (FactorCategory.ENVIRONMENT, "The order export names its filters only in a tooltip."),
        ),
        actions=(
            DemoAction(
                "Write a recall checklist covering every payment type",
                "prevent",
                -10,
                "The checklist is in the playbook and was used for the stove recall.",
            ),
        ),
    ),
    DemoReview(
        title="Refund for a cancelled kayak order processed twice",
        kind=ReviewKind.MISTAKE,
        severity=Severity.LOW,
        status=ReviewStatus.IN_REVIEW,
        team="Frontline Americas",
        summary="A cancelled kayak order was refunded twice during a busy Monday.",
        impact="The second refund was reversed by finance the next morning.",
        went_well="The duplicate was spotted in the daily reconciliation.",
        went_wrong="The first submission seemed to have failed.",
        got_lucky="The bank had not yet settled the second payment.",
        timeline=(
            ("Mon 10:02", "The refund was submitted while the queue was long."),
            ("Mon 10:03", "No confirmation appeared, so it was submitted again."),
        ),
        factors=(
            (FactorCategory.TOOLING, REFUND_TOOL),
            (FactorCategory.WORKLOAD, "Monday mornings carry the weekend backlog."),
        ),
        actions=(DemoAction("Staff one extra agent on Monday mornings", "mitigate", 10),),
    ),
    DemoReview(
        title="Boot sizing advice contradicted the size guide",
        kind=ReviewKind.COMPLAINT,
        severity=Severity.LOW,
        status=ReviewStatus.DRAFT,
        team="Frontline Europe",
        summary="Chat advice to size up on hiking boots differed from the published size guide.",
        impact="Two customers exchanged boots they could have kept.",
        went_well="",
        went_wrong="",
        got_lucky="",
        timeline=(("Sat", "Two exchanges mentioned advice given in chat."),),
        factors=(),
        actions=(),
    ),
)

OTHER_ACTIONS = (  # (team, action): follow-ups that came from outside the reviews
    (
        "Frontline Europe",
        DemoAction(
            "Add a 'where is my parcel' saved reply for pickup points",
            "improvement",
            -25,
            "The saved reply is live and used in about forty chats a week.",
        ),
    ),
    (
        "Care Escalations",
        DemoAction("Publish the winter returns policy in the help centre", "improvement", -7),
    ),
    (
        "Frontline Americas",
        DemoAction("Review chat hand-over notes with the night shift", "process", 14),
    ),
    (
        "Orders & Billing",
        DemoAction(
            "Show refund status to customers in their order history",
            "improvement",
            -12,
            "Order history now shows each refund's status and expected arrival date.",
        ),
    ),
    (
        "Frontline Europe",
        DemoAction("Align chat sizing advice with the boot size guide", "training", 21),
    ),
)

SESSIONS = (
    ("Frontline Europe", "Frontline Europe fortnightly", ("Size guide questions in chat",)),
    (
        "Orders & Billing",
        "Orders & Billing retro",
        ("Refund tool: what still slows us down", "Monday backlog"),
    ),
)


def demo_learning_exists() -> bool:
    return LearningReview.objects.filter(title=REVIEWS[0].title).exists()


def _agents(team: Team) -> list[User]:
    return list(team.members.filter(role=Role.AGENT).order_by("pk"))


@transaction.atomic
def create_demo_learning(seed: int = 7) -> None:
    """Create the demo reviews, actions and feedback sessions once; again, nothing changes."""
    if demo_learning_exists():
        return
    chooser = random.Random(seed)
    today = calendar.today()
    teams = {team.name: team for team in Team.objects.all()}
    leads = {
        name: team.members.filter(role=Role.TEAM_LEAD).order_by("pk").first()
        for name, team in teams.items()
    }

    for demo in REVIEWS:
        team = teams[demo.team]
        lead = leads[demo.team]
        assert lead is not None and lead.team_id == team.pk  # open_review books it to their team
        review = learning.open_review(
            lead,
            learning.ReviewDraft(
                title=demo.title,
                kind=demo.kind,
                severity=demo.severity,
                visibility=Visibility.ORGANISATION,
                summary=demo.summary,
                impact=demo.impact,
                went_well=demo.went_well,
                went_wrong=demo.went_wrong,
                got_lucky=demo.got_lucky,
                timeline=demo.timeline,
                factors=demo.factors,
            ),
        )
        involved = chooser.sample(_agents(team), 2)
        learning.add_participant(review, lead, ParticipantRole.AUTHOR)
        for person in involved:
            learning.add_participant(review, person, ParticipantRole.INVOLVED)
        if demo.status != ReviewStatus.DRAFT:
            learning.submit_for_review(review, by=lead)
        if demo.status == ReviewStatus.PUBLISHED:
            learning.publish_review(review, by=lead)
        for action in demo.actions:
            item = actions.create_action_item(
                actions.ActionItemDraft(
                    title=action.title,
                    owner=chooser.choice(involved),
                    source_kind=ActionItem.SourceKind.LEARNING_REVIEW,
                    source_id=review.pk,
                    source_label=review.title,
                    kind=action.kind,
                    due=today + timedelta(days=action.due_in_days),
                ),
                created_by=lead,
            )
            if action.evidence:
                actions.change_status(item, by=lead, status="done", evidence=action.evidence)

    for team_name, action in OTHER_ACTIONS:
        lead = leads[team_name]
        assert lead is not None
        item = actions.create_action_item(
            actions.ActionItemDraft(
                title=action.title,
                owner=chooser.choice(_agents(teams[team_name])),
                source_kind=ActionItem.SourceKind.OTHER,
                kind=action.kind,
                due=today + timedelta(days=action.due_in_days),
            ),
            created_by=lead,
        )
        if action.evidence:
            actions.change_status(item, by=lead, status="done", evidence=action.evidence)

    for team_name, title, agenda in SESSIONS:
        lead = leads[team_name]
        assert lead is not None
        session = actions.create_feedback_session(
            lead=lead, title=title, next_on=today + timedelta(days=3), team=teams[team_name]
        )
        for text in agenda:
            actions.add_agenda_item(session, author=lead, text=text)
