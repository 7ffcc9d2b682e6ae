"""Demo team voice: a year of monthly pulse rounds, ideas in every state, two 360s and a year
of roster changes, all leaning on the demo's team climate (`demo.culture`).

Everything goes through the pulse services with past dates, so the anonymity rules apply to
the demo exactly as to real answers: Care Escalations answers too rarely to be shown on its own.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from faker import Faker

from careloop.core import calendar
from careloop.core.permissions import Role
from careloop.demo.culture import climate
from careloop.people.models import Team, User
from careloop.pulse.models import (
    FeedbackRequest,
    IdeaStatus,
    LeavingReason,
    Module,
    Question,
    QuestionKind,
    RosterChange,
    RosterEvent,
    Survey,
)
from careloop.pulse.services import feedback360, ideas, roster, surveys

SURVEY_TITLE = "Monthly team pulse"
ROUNDS = 12
# Asking for help is the weak spot in Orders & Billing: a low item to act on.
ITEM_OFFSET = {"ps_help": -1.2, "ps_mistakes": -0.4, "eng_enablement": -0.5}
SUPPRESSED_TEAM = "Care Escalations"  # only four of its seven answer each round
COMMENTS = (
    "The new refund tool saves me time, but the approval step still slows things down.",
    "I'd like more time for training on the billing system before busy season.",
    "Team huddles on Monday help a lot, please keep them.",
    "Workload spikes after promotions; we need more people on chat during sales.",
    "I feel I can ask anyone for help, which matters on hard days.",
    "Training for new starters is rushed; shadowing would help.",
    "Sometimes mistakes are discussed in front of everyone, which feels uncomfortable.",
    "Chat volume after 5pm is too high for two people.",
    "Great that leads ask for our ideas in the huddle.",
    "The approval limit for refunds should be higher so we can fix things straight away.",
    "More training on handling angry customers would help.",
    "Workload is fine most weeks, but the weekend rota is stretched.",
)


def demo_pulse_exists() -> bool:
    return Survey.objects.filter(title=SURVEY_TITLE).exists()


def _mean_answer(team_name: str, day: datetime.date, today: datetime.date) -> float:
    """A team's mean answer (positive sense, 1–7) in the month of `day`: its climate."""
    return 3.4 + 3.0 * climate(team_name, day, today)


def _value(rng: random.Random, mean: float) -> int:
    return max(1, min(7, round(rng.gauss(mean, 0.9))))


def _answer(
    questions: list[Question], person: User, rng: random.Random, base: float
) -> surveys.ResponseForm:
    scores: dict[int, int] = {}
    comments: dict[int, str] = {}
    for question in questions:
        if question.kind == QuestionKind.COMMENT:
            if rng.random() < 0.45:
                comments[question.pk] = rng.choice(COMMENTS)
            continue
        if question.kind == QuestionKind.SCALE_0_10:
            scores[question.pk] = max(0, min(10, round(rng.gauss(base * 1.45, 1.6))))
            continue
        positive = _value(rng, base + ITEM_OFFSET.get(question.code, 0.0))
        scores[question.pk] = 8 - positive if question.reverse_scored else positive
    return surveys.ResponseForm(person, scores, comments)


def _create_survey(rng: random.Random, partner: User, today: datetime.date) -> None:
    first = calendar.add_months(today, 1 - ROUNDS)
    survey = surveys.create_survey(
        surveys.SurveyDraft(
            title=SURVEY_TITLE,
            intro="Five minutes a month on how safe, supported and engaged you feel.",
            modules=(Module.PSYCH_SAFETY, Module.ENGAGEMENT, Module.ENPS),
            first_round_on=first,
            open_days=7,
        ),
        created_by=partner,
    )
    surveys.launch_survey(survey, partner, today=first, notify=False)
    suppressed = list(
        User.objects.filter(team__name=SUPPRESSED_TEAM, role=Role.AGENT).order_by("pk")[:4]
    )
    for month in range(ROUNDS):
        opens = calendar.add_months(first, month)
        pulse_round = (
            survey.rounds.get(number=1)
            if month == 0
            else surveys.open_round(survey, opens, notify=False)
        )
        is_current = month == ROUNDS - 1
        invitations = list(pulse_round.invitations.select_related("person", "person__team"))
        # One person per team skips each closed round; the open round is about half answered.
        team_ids = sorted({i.team_id for i in invitations if i.team_id is not None})
        skipping = {
            rng.choice([i.person_id for i in invitations if i.team_id == team_id])
            for team_id in team_ids
        }
        questions = list(survey.questions.all())
        forms = []
        for invitation in invitations:
            person = invitation.person
            team = person.team.name if person.team else ""
            if person.email.startswith("sam.okafor@"):
                continue  # the demo agent still has this month's survey waiting
            if team == SUPPRESSED_TEAM:
                answers = person in suppressed and not is_current
            elif is_current:
                answers = rng.random() < 0.5
            else:
                answers = person.pk not in skipping or not team
            if answers:
                base = _mean_answer(team, opens, today)
                forms.append(_answer(questions, person, rng, base))
        answered_on = opens + datetime.timedelta(days=1)
        if is_current:
            # This month's answers arrive one by one, so some still wait in the round's pool.
            for form in forms:
                surveys.submit_response(
                    pulse_round, form.person, form.answers, form.comments, today=answered_on
                )
        else:
            surveys.submit_responses(pulse_round, forms, today=answered_on)
            surveys.close_round(pulse_round, partner, today=pulse_round.closes_on)
    draft = surveys.create_survey(
        surveys.SurveyDraft(
            title="New starter check-in",
            modules=(Module.PSYCH_SAFETY,),
            cadence="once",
            first_round_on=today + datetime.timedelta(days=14),
        ),
        created_by=partner,
    )
    surveys.add_custom_question(
        draft, text="I know whom to ask when a case is new to me.", kind="agreement", by=partner
    )


def _create_ideas(people: dict[str, User], teams: dict[str, Team], today: datetime.date) -> None:
    partner = people["Priya Natarajan"]
    leads = {
        lead.team.name: lead
        for lead in User.objects.filter(role=Role.TEAM_LEAD).select_related("team")
        if lead.team is not None
    }
    ideas_to_make = (
        (
            "A quiet hour for email",
            "One hour each morning with chat paused so email gets proper attention.",
            "Frontline Europe",
            False,
            30,
            IdeaStatus.ADOPTED,
            "Adopted: from next month chat pauses 09:00–10:00 on Tuesdays and Thursdays.",
        ),
        (
            "Refund limit of €150 without approval",
            "Most refunds we escalate are under €150; approvals add a day for the customer.",
            "Orders & Billing",
            True,
            24,
            IdeaStatus.TRYING,
            "Trying it for six weeks in Orders & Billing, then we look at outcomes together.",
        ),
        (
            "Move the team day to Fridays",
            "Fridays are quieter, so more of us could join.",
            "",
            False,
            20,
            IdeaStatus.NOT_NOW,
            "Not now: Fridays are our busiest returns day "
            "until January. We will look again in the new year, and thank you for asking.",
        ),
        (
            "Shadowing for new starters",
            "Two days of shadowing before taking chats alone.",
            "Care Escalations",
            True,
            25,
            IdeaStatus.AWAITING,
            "",
        ),
        (
            "Shared glossary of product names",
            "Customers use nicknames for our tents; a glossary would help new people.",
            "",
            False,
            3,
            IdeaStatus.AWAITING,
            "",
        ),
    )
    for title, body, team, anonymous, days_ago, status, answer in ideas_to_make:
        author = people["Sam Okafor"] if not anonymous else people["Leah Lindqvist"]
        sent_on = today - datetime.timedelta(days=days_ago)
        idea, _ = ideas.submit_idea(
            title=title,
            body=body,
            author=author,
            anonymous=anonymous,
            team=teams.get(team),
            today=sent_on,
        )
        if status != IdeaStatus.AWAITING:
            ideas.respond_to_idea(
                idea,
                by=leads.get(team, partner),
                status=status,
                response=answer,
                today=sent_on + datetime.timedelta(days=6),
                notify=False,
            )
        elif idea.is_overdue(today):
            ideas.claim_escalation(idea, today)


SBI = (
    (
        "The refund backlog after the spring sale.",
        "You split the queue and paired with new starters.",
        "We cleared it in a day and the new starters learned the tool.",
    ),
    (
        "A customer shouting on the phone about a lost parcel.",
        "You let them finish, then named what had gone wrong before offering a fix.",
        "They calmed down and thanked us.",
    ),
    (
        "Our Monday huddle.",
        "You asked the quieter people first.",
        "We heard ideas we usually miss.",
    ),
    (
        "Handover at the end of late shift.",
        "You wrote down each open promise.",
        "Nothing fell through the cracks overnight.",
    ),
)
GROWTH = (
    "Busy afternoons.",
    "You sometimes take the hardest chats yourself.",
    "Others get fewer chances to learn them.",
)


def _create_feedback(people: dict[str, User], today: datetime.date) -> None:
    sam = people["Sam Okafor"]
    lead = people["Leah Lindqvist"]
    colleagues = list(
        User.objects.filter(team=sam.team, role=Role.AGENT).exclude(pk=sam.pk).order_by("pk")
    )
    request = feedback360.request_feedback(
        sam,
        [lead, *colleagues[:4]],
        focus="How I support new starters",
        requested_on=today - datetime.timedelta(days=20),
        notify=False,
    )
    for index, reviewer in enumerate([lead, *colleagues[:3]]):
        situation, behaviour, impact = SBI[index % len(SBI)]
        growth = GROWTH if index in (0, 2) else ("", "", "")
        feedback360.answer_feedback(
            request,
            reviewer,
            feedback360.FeedbackAnswerDraft(
                strength_situation=situation,
                strength_behaviour=behaviour,
                strength_impact=impact,
                growth_situation=growth[0],
                growth_behaviour=growth[1],
                growth_impact=growth[2],
            ),
        )
    reports = list(User.objects.filter(team=lead.team, role=Role.AGENT).order_by("pk")[:3])
    request = feedback360.request_feedback(
        lead, reports, focus="Our weekly one-to-ones", notify=False
    )
    for reviewer in reports[:2]:
        situation, behaviour, impact = SBI[2]
        feedback360.answer_feedback(
            request,
            reviewer,
            feedback360.FeedbackAnswerDraft(
                strength_situation=situation, strength_behaviour=behaviour, strength_impact=impact
            ),
        )


def _create_roster(
    rng: random.Random, teams: dict[str, Team], partner: User, today: datetime.date
) -> None:
    """A year of leavers, more of them where the climate is poor, each replaced a few weeks
    later."""
    fake = Faker(["en_GB", "en_US", "de_DE", "fr_FR", "es_ES", "nl_NL"])
    fake.seed_instance(rng.randrange(10**6))
    for months_ago in range(12, 0, -1):
        month_start = calendar.first_of_month(calendar.add_months(today, -months_ago))
        for team_name, team in teams.items():
            if rng.random() >= 0.6 * (1 - climate(team_name, month_start, today)):
                continue
            left_on = month_start + datetime.timedelta(days=rng.randrange(28))
            reason = LeavingReason.VOLUNTARY if rng.random() < 0.8 else LeavingReason.INVOLUNTARY
            roster.record_roster_event(
                roster.RosterEventDraft(
                    team=team,
                    person_name=fake.name(),
                    change=RosterChange.LEFT,
                    on=left_on,
                    reason=reason,
                ),
                by=partner,
            )
            joined_on = left_on + datetime.timedelta(days=rng.randint(14, 45))
            if joined_on < today:
                roster.record_roster_event(
                    roster.RosterEventDraft(
                        team=team,
                        person_name=fake.name(),
                        change=RosterChange.JOINED,
                        on=joined_on,
                        reason="",
                    ),
                    by=partner,
                )


@transaction.atomic
def create_demo_pulse(seed: int = 7) -> None:
    """Create the demo's team voice once; running it again changes nothing."""
    people = {
        person.full_name: person
        for person in User.objects.filter(
            full_name__in=["Priya Natarajan", "Sam Okafor", "Leah Lindqvist", "Yuki Tanaka"]
        )
    }
    if len(people) < 4 or demo_pulse_exists():
        return
    rng = random.Random(seed)
    today = calendar.today()
    teams = {team.name: team for team in Team.objects.all()}
    partner = people["Priya Natarajan"]
    _create_survey(rng, partner, today)
    _create_ideas(people, teams, today)
    if not FeedbackRequest.objects.filter(subject=people["Sam Okafor"]).exists():
        _create_feedback(people, today)
    if not RosterEvent.objects.exists():
        _create_roster(rng, teams, partner, today)
