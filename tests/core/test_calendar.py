"""Organisation-local dates (core.calendar): "today", "this month" and due dates computed by
services mean the organisation's zone, at 23:30 and 00:30 around the end of a month."""

from __future__ import annotations

import datetime

import pytest
from django.http import HttpRequest, HttpResponse
from django.tasks import task
from django.test import RequestFactory
from django.utils import timezone

from careloop.actions.models import ActionItem
from careloop.actions.services import DEFAULT_DUE_DAYS, ActionItemDraft, create_action_item
from careloop.core import calendar
from careloop.core.celery import run_task
from careloop.core.permissions import Role
from careloop.feedback.services.concerns import raise_concern
from careloop.people.middleware import OrganisationTimezoneMiddleware
from careloop.people.selectors import current_organisation
from careloop.pulse.services.surveys import SurveyDraft, create_survey
from careloop.recognition.selectors import month_bounds
from tests.calendar_edges import Edge, edges, stand_at
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


@edges
def test_today_and_this_month_are_the_organisations_at_the_edge_of_a_month(
    monkeypatch: pytest.MonkeyPatch, edge: Edge
) -> None:
    stand_at(monkeypatch, edge)
    assert calendar.today() == edge.today
    assert calendar.now().replace(tzinfo=None) == edge.local
    assert calendar.this_month() == edge.today.replace(day=1)
    assert calendar.local_date(edge.moment) == edge.today
    start, end = month_bounds(calendar.this_month())
    assert start <= edge.moment < end
    assert calendar.start_of_day(calendar.today()) <= edge.moment < calendar.end_of_day(edge.today)


@edges
def test_due_dates_computed_by_services_count_from_the_organisations_today(
    monkeypatch: pytest.MonkeyPatch, edge: Edge
) -> None:
    stand_at(monkeypatch, edge)
    owner = UserFactory(role=Role.TEAM_LEAD)
    item = create_action_item(
        ActionItemDraft(title="Call back", owner=owner, source_kind=ActionItem.SourceKind.RECOVERY)
    )
    assert item.due == edge.today + datetime.timedelta(days=DEFAULT_DUE_DAYS)
    assert not item.is_overdue()
    survey = create_survey(
        SurveyDraft(title="Pulse"), created_by=UserFactory(role=Role.PEOPLE_PARTNER)
    )
    assert survey.first_round_on == edge.today
    concern, _code = raise_concern(category="other", body="Rude", anonymous=True, notify=False)
    assert concern.raised_on == edge.today


def test_a_changed_zone_counts_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)
    )
    assert calendar.today() == datetime.date(2026, 11, 30)
    organisation = current_organisation()
    organisation.time_zone = "Pacific/Kiritimati"  # UTC+14
    organisation.save()
    assert calendar.today() == datetime.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 3, 31), -13, datetime.date(2025, 2, 28)),
        (datetime.date(2026, 12, 15), 1, datetime.date(2027, 1, 15)),
        (datetime.date(2026, 1, 15), -1, datetime.date(2025, 12, 15)),
        (datetime.date(2026, 5, 10), 0, datetime.date(2026, 5, 10)),
    ],
)
def test_add_months_keeps_the_day_within_the_target_month(
    day: datetime.date, months: int, expected: datetime.date
) -> None:
    assert calendar.add_months(day, months) == expected


def test_month_steps_cross_the_year() -> None:
    assert calendar.next_month(datetime.date(2026, 12, 31)) == datetime.date(2027, 1, 1)
    assert calendar.previous_month(datetime.date(2026, 1, 31)) == datetime.date(2025, 12, 1)


def _seen_zone(request: HttpRequest) -> HttpResponse:
    return HttpResponse(timezone.get_current_timezone_name())


def test_web_requests_of_anyone_signed_in_or_not_use_the_organisations_zone() -> None:
    organisation = current_organisation()
    organisation.time_zone = "Pacific/Auckland"
    organisation.save()
    request = RequestFactory().get("/concern/")
    response = OrganisationTimezoneMiddleware(_seen_zone)(request)
    assert response.content == b"Pacific/Auckland"
    assert timezone.get_current_timezone_name() == "UTC"


@task()
def current_zone_name() -> str:
    return timezone.get_current_timezone_name()


def test_tasks_on_the_worker_run_in_the_organisations_zone() -> None:
    organisation = current_organisation()
    organisation.time_zone = "America/Los_Angeles"
    organisation.save()
    assert run_task.run(f"{__name__}.current_zone_name", [], {}) == "America/Los_Angeles"
    assert timezone.get_current_timezone_name() == "UTC"
