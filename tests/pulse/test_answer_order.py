"""Finding 11: nothing an operator can read keeps the order in which pulse answers arrived.

The attacker holds the database file (every row with its SQLite rowid or PostgreSQL ctid) and
knows who answered when; the stored rows must not line up with that list.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from careloop.core.permissions import Role
from careloop.pulse.models import QuestionKind, Round
from careloop.pulse.services import surveys as services
from tests.people.factories import UserFactory
from tests.pulse.factories import close, runner, team_of

pytestmark = pytest.mark.django_db

PEOPLE = 20
MIN_GROUP = 5
SURVEYS = 3
REQUESTS_360 = 6


def _physical_order(table: str, columns: str) -> list[tuple[object, ...]]:
    """The rows of a table in the order the database stores them."""
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} ORDER BY {order}")  # noqa: S608
        return list(cursor.fetchall())


def _rank_correlation(order: list[int]) -> float:
    """Spearman's rho between arrival positions listed in storage order and storage order."""
    n = len(order)
    return 1 - 6 * sum((stored - arrived) ** 2 for stored, arrived in enumerate(order)) / (
        n * (n * n - 1)
    )


def _survey_with_distinctive_answers(name: str = "Ordered") -> tuple[Round, list[int], list]:
    by = runner()
    team, people = team_of(PEOPLE, name)
    survey = services.create_survey(
        services.SurveyDraft(title="Order", modules=(), teams=[team], min_group_size=MIN_GROUP),
        created_by=by,
    )
    agree = services.add_custom_question(
        survey, text="I can speak up", kind=QuestionKind.AGREEMENT, by=by
    )
    scale = services.add_custom_question(
        survey, text="Would you recommend us", kind=QuestionKind.SCALE_0_10, by=by
    )
    services.launch_survey(survey, by)
    pulse_round = survey.rounds.get()
    return pulse_round, [agree.pk, scale.pk], people


def _arrival_of(agreement: int, scale: int) -> int:
    return (agreement - 1) + 7 * scale


def _answer(pulse_round: Round, questions: list[int], person: object, arrival: int) -> None:
    agreement, scale = 1 + arrival % 7, arrival // 7
    comment_question = pulse_round.survey.questions.get(kind=QuestionKind.COMMENT)
    services.submit_response(
        pulse_round,
        person,  # type: ignore[arg-type]
        {questions[0]: agreement, questions[1]: scale},
        {comment_question.pk: f"Remark number {arrival:02d}"},
    )


def _stored_arrivals(questions: list[int]) -> tuple[list[int], list[int], list[int]]:
    """Arrival positions of responses, answer rows and comments, in storage order."""
    values: dict[str, dict[int, int]] = {}
    for response_id, question_id, value in _physical_order(
        "pulse_answer", "response_id, question_id, value"
    ):
        values.setdefault(str(response_id), {})[question_id] = value
    arrival = {
        response: _arrival_of(scores[questions[0]], scores[questions[1]])
        for response, scores in values.items()
    }
    responses = [arrival[str(row[0])] for row in _physical_order("pulse_response", "id")]
    answers = [arrival[str(row[0])] for row in _physical_order("pulse_answer", "response_id")]
    comments = [
        int(str(row[0]).rsplit(" ", 1)[1]) for row in _physical_order("pulse_comment", "text")
    ]
    return responses, answers, comments


def _answer_every_person_then_close(name: str) -> tuple[int, tuple[float, float, float]]:
    """One survey answered by all, checked batch by batch: how many batches were stored in
    arrival order, and the rank correlations after close."""
    pulse_round, questions, people = _survey_with_distinctive_answers(name)
    batches_in_arrival_order = 0
    for arrival, person in enumerate(people):
        _answer(pulse_round, questions, person, arrival)
        responses, _, comments = _stored_arrivals(questions)
        # Answers reach the tables only in whole batches of the minimum group, shuffled.
        assert len(responses) % MIN_GROUP == 0 and len(comments) == len(responses)
        waiting = _physical_order("pulse_pendingresponse", "id")
        assert len(waiting) == (arrival + 1) % MIN_GROUP
        if len(responses) == arrival + 1:
            batch = responses[-MIN_GROUP:]
            assert sorted(batch) == list(range(arrival + 1 - MIN_GROUP, arrival + 1))
            batches_in_arrival_order += batch == sorted(batch)

    close(pulse_round)
    responses, answers, comments = _stored_arrivals(questions)
    assert sorted(responses) == list(range(PEOPLE))
    # Each response's first answer row, in storage order.
    first_rows = sorted(range(PEOPLE), key=answers.index)
    pulse_round.responses.all().delete()
    pulse_round.comments.all().delete()
    rho = [abs(_rank_correlation(order)) for order in (responses, comments, first_rows)]
    return batches_in_arrival_order, (rho[0], rho[1], rho[2])


def test_stored_pulse_rows_do_not_keep_the_order_answers_arrived_in() -> None:
    # Several surveys, so the checks read a tendency, not one draw: the order is random on every
    # run (the shuffle, and rows read back in the order of their random keys), so a batch of five
    # stays in arrival order by chance one time in 120, and a permutation of twenty correlates
    # (|rho| > 0.5) about one time in thirty.
    surveys = [_answer_every_person_then_close(f"Ordered {n}") for n in range(SURVEYS)]
    in_arrival_order = sum(kept for kept, _ in surveys)
    assert in_arrival_order < SURVEYS * PEOPLE // MIN_GROUP // 2, surveys
    for measure in zip(*(correlations for _, correlations in surveys), strict=True):
        # Arrival order kept gives 1 and batches shuffled only within themselves about 0.95;
        # shuffled storage about 0.2 (sd of this mean about 0.08).
        assert sum(measure) / SURVEYS < 0.5, surveys


def test_answers_still_in_the_pool_count_once_the_round_is_past_its_end() -> None:
    from careloop.pulse.selectors.results import survey_reports

    pulse_round, questions, people = _survey_with_distinctive_answers()
    for arrival, person in enumerate(people[:7]):
        _answer(pulse_round, questions, person, arrival)
    assert len(_physical_order("pulse_pendingresponse", "id")) == 2
    Round.objects.filter(pk=pulse_round.pk).update(
        opens_on=pulse_round.opens_on - datetime.timedelta(days=400),
        closes_on=pulse_round.closes_on - datetime.timedelta(days=400),
    )
    (report,) = survey_reports(pulse_round.survey)
    assert report.answered == 7


def test_the_results_export_is_the_same_whatever_order_the_answers_came_in(client) -> None:  # type: ignore[no-untyped-def]
    exports = []
    for name, order in (("Forwards", range(PEOPLE)), ("Backwards", reversed(range(PEOPLE)))):
        pulse_round, questions, people = _survey_with_distinctive_answers(name)
        for arrival, person in zip(order, people, strict=True):
            _answer(pulse_round, questions, person, arrival)
        close(pulse_round)
        client.force_login(UserFactory(role=Role.PEOPLE_PARTNER))
        export = client.get(reverse("pulse:results-export", args=[pulse_round.survey.pk]))
        exports.append([line.replace(name, "") for line in export.content.decode().splitlines()])
    assert exports[0] == exports[1]


def test_360_feedback_answers_are_not_stored_in_the_order_they_came() -> None:
    from careloop.pulse.services.feedback360 import (
        FeedbackAnswerDraft,
        answer_feedback,
        request_feedback,
    )

    # Several requests, so the check reads a tendency rather than one permutation of eight
    # (which correlates by chance one time in five).
    correlations = []
    for _ in range(REQUESTS_360):
        subject = UserFactory()
        reviewers = [UserFactory() for _ in range(8)]
        request = request_feedback(subject, reviewers, notify=False)
        for arrival, reviewer in enumerate(reviewers):
            answer_feedback(
                request,
                reviewer,
                FeedbackAnswerDraft(
                    strength_situation=f"Moment {arrival}",
                    strength_behaviour="Listened",
                    strength_impact="Calmer customer",
                ),
            )
        stored = [
            int(str(situation).split()[1])
            for situation, request_id in _physical_order(
                "pulse_feedbackanswer", "strength_situation, request_id"
            )
            if request_id == request.pk
        ]
        assert sorted(stored) == list(range(8))
        correlations.append(_rank_correlation(stored))
    # Arrival order kept would give a mean of 1; shuffled storage, about 0 (sd 0.15 here).
    assert sum(correlations) / len(correlations) < 0.6, correlations
