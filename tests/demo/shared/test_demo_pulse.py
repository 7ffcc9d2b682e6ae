from __future__ import annotations

import pytest

from careloop.demo.organisation import create_demo_organisation
from careloop.demo.pulse import ROUNDS, SUPPRESSED_TEAM, SURVEY_TITLE, create_demo_pulse
from careloop.people.models import Team, User
from careloop.pulse.models import FeedbackRequest, Idea, IdeaStatus, RosterEvent, Survey
from careloop.pulse.selectors.feedback360 import feedback_report
from careloop.pulse.selectors.results import ORGANISATION, survey_reports, team_key
from careloop.pulse.selectors.roster import annual_turnover, turnover_series
from tests.demo.shared import CONVERSATIONS
from tests.fixtures.demo import BuiltDemo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_demo_pulse_has_a_year_of_closed_monthly_rounds_and_one_open(demo: BuiltDemo) -> None:
    survey = Survey.objects.get(title=SURVEY_TITLE)
    assert survey.rounds.count() == ROUNDS
    reports = survey_reports(survey)
    assert len(reports) == ROUNDS - 1
    suppressed = Team.objects.get(name=SUPPRESSED_TEAM)
    for report in reports:
        assert ORGANISATION in report.results
        assert team_key(suppressed.pk) not in report.results
        shown = {key for key in report.results if key != ORGANISATION}
        assert len(shown) == Team.objects.count() - 1
    assert reports[0].results[ORGANISATION].comments_reportable


def test_demo_agent_still_has_the_current_round_to_answer(demo: BuiltDemo) -> None:
    from careloop.pulse.selectors.surveys import rounds_to_answer

    sam = User.objects.get(full_name="Sam Okafor")
    assert rounds_to_answer(sam).count() == 1


def test_demo_has_ideas_in_every_state_and_an_escalated_one(demo: BuiltDemo) -> None:
    assert set(Idea.objects.values_list("status", flat=True)) == set(IdeaStatus.values)
    assert Idea.objects.filter(author=None).exists()
    assert Idea.objects.filter(escalated_on__isnull=False).exists()


def test_demo_360s_show_one_aggregate_and_one_still_hidden(demo: BuiltDemo) -> None:
    sam = FeedbackRequest.objects.get(subject__full_name="Sam Okafor")
    groups = {group.relationship: group for group in feedback_report(sam)}
    assert groups["peer"].shown and groups["lead"].shown
    lead = FeedbackRequest.objects.get(subject__full_name="Leah Lindqvist")
    assert not feedback_report(lead)[0].shown


def test_demo_roster_spans_a_year_of_joiners_and_leavers(demo: BuiltDemo) -> None:
    assert RosterEvent.objects.filter(change="left").count() >= 6
    assert RosterEvent.objects.filter(change="joined").exists()
    from django.utils import timezone

    assert annual_turnover(turnover_series(None, timezone.localdate())) > 0


def test_demo_pulse_is_created_once(demo: BuiltDemo) -> None:
    counts = (Survey.objects.count(), Idea.objects.count(), RosterEvent.objects.count())
    create_demo_pulse()
    create_demo_organisation(conversations=CONVERSATIONS)
    assert (Survey.objects.count(), Idea.objects.count(), RosterEvent.objects.count()) == counts


@pytest.mark.parametrize(
    "full_name", ["Ada Admin", "Priya Natarajan", "Carmen Reyes", "Leah Lindqvist", "Sam Okafor"]
)
def test_demo_team_voice_pages_open_for_each_role(demo: BuiltDemo, full_name: str) -> None:
    from django.test import Client
    from django.urls import reverse

    from careloop.core.permissions import Action, can

    person = User.objects.get(full_name=full_name)
    client = Client()
    client.force_login(person)
    survey = Survey.objects.get(title=SURVEY_TITLE)
    pages = [reverse("pulse:home"), reverse("pulse:ideas"), reverse("pulse:feedback-home")]
    pages += [reverse("pulse:idea", args=[idea.pk]) for idea in Idea.objects.all()]
    if can(person, Action.VIEW_PULSE_RESULTS):
        pages += [reverse("pulse:results", args=[survey.pk]), reverse("pulse:results-list")]
    if can(person, Action.RUN_PULSE_SURVEYS):
        pages += [reverse("pulse:survey", args=[s.pk]) for s in Survey.objects.all()]
    if can(person, Action.MANAGE_ROSTER):
        pages.append(reverse("pulse:roster"))
    for request in FeedbackRequest.objects.filter(subject=person):
        pages.append(reverse("pulse:feedback", args=[request.pk]))
    for url in pages:
        assert client.get(url).status_code == 200, url
