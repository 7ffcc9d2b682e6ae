"""The retention roll-up's figures: the retention of every preset period ending on one day, for
every scope the dashboard offers, from a few passes over the customer activity."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from careloop.core import calendar
from careloop.insights.models import CustomerActivity, RetentionRollup
from careloop.insights.selectors import (
    ACTIVE_CUSTOMER_DAYS,
    PRESET_PERIODS,
    Retention,
    active_between,
)

# The scopes, by the columns that single them out: all, each channel, each team, each team on
# each channel. Distinct customers do not add up across scopes, so each is a pass of its own.
GROUPINGS: tuple[tuple[str, ...], ...] = ((), ("channel",), ("team_id",), ("team_id", "channel"))


def retention_rows(last_day: datetime.date) -> list[RetentionRollup]:
    """Every preset period's retention ending on `last_day`, as `selectors._retention` counts
    it, for every scope with activity in its windows; the all-scope row always, so its
    presence says the day was computed."""
    window = datetime.timedelta(days=ACTIVE_CUSTOMER_DAYS)
    start_days = {days: last_day - datetime.timedelta(days=days) for days in PRESET_PERIODS}
    # One flag per customer for the end window, shared by every period (they all end on
    # `last_day`), and one per period for its start window.
    flags = {"at_end": active_between(last_day - window, last_day)}
    for days, start_day in start_days.items():
        flags[f"at_start_{days}"] = active_between(start_day - window, start_day)
    activity = CustomerActivity.objects.filter(
        day__gt=min(start_days.values()) - window, day__lte=last_day
    )
    rows: list[RetentionRollup] = []
    for columns in GROUPINGS:
        scoped = activity
        if "team_id" in columns:
            scoped = scoped.exclude(team=None)
        if "channel" in columns:
            scoped = scoped.exclude(channel="")
        per_customer = scoped.values("customer_id", *columns).annotate(**flags)
        for (team_id, channel), figures in _summed(per_customer, columns):
            for days in PRESET_PERIODS:
                at_start, at_end, new = figures[days]
                if columns and not (at_start or at_end):
                    continue
                rows.append(
                    RetentionRollup(
                        last_day=last_day,
                        days=days,
                        team_id=team_id,
                        channel=channel,
                        at_start=at_start,
                        at_end=at_end,
                        new=new,
                    )
                )
    return rows


def _summed(
    per_customer: QuerySet[CustomerActivity, dict[str, object]], columns: tuple[str, ...]
) -> Iterator[tuple[tuple[int | None, str], dict[int, tuple[int, int, int]]]]:
    """Sum the per-customer flags per scope in the database: (team, channel) and, per period,
    (at start, at end, new)."""
    quote = connection.ops.quote_name
    at_end = quote("at_end")
    sums = [f"SUM({at_end})"]
    for days in PRESET_PERIODS:
        at_start = quote(f"at_start_{days}")
        # New: active at the end but not at the start (flags are 0 or 1).
        sums += [f"SUM({at_start})", f"SUM({at_end} * (1 - {at_start}))"]
    keys = [quote(column) for column in columns]
    inner, params = per_customer.query.sql_with_params()
    # Only quoted column names and Django's own SQL (its values are parameters) go in.
    sql = f"SELECT {', '.join([*keys, *sums])} FROM ({inner}) per_customer"  # noqa: S608
    if keys:
        sql += f" GROUP BY {', '.join(keys)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        results = cursor.fetchall()
    for result in results:
        scope: dict[str, Any] = dict(zip(columns, result[: len(columns)], strict=True))
        end_total, *per_period = (int(value or 0) for value in result[len(columns) :])
        figures = {
            days: (per_period[2 * index], end_total, per_period[2 * index + 1])
            for index, days in enumerate(PRESET_PERIODS)
        }
        team_id = scope.get("team_id")
        yield (
            (int(team_id) if team_id is not None else None, str(scope.get("channel") or "")),
            figures,
        )


def team_months(
    first_month: datetime.date, last_month: datetime.date
) -> dict[tuple[int, datetime.date], Retention]:
    """Each team's retention in each calendar month from `first_month` to `last_month`, as the
    dashboard counts it for a period that is that month and that team: S = customers active
    with the team the day before the month, E = active on its last day, N = active at the end
    but not at the start. One pass per month over the activity of its two windows."""
    window = datetime.timedelta(days=ACTIVE_CUSTOMER_DAYS)
    found: dict[tuple[int, datetime.date], Retention] = {}
    month = calendar.first_of_month(first_month)
    while month <= last_month:
        start_day = month - datetime.timedelta(days=1)
        last_day = calendar.next_month(month) - datetime.timedelta(days=1)
        flags = (
            CustomerActivity.objects.filter(
                team__isnull=False, day__gt=start_day - window, day__lte=last_day
            )
            .values("team_id", "customer_id")
            .annotate(
                at_start=active_between(start_day - window, start_day),
                at_end=active_between(last_day - window, last_day),
            )
            .values_list("team_id", "at_start", "at_end")
        )
        counts: dict[int, list[int]] = {}
        for team_id, at_start, at_end in flags:
            sums = counts.setdefault(team_id, [0, 0, 0])
            sums[0] += at_start
            sums[1] += at_end
            sums[2] += max(at_end - at_start, 0)
        for team_id, (at_start, at_end, new) in counts.items():
            found[(team_id, month)] = Retention(at_start=at_start, at_end=at_end, new=new)
        month = calendar.next_month(month)
    return found
