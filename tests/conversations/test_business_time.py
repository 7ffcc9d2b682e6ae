from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from careloop.conversations.business_time import BusinessCalendar

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WEEKDAYS_9_TO_17 = {day: (time(9), time(17)) for day in range(5)}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    # November 2026: the 23rd is a Monday.
    return datetime(2026, 11, day, hour, minute, tzinfo=AMSTERDAM)


@pytest.fixture
def calendar() -> BusinessCalendar:
    return BusinessCalendar(AMSTERDAM, WEEKDAYS_9_TO_17, frozenset({date(2026, 11, 25)}))


def test_time_outside_opening_hours_does_not_count(calendar: BusinessCalendar) -> None:
    # Monday 16:00 to Tuesday 10:00 is one hour on Monday and one on Tuesday.
    assert calendar.seconds_between(at(23, 16), at(24, 10)) == 2 * 3600


def test_weekends_and_holidays_are_closed(calendar: BusinessCalendar) -> None:
    # Tuesday 16:00 -> Thursday 10:00 skips Wednesday the 25th, a holiday.
    assert calendar.seconds_between(at(24, 16), at(26, 10)) == 2 * 3600
    # Friday 16:00 -> Monday 10:00 skips the weekend.
    assert calendar.seconds_between(at(27, 16), at(30, 10)) == 2 * 3600


def test_adding_business_time_lands_inside_opening_hours(calendar: BusinessCalendar) -> None:
    assert calendar.add_seconds(at(23, 16), 4 * 3600) == at(24, 12)
    assert calendar.add_seconds(at(27, 16, 30), 3600) == at(30, 9, 30)
    # Starting before opening counts from opening.
    assert calendar.add_seconds(at(23, 6), 3600) == at(23, 10)


def test_adding_then_measuring_gives_back_the_same_duration(calendar: BusinessCalendar) -> None:
    start = at(23, 13, 17)
    for seconds in (60, 3600, 8 * 3600, 40 * 3600):
        assert calendar.seconds_between(start, calendar.add_seconds(start, seconds)) == seconds


def test_without_opening_hours_every_hour_counts() -> None:
    always = BusinessCalendar(AMSTERDAM, {}, frozenset())
    assert always.seconds_between(at(28, 10), at(29, 10)) == 24 * 3600
    assert always.is_open_at(at(28, 3))


def test_end_before_start_is_zero(calendar: BusinessCalendar) -> None:
    assert calendar.seconds_between(at(24, 12), at(23, 12)) == 0


def test_a_calendar_that_never_opens_is_refused() -> None:
    never = BusinessCalendar(AMSTERDAM, {0: (time(9), time(17))}, frozenset())
    closed_mondays = frozenset(
        date.fromordinal(date(2026, 11, 23).toordinal() + 7 * week) for week in range(600)
    )
    never = BusinessCalendar(AMSTERDAM, never.hours, closed_mondays)
    with pytest.raises(ValueError, match="no opening hours"):
        never.add_seconds(at(23, 8), 60)
