"""The dashboard's numbers equal each metric's definition computed independently from the raw
rows (conversations, survey answers, recovery tasks, gestures), not from the roll-ups."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from careloop.care.models import Gesture
from careloop.conversations.models import Conversation
from careloop.core import calendar
from careloop.feedback.models import SurveyInvitation, SurveyKind
from careloop.insights import rollups, selectors
from careloop.insights.models import DailyRollup
from careloop.insights.selectors import ACTIVE_CUSTOMER_DAYS, Scope
from tests.insights.history import History, build_history

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("Europe/Berlin")


def local(moment: datetime.datetime | None) -> datetime.date | None:
    return moment.astimezone(ZONE).date() if moment else None


def in_scope(scope: Scope, day: datetime.date | None, team_id: int | None, channel: str) -> bool:
    return (
        day is not None
        and scope.first <= day <= scope.last
        and (scope.team_id is None or team_id == scope.team_id)
        and (not scope.channel or channel == scope.channel)
    )


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def mean_hours(values: list[int]) -> float | None:
    return round(sum(values) / len(values) / 3600, 2) if values else None


def expected(scope: Scope) -> dict[str, float | None]:
    """Each definition, applied straight to the raw rows."""
    live = [c for c in Conversation.objects.all() if c.merged_into_id is None]

    def with_day(field: str) -> list[Conversation]:
        return [c for c in live if in_scope(scope, local(getattr(c, field)), c.team_id, c.channel)]

    responded = [c for c in with_day("first_response_at") if c.first_response_seconds is not None]
    solved = with_day("first_solved_at")
    timed = [
        c for c in solved if c.status in ("solved", "closed") and c.resolution_seconds is not None
    ]
    with_sla = [c for c in solved if c.sla_breached or c.first_response_due is not None]
    invitations = [
        i
        for i in SurveyInvitation.objects.select_related("conversation")
        if in_scope(
            scope, local(i.sent_at), i.team_id, i.conversation.channel if i.conversation else ""
        )
    ]
    answers = [i.response for i in invitations if hasattr(i, "response")]
    csat = [a.csat for a in answers if a.csat is not None]
    ces = [a.ces for a in answers if a.ces is not None]
    nps = [a.nps for a in answers if a.nps is not None]
    post_sent = sum(i.kind == SurveyKind.POST_RESOLUTION for i in invitations)
    nps_asked = sum(
        i.kind == SurveyKind.RELATIONSHIP or (hasattr(i, "response") and i.response.nps is not None)
        for i in invitations
    )
    detractors = [a for a in answers if a.is_detractor]
    recovered = [
        a
        for a in detractors
        if hasattr(a, "recovery_task") and a.recovery_task.outcome == "recovered"
    ]
    with_goodwill = {
        g.conversation_id for g in Gesture.objects.all() if g.status in ("granted", "approved")
    }
    goodwill_answers = [a for a in answers if a.conversation_id in with_goodwill]
    goodwill_csat = [a.csat for a in goodwill_answers if a.csat is not None]
    goodwill_nps = [a.nps for a in goodwill_answers if a.nps is not None]
    return {
        "csat": percent(sum(s >= 4 for s in csat), len(csat)),
        "csat_response_rate": percent(len(csat), post_sent),
        "ces": round(sum(ces) / len(ces), 2) if ces else None,
        "ces_easy": percent(sum(s >= 5 for s in ces), len(ces)),
        "ces_response_rate": percent(len(ces), post_sent),
        "nps": percent(sum(s >= 9 for s in nps) - sum(s <= 6 for s in nps), len(nps)),
        "nps_response_rate": percent(len(nps), nps_asked),
        "response_rate": percent(len(answers), len(invitations)),
        "first_response_hours": mean_hours([c.first_response_seconds or 0 for c in responded]),
        "first_response_business_hours": mean_hours(
            [c.first_response_business_seconds or 0 for c in responded]
        ),
        "resolution_hours": mean_hours([c.resolution_seconds or 0 for c in timed]),
        "resolution_business_hours": mean_hours(
            [c.resolution_business_seconds or 0 for c in timed]
        ),
        "sla_attainment": percent(sum(not c.sla_breached for c in with_sla), len(with_sla)),
        "reopen_rate": percent(sum(c.reopen_count > 0 for c in solved), len(solved)),
        "one_touch_rate": percent(
            sum(c.public_reply_count == 1 and c.reopen_count == 0 for c in solved), len(solved)
        ),
        "recovery_rate": percent(len(recovered), len(detractors)),
        "goodwill_csat": percent(sum(s >= 4 for s in goodwill_csat), len(goodwill_csat)),
        "goodwill_nps": percent(
            sum(s >= 9 for s in goodwill_nps) - sum(s <= 6 for s in goodwill_nps),
            len(goodwill_nps),
        ),
    }


def expected_goodwill(scope: Scope) -> tuple[int, Decimal]:
    gestures = [
        g
        for g in Gesture.objects.select_related("conversation")
        if g.status in ("granted", "approved")
        and in_scope(scope, local(g.created_at), g.team_id, g.conversation.channel)
    ]
    return len(gestures), sum((g.cost for g in gestures), Decimal("0"))


def expected_retention(scope: Scope) -> tuple[int, int, int]:
    def active_on(day: datetime.date) -> set[int]:
        return {
            c.customer_id
            for c in Conversation.objects.filter(merged_into__isnull=True)
            if (local(c.created_at) is not None)
            and day - datetime.timedelta(days=ACTIVE_CUSTOMER_DAYS) < local(c.created_at) <= day  # type: ignore[operator]
            and (scope.team_id is None or c.team_id == scope.team_id)
            and (not scope.channel or c.channel == scope.channel)
        }

    start = active_on(scope.first - datetime.timedelta(days=1))
    end = active_on(scope.last)
    return len(start), len(end), len(end - start)


@pytest.fixture
def history() -> History:
    built = build_history()
    rollups.rebuild(40)
    return built


def scopes(history: History) -> list[Scope]:
    today = calendar.today()
    return [
        Scope(today - datetime.timedelta(days=29), today),
        Scope(today - datetime.timedelta(days=6), today),
        Scope(today - datetime.timedelta(days=29), today, team_id=history.teams[0].pk),
        Scope(today - datetime.timedelta(days=29), today, channel="chat"),
        Scope(
            today - datetime.timedelta(days=9),
            today - datetime.timedelta(days=3),
            history.teams[1].pk,
            "email",
        ),
    ]


def test_the_history_exercises_every_metric(history: History) -> None:
    figures = expected(Scope(calendar.today() - datetime.timedelta(days=29), calendar.today()))
    assert all(value is not None for value in figures.values()), figures
    assert 0 < figures["reopen_rate"] < 100  # type: ignore[operator]
    assert 0 < figures["one_touch_rate"] < 100  # type: ignore[operator]
    assert 0 < figures["recovery_rate"] < 100  # type: ignore[operator]
    assert 0 < figures["sla_attainment"] < 100  # type: ignore[operator]


def test_every_dashboard_metric_equals_its_definition(history: History) -> None:
    for scope in scopes(history):
        board = selectors.dashboard(scope)
        assert board.metrics == expected(scope), scope


def test_goodwill_investment_equals_the_granted_gestures(history: History) -> None:
    for scope in scopes(history):
        board = selectors.dashboard(scope)
        count, amount = expected_goodwill(scope)
        assert (board.sums["goodwill_count"], board.goodwill_amount) == (count, amount), scope
    assert selectors.dashboard(scopes(history)[0]).sums["goodwill_count"] > 0


def test_retention_is_end_minus_new_over_start(history: History) -> None:
    today = calendar.today()
    for scope in [*scopes(history), Scope(today - datetime.timedelta(days=3), today)]:
        at_start, at_end, new = expected_retention(scope)
        retention = selectors.retention(scope)
        assert (retention.at_start, retention.at_end, retention.new) == (at_start, at_end, new)
        assert retention.rate == percent(at_end - new, at_start)


def test_conversations_created_counts_each_unmerged_conversation_once(history: History) -> None:
    scope = scopes(history)[0]
    raw = sum(
        in_scope(scope, local(c.created_at), c.team_id, c.channel)
        for c in Conversation.objects.filter(merged_into__isnull=True)
    )
    assert selectors.totals(scope)["conversations_created"] == raw > 0


def test_rebuilding_twice_writes_the_same_rows(history: History) -> None:
    def snapshot() -> list[str]:
        rows = DailyRollup.objects.values().order_by()
        return sorted(repr({k: v for k, v in row.items() if k != "id"}) for row in rows)

    before = snapshot()
    rollups.rebuild(40)
    rollups.refresh_recent()
    assert snapshot() == before
    assert len(before) > 10
