"""Emails: a shared review reaches the agent, a dispute the reviewer, a resolution the agent;
check-in reminders go once a day. Each task is safe to run twice."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core import mail
from django.utils import timezone

from careloop.coaching.services import plans, reviews
from careloop.coaching.services.reviews import RatingInput
from careloop.coaching.tasks import notify_dispute, notify_review_shared, send_check_in_reminders
from careloop.core.permissions import Role
from tests.coaching.factories import rubric, solved_conversation
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
CapturedCommits = Callable[..., object]


def test_review_sharing_dispute_and_resolution_each_email_the_right_person_once(
    django_capture_on_commit_callbacks: CapturedCommits,
) -> None:
    lead = UserFactory(role=Role.TEAM_LEAD, team=TeamFactory())
    agent = UserFactory(role=Role.AGENT, team=lead.team)
    review = reviews.create_review(
        conversation=solved_conversation(agent), rubric=rubric(lead), reviewer=lead
    )
    reviews.save_ratings(
        review, by=lead, ratings={r.criterion_id: RatingInput(4) for r in review.ratings.all()}
    )
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        reviews.submit_review(review, by=lead)
    assert [email.to for email in mail.outbox] == [[agent.email]]
    assert f"/coaching/reviews/{review.pk}/" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        dispute = reviews.dispute_review(review, by=agent, reason="Follow-up was not wanted.")
    assert mail.outbox[-1].to == [lead.email]
    assert "Follow-up was not wanted." in mail.outbox[-1].body

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        reviews.resolve_dispute(dispute, by=lead, outcome="upheld", note="Score stands.")
    assert mail.outbox[-1].to == [agent.email]
    assert "review upheld" in mail.outbox[-1].subject

    notify_review_shared.enqueue(review.pk)
    notify_dispute.enqueue(dispute.pk)
    assert len(mail.outbox) == 3


def test_check_in_reminders_go_to_person_and_coach_once_a_day() -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    person = UserFactory(role=Role.AGENT, team=team)
    plans.create_plan(
        plans.CoachingPlanDraft(
            person=person,
            title="Open questions",
            goals="Ask one open question",
            next_check_in=timezone.localdate(),
        ),
        coach=lead,
    )
    plans.create_plan(
        plans.CoachingPlanDraft(
            person=person,
            title="Later",
            goals="A goal",
            next_check_in=timezone.localdate() + datetime.timedelta(days=3),
        ),
        coach=lead,
    )
    send_check_in_reminders.enqueue()
    send_check_in_reminders.enqueue()
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([lead.email, person.email])
    assert "Ask one open question" in mail.outbox[0].body
