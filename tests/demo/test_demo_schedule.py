"""A demo just started sends surveys by itself, within its first minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from careloop.demo.feedback import bring_pending_surveys_forward
from careloop.demo.organisation import create_demo_organisation
from careloop.feedback.models import SurveyInvitation
from careloop.feedback.services import surveys
from tests.feedback.factories import solved_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_organisation() -> None:
    create_demo_organisation(conversations=300)


def test_the_newest_waiting_surveys_go_out_a_minute_after_the_demo_starts() -> None:
    now = timezone.now()
    for hours_ago in (1, 2, 3, 4):
        surveys.schedule_post_resolution_survey(
            solved_conversation(), now=now - timedelta(hours=hours_ago)
        )

    assert bring_pending_surveys_forward(timedelta(minutes=1), count=3) == 3

    soon = SurveyInvitation.objects.filter(send_after__lte=timezone.now() + timedelta(minutes=1))
    assert soon.count() == 3
    # The oldest one waits for its own time; the sending itself is the schedule's work.
    assert surveys.send_due_surveys(timezone.now() + timedelta(minutes=2)) == (3, 0)


def test_the_demo_history_has_had_its_reminders(demo_organisation: None) -> None:
    # Its reminders went out in the history, not all at once when the demo starts.
    assert surveys.send_due_surveys(timezone.now()) == (0, 0)
    assert SurveyInvitation.objects.filter(reminded_at__isnull=False).exists()
