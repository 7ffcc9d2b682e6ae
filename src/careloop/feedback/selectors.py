"""Reads for the voice of the customer: score reports (with their response rates), recovery
tasks and who may work on them, the cause backlog, concerns and themes."""

from __future__ import annotations

import bisect
import datetime
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone

from careloop.conversations.models import Customer
from careloop.core import calendar, scales
from careloop.core.home import Figure, change
from careloop.core.permissions import Action, Reach, may, restrict, scope_or_mine, scopes_for
from careloop.core.scales import CES, CSAT
from careloop.feedback.models import (
    CauseTag,
    Concern,
    EmailOptOut,
    RecoveryTask,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
    Theme,
    ThemeAssignment,
    ThemeSource,
)
from careloop.people.models import Team, User

# --- scores --------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _one_decimal(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass(frozen=True)
class Metric:
    """One score with the answers behind it and the response rate beside it."""

    value: float | None
    answers: int
    sent: int

    @property
    def response_rate(self) -> float | None:
        return _percent(self.answers, self.sent)


@dataclass(frozen=True)
class ScoreCard:
    sent: int
    responses: int
    csat: Metric  # % of answers 4–5
    nps: Metric  # % 9–10 minus % 0–6
    ces: Metric  # mean 1–7
    ces_easy: float | None  # % of answers 5–7

    @property
    def response_rate(self) -> float | None:
        return _percent(self.responses, self.sent)


# (kind, answer id, csat, ces, nps) of one sent invitation: the answer's if it has one, else None.
SentSurvey = tuple[str, int | None, int | None, int | None, int | None]
SENT_SURVEY = ("kind", "response__pk", "response__csat", "response__ces", "response__nps")


def _sent(invitations: QuerySet[SurveyInvitation]) -> QuerySet[SurveyInvitation]:
    return invitations.filter(sent_at__isnull=False).order_by()


def _score_card_of(surveys: Sequence[SentSurvey]) -> ScoreCard:
    """The score card of these sent invitations and their answers."""
    answers = [(csat, ces, nps) for _, answer, csat, ces, nps in surveys if answer is not None]
    csat = [score for score, _, _ in answers if score is not None]
    ces = [score for _, score, _ in answers if score is not None]
    nps = [score for _, _, score in answers if score is not None]
    post_sent = sum(kind == SurveyKind.POST_RESOLUTION for kind, *_ in surveys)
    nps_sent = sum(
        kind == SurveyKind.RELATIONSHIP or score is not None for kind, *_, score in surveys
    )
    return ScoreCard(
        sent=len(surveys),
        responses=len(answers),
        csat=Metric(_one_decimal(scales.percent_good(CSAT, csat)), len(csat), post_sent),
        nps=Metric(_one_decimal(scales.net_promoter_score(nps)), len(nps), max(nps_sent, len(nps))),
        ces=Metric(round(sum(ces) / len(ces), 2) if ces else None, len(ces), post_sent),
        ces_easy=_one_decimal(scales.percent_good(CES, ces)),
    )


def score_card(invitations: QuerySet[SurveyInvitation]) -> ScoreCard:
    """Scores of the answers to these invitations (counted by when they were sent)."""
    return _score_card_of(list(_sent(invitations).values_list(*SENT_SURVEY)))


def invitations_between(
    since: datetime.datetime,
    until: datetime.datetime,
    team: Team | None = None,
    agent: User | None = None,
) -> QuerySet[SurveyInvitation]:
    invitations = SurveyInvitation.objects.filter(sent_at__gte=since, sent_at__lt=until)
    if team is not None:
        invitations = invitations.filter(team=team)
    if agent is not None:
        invitations = invitations.filter(agent=agent)
    return invitations


# The home page compares the last this-many days with the same length before them.
HOME_PERIOD = datetime.timedelta(days=30)


def own_csat_figures(agent: User) -> list[Figure]:
    """The home page's CSAT of the agent's own conversations over the last 30 days, against
    the 30 days before, and the detractors whose recovery they own."""
    now = timezone.now()
    current = score_card(invitations_between(now - HOME_PERIOD, now, agent=agent)).csat
    previous = score_card(
        invitations_between(now - 2 * HOME_PERIOD, now - HOME_PERIOD, agent=agent)
    ).csat
    recovery = restrict(RecoveryTask.objects.all(), agent, Action.WORK_RECOVERY, within=Reach.OWN)
    return [
        Figure(
            "my-csat",
            f"Your CSAT, last 30 days ({current.answers} answers)",
            current.value,
            unit="%",
            change=change(current.value, previous.value),
        ),
        Figure(
            "my-recovery",
            "Detractors to recover",
            recovery.exclude(status=RecoveryTask.Status.CLOSED).count(),
            url=reverse("feedback:recovery-list"),
        ),
    ]


def scores_by_team(
    since: datetime.datetime, until: datetime.datetime
) -> list[tuple[Team, ScoreCard]]:
    """`score_card` of each team's invitations, from two queries whatever the number of teams."""
    surveys: defaultdict[int | None, list[SentSurvey]] = defaultdict(list)
    sent = _sent(invitations_between(since, until))
    for team_id, kind, answer, csat, ces, nps in sent.values_list("team_id", *SENT_SURVEY):
        surveys[team_id].append((kind, answer, csat, ces, nps))
    return [(team, _score_card_of(surveys[team.pk])) for team in Team.objects.order_by("name")]


def scores_by_month(
    months: int, team: Team | None = None, today: datetime.date | None = None
) -> list[tuple[datetime.date, ScoreCard]]:
    """One score card per calendar month, oldest first, ending with the current month."""
    today = today or calendar.today()
    starts = [calendar.add_months(calendar.first_of_month(today), -n) for n in range(months)]
    starts.reverse()
    if not starts:
        return []
    # Each month runs from its first day's start (local time) to the next month's.
    bounds = [calendar.start_of_day(start) for start in starts]
    bounds.append(calendar.start_of_day(calendar.next_month(starts[-1])))
    surveys: list[list[SentSurvey]] = [[] for _ in starts]
    sent = _sent(invitations_between(bounds[0], bounds[-1], team))
    for sent_at, kind, answer, csat, ces, nps in sent.values_list("sent_at", *SENT_SURVEY):
        month = bisect.bisect_right(bounds, sent_at) - 1
        surveys[month].append((kind, answer, csat, ces, nps))
    return [(start, _score_card_of(month)) for start, month in zip(starts, surveys, strict=True)]


def recent_responses(team: Team | None = None, limit: int = 20) -> QuerySet[SurveyResponse]:
    responses = SurveyResponse.objects.select_related("customer", "team", "agent")
    if team is not None:
        responses = responses.filter(team=team)
    return responses.order_by("-answered_at", "-pk")[:limit]


@dataclass(frozen=True)
class CustomerVoice:
    responses: list[SurveyResponse]
    open_tasks: list[RecoveryTask]
    unsubscribed: bool
    last_surveyed: datetime.datetime | None


def voice_of(customer: Customer, limit: int = 5) -> CustomerVoice:
    """A customer's latest answers, open recovery tasks and whether they unsubscribed."""
    last = (
        SurveyInvitation.objects.filter(customer=customer, sent_at__isnull=False)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    return CustomerVoice(
        responses=list(customer.survey_responses.order_by("-answered_at", "-pk")[:limit]),
        open_tasks=list(
            customer.recovery_tasks.exclude(status=RecoveryTask.Status.CLOSED).select_related(
                "owner"
            )
        ),
        unsubscribed=EmailOptOut.objects.filter(customer=customer).exists(),
        last_surveyed=last,
    )


# --- recovery ------------------------------------------------------------------------------


def can_work_on_task(user: User, task: RecoveryTask) -> bool:
    """The owner, a lead of the task's team, CX leaders and admins."""
    return may(user, Action.WORK_RECOVERY, task)


def recovery_scopes(user: User) -> list[tuple[str, str]]:
    return [(scope.value, scope.label) for scope in scopes_for(user, Action.WORK_RECOVERY)]


def recovery_tasks_for(
    user: User, *, scope: str = "mine", status: str = ""
) -> QuerySet[RecoveryTask]:
    tasks = restrict(
        RecoveryTask.objects.select_related("customer", "owner", "team", "response"),
        user,
        Action.WORK_RECOVERY,
        within=scope_or_mine(user, Action.WORK_RECOVERY, scope).reach,
    )
    if status == "open":
        tasks = tasks.exclude(status=RecoveryTask.Status.CLOSED)
    elif status in RecoveryTask.Status.values:
        tasks = tasks.filter(status=status)
    return tasks.order_by("closed_at", "due_at", "pk")


def open_recovery_count(user: User) -> int:
    return (
        RecoveryTask.objects.filter(owner=user).exclude(status=RecoveryTask.Status.CLOSED).count()
    )


@dataclass
class CauseRow:
    cause: CauseTag
    tasks: int
    recovered: int
    last_90_days: int


def cause_backlog(today: datetime.date | None = None) -> list[CauseRow]:
    """Causes with how often they let customers down, the most frequent first."""
    since = (today or calendar.today()) - datetime.timedelta(days=90)
    causes = CauseTag.objects.select_related("action_item").annotate(
        task_count=Count("recovery_tasks"),
        recovered=Count(
            "recovery_tasks", filter=Q(recovery_tasks__outcome=RecoveryTask.Outcome.RECOVERED)
        ),
        recent=Count("recovery_tasks", filter=Q(recovery_tasks__closed_at__date__gte=since)),
    )
    return [
        CauseRow(cause, cause.task_count, cause.recovered, cause.recent)
        for cause in causes.order_by("-task_count", "name")
    ]


# --- concerns ------------------------------------------------------------------------------


def concern_queue(status: str = "") -> QuerySet[Concern]:
    """Concerns for the handlers' list: reference, category, dates; the text only on opening."""
    concerns = Concern.objects.defer("body")
    if status in Concern.Status.values:
        concerns = concerns.filter(status=status)
    return concerns.order_by("status", "first_response_due", "pk")


# --- themes --------------------------------------------------------------------------------


@dataclass
class ThemeSummary:
    theme: Theme
    total: int
    by_source: dict[str, int]
    trend: list[tuple[datetime.date, int]]
    emotions: list[tuple[str, float]]  # group, share in % of the emotion readings
    samples: list[str] = field(default_factory=list)


def _period_starts(by: str, count: int, today: datetime.date) -> list[datetime.date]:
    """The first days of the last `count` months or ISO weeks, oldest first."""
    if by == "week":
        monday = today - datetime.timedelta(days=today.weekday())
        return [monday - datetime.timedelta(weeks=back) for back in range(count - 1, -1, -1)]
    starts = [datetime.date(today.year, today.month, 1)]
    for _ in range(count - 1):
        previous = starts[-1] - datetime.timedelta(days=1)
        starts.append(datetime.date(previous.year, previous.month, 1))
    return starts[::-1]


def theme_summaries(
    *,
    include_concerns: bool,
    by: str = "month",
    periods: int = 6,
    today: datetime.date | None = None,
) -> list[ThemeSummary]:
    """Themes, largest first, with their trend (per month or week) and emotion mix. Without
    `include_concerns` (people who do not handle concerns) concerns are left out entirely, so
    a theme made only of concerns does not show at all."""
    starts = _period_starts(by, periods, today or calendar.today())
    truncate = TruncWeek if by == "week" else TruncMonth
    assignments = ThemeAssignment.objects.all()
    if not include_concerns:
        assignments = assignments.exclude(source=ThemeSource.CONCERN)
    per_period: dict[int, Counter[datetime.date]] = defaultdict(Counter)
    for row in (
        assignments.filter(occurred_on__gte=starts[0])
        .annotate(period=truncate("occurred_on"))
        .values("theme_id", "period")
        .annotate(count=Count("pk"))
    ):
        per_period[row["theme_id"]][row["period"]] = row["count"]
    members: dict[int, list[ThemeAssignment]] = defaultdict(list)
    for assignment in assignments.only("theme_id", "source", "text", "emotions").order_by(
        "-occurred_on", "-pk"
    ):
        members[assignment.theme_id].append(assignment)
    summaries = []
    for theme in Theme.objects.filter(pk__in=list(members)):
        rows = members[theme.pk]
        emotion_sums: Counter[str] = Counter()
        for assignment in rows:
            emotion_sums.update(assignment.emotions or {})
        total_emotion = sum(emotion_sums.values())
        summaries.append(
            ThemeSummary(
                theme=theme,
                total=len(rows),
                by_source=dict(Counter(a.get_source_display() for a in rows)),
                trend=[(start, per_period[theme.pk][start]) for start in starts],
                emotions=[
                    (group, round(100 * value / total_emotion, 1))
                    for group, value in emotion_sums.most_common()
                ]
                if total_emotion
                else [],
                # Only survey comments are quoted: concerns stay with the people who handle them.
                # An erased customer's comment still counts but is never quoted (its text is "").
                samples=list(
                    dict.fromkeys(
                        a.text for a in rows if a.source == ThemeSource.COMMENT and a.text
                    )
                )[:3],
            )
        )
    summaries.sort(key=lambda summary: (-summary.total, summary.theme.label))
    return summaries


def survey_scores_by_conversation(
    conversation_ids: Sequence[int],
) -> dict[int, tuple[int | None, int | None]]:
    """(CSAT, NPS) of each conversation that has an answer, the latest answer winning."""
    scores: dict[int, tuple[int | None, int | None]] = {}
    answered = (
        SurveyResponse.objects.filter(conversation_id__in=conversation_ids)
        .order_by("answered_at")
        .values_list("conversation_id", "csat", "nps")
    )
    for conversation_id, csat, nps in answered:
        scores[conversation_id] = (csat, nps)
    return scores
