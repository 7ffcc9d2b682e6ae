"""The business calendar: durations and due times counted only in opening hours.

Every SLA and response-time figure goes through here so calendar and business time are
computed one way everywhere. An organisation with no opening hours is treated as always open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from careloop.people.models import Organisation

# No organisation is closed for ten years in a row; this bounds every walk over the calendar.
MAX_DAYS = 3660


@dataclass(frozen=True)
class BusinessCalendar:
    time_zone: ZoneInfo
    # weekday (0 = Monday) -> (opens, closes)
    hours: dict[int, tuple[time, time]]
    holidays: frozenset[date]

    @classmethod
    def for_organisation(cls, organisation: Organisation) -> BusinessCalendar:
        return cls(
            time_zone=ZoneInfo(organisation.time_zone),
            hours={h.weekday: (h.opens, h.closes) for h in organisation.business_hours.all()},
            holidays=frozenset(organisation.holidays.values_list("date", flat=True)),
        )

    @property
    def always_open(self) -> bool:
        return not self.hours

    def _open_interval(self, day: date) -> tuple[datetime, datetime] | None:
        if day in self.holidays or day.weekday() not in self.hours:
            return None
        opens, closes = self.hours[day.weekday()]
        return (
            datetime.combine(day, opens, tzinfo=self.time_zone),
            datetime.combine(day, closes, tzinfo=self.time_zone),
        )

    def seconds_between(self, start: datetime, end: datetime) -> int:
        """Business seconds from start to end (0 if end is not after start)."""
        if end <= start:
            return 0
        if self.always_open:
            return int((end - start).total_seconds())
        local_start, local_end = start.astimezone(self.time_zone), end.astimezone(self.time_zone)
        total = 0.0
        day = local_start.date()
        for _ in range(MAX_DAYS):
            if day > local_end.date():
                break
            interval = self._open_interval(day)
            if interval is not None:
                overlap_start = max(interval[0], local_start)
                overlap_end = min(interval[1], local_end)
                if overlap_end > overlap_start:
                    total += (overlap_end - overlap_start).total_seconds()
            day += timedelta(days=1)
        return int(total)

    def add_seconds(self, start: datetime, seconds: int) -> datetime:
        """The moment when `seconds` business seconds have passed after start."""
        if self.always_open:
            return start + timedelta(seconds=seconds)
        remaining = float(seconds)
        local = start.astimezone(self.time_zone)
        day = local.date()
        for _ in range(MAX_DAYS):
            interval = self._open_interval(day)
            if interval is not None and interval[1] > local:
                begin = max(interval[0], local)
                available = (interval[1] - begin).total_seconds()
                if remaining <= available:
                    return (begin + timedelta(seconds=remaining)).astimezone(start.tzinfo)
                remaining -= available
            day += timedelta(days=1)
        raise ValueError("The business calendar has no opening hours within ten years.")

    def is_open_at(self, moment: datetime) -> bool:
        if self.always_open:
            return True
        local = moment.astimezone(self.time_zone)
        interval = self._open_interval(local.date())
        return interval is not None and interval[0] <= local < interval[1]
