"""The retention roll-up holds, for every preset period and scope, what the dashboard's own
count (`selectors._retention`) gives; the dashboard reads it and falls back where it has none."""

from __future__ import annotations

import datetime
import random

import pytest

from careloop.conversations.models import Channel
from careloop.core import calendar
from careloop.insights import rollups, selectors, tasks
from careloop.insights.models import CustomerActivity, RetentionRollup
from careloop.insights.selectors import ACTIVE_CUSTOMER_DAYS, PRESET_PERIODS, Retention, Scope
from careloop.people.models import Team
from tests.insights.history import build_history
from tests.insights.test_definitions import expected_retention
from tests.people.factories import TeamFactory

pytestmark = pytest.mark.django_db

CHANNELS = ("email", "chat", "api")


def preset_scopes(last_day: datetime.date, teams: list[Team]) -> list[Scope]:
    """Every preset period over all, each team, each channel and each team on each channel."""
    return [
        Scope(last_day - datetime.timedelta(days=days - 1), last_day, team_id, channel)
        for days in PRESET_PERIODS
        for team_id in (None, *(team.pk for team in teams))
        for channel in ("", *CHANNELS)
    ]


def seed_activity(teams: list[Team]) -> datetime.date:
    """A year and a half of activity of 40 customers, some of it teamless, some on no team's
    channel in some windows; returns the last day."""
    rng = random.Random(5)
    last_day = datetime.date(2026, 11, 20)
    span = 365 + ACTIVE_CUSTOMER_DAYS + 20
    CustomerActivity.objects.bulk_create(
        CustomerActivity(
            day=last_day - datetime.timedelta(days=rng.randrange(span)),
            customer_id=rng.randrange(40),
            team=rng.choice([*teams, None]),
            channel=rng.choice(CHANNELS),
        )
        for _ in range(600)
    )
    return last_day


def stored(scope: Scope) -> Retention | None:
    row = RetentionRollup.objects.filter(
        last_day=scope.last, days=scope.days, team_id=scope.team_id, channel=scope.channel
    ).first()
    return Retention(row.at_start, row.at_end, row.new) if row else None


def test_the_rollup_equals_the_dashboards_count_for_every_preset_and_scope() -> None:
    teams = [TeamFactory(), TeamFactory(), TeamFactory()]
    last_day = seed_activity(teams[:2])
    written = rollups.recompute_retention(last_day)
    scopes = preset_scopes(last_day, teams)
    for scope in scopes:
        counted = selectors._retention(scope)
        assert (stored(scope) or Retention(0, 0, 0)) == counted, scope
        assert selectors.retention(scope) == counted, scope
    # Rows for each kind of scope, with customers at both ends, and none for the idle team.
    team, channel = teams[0].pk, "chat"
    for team_id, channel_name in ((None, ""), (team, ""), (None, channel), (team, channel)):
        for days in PRESET_PERIODS:
            first = last_day - datetime.timedelta(days=days - 1)
            row = stored(Scope(first, last_day, team_id, channel_name))
            assert row is not None and row.at_start > 0 and row.at_end > 0, (team_id, channel_name)
    assert not RetentionRollup.objects.filter(team=teams[2]).exists()
    assert written == RetentionRollup.objects.count() == 4 * (1 + 2 + 3 + 2 * 3)


def test_recomputing_the_rollup_twice_leaves_the_same_rows_and_retires_older_days() -> None:
    teams = [TeamFactory(), TeamFactory()]
    last_day = seed_activity(teams)
    rollups.recompute_retention(last_day - datetime.timedelta(days=1))
    rollups.recompute_retention(last_day)

    def snapshot() -> list[tuple[object, ...]]:
        return sorted(
            RetentionRollup.objects.values_list(
                "last_day", "days", "team_id", "channel", "at_start", "at_end", "new"
            ),
            key=repr,
        )

    before = snapshot()
    rollups.recompute_retention(last_day)
    assert snapshot() == before
    assert {row[0] for row in before} == {last_day}


def test_the_dashboard_reads_the_rollup_and_counts_where_it_has_none() -> None:
    team = TeamFactory()
    last_day = seed_activity([team])
    preset = Scope(last_day - datetime.timedelta(days=29), last_day, team.pk, "email")
    custom = Scope(last_day - datetime.timedelta(days=29), last_day - datetime.timedelta(days=1))
    counted = selectors._retention(preset)
    # Before the roll-up has the day, the dashboard counts.
    assert selectors.retention(preset) == counted
    rollups.recompute_retention(last_day)
    # The dashboard answers what the roll-up holds (altered here to tell the two apart)...
    RetentionRollup.objects.filter(last_day=last_day, days=30, team=team, channel="email").update(
        at_end=counted.at_end + 7
    )
    assert selectors.retention(preset).at_end == counted.at_end + 7
    # ...zeros for a scope the roll-up has no row for (no activity) on a rolled-up day...
    idle = Scope(preset.first, preset.last, TeamFactory().pk, "chat")
    assert selectors.retention(idle) == Retention(0, 0, 0) == selectors._retention(idle)
    # ...and counts a period that is no preset.
    assert selectors.retention(custom) == selectors._retention(custom)


def test_the_refresh_task_rolls_up_retention_equal_to_the_definition() -> None:
    history = build_history()
    rollups.rebuild(40)
    RetentionRollup.objects.all().delete()
    tasks.refresh_rollups.enqueue()
    today = calendar.today()
    assert RetentionRollup.objects.filter(last_day=today).exists()
    team = history.teams[1].pk
    for scope in (
        Scope(today - datetime.timedelta(days=6), today, team, Channel.EMAIL),
        Scope(today - datetime.timedelta(days=6), today, None, Channel.CHAT),
        Scope(today - datetime.timedelta(days=29), today, team),
    ):
        assert stored(scope) is not None, scope
        retention = selectors.retention(scope)
        assert (retention.at_start, retention.at_end, retention.new) == expected_retention(scope)
        assert retention.at_end > 0
