from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from careloop.core.permissions import Role
from careloop.pulse.models import (
    Cadence,
    Module,
    PendingResponse,
    QuestionKind,
    SurveyStatus,
)
from careloop.pulse.selectors.results import ORGANISATION, enps_of, survey_reports, team_key
from careloop.pulse.selectors.surveys import participation, rounds_to_answer
from careloop.pulse.services import surveys as services
from careloop.pulse.tasks import run_pulse_schedule, send_round_reminders
from tests.people.factories import UserFactory
from tests.pulse.factories import (
    answer_all,
    close,
    first_round,
    form_for,
    live_survey,
    runner,
    team_of,
)

pytestmark = pytest.mark.django_db


def test_the_psychological_safety_module_has_seven_items_three_reverse_scored() -> None:
    survey = services.create_survey(
        services.SurveyDraft(title="PS", modules=[Module.PSYCH_SAFETY], allow_comments=False),
        created_by=runner(),
    )
    items = list(survey.questions.all())
    assert len(items) == 7
    assert all(item.kind == QuestionKind.AGREEMENT for item in items)
    assert [item.reverse_scored for item in items] == [True, False, True, False, True, False, False]
    assert len({item.construct for item in items}) == 7


def test_reverse_scored_items_count_eight_minus_the_answer() -> None:
    team, people = team_of(5, "Five")
    survey = live_survey(modules=[Module.PSYCH_SAFETY], allow_comments=False)
    pulse_round = first_round(survey)
    for person in people:
        answer_all(pulse_round, person, agreement=7)
    close(pulse_round)
    result = survey_reports(survey)[-1].results[team_key(team.pk)]
    # Four positive items at 7, three reversed items at 8 − 7 = 1.
    assert result.psych_safety == round((4 * 7 + 3 * 1) / 7, 2)
    reversed_item = next(i for i in result.items if i.question.reverse_scored)
    assert reversed_item.mean == 1 and reversed_item.distribution == (0, 0, 0, 0, 0, 0, 5)
    assert result.psych_safety_bins == (0, 0, 0, 5, 0, 0)


def test_enps_is_promoters_minus_detractors() -> None:
    score = enps_of([10, 9, 9, 8, 7, 6, 0, 3, 10, 10])
    assert (score.promoters, score.passives, score.detractors, score.score) == (50, 20, 30, 20)


def test_results_show_distributions_engagement_and_enps_for_a_team_of_six() -> None:
    team, people = team_of(6, "Six")
    survey = live_survey()
    pulse_round = first_round(survey)
    for index, person in enumerate(people):
        answer_all(pulse_round, person, agreement=6, enps=10 if index < 3 else 5)
    close(pulse_round)
    report = survey_reports(survey)[-1]
    result = report.results[team_key(team.pk)]
    assert result.responses == 6
    assert result.engagement == 6
    assert result.enps is not None and result.enps.score == 0
    enps_item = next(i for i in result.items if i.question.kind == QuestionKind.SCALE_0_10)
    assert enps_item.distribution[10] == 3 and enps_item.distribution[5] == 3
    assert ORGANISATION in report.results


def test_the_minimum_group_has_a_floor_of_three_and_locks_once_live() -> None:
    by = runner()
    with pytest.raises(ValidationError):
        services.create_survey(
            services.SurveyDraft(title="Too small", min_group_size=2), created_by=by
        )
    with pytest.raises(ValidationError):
        services.create_survey(
            services.SurveyDraft(title="Comments", min_group_size=6, min_comment_group=5),
            created_by=by,
        )
    survey = services.create_survey(
        services.SurveyDraft(title="Ok", min_group_size=3), created_by=by
    )
    services.change_thresholds(survey, min_group_size=4, min_comment_group=10, by=by)
    services.launch_survey(survey, by)
    with pytest.raises(ValidationError, match="locked"):
        services.change_thresholds(survey, min_group_size=3, min_comment_group=10, by=by)


def test_agents_cannot_run_surveys() -> None:
    with pytest.raises(PermissionDenied):
        services.create_survey(
            services.SurveyDraft(title="Mine"), created_by=UserFactory(role=Role.AGENT)
        )


def test_custom_questions_are_added_only_to_drafts() -> None:
    by = runner()
    survey = services.create_survey(services.SurveyDraft(title="Custom", modules=[]), created_by=by)
    question = services.add_custom_question(
        survey, text="Our tools help me help customers.", kind=QuestionKind.AGREEMENT, by=by
    )
    assert question.module == Module.CUSTOM
    services.launch_survey(survey, by)
    with pytest.raises(ValidationError):
        services.add_custom_question(survey, text="Late", kind=QuestionKind.AGREEMENT, by=by)


def test_each_person_answers_a_round_once_and_the_answer_carries_their_team() -> None:
    team, people = team_of(5, "Once")
    survey = live_survey()
    pulse_round = first_round(survey)
    answer_all(pulse_round, people[0])
    with pytest.raises(services.AlreadyAnswered):
        answer_all(pulse_round, people[0])
    assert list(rounds_to_answer(people[0])) == []
    assert list(rounds_to_answer(people[1])) == [pulse_round]
    close(pulse_round)
    assert pulse_round.responses.get().team == team


def test_answers_submitted_together_are_stored_all_or_none_in_one_batch() -> None:
    team, people = team_of(6, "Together")
    survey = live_survey()
    pulse_round = first_round(survey)
    answer_all(pulse_round, people[0])
    # One of them has answered already: nobody's answer is stored, nobody is marked answered.
    with pytest.raises(services.AlreadyAnswered):
        services.submit_responses(pulse_round, [form_for(pulse_round, p) for p in people[:3]])
    outsider = runner()
    with pytest.raises(services.NotInvited):
        services.submit_responses(
            pulse_round, [form_for(pulse_round, people[1]), form_for(pulse_round, outsider)]
        )
    assert [services.has_answered(pulse_round, p) for p in people] == [True] + [False] * 5
    assert PendingResponse.objects.filter(round=pulse_round).count() == 1

    # The pool and the four new answers make the minimum group of five: stored at once.
    services.submit_responses(
        pulse_round, [form_for(pulse_round, p, agreement=2) for p in people[1:5]]
    )
    assert PendingResponse.objects.filter(round=pulse_round).count() == 0
    assert pulse_round.responses.filter(team=team).count() == 5
    assert [services.has_answered(pulse_round, p) for p in people] == [True] * 5 + [False]


def test_people_not_invited_and_closed_rounds_refuse_answers() -> None:
    survey = live_survey()
    outsider = UserFactory()
    pulse_round = first_round(survey)
    with pytest.raises(services.NotInvited):
        answer_all(pulse_round, outsider)
    close(pulse_round)
    with pytest.raises(services.NotInvited):
        answer_all(pulse_round, outsider)


def test_every_scored_question_needs_an_answer_in_range() -> None:
    _team, people = team_of(1, "Range")
    survey = live_survey()
    pulse_round = first_round(survey)
    question = survey.questions.filter(kind=QuestionKind.AGREEMENT).first()
    with pytest.raises(ValidationError):
        services.submit_response(pulse_round, people[0], {question.pk: 9})


def test_participation_is_counted_in_aggregate_and_small_teams_are_not_listed() -> None:
    big, big_people = team_of(6, "Big")
    small, small_people = team_of(3, "Tiny")
    survey = live_survey(teams=[big, small])
    pulse_round = first_round(survey)
    for person in big_people[:3] + small_people[:1]:
        answer_all(pulse_round, person)
    counts = participation(pulse_round)
    assert (counts.invited, counts.answered) == (9, 4)
    assert [(t.team, t.invited, t.answered) for t in counts.teams] == [("Big", 6, 3)]


def test_monthly_schedule_opens_the_next_round_once_on_its_day() -> None:
    team, _ = team_of(5, "Monthly")
    start = datetime.date(2026, 1, 31)
    by = runner()
    survey = services.create_survey(
        services.SurveyDraft(
            title="Monthly", cadence=Cadence.MONTHLY, first_round_on=start, teams=[team]
        ),
        created_by=by,
    )
    survey.status = SurveyStatus.LIVE
    survey.save()
    assert services.round_start(survey, 2) == datetime.date(2026, 2, 28)
    assert services.run_schedule(start) == 1
    assert services.run_schedule(start) == 0
    assert services.run_schedule(datetime.date(2026, 2, 27)) == 0
    assert services.run_schedule(datetime.date(2026, 2, 28)) == 1
    rounds = list(survey.rounds.order_by("number"))
    assert [r.number for r in rounds] == [1, 2]
    assert rounds[0].closed_on is not None
    assert rounds[1].invitations.count() == 5


def test_a_once_survey_opens_a_single_round() -> None:
    team_of(5, "Once only")
    survey = live_survey(cadence=Cadence.ONCE)
    assert services.run_schedule(datetime.date.today() + datetime.timedelta(days=90)) == 0
    assert survey.rounds.count() == 1


def test_the_one_reminder_goes_only_to_those_who_have_not_answered_and_only_once() -> None:
    team, people = team_of(5, "Remind")
    survey = live_survey(reminder_after_days=0, teams=[team])
    pulse_round = first_round(survey)
    answer_all(pulse_round, people[0])
    assert send_round_reminders(datetime.date.today()) == 4
    assert send_round_reminders(datetime.date.today()) == 0
    assert run_pulse_schedule.call() == 0
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(person.email for person in people[1:])
    assert "has or has not answered" in mail.outbox[0].body


def test_ending_a_survey_closes_its_round_and_stops_the_schedule() -> None:
    team_of(5, "End")
    survey = live_survey()
    services.end_survey(survey, runner())
    assert survey.rounds.get().closed_on is not None
    assert services.run_schedule(datetime.date.today() + datetime.timedelta(days=60)) == 0


def test_launching_announces_the_round_once_to_everyone_asked(
    django_capture_on_commit_callbacks: object,
) -> None:
    from careloop.pulse.tasks import announce_round

    team, people = team_of(5, "Announce")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        survey = live_survey(teams=[team])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert "stored without your name" in mail.outbox[0].body
    assert announce_round.call(first_round(survey).pk) == 0
