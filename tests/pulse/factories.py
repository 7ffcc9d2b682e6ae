"""Helpers that build pulse surveys, teams and answers through the services."""

from __future__ import annotations

import datetime

from careloop.core.permissions import Role
from careloop.people.models import Team, User
from careloop.pulse.models import Module, QuestionKind, Round, Survey
from careloop.pulse.services import surveys as services
from tests.people.factories import TeamFactory, UserFactory


def runner() -> User:
    return UserFactory(role=Role.PEOPLE_PARTNER, team=None)


def team_of(size: int, name: str, *, with_lead: bool = False) -> tuple[Team, list[User]]:
    team = TeamFactory(name=name, slug=name.lower().replace(" ", "-"))
    people = [UserFactory(team=team) for _ in range(size - (1 if with_lead else 0))]
    if with_lead:
        people.append(UserFactory(team=team, role=Role.TEAM_LEAD))
    return team, people


def live_survey(**options: object) -> Survey:
    by = runner()
    draft = services.SurveyDraft(title="Monthly pulse", **options)  # type: ignore[arg-type]
    survey = services.create_survey(draft, created_by=by)
    return services.launch_survey(survey, by)


def first_round(survey: Survey) -> Round:
    return survey.rounds.get(number=1)


def form_for(
    pulse_round: Round, person: User, agreement: int = 6, enps: int = 9, comment: str = ""
) -> services.ResponseForm:
    """One person's answers to every question of the round: the same score for each kind."""
    scores: dict[int, int] = {}
    comments: dict[int, str] = {}
    for question in pulse_round.survey.questions.all():
        if question.kind == QuestionKind.AGREEMENT:
            scores[question.pk] = agreement
        elif question.kind == QuestionKind.SCALE_0_10:
            scores[question.pk] = enps
        else:
            comments[question.pk] = comment
    return services.ResponseForm(person, scores, comments)


def answer_all(
    pulse_round: Round,
    person: User,
    agreement: int = 6,
    enps: int = 9,
    comment: str = "",
    today: datetime.date | None = None,
) -> None:
    form = form_for(pulse_round, person, agreement, enps, comment)
    services.submit_response(pulse_round, person, form.answers, form.comments, today=today)


def close(pulse_round: Round) -> None:
    services.close_round(pulse_round, runner())


def next_round(survey: Survey) -> Round:
    """Close the current round and open the next one today, inviting the audience as it is now."""
    for open_round in survey.rounds.filter(closed_on__isnull=True):
        close(open_round)
    return services.open_round(survey, datetime.date.today())


MODULES_PS_ONLY = (Module.PSYCH_SAFETY,)
