"""Every way a lead could try to isolate one person's answer, and why each one fails."""

from __future__ import annotations

import itertools
import uuid

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from careloop.core.permissions import Role
from careloop.people.models import Team, User
from careloop.pulse.anonymity import filter_allowed, visible_groups
from careloop.pulse.models import Comment, Invitation, PrivacyMode, Response
from careloop.pulse.selectors import results, trends
from careloop.pulse.selectors.results import (
    ORGANISATION,
    FilterRefused,
    filtered_result,
    survey_reports,
    team_key,
)
from tests.people.factories import UserFactory
from tests.pulse.factories import answer_all, close, first_round, live_survey, next_round, team_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_teams() -> dict[str, object]:
    """Alpha and Beta answer six each; Small has four, who all answer 1 (strongly disagree)."""
    alpha, alpha_people = team_of(6, "Alpha")
    beta, beta_people = team_of(6, "Beta")
    small, small_people = team_of(4, "Small")
    survey = live_survey()
    pulse_round = first_round(survey)
    for person in alpha_people + beta_people:
        answer_all(pulse_round, person, agreement=6, enps=9)
    for person in small_people:
        answer_all(pulse_round, person, agreement=1, enps=0)
    close(pulse_round)
    return {"survey": survey, "alpha": alpha, "beta": beta, "small": small}


def test_a_team_with_four_answers_shows_no_results(three_teams: dict) -> None:
    report = survey_reports(three_teams["survey"])[-1]
    assert team_key(three_teams["small"].pk) not in report.results
    assert any(w.label == "Small" and "Fewer than 5" in w.reason for w in report.withheld)


def test_the_organisation_minus_the_visible_teams_never_isolates_the_small_team(
    three_teams: dict,
) -> None:
    report = survey_reports(three_teams["survey"])[-1]
    visible_team_answers = sum(
        result.responses for key, result in report.results.items() if key != ORGANISATION
    )
    organisation = report.results[ORGANISATION].responses
    # The next-smallest team is hidden with Small, so the difference covers ten people.
    assert organisation - visible_team_answers >= 5
    assert len(report.visible_teams) == 1


def test_no_filter_combination_reveals_the_small_team(three_teams: dict) -> None:
    survey = three_teams["survey"]
    report = survey_reports(survey)[-1]
    team_ids = [three_teams[name].pk for name in ("alpha", "beta", "small")]
    shown: dict[frozenset[int | None], int] = {
        frozenset([None, *team_ids]): report.results[ORGANISATION].responses
    }
    for size in range(1, len(team_ids) + 1):
        for chosen in itertools.combinations(team_ids, size):
            try:
                result = filtered_result(survey, report, chosen)
            except FilterRefused:
                assert three_teams["small"].pk in chosen or set(chosen) - report.visible_teams
                continue
            assert three_teams["small"].pk not in chosen
            shown[frozenset(chosen)] = result.responses
    # No two things shown differ by a group of 1 to 4 people.
    for (a, count_a), (b, count_b) in itertools.permutations(shown.items(), 2):
        if a < b:
            assert not 0 < count_b - count_a < 5, (a, b)


def test_a_filter_whose_remainder_is_too_small_is_refused() -> None:
    counts = {"alpha": 6, "beta": 6, "gamma": 3}
    assert not filter_allowed({"alpha", "beta"}, counts, {"alpha", "beta"}, 5)
    assert filter_allowed({"alpha", "beta", "gamma"}, counts, {"alpha", "beta", "gamma"}, 3)


def test_complementary_suppression_hides_until_the_hidden_total_reaches_the_minimum() -> None:
    assert visible_groups({"a": 6, "b": 7, "c": 2}, 5) == {"b"}
    assert visible_groups({"a": 6, "b": 7, "c": 0}, 5) == {"a", "b"}
    assert visible_groups({"a": 6, "b": 7, "c": 5}, 5) == {"a", "b", "c"}
    assert visible_groups({"a": 6, "none": 1}, 5, always_hidden={"none"}) == set()


def test_people_without_a_team_count_as_a_hidden_group() -> None:
    alpha, alpha_people = team_of(6, "Gamma")
    loner = UserFactory(team=None)
    survey = live_survey()
    pulse_round = survey.rounds.get()
    for person in [*alpha_people, loner]:
        answer_all(pulse_round, person)
    close(pulse_round)
    report = survey_reports(survey)[-1]
    # Gamma minus the organisation would be the loner: Gamma is hidden with them.
    assert team_key(alpha.pk) not in report.results


def test_a_round_after_one_person_joins_is_withheld_and_shows_no_change() -> None:
    team, people = team_of(6, "Steady")
    survey = live_survey()
    round_one = first_round(survey)
    for person in people:
        answer_all(round_one, person, agreement=6)
    joiner = UserFactory(team=team)
    round_two = next_round(survey)
    for person in [*people, joiner]:
        answer_all(round_two, person, agreement=6 if person != joiner else 1)
    close(round_two)
    reports = survey_reports(survey)
    assert team_key(team.pk) in reports[0].results
    assert team_key(team.pk) not in reports[1].results
    assert ORGANISATION not in reports[1].results
    assert any("joined or left" in w.reason for w in reports[1].withheld)
    points = trends.trend(reports, team_key(team.pk))
    assert points[1].result is None and points[1].change_ps is None


def test_a_round_after_one_person_leaves_is_withheld_until_the_change_reaches_the_minimum() -> None:
    team, people = team_of(7, "Shrinking")
    survey = live_survey()
    round_one = first_round(survey)
    for person in people:
        answer_all(round_one, person)
    leaver = people.pop()
    leaver.is_active = False
    leaver.save()
    for _ in range(2):  # stable for a round after the change: still one person from round one
        pulse_round = next_round(survey)
        for person in people:
            answer_all(pulse_round, person)
    close(pulse_round)
    reports = survey_reports(survey)
    assert [team_key(team.pk) in r.results for r in reports] == [True, False, False]


def test_comments_need_ten_answers_and_come_scrubbed_and_shuffled() -> None:
    small_team, small_people = team_of(6, "Six")
    big_team, big_people = team_of(12, "Twelve")
    # A fixed name: a generated one may end in "Jr." or "V", which says nothing about whom.
    big_people[0].full_name = "Jonas Brenner"
    big_people[0].save(update_fields=["full_name"])
    # Six hides Eleven too (complementary suppression at the comment threshold), not Twelve.
    other_team, other_people = team_of(11, "Eleven")
    survey = live_survey(teams=[small_team, big_team, other_team])
    pulse_round = first_round(survey)
    for index, person in enumerate(small_people + big_people + other_people):
        answer_all(
            pulse_round, person, comment=f"Comment {index}: {big_people[0].full_name} helped"
        )
    close(pulse_round)
    report = survey_reports(survey)[-1]
    assert results.comments_for(report, team_key(small_team.pk)) == []
    assert not report.results[team_key(small_team.pk)].comments_reportable
    assert results.comments_for(report, team_key(other_team.pk)) == []
    texts = results.comments_for(report, team_key(big_team.pk))
    assert len(texts) == 12
    assert all(big_people[0].full_name.split()[-1] not in text for text in texts)
    orders = {tuple(results.comments_for(report, team_key(big_team.pk))) for _ in range(8)}
    assert len(orders) > 1


def test_a_comment_is_not_linked_to_the_scores_beside_it() -> None:
    comment_links = {f.name for f in Comment._meta.get_fields() if isinstance(f, models.ForeignKey)}
    assert comment_links == {"round", "question", "team"}


def test_responses_keep_no_person_no_time_and_a_random_key() -> None:
    fields = {f.name: f for f in Response._meta.get_fields() if f.concrete}
    assert set(fields) == {"id", "round", "team"}
    assert isinstance(fields["id"], models.UUIDField)
    assert not any(isinstance(f, models.DateField | models.DateTimeField) for f in fields.values())
    invitation_fields = {f.name for f in Invitation._meta.get_fields() if f.concrete}
    assert invitation_fields == {"id", "round", "person", "team", "answered", "reminded"}


def test_responses_keep_random_keys_and_reach_the_table_only_in_batches() -> None:
    # Storage order against arrival order is tested in test_answer_order.
    _team, people = team_of(20, "Twenty")
    survey = live_survey()
    pulse_round = first_round(survey)
    for answered, person in enumerate(people, start=1):
        answer_all(pulse_round, person)
        assert Response.objects.count() == answered - answered % survey.min_group_size
    close(pulse_round)
    keys = list(Response.objects.values_list("pk", flat=True))
    assert len(keys) == 20
    assert all(isinstance(pk, uuid.UUID) and pk.version == 4 for pk in keys)


def test_results_stay_hidden_while_the_round_is_open(client: Client) -> None:
    _team, people = team_of(6, "Live", with_lead=True)
    survey = live_survey()
    pulse_round = first_round(survey)
    for person in people[:5]:
        answer_all(pulse_round, person)
    assert survey_reports(survey) == []
    client.force_login(people[-1])
    page = client.get(reverse("pulse:results", args=[survey.pk]))
    assert page.status_code == 200
    assert b'data-testid="no-results"' in page.content
    assert b'data-testid="group-result"' not in page.content


def test_a_lead_sees_their_own_team_and_the_organisation_only(client: Client) -> None:
    _alpha, alpha_people = team_of(6, "Alpha", with_lead=True)
    beta, beta_people = team_of(6, "Beta")
    survey = live_survey()
    pulse_round = first_round(survey)
    for person in alpha_people + beta_people:
        answer_all(pulse_round, person)
    close(pulse_round)
    lead = alpha_people[-1]
    client.force_login(lead)
    page = client.get(reverse("pulse:results", args=[survey.pk]))
    labels = [result.label for result in page.context["keys"]]
    assert labels == ["Whole organisation", "Alpha"]
    refused = client.get(reverse("pulse:results", args=[survey.pk]), {"teams": [beta.pk]})
    assert refused.context["result"] is None and refused.context["refusal"]


def test_the_csv_export_holds_only_what_the_page_shows(client: Client, three_teams: dict) -> None:
    client.force_login(UserFactory(role=Role.PEOPLE_PARTNER))
    export = client.get(reverse("pulse:results-export", args=[three_teams["survey"].pk]))
    text = export.content.decode()
    assert "Small" not in text
    groups = {line.split(",")[2] for line in text.splitlines()[1:]}
    assert len(groups) == 2  # the organisation and the one team left visible


def test_crafted_filters_on_the_results_page_are_refused(client: Client, three_teams: dict) -> None:
    client.force_login(UserFactory(role=Role.ADMIN))
    url = reverse("pulse:results", args=[three_teams["survey"].pk])
    for chosen in ([three_teams["small"].pk], [three_teams["small"].pk, three_teams["alpha"].pk]):
        page = client.get(url, {"teams": chosen})
        assert page.context["result"] is None
        assert b"filter-refused" in page.content
    page = client.get(url, {"group": team_key(three_teams["small"].pk)})
    assert page.context["result"] is None or page.context["result"].label != "Small"


def test_an_organisation_only_survey_never_breaks_results_down_by_team() -> None:
    team, people = team_of(8, "Eight")
    survey = live_survey(privacy_mode=PrivacyMode.ANONYMOUS_ORGANISATION)
    pulse_round = first_round(survey)
    for person in people:
        answer_all(pulse_round, person)
    close(pulse_round)
    report = survey_reports(survey)[-1]
    assert set(report.results) == {ORGANISATION}
    with pytest.raises(FilterRefused):
        filtered_result(survey, report, [team.pk])


def test_analytics_cells_are_only_the_reportable_ones(three_teams: dict) -> None:
    cells = trends.reportable_scores()
    assert {cell.team_id for cell in cells} == {
        None,
        *survey_reports(three_teams["survey"])[-1].visible_teams,
    }
    assert three_teams["small"].pk not in {cell.team_id for cell in cells}
    assert all(cell.responses >= 5 for cell in cells)


def test_once_a_round_closes_nothing_records_who_answered_only_how_many() -> None:
    from careloop.pulse.selectors.surveys import participation

    team, people = team_of(6, "Forget")
    survey = live_survey(teams=[team])
    pulse_round = first_round(survey)
    for person in people[:4]:
        answer_all(pulse_round, person)
    close(pulse_round)
    pulse_round.refresh_from_db()
    assert pulse_round.settled
    assert set(Invitation.objects.filter(round=pulse_round).values_list("answered", flat=True)) == {
        None
    }
    counts = participation(pulse_round)
    assert (counts.invited, counts.answered) == (6, 4)


def test_a_leads_csv_export_holds_their_own_team_and_the_organisation_only(
    client: Client,
) -> None:
    """Finding 10: culture figures of another team reach no team lead, on a page or an export."""
    _alpha, alpha_people = team_of(6, "Alpha", with_lead=True)
    team_of(6, "Beta")
    beta = Team.objects.get(name="Beta")
    survey = live_survey()
    pulse_round = first_round(survey)
    for person in alpha_people + list(User.objects.filter(team=beta)):
        answer_all(pulse_round, person)
    close(pulse_round)
    client.force_login(alpha_people[-1])
    export = client.get(reverse("pulse:results-export", args=[survey.pk])).content.decode()
    groups = {line.split(",")[2] for line in export.splitlines()[1:]}
    assert groups == {"Whole organisation", "Alpha"}
    page = client.get(reverse("pulse:results", args=[survey.pk]))
    assert [team.name for team in page.context["teams"]] == ["Alpha"]
