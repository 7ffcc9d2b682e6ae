"""Writes for learning reviews, process feedback and anonymous reports."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from careloop.actions.models import ActionItem
from careloop.actions.services import ActionItemDraft, create_action_item
from careloop.core import calendar, shuffled_storage
from careloop.core.permissions import Action, can, may
from careloop.empathy.engine import find_blame_language
from careloop.empathy.rules import Flag
from careloop.learning.models import (
    AnonymousReply,
    AnonymousReport,
    BlameAcknowledgement,
    ContributingFactor,
    LearningReview,
    Participant,
    ParticipantRole,
    ProcessFeedbackAnswer,
    ProcessFeedbackMarker,
    ReviewStatus,
    Severity,
    TimelineEntry,
    Visibility,
)
from careloop.people.models import User

# The safety average shows from this many answers and then moves only in steps of at least
# this many new answers: a figure that changed with every answer would give each rating away
# (the difference of two averages).
MIN_FEEDBACK_BATCH = 5


class UnresolvedBlameFlags(Exception):
    """Publishing needs the blame flags reframed or acknowledged by the facilitator."""


class AlreadyAnswered(Exception):
    pass


@dataclass(frozen=True)
class ReviewFlag:
    """A blame-language flag and the part of the review it was found in."""

    field: str
    text: str
    prompt: str
    category: str


def blame_flags_in(texts: list[tuple[str, str]]) -> list[ReviewFlag]:
    """Flags for (field label, text) pairs, in the order given."""
    return [
        ReviewFlag(field=label, text=flag.text, prompt=flag.prompt, category=flag.category)
        for label, text in texts
        for flag in _flags(text)
    ]


def _flags(text: str) -> list[Flag]:
    return find_blame_language(text) if text.strip() else []


def review_texts(review: LearningReview) -> list[tuple[str, str]]:
    """The parts of a review the blame coach reads: where blame tends to creep in."""
    texts = [("Summary", review.summary), ("Impact", review.impact)]
    texts += [(f"Timeline {entry.at}", entry.known) for entry in review.timeline.all()]
    texts += [
        (f"Factor: {factor.get_category_display()}", factor.description)
        for factor in review.factors.all()
    ]
    texts.append(("What went wrong", review.went_wrong))
    return texts


def blame_flags(review: LearningReview) -> list[ReviewFlag]:
    return blame_flags_in(review_texts(review))


@dataclass(frozen=True)
class ReviewDraft:
    """What someone writes when they open a review: the story, its timeline and its factors."""

    title: str
    kind: str
    summary: str
    severity: str = Severity.LOW
    visibility: str = Visibility.TEAM
    impact: str = ""
    went_well: str = ""
    went_wrong: str = ""
    got_lucky: str = ""
    # (when, what was known at the time), in order
    timeline: tuple[tuple[str, str], ...] = ()
    # (category, description): conditions in the system, never a person
    factors: tuple[tuple[str, str], ...] = ()


@transaction.atomic
def open_review(facilitator: User, draft: ReviewDraft) -> LearningReview:
    """A new draft review, facilitated by its author and booked to their team."""
    review = LearningReview.objects.create(
        title=draft.title,
        kind=draft.kind,
        severity=draft.severity,
        visibility=draft.visibility,
        summary=draft.summary,
        impact=draft.impact,
        went_well=draft.went_well,
        went_wrong=draft.went_wrong,
        got_lucky=draft.got_lucky,
        facilitator=facilitator,
        team=facilitator.team,
    )
    TimelineEntry.objects.bulk_create(
        TimelineEntry(review=review, at=at, known=known) for at, known in draft.timeline
    )
    ContributingFactor.objects.bulk_create(
        ContributingFactor(review=review, category=category, description=description)
        for category, description in draft.factors
    )
    return review


def add_participant(review: LearningReview, person: User, role: ParticipantRole) -> Participant:
    participant, _ = Participant.objects.update_or_create(
        review=review, person=person, defaults={"role": role}
    )
    return participant


def submit_for_review(review: LearningReview, by: User) -> None:
    if not may(by, Action.FACILITATE_REVIEW, review):
        raise PermissionDenied("Only the facilitator moves a review along.")
    if review.status == ReviewStatus.DRAFT:
        review.status = ReviewStatus.IN_REVIEW
        review.save(update_fields=["status"])


@transaction.atomic
def publish_review(review: LearningReview, by: User, acknowledge_flags: bool = False) -> None:
    """Publish; open blame flags block it unless the facilitator acknowledges them (recorded)."""
    if not may(by, Action.FACILITATE_REVIEW, review):
        raise PermissionDenied("Only the facilitator publishes a review.")
    flags = blame_flags(review)
    if flags:
        if not acknowledge_flags:
            raise UnresolvedBlameFlags(f"{len(flags)} passage(s) still read as blame.")
        BlameAcknowledgement.objects.create(
            review=review, acknowledged_by=by, flags=[asdict(flag) for flag in flags]
        )
    review.status = ReviewStatus.PUBLISHED
    review.published_at = timezone.now()
    review.save(update_fields=["status", "published_at"])


def may_give_process_feedback(user: User, review: LearningReview) -> bool:
    return review.is_published and (
        user.pk == review.facilitator_id or review.participants.filter(person=user).exists()
    )


def has_given_process_feedback(user: User, review: LearningReview) -> bool:
    return ProcessFeedbackMarker.objects.filter(review=review, participant=user).exists()


@transaction.atomic
def record_process_feedback(review: LearningReview, participant: User, safety: int) -> None:
    """Store a 1-5 safety rating with no link to who gave it; one answer per participant."""
    if not may_give_process_feedback(participant, review):
        raise PermissionDenied("Only participants of a published review rate it.")
    if not 1 <= safety <= 5:
        raise ValueError("Safety is rated from 1 to 5.")
    # Locked so that concurrent answers move the shown figure one batch at a time.
    locked = LearningReview.objects.select_for_update().get(pk=review.pk)
    try:
        with transaction.atomic():
            ProcessFeedbackMarker.objects.create(review=locked, participant=participant)
    except IntegrityError as error:
        raise AlreadyAnswered("You have already rated this review.") from error
    ProcessFeedbackAnswer.objects.create(review=locked, safety=safety)
    # The markers say who answered in which order; the ratings must not keep that order.
    shuffled_storage.rewrite_in_random_order(ProcessFeedbackAnswer.objects.filter(review=locked))
    ratings = list(
        ProcessFeedbackAnswer.objects.filter(review=locked).values_list("safety", flat=True)
    )
    if len(ratings) - locked.safety_answers_shown >= MIN_FEEDBACK_BATCH:
        locked.safety_answers_shown = len(ratings)
        locked.safety_average_shown = round(sum(ratings) / len(ratings), 1)
        locked.save(update_fields=["safety_answers_shown", "safety_average_shown"])


@dataclass(frozen=True)
class FeedbackSummary:
    answers: int
    # The figure last shown and how many answers it covers; None until the first batch is in.
    average: float | None
    averaged_answers: int

    @property
    def waiting(self) -> int:
        """Answers not yet in the figure: they join it once a whole batch has arrived."""
        return self.answers - self.averaged_answers


def process_feedback_summary(review: LearningReview) -> FeedbackSummary:
    answers = ProcessFeedbackAnswer.objects.filter(review=review).count()
    shown = LearningReview.objects.values_list("safety_answers_shown", "safety_average_shown").get(
        pk=review.pk
    )
    return FeedbackSummary(answers, shown[1], shown[0])


def add_action_item(
    review: LearningReview, *, title: str, owner: User, due: date | None, by: User
) -> ActionItem:
    """Turn a follow-up from the review into an item of the one action ledger."""
    return create_action_item(
        ActionItemDraft(
            title=title,
            owner=owner,
            source_kind="learning_review",
            source_id=review.pk,
            source_label=review.title,
            due=due,
        ),
        created_by=by,
    )


# --- anonymous reports --------------------------------------------------------------------


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def file_anonymous_report(kind: str, body: str) -> tuple[AnonymousReport, str]:
    """Store a report with no author; return it with the follow-up code, which is never stored."""
    code = secrets.token_urlsafe(18)
    report = AnonymousReport.objects.create(
        kind=kind, body=body, reported_on=calendar.today(), follow_up_code_hash=_code_hash(code)
    )
    return report, code


def report_for_code(code: str) -> AnonymousReport | None:
    return AnonymousReport.objects.filter(follow_up_code_hash=_code_hash(code)).first()


def _add_reply(
    report: AnonymousReport, body: str, from_reporter: bool, facilitator: User | None
) -> AnonymousReply:
    return AnonymousReply.objects.create(
        report=report,
        body=body,
        from_reporter=from_reporter,
        facilitator=facilitator,
        written_on=calendar.today(),
        position=report.replies.count() + 1,
    )


def reply_to_report(report: AnonymousReport, facilitator: User, body: str) -> AnonymousReply:
    if not can(facilitator, Action.FACILITATE_LEARNING):
        raise PermissionDenied("Only facilitators answer anonymous reports.")
    return _add_reply(report, body, from_reporter=False, facilitator=facilitator)


def follow_up_from_reporter(report: AnonymousReport, body: str) -> AnonymousReply:
    return _add_reply(report, body, from_reporter=True, facilitator=None)
