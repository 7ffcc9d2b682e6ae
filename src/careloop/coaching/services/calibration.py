"""Calibration: reviewers score one conversation blind, then see where they disagree."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from careloop.coaching.models import CalibrationSession, QAReview, Rubric
from careloop.coaching.services.reviews import create_review
from careloop.conversations.models import Conversation
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, can
from careloop.people.models import User

MIN_REVIEWERS = 2


def create_calibration(
    *,
    title: str,
    conversation: Conversation,
    rubric: Rubric,
    facilitator: User,
    reviewers: Iterable[User],
) -> CalibrationSession:
    if not can(facilitator, Action.MANAGE_COACHING):
        raise PermissionDenied("Leads run calibration sessions.")
    people = {person.pk: person for person in reviewers}
    if len(people) < MIN_REVIEWERS:
        raise ValidationError(f"Invite at least {MIN_REVIEWERS} reviewers.")
    if any(not can(person, Action.REVIEW_QUALITY) for person in people.values()):
        raise ValidationError("Every reviewer must be someone who writes QA reviews.")
    if conversation.assignee is None:
        raise ValidationError("Choose a conversation that an agent handled.")
    with transaction.atomic():
        session = CalibrationSession.objects.create(
            title=title.strip() or "Calibration",
            conversation=conversation,
            rubric=rubric,
            facilitator=facilitator,
        )
        session.reviewers.set(people.values())
        record_audit(facilitator, "coaching.calibration_created", session, summary=session.title)
    return session


def review_for(session: CalibrationSession, reviewer: User) -> QAReview:
    """The reviewer's own blind review in the session, made on first visit."""
    if not session.reviewers.filter(pk=reviewer.pk).exists():
        raise PermissionDenied("Only invited reviewers score in this session.")
    existing = session.reviews.filter(reviewer=reviewer).first()
    if existing is not None:
        return existing
    if session.is_revealed:
        raise ValidationError("Scores are already revealed; this session is closed.")
    assert session.conversation.assignee is not None
    return create_review(
        conversation=session.conversation,
        rubric=session.rubric,
        reviewer=reviewer,
        agent=session.conversation.assignee,
        calibration=session,
    )


def reveal(session: CalibrationSession, *, by: User) -> CalibrationSession:
    """Show everyone the spread; at least two reviews must be in."""
    if by.pk != session.facilitator_id and not can(by, Action.MANAGE_COACHING):
        raise PermissionDenied("The facilitator reveals the scores.")
    submitted = session.reviews.exclude(status=QAReview.Status.DRAFT).count()
    if submitted < MIN_REVIEWERS:
        raise ValidationError(f"Wait for at least {MIN_REVIEWERS} submitted reviews.")
    session.revealed_at = timezone.now()
    session.save(update_fields=["revealed_at"])
    record_audit(by, "coaching.calibration_revealed", session, summary=f"{submitted} reviews")
    return session
