"""Maintaining the daily roll-ups: a day is always recomputed whole (delete, then insert), so
running twice, or after a crash half-way, leaves the same rows."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, FloatField, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from careloop.care.models import Booking, Gesture, GestureStatus
from careloop.conversations.models import FINISHED, Conversation, Message
from careloop.core import calendar, scales
from careloop.core.scales import CES, CSAT, NPS
from careloop.feedback.models import RecoveryTask, SurveyInvitation, SurveyKind, SurveyResponse
from careloop.insights.models import (
    CustomerActivity,
    DailyRollup,
    RetentionRollup,
    TeamEmpathyMonth,
)
from careloop.insights.retention import retention_rows
from careloop.insights.selectors import bump_generation

Key = tuple[datetime.date, int | None, str]

# Detractor on any scale, as the feedback app opens recovery tasks (see SurveyResponse).
DETRACTOR = scales.detractor("response__")


def _grouped(rows: Iterable[Any]) -> Iterator[tuple[Key, dict[str, Any]]]:
    for row in rows:
        values: dict[str, Any] = dict(row)
        key = (values.pop("day"), values.pop("team_id"), values.pop("channel") or "")
        yield key, values


def _counters(first: datetime.date, last: datetime.date) -> dict[Key, dict[str, Any]]:
    zone = calendar.organisation_zone()
    start, end = calendar.start_of_day(first), calendar.end_of_day(last)
    totals: dict[Key, dict[str, Any]] = defaultdict(dict)
    conversations = Conversation.objects.filter(merged_into__isnull=True)

    def day(field: str) -> TruncDate:
        return TruncDate(field, tzinfo=zone)

    created = (
        conversations.filter(created_at__gte=start, created_at__lt=end)
        .values("team_id", "channel", day=day("created_at"))
        .annotate(n_conversations_created=Count("id"))
    )
    first_responses = (
        conversations.filter(
            first_response_at__gte=start,
            first_response_at__lt=end,
            first_response_seconds__isnull=False,
        )
        .values("team_id", "channel", day=day("first_response_at"))
        .annotate(
            n_first_response_count=Count("id"),
            n_first_response_seconds=Sum("first_response_seconds"),
            n_first_response_business_seconds=Sum("first_response_business_seconds"),
        )
    )
    finished_with_time = Q(status__in=FINISHED, resolution_seconds__isnull=False)
    solved = (
        conversations.filter(first_solved_at__gte=start, first_solved_at__lt=end)
        .values("team_id", "channel", day=day("first_solved_at"))
        .annotate(
            n_conversations_solved=Count("id"),
            n_resolution_count=Count("id", filter=finished_with_time),
            n_resolution_seconds=Sum("resolution_seconds", filter=finished_with_time),
            n_resolution_business_seconds=Sum(
                "resolution_business_seconds", filter=finished_with_time
            ),
            n_sla_met=Count("id", filter=Q(sla_breached=False, first_response_due__isnull=False)),
            n_sla_breached=Count("id", filter=Q(sla_breached=True)),
            n_reopened=Count("id", filter=Q(reopen_count__gt=0)),
            n_one_touch=Count("id", filter=Q(public_reply_count=1, reopen_count=0)),
        )
    )
    granted = Q(status__in=(GestureStatus.GRANTED, GestureStatus.APPROVED))
    with_goodwill = Q(
        Exists(Gesture.objects.filter(granted, conversation_id=OuterRef("conversation_id")))
    )
    surveys = (
        SurveyInvitation.objects.filter(sent_at__gte=start, sent_at__lt=end)
        .values("team_id", day=day("sent_at"), channel=Coalesce("conversation__channel", Value("")))
        .annotate(
            n_surveys_sent=Count("id"),
            n_surveys_answered=Count("response"),
            n_post_surveys_sent=Count("id", filter=Q(kind=SurveyKind.POST_RESOLUTION)),
            n_nps_surveys_sent=Count(
                "id", filter=Q(kind=SurveyKind.RELATIONSHIP) | Q(response__nps__isnull=False)
            ),
            n_csat_positive=Count("id", filter=CSAT.good("response__")),
            n_csat_total=Count("id", filter=Q(response__csat__isnull=False)),
            n_nps_promoters=Count("id", filter=NPS.good("response__")),
            n_nps_detractors=Count("id", filter=NPS.poor("response__")),
            n_nps_total=Count("id", filter=Q(response__nps__isnull=False)),
            n_ces_sum=Sum("response__ces"),
            n_ces_total=Count("id", filter=Q(response__ces__isnull=False)),
            n_ces_easy=Count("id", filter=CES.good("response__")),
            n_detractors=Count("id", filter=DETRACTOR),
            n_recovered=Count(
                "id",
                filter=DETRACTOR
                & Q(response__recovery_task__outcome=RecoveryTask.Outcome.RECOVERED),
            ),
            n_goodwill_csat_positive=Count("id", filter=with_goodwill & CSAT.good("response__")),
            n_goodwill_csat_total=Count(
                "id", filter=with_goodwill & Q(response__csat__isnull=False)
            ),
            n_goodwill_nps_promoters=Count("id", filter=with_goodwill & NPS.good("response__")),
            n_goodwill_nps_detractors=Count("id", filter=with_goodwill & NPS.poor("response__")),
            n_goodwill_nps_total=Count("id", filter=with_goodwill & Q(response__nps__isnull=False)),
        )
    )
    gestures = (
        Gesture.objects.filter(granted, created_at__gte=start, created_at__lt=end)
        .values(
            "team_id", day=day("created_at"), channel=Coalesce("conversation__channel", Value(""))
        )
        .annotate(
            n_goodwill_count=Count("id"),
            # A swap is booked at no cost: it is not an investment (see Gesture.cost).
            n_goodwill_amount=Sum("amount", filter=~Q(booking=Booking.SWAP)),
        )
    )
    for query in (created, first_responses, solved, surveys, gestures):
        for key, values in _grouped(query):
            # Annotations carry an "n_" prefix: a name equal to a field's would shadow it.
            totals[key].update({name[2:]: value or 0 for name, value in values.items()})
    return totals


def _activity(first: datetime.date, last: datetime.date) -> list[CustomerActivity]:
    zone = calendar.organisation_zone()
    start, end = calendar.start_of_day(first), calendar.end_of_day(last)
    rows = (
        Conversation.objects.filter(
            merged_into__isnull=True, created_at__gte=start, created_at__lt=end
        )
        .values_list(TruncDate("created_at", tzinfo=zone), "customer_id", "team_id", "channel")
        .distinct()
    )
    return [
        CustomerActivity(day=day, customer_id=customer_id, team_id=team_id, channel=channel)
        for day, customer_id, team_id, channel in rows
    ]


def recompute_days(first: datetime.date, last: datetime.date) -> int:
    """Recompute every roll-up from `first` to `last` (inclusive); returns the rows written."""
    if last < first:
        raise ValueError("The last day comes before the first.")
    counters = _counters(first, last)
    activity = _activity(first, last)
    rows = [
        DailyRollup(
            day=day,
            team_id=team_id,
            channel=channel,
            **{**values, "goodwill_amount": Decimal(values.get("goodwill_amount") or 0)},
        )
        for (day, team_id, channel), values in counters.items()
    ]
    _replace(
        DailyRollup.objects.filter(day__gte=first, day__lte=last),
        rows,
        (CustomerActivity.objects.filter(day__gte=first, day__lte=last), activity),
    )
    recompute_empathy_months(first, last)
    bump_generation()
    return len(rows)


def recompute_empathy_months(first: datetime.date, last: datetime.date) -> int:
    """Recompute the team empathy of every month from `first`'s to `last`'s, whole."""
    month, end_month = calendar.first_of_month(first), calendar.next_month(last)
    empathy = Cast(KT("reply_score__empathy"), FloatField())
    months: list[TeamEmpathyMonth] = []
    while month < end_month:
        month_start, month_end = calendar.start_of_month(month), calendar.end_of_month(month)
        for team_id, replies, total, agents in (
            Message.objects.filter(
                author_kind=Message.Author.AGENT,
                is_internal_note=False,
                reply_score__has_key="empathy",
                conversation__team__isnull=False,
                created_at__gte=month_start,
                created_at__lt=month_end,
            )
            .values("conversation__team_id")
            .annotate(
                n_replies=Count("id"),
                n_sum=Sum(empathy),
                n_agents=Count("author_id", distinct=True),
            )
            .values_list("conversation__team_id", "n_replies", "n_sum", "n_agents")
        ):
            months.append(
                TeamEmpathyMonth(
                    month=month,
                    team_id=team_id,
                    replies=replies,
                    empathy_sum=total or 0.0,
                    agents=agents,
                )
            )
        month = calendar.next_month(month)
    _replace(
        TeamEmpathyMonth.objects.filter(
            month__gte=calendar.first_of_month(first), month__lt=end_month
        ),
        months,
    )
    return len(months)


def _replace(old: QuerySet[Any], new: list[Any], *more: tuple[QuerySet[Any], list[Any]]) -> None:
    """Delete `old` and insert `new` (and each further pair) in one transaction."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                for rows, replacement in ((old, new), *more):
                    rows.delete()
                    rows.model.objects.bulk_create(replacement, batch_size=1000)
            return
        except IntegrityError:
            # A concurrent run inserted the same rows between our delete and insert; the
            # second try deletes them and writes the same figures.
            if attempt:
                raise


def changed_days(since: datetime.datetime) -> set[datetime.date]:
    """Days whose roll-ups may differ because something changed after `since`."""
    zone = calendar.organisation_zone()
    days: set[datetime.date] = set()

    def local(moments: Iterable[datetime.datetime | None]) -> None:
        days.update(moment.astimezone(zone).date() for moment in moments if moment is not None)

    for created, responded, solved in Conversation.objects.filter(
        updated_at__gte=since
    ).values_list("created_at", "first_response_at", "first_solved_at"):
        local((created, responded, solved))
    local(
        SurveyInvitation.objects.filter(
            Q(sent_at__gte=since) | Q(answered_at__gte=since)
        ).values_list("sent_at", flat=True)
    )
    local(
        SurveyResponse.objects.filter(recovery_task__closed_at__gte=since).values_list(
            "invitation__sent_at", flat=True
        )
    )
    changed_gestures = Gesture.objects.filter(Q(created_at__gte=since) | Q(decided_at__gte=since))
    local(changed_gestures.values_list("created_at", flat=True))
    # A gesture changes the goodwill outcomes of its conversation's surveys.
    local(
        SurveyInvitation.objects.filter(
            conversation_id__in=changed_gestures.values("conversation_id")
        ).values_list("sent_at", flat=True)
    )
    return days


def contiguous_runs(days: Iterable[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    runs: list[tuple[datetime.date, datetime.date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] + datetime.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def refresh_recent(recent_days: int = 2, lookback: datetime.timedelta | None = None) -> int:
    """Recompute the last `recent_days` days plus any older day touched within `lookback`."""
    today = calendar.today()
    since = timezone.now() - (lookback or datetime.timedelta(hours=26))
    days = {today - datetime.timedelta(days=offset) for offset in range(recent_days)}
    days |= changed_days(since)
    written = sum(recompute_days(first, last) for first, last in contiguous_runs(days))
    recompute_retention(today)
    return written


def rebuild(days: int) -> int:
    """Recompute the last `days` days, today included."""
    today = calendar.today()
    written = recompute_days(today - datetime.timedelta(days=days - 1), today)
    recompute_retention(today)
    return written


def recompute_retention(last_day: datetime.date) -> int:
    """Recompute the retention of every preset period ending on `last_day`, for every scope;
    returns the rows written. Must follow any recompute of the activity it reads."""
    rows = retention_rows(last_day)
    # Older days' rows go too: their activity may be recomputed later without them, and the
    # preset periods always end today.
    _replace(RetentionRollup.objects.filter(last_day__lte=last_day), rows)
    return len(rows)
