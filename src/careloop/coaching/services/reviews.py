"""QA reviews: AutoQA pre-fill, ratings, the score, and the agent's acknowledgement or dispute.

The score averages the weighted criteria that apply (N/A is left out). A missed critical item
does not zero the person: it flags the process for a learning review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from careloop.coaching import tasks
from careloop.coaching.models import (
    MAX_RATING,
    CalibrationSession,
    Criterion,
    Dispute,
    QAReview,
    Rating,
    Rubric,
)
from careloop.coaching.selectors import may_resolve_dispute
from careloop.conversations.models import Conversation, Message
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, can, restrict
from careloop.people.models import User

AutoValue = tuple[int, str]


@dataclass(frozen=True)
class RatingInput:
    value: int | None
    is_na: bool = False
    note: str = ""
    root_cause: str = Rating.RootCause.PROCESS


def _scored_replies(conversation: Conversation, agent: User, reader: User) -> list[dict[str, Any]]:
    """The stored empathy scores of the agent's replies that `reader` may see (SEE_REPLY_SCORES:
    the agent and the lead of their team, nobody else)."""
    replies = conversation.messages.filter(
        author=agent,
        author_kind=Message.Author.AGENT,
        is_internal_note=False,
        reply_score__isnull=False,
    )
    return [
        score
        for score in restrict(replies, reader, Action.SEE_REPLY_SCORES).values_list(
            "reply_score", flat=True
        )
        if isinstance(score, dict)
    ]


def autoqa_values(conversation: Conversation, agent: User, reader: User) -> dict[str, AutoValue]:
    """Suggested ratings (0..4) from the empathy coach's stored scores of the agent's replies,
    for a reader who may see those scores; nothing for anyone else."""
    scores = _scored_replies(conversation, agent, reader)
    if not scores:
        return {}
    count = len(scores)
    plural = "y" if count == 1 else "ies"
    values: dict[str, AutoValue] = {}
    empathy = sum(float(s.get("empathy", 0.0)) for s in scores) / count
    values[Criterion.AutoQA.EMPATHY] = (
        round(empathy * MAX_RATING),
        f"Average empathy {empathy:.2f} across {count} scored repl{plural}.",
    )
    for mechanism in ("emotional_reactions", "interpretations", "explorations"):
        best = max(int(s.get(mechanism, 0)) for s in scores)
        values[mechanism] = (best * 2, f"Strongest level {best} of 2 across {count} repl{plural}.")
    walls = sum(len(s.get("policy_walls") or []) for s in scores)
    values[Criterion.AutoQA.POLICY_WALLS] = (
        MAX_RATING if walls == 0 else max(0, MAX_RATING - 2 * walls),
        "No policy walls found." if walls == 0 else f"{walls} policy wall(s) found.",
    )
    return values


def create_review(
    *,
    conversation: Conversation,
    rubric: Rubric,
    reviewer: User,
    agent: User | None = None,
    calibration: CalibrationSession | None = None,
) -> QAReview:
    """A draft review with AutoQA's suggestions already filled in for the reviewer to check."""
    if not can(reviewer, Action.REVIEW_QUALITY):
        raise PermissionDenied("Your role does not write QA reviews.")
    agent = agent or conversation.assignee
    if agent is None:
        raise ValidationError("This conversation has no agent to review.")
    if agent.pk == reviewer.pk and calibration is None:
        raise ValidationError("Reviews are written by someone else: ask a colleague or a lead.")
    if not rubric.is_active:
        raise ValidationError("This rubric is retired.")
    # Calibration reviews are compared across reviewers (leads of other teams among them), so
    # they are never pre-filled from the agent's private empathy scores.
    suggestions = {} if calibration is not None else autoqa_values(conversation, agent, reviewer)
    with transaction.atomic():
        review = QAReview.objects.create(
            conversation=conversation,
            agent=agent,
            reviewer=reviewer,
            rubric=rubric,
            calibration=calibration,
        )
        ratings = []
        for criterion in rubric.criteria.all():
            value, note = suggestions.get(criterion.autoqa, (None, ""))
            if value is not None and criterion.is_critical:
                value = MAX_RATING if value >= MAX_RATING // 2 else 0
            ratings.append(
                Rating(
                    review=review,
                    criterion=criterion,
                    value=value,
                    autoqa_value=value,
                    autoqa_note=note,
                )
            )
        Rating.objects.bulk_create(ratings)
    return review


def compute_score(ratings: list[Rating]) -> tuple[float | None, bool]:
    """(score 0..100 over the weighted criteria that apply, whether a critical item missed)."""
    weighted = total = 0.0
    process_flag = False
    for rating in ratings:
        if rating.is_na or rating.value is None:
            continue
        if rating.criterion.is_critical:
            process_flag = process_flag or rating.value == 0
            continue
        weighted += rating.criterion.weight * rating.value / MAX_RATING
        total += rating.criterion.weight
    return (round(100 * weighted / total, 1) if total else None), process_flag


def save_ratings(
    review: QAReview,
    *,
    by: User,
    ratings: dict[int, RatingInput],
    strengths: str = "",
    to_grow: str = "",
) -> QAReview:
    """The reviewer's ratings per criterion id; only a draft can be changed."""
    if by.pk != review.reviewer_id:
        raise PermissionDenied("Only the reviewer changes a review.")
    if review.status != QAReview.Status.DRAFT:
        raise ValidationError("A shared review is changed only through a dispute.")
    with transaction.atomic():
        for rating in review.ratings.select_related("criterion"):
            given = ratings.get(rating.criterion_id)
            if given is None:
                continue
            criterion = rating.criterion
            if given.is_na and not criterion.allows_na:
                raise ValidationError(f"“{criterion.name}” cannot be N/A.")
            value = None if given.is_na else given.value
            if value is not None and not 0 <= value <= MAX_RATING:
                raise ValidationError(f"“{criterion.name}” is rated 0 to {MAX_RATING}.")
            if value is not None and criterion.is_critical and value not in (0, MAX_RATING):
                raise ValidationError(f"“{criterion.name}” is either met or missed.")
            rating.value = value
            rating.is_na = given.is_na
            rating.note = given.note.strip()
            rating.root_cause = given.root_cause if given.root_cause in Rating.RootCause else ""
            rating.save()
        review.strengths = strengths.strip()
        review.to_grow = to_grow.strip()
        review.score, review.process_flag = compute_score(list(review.ratings.all()))
        review.save(update_fields=["strengths", "to_grow", "score", "process_flag"])
    return review


def submit_review(review: QAReview, *, by: User) -> QAReview:
    """Share the review with the agent (or, in calibration, lock it in for the comparison)."""
    if by.pk != review.reviewer_id:
        raise PermissionDenied("Only the reviewer submits a review.")
    if review.status != QAReview.Status.DRAFT:
        raise ValidationError("This review is already submitted.")
    ratings = list(review.ratings.select_related("criterion"))
    missing = [r.criterion.name for r in ratings if r.value is None and not r.is_na]
    if missing:
        raise ValidationError(f"Rate every criterion or mark it N/A: {', '.join(missing)}.")
    review.score, review.process_flag = compute_score(ratings)
    review.status = QAReview.Status.SUBMITTED
    review.submitted_at = timezone.now()
    review.save(update_fields=["score", "process_flag", "status", "submitted_at"])
    if review.calibration_id is None:
        transaction.on_commit(lambda: tasks.notify_review_shared.enqueue(review.pk))
    flag = " (process flagged for a learning review)" if review.process_flag else ""
    record_audit(by, "coaching.qa_review_submitted", review, summary=f"Score {review.score}{flag}")
    return review


def acknowledge_review(review: QAReview, *, by: User) -> QAReview:
    if by.pk != review.agent_id or review.calibration_id is not None:
        raise PermissionDenied("Only the reviewed agent acknowledges a review.")
    if review.status not in (QAReview.Status.SUBMITTED, QAReview.Status.RESOLVED):
        raise ValidationError("This review cannot be acknowledged now.")
    review.status = QAReview.Status.ACKNOWLEDGED
    review.acknowledged_at = timezone.now()
    review.save(update_fields=["status", "acknowledged_at"])
    record_audit(by, "coaching.qa_review_acknowledged", review)
    return review


def dispute_review(review: QAReview, *, by: User, reason: str) -> Dispute:
    """The agent's right to disagree: the review waits for a lead to resolve it."""
    if by.pk != review.agent_id or review.calibration_id is not None:
        raise PermissionDenied("Only the reviewed agent disputes a review.")
    if review.status != QAReview.Status.SUBMITTED:
        raise ValidationError("Only a newly shared review can be disputed.")
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say what you think the review got wrong.")
    with transaction.atomic():
        dispute = Dispute.objects.create(
            review=review, raised_by=by, reason=reason, score_before=review.score
        )
        review.status = QAReview.Status.DISPUTED
        review.save(update_fields=["status"])
        record_audit(by, "coaching.qa_review_disputed", review, summary=reason[:200])
        transaction.on_commit(lambda: tasks.notify_dispute.enqueue(dispute.pk))
    return dispute


def resolve_dispute(
    dispute: Dispute,
    *,
    by: User,
    outcome: str,
    note: str,
    new_score: float | None = None,
) -> Dispute:
    """The reviewer or another lead upholds the review or revises its score, with a reason."""
    review = dispute.review
    if not may_resolve_dispute(by, review):
        raise PermissionDenied("The reviewer or another lead resolves a dispute.")
    if dispute.outcome != Dispute.Outcome.OPEN:
        raise ValidationError("This dispute is already resolved.")
    if outcome not in (Dispute.Outcome.UPHELD, Dispute.Outcome.REVISED):
        raise ValidationError("Choose: uphold the review or revise its score.")
    note = note.strip()
    if not note:
        raise ValidationError("Explain the decision to the agent.")
    if outcome == Dispute.Outcome.REVISED:
        if new_score is None or not 0 <= new_score <= 100:
            raise ValidationError("A revised score is between 0 and 100.")
        review.score = round(new_score, 1)
    with transaction.atomic():
        dispute.outcome = outcome
        dispute.resolved_by = by
        dispute.resolution_note = note
        dispute.score_after = review.score
        dispute.resolved_at = timezone.now()
        dispute.save()
        review.status = QAReview.Status.RESOLVED
        review.save(update_fields=["status", "score"])
        record_audit(
            by,
            "coaching.qa_dispute_resolved",
            review,
            summary=f"{dispute.get_outcome_display()}: {dispute.score_before} → {review.score}",
        )
        transaction.on_commit(lambda: tasks.notify_dispute.enqueue(dispute.pk))
    return dispute
