from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from careloop.actions.models import ActionItem
from careloop.core.models import AuditEvent
from careloop.core.permissions import Role
from careloop.pulse.models import PendingResponse, QuestionKind, Survey, SurveyStatus
from careloop.pulse.selectors.results import team_key
from tests.people.factories import UserFactory
from tests.pulse.factories import answer_all, close, first_round, live_survey, team_of

pytestmark = pytest.mark.django_db


def test_a_runner_creates_and_launches_a_survey_through_the_pages(client: Client) -> None:
    team, _ = team_of(5, "Pages")
    client.force_login(UserFactory(role=Role.PEOPLE_PARTNER, team=None))
    response = client.post(
        reverse("pulse:survey-create"),
        {
            "title": "Spring pulse",
            "modules": ["psych_safety", "enps"],
            "allow_comments": "on",
            "teams": [team.pk],
            "privacy_mode": "anonymous_teams",
            "cadence": "monthly",
            "first_round_on": "2026-01-01",
            "open_days": 7,
            "reminder_after_days": 3,
            "min_group_size": 5,
            "min_comment_group": 10,
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert survey.questions.count() == 9
    client.post(reverse("pulse:survey-launch", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.LIVE
    assert survey.rounds.get().invitations.count() == 5


def test_answering_shows_the_privacy_mode_and_stores_an_anonymous_response(client: Client) -> None:
    team, people = team_of(5, "Answer")
    survey = live_survey()
    pulse_round = first_round(survey)
    client.force_login(people[0])
    page = client.get(reverse("pulse:answer", args=[pulse_round.pk]))
    assert b"Anonymous, reported by team" in page.content
    assert b"at least 5 answers" in page.content
    data = {}
    for question in survey.questions.all():
        if question.kind == QuestionKind.AGREEMENT:
            data[f"q{question.pk}"] = "5"
        elif question.kind == QuestionKind.SCALE_0_10:
            data[f"q{question.pk}"] = "8"
        else:
            data[f"q{question.pk}"] = "More quiet time, please."
    client.post(reverse("pulse:answer", args=[pulse_round.pk]), data)
    # One answer waits in the pool until the minimum group has answered or the round closes.
    assert PendingResponse.objects.get().team == team
    again = client.get(reverse("pulse:answer", args=[pulse_round.pk]))
    assert b"already-answered" in again.content


def test_someone_not_asked_gets_no_answer_page(client: Client) -> None:
    team_of(5, "Asked")
    survey = live_survey()
    outsider_round = first_round(survey)
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(reverse("pulse:answer", args=[outsider_round.pk])).status_code == 404


def test_results_for_six_show_and_a_low_item_becomes_an_action_in_one_click(client: Client) -> None:
    team, people = team_of(6, "Six", with_lead=True)
    survey = live_survey()
    pulse_round = first_round(survey)
    for person in people:
        answer_all(pulse_round, person, agreement=2)
    close(pulse_round)
    lead = people[-1]
    client.force_login(lead)
    page = client.get(reverse("pulse:results", args=[survey.pk]), {"group": team_key(team.pk)})
    assert page.context["result"].responses == 6
    assert AuditEvent.objects.filter(action="pulse.results_viewed").exists()
    low = page.context["result"].low_items[0]
    response = client.post(
        reverse("pulse:plan-action", args=[survey.pk]),
        {"round": 1, "group": team_key(team.pk), "question": low.question.pk},
    )
    item = ActionItem.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/actions/{item.pk}/")
    assert (item.source_kind, item.source_id, item.owner) == ("survey", survey.pk, lead)


def test_planning_an_action_on_a_hidden_group_is_refused(client: Client) -> None:
    team, people = team_of(4, "Four", with_lead=True)
    survey = live_survey()
    pulse_round = first_round(survey)
    for person in people:
        answer_all(pulse_round, person, agreement=2)
    close(pulse_round)
    client.force_login(people[-1])
    question = survey.questions.first()
    response = client.post(
        reverse("pulse:plan-action", args=[survey.pk]),
        {"round": 1, "group": team_key(team.pk), "question": question.pk},
    )
    assert response.status_code == 404
    assert not ActionItem.objects.exists()


def test_the_home_page_lists_open_surveys_and_feedback_to_give(client: Client) -> None:
    _team, people = team_of(5, "Home")
    survey = live_survey()
    client.force_login(people[0])
    page = client.get(reverse("pulse:home"))
    assert survey.title.encode() in page.content
    assert b"survey-to-answer" in page.content
