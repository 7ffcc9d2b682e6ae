"""Writes for pulse surveys: setting one up, its rounds on a schedule, and anonymous answers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from careloop.core import calendar
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, can, holders
from careloop.empathy.scrub import scrub_personal_data
from careloop.people.models import Team, User
from careloop.people.selectors import employees
from careloop.pulse.instruments import COMMENT, MODULES, BuiltInItem
from careloop.pulse.models import (
    MIN_GROUP_FLOOR,
    Cadence,
    Invitation,
    Module,
    PrivacyMode,
    Question,
    QuestionKind,
    Round,
    RoundParticipation,
    Survey,
    SurveyStatus,
)
from careloop.pulse.services import answer_pool

MAX_MIN_GROUP = 50
MAX_COMMENT_LENGTH = 2000


class AlreadyAnswered(Exception):
    """This person has already answered this round."""


class NotInvited(Exception):
    """This person was not asked in this round, or the round is not open."""


def _check_thresholds(min_group_size: int, min_comment_group: int) -> None:
    if not MIN_GROUP_FLOOR <= min_group_size <= MAX_MIN_GROUP:
        raise ValidationError(
            f"The minimum reporting group is between {MIN_GROUP_FLOOR} and {MAX_MIN_GROUP}."
        )
    if min_comment_group < min_group_size:
        raise ValidationError("Comments need at least as many answers as scores do.")


def _add_question(survey: Survey, item: BuiltInItem, module: str) -> Question:
    return Question.objects.create(
        survey=survey,
        position=survey.questions.count() + 1,
        module=module,
        kind=item.kind,
        code=item.code,
        construct=item.construct,
        text=item.text,
        reverse_scored=item.reverse_scored,
    )


@dataclass(frozen=True, kw_only=True)
class SurveyDraft:
    """What someone chooses when they set up a survey: its modules, schedule and privacy."""

    title: str
    modules: Iterable[str] = (Module.PSYCH_SAFETY, Module.ENGAGEMENT, Module.ENPS)
    teams: Iterable[Team] = ()
    intro: str = ""
    cadence: str = Cadence.MONTHLY
    first_round_on: datetime.date | None = None
    open_days: int = 7
    reminder_after_days: int = 3
    min_group_size: int = 5
    min_comment_group: int = 10
    privacy_mode: str = PrivacyMode.ANONYMOUS_TEAMS
    allow_comments: bool = True


@transaction.atomic
def create_survey(draft: SurveyDraft, *, created_by: User) -> Survey:
    """A draft survey with the chosen built-in modules (and a comment box if allowed)."""
    if not can(created_by, Action.RUN_PULSE_SURVEYS):
        raise PermissionDenied("Your role does not run pulse surveys.")
    title = draft.title.strip()
    if not title:
        raise ValidationError("A survey needs a title.")
    _check_thresholds(draft.min_group_size, draft.min_comment_group)
    if draft.cadence not in Cadence.values or draft.privacy_mode not in PrivacyMode.values:
        raise ValidationError("Unknown schedule or privacy mode.")
    if not 1 <= draft.open_days <= 60:
        raise ValidationError("A round stays open between 1 and 60 days.")
    survey = Survey.objects.create(
        title=title[:200],
        intro=draft.intro.strip(),
        created_by=created_by,
        cadence=draft.cadence,
        first_round_on=draft.first_round_on or calendar.today(),
        open_days=draft.open_days,
        reminder_after_days=draft.reminder_after_days,
        min_group_size=draft.min_group_size,
        min_comment_group=draft.min_comment_group,
        privacy_mode=draft.privacy_mode,
    )
    survey.teams.set(list(draft.teams))
    modules = set(draft.modules)
    for module in (Module.PSYCH_SAFETY, Module.ENGAGEMENT, Module.ENPS):
        if module in modules:
            for item in MODULES[module]:
                _add_question(survey, item, module)
    if draft.allow_comments:
        _add_question(survey, COMMENT, Module.CUSTOM)
    record_audit(created_by, "pulse.survey_created", survey, summary=survey.title)
    return survey


def add_custom_question(survey: Survey, *, text: str, kind: str, by: User) -> Question:
    """A question of the organisation's own; only while the survey is a draft."""
    if not can(by, Action.RUN_PULSE_SURVEYS):
        raise PermissionDenied("Your role does not run pulse surveys.")
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError("Questions are fixed once a survey is live, so trends compare.")
    text = text.strip()
    if not text:
        raise ValidationError("A question needs some text.")
    if kind not in QuestionKind.values:
        raise ValidationError(f"Unknown question type: {kind!r}.")
    item = BuiltInItem(code="", construct="", text=text[:300], kind=kind)
    return _add_question(survey, item, Module.CUSTOM)


def change_thresholds(
    survey: Survey, *, min_group_size: int, min_comment_group: int, by: User
) -> Survey:
    """Set the minimum reporting groups; refused once the survey is live."""
    if not can(by, Action.RUN_PULSE_SURVEYS):
        raise PermissionDenied("Your role does not run pulse surveys.")
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError("The minimum reporting group is locked once the survey is live.")
    _check_thresholds(min_group_size, min_comment_group)
    survey.min_group_size = min_group_size
    survey.min_comment_group = min_comment_group
    survey.save(update_fields=["min_group_size", "min_comment_group"])
    return survey


def round_start(survey: Survey, number: int) -> datetime.date | None:
    """When round `number` (from 1) opens under the survey's schedule; None if it never does."""
    steps = number - 1
    first = survey.first_round_on
    match survey.cadence:
        case Cadence.ONCE:
            return first if steps == 0 else None
        case Cadence.WEEKLY:
            return first + datetime.timedelta(weeks=steps)
        case Cadence.FORTNIGHTLY:
            return first + datetime.timedelta(weeks=2 * steps)
        case Cadence.QUARTERLY:
            return calendar.add_months(first, 3 * steps)
        case _:
            return calendar.add_months(first, steps)


def audience(survey: Survey) -> QuerySet[User]:
    """Everyone asked: active employees of the chosen teams, or of the whole organisation."""
    people = holders(Action.USE_PULSE)
    team_ids = list(survey.teams.values_list("pk", flat=True))
    if team_ids:
        people = people.filter(team_id__in=team_ids)
    return people


@transaction.atomic
def open_round(survey: Survey, opens_on: datetime.date, *, notify: bool = True) -> Round:
    """Open the next round and invite the audience, each with their team as it is today."""
    number = (survey.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    # One round at a time: a round still open when the next one starts closes then.
    for earlier in survey.rounds.filter(closed_on__isnull=True):
        _close(earlier, opens_on)
    closes_on = opens_on + datetime.timedelta(days=survey.open_days - 1)
    pulse_round = Round.objects.create(
        survey=survey, number=number, opens_on=opens_on, closes_on=closes_on
    )
    Invitation.objects.bulk_create(
        Invitation(round=pulse_round, person=person, team_id=person.team_id)
        for person in audience(survey)
    )
    if notify:
        from careloop.pulse.tasks import announce_round

        transaction.on_commit(lambda: announce_round.enqueue(pulse_round.pk))
    return pulse_round


@transaction.atomic
def launch_survey(
    survey: Survey, by: User, today: datetime.date | None = None, *, notify: bool = True
) -> Survey:
    """Go live: thresholds lock, and the first round opens now if its day has come."""
    if not can(by, Action.RUN_PULSE_SURVEYS):
        raise PermissionDenied("Your role does not run pulse surveys.")
    if survey.status != SurveyStatus.DRAFT:
        raise ValidationError("This survey is already live or ended.")
    if not survey.questions.exclude(kind=QuestionKind.COMMENT).exists():
        raise ValidationError("Add at least one module or question before launching.")
    today = today or calendar.today()
    survey.status = SurveyStatus.LIVE
    survey.launched_at = timezone.now()
    survey.first_round_on = max(survey.first_round_on, today)
    survey.save(update_fields=["status", "launched_at", "first_round_on"])
    if survey.first_round_on <= today:
        open_round(survey, today, notify=notify)
    record_audit(by, "pulse.survey_launched", survey, summary=survey.title)
    return survey


def close_round(pulse_round: Round, by: User, today: datetime.date | None = None) -> Round:
    """Close a round early; results appear once a round is closed, never while people answer."""
    if not can(by, Action.RUN_PULSE_SURVEYS):
        raise PermissionDenied("Your role does not run pulse surveys.")
    if pulse_round.closed_on is None:
        _close(pulse_round, today or calendar.today())
        record_audit(by, "pulse.round_closed", pulse_round.survey, summary=str(pulse_round))
    return pulse_round


def _close(pulse_round: Round, on: datetime.date) -> None:
    pulse_round.closed_on = on
    pulse_round.save(update_fields=["closed_on"])
    settle_round(pulse_round)


@transaction.atomic
def settle_round(pulse_round: Round) -> None:
    """Keep how many answered per team, then forget who: the flags are cleared for good."""
    locked = Round.objects.select_for_update().get(pk=pulse_round.pk)
    if locked.settled or locked.closed_on is None:
        return
    counts = (
        Invitation.objects.filter(round=locked)
        .values("team_id")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
        .order_by("team_id")
    )
    RoundParticipation.objects.bulk_create(
        RoundParticipation(
            round=locked, team_id=row["team_id"], invited=row["invited"], answered=row["answered"]
        )
        for row in counts
    )
    Invitation.objects.filter(round=locked).update(answered=None)
    answer_pool.settle(locked)
    locked.settled = True
    locked.save(update_fields=["settled"])
    pulse_round.settled = True


def end_survey(survey: Survey, by: User, today: datetime.date | None = None) -> Survey:
    """Stop the schedule and close any open round."""
    if not can(by, Action.RUN_PULSE_SURVEYS):
        raise PermissionDenied("Your role does not run pulse surveys.")
    today = today or calendar.today()
    survey.status = SurveyStatus.ENDED
    survey.save(update_fields=["status"])
    for open_round in survey.rounds.filter(closed_on__isnull=True):
        _close(open_round, today)
    record_audit(by, "pulse.survey_ended", survey, summary=survey.title)
    return survey


def employee_names() -> list[str]:
    return list(employees().values_list("full_name", flat=True))


def _validated_answers(
    questions: list[Question], answers: Mapping[int, int], comments: Mapping[int, str]
) -> tuple[list[tuple[Question, int]], list[tuple[Question, str]]]:
    scored: list[tuple[Question, int]] = []
    written: list[tuple[Question, str]] = []
    for question in questions:
        if question.kind == QuestionKind.COMMENT:
            text = (comments.get(question.pk) or "").strip()
            if text:
                written.append((question, text[:MAX_COMMENT_LENGTH]))
            continue
        value = answers.get(question.pk)
        low, high = (1, 7) if question.kind == QuestionKind.AGREEMENT else (0, 10)
        if value is None or not low <= value <= high:
            raise ValidationError(f"Answer every question ({low}–{high}): {question.text}")
        scored.append((question, value))
    return scored, written


@dataclass(frozen=True)
class ResponseForm:
    """One person's answers to a round: a score per question, and comments if they wrote any."""

    person: User
    answers: Mapping[int, int]
    comments: Mapping[int, str] = field(default_factory=dict)


def submit_response(
    pulse_round: Round,
    person: User,
    answers: Mapping[int, int],
    comments: Mapping[int, str] | None = None,
    today: datetime.date | None = None,
) -> None:
    """Store the answers with no person, no time and the team as invited; once per person."""
    submit_responses(pulse_round, [ResponseForm(person, answers, comments or {})], today)


def _claim_invitations(pulse_round: Round, people: list[User]) -> dict[int, Invitation]:
    """Each person's invitation, marked answered; raises unless every one was still open."""
    invitations = {
        invitation.person_id: invitation
        for invitation in Invitation.objects.filter(round=pulse_round, person__in=people)
    }
    if len(invitations) < len({person.pk for person in people}):
        raise NotInvited("You were not asked in this round.")
    # A conditional update claims each invitation once, even when two requests race.
    claimed = Invitation.objects.filter(
        pk__in=[invitation.pk for invitation in invitations.values()], answered=False
    ).update(answered=True)
    if claimed < len(people):
        raise AlreadyAnswered("You have already answered this round. Thank you.")
    return invitations


@transaction.atomic
def submit_responses(
    pulse_round: Round, forms: list[ResponseForm], today: datetime.date | None = None
) -> None:
    """Several people's answers at once (a history brought in, the demo's past rounds): each
    checked as `submit_response` checks one, all stored or none, in one shuffled batch."""
    if not pulse_round.is_open(today):
        raise NotInvited("This round is not open.")
    questions = list(pulse_round.survey.questions.all())
    checked = [_validated_answers(questions, form.answers, form.comments) for form in forms]
    invitations = _claim_invitations(pulse_round, [form.person for form in forms])
    names = employee_names() if any(written for _, written in checked) else []
    # The round's lock orders writers to its pool, so no answer is lost between rewrites.
    locked = Round.objects.select_for_update().select_related("survey").get(pk=pulse_round.pk)
    answer_pool.add_answers(
        locked,
        [
            answer_pool.PooledAnswer(
                invitations[form.person.pk].team_id,
                {question.pk: value for question, value in scored},
                {question.pk: scrub_personal_data(text, names=names) for question, text in written},
            )
            for form, (scored, written) in zip(forms, checked, strict=True)
        ],
    )


def has_answered(pulse_round: Round, person: User) -> bool:
    return Invitation.objects.filter(round=pulse_round, person=person, answered=True).exists()


def run_schedule(today: datetime.date | None = None) -> int:
    """Open every round whose day has come and close rounds past their end; safe to repeat."""
    today = today or calendar.today()
    for finished in Round.objects.filter(closed_on__isnull=True, closes_on__lt=today):
        _close(finished, today)
    opened = 0
    for survey in Survey.objects.filter(status=SurveyStatus.LIVE):
        with transaction.atomic():
            locked = Survey.objects.select_for_update().get(pk=survey.pk)
            number = locked.rounds.count() + 1
            starts = round_start(locked, number)
            if starts is not None and starts <= today:
                open_round(locked, today)
                opened += 1
    return opened


def claim_round_announcement(pulse_round: Round, today: datetime.date) -> bool:
    """Mark the round as announced; False when it already was."""
    return bool(
        Round.objects.filter(pk=pulse_round.pk, announced_on__isnull=True).update(
            announced_on=today
        )
    )


def claim_round_reminder(pulse_round: Round, today: datetime.date) -> bool:
    """Mark the round's one reminder as sent; False when it already was."""
    return bool(
        Round.objects.filter(pk=pulse_round.pk, reminder_sent_on__isnull=True).update(
            reminder_sent_on=today
        )
    )
