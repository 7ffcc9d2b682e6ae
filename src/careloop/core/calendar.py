"""Organisation-local dates: "today", "this month", due dates and deadlines all mean the
organisation's time zone (`people.Organisation.time_zone`), whichever process asks: a web
request, a task, an email or a management command. Times are stored in UTC.

The zone is read from the database on each call, so a changed zone counts at once, in every
process; `organisation_time()` reads it once for a request or task and activates it for
Django's own rendering (templates' `date` filter, forms).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from django.apps import apps
from django.templatetags.tz import do_timezone
from django.utils import dateformat, timezone

DEADLINE_FORMAT = "j M Y H:i"

_scoped_zone: ContextVar[ZoneInfo | None] = ContextVar("organisation_zone", default=None)


def _stored_zone() -> ZoneInfo:
    # Looked up by label: core sits below people, so it must not import it.
    organisation = apps.get_model("people", "Organisation")
    name = organisation.objects.order_by("pk").values_list("time_zone", flat=True).first()
    return ZoneInfo(name or organisation._meta.get_field("time_zone").default)


def organisation_zone() -> ZoneInfo:
    """The organisation's time zone (the one read for this request or task, if any)."""
    return _scoped_zone.get() or _stored_zone()


@contextmanager
def organisation_zone_read_once() -> Iterator[ZoneInfo]:
    """Within the block, the organisation's zone is read once; Django's current zone is left
    as it is. For bulk work that asks for local dates thousands of times (building the demo)
    and does not change the zone meanwhile."""
    zone = _stored_zone()
    token = _scoped_zone.set(zone)
    try:
        yield zone
    finally:
        _scoped_zone.reset(token)


@contextmanager
def organisation_time() -> Iterator[ZoneInfo]:
    """Within the block, the organisation's zone is read once and is Django's current zone."""
    with organisation_zone_read_once() as zone, timezone.override(zone):
        yield zone


def now() -> datetime.datetime:
    """The current moment, as an aware datetime in the organisation's zone."""
    return timezone.now().astimezone(organisation_zone())


def today() -> datetime.date:
    """The organisation's calendar date now."""
    return now().date()


def days_from_today(days: int) -> datetime.date:
    """The organisation's date `days` days from now (a default due or review date)."""
    return today() + datetime.timedelta(days=days)


def local_time(moment: datetime.datetime | None = None) -> datetime.datetime:
    """An aware moment (now, if none) in the organisation's zone; templates do not convert
    it again."""
    return do_timezone(moment or timezone.now(), organisation_zone())


def local_date(moment: datetime.datetime) -> datetime.date:
    """The organisation's calendar date at an aware moment."""
    return moment.astimezone(organisation_zone()).date()


def format_moment(moment: datetime.datetime | None, format_string: str = DEADLINE_FORMAT) -> str:
    """A moment as the organisation reads it ("7 Dec 2026 17:00"); pages and emails agree."""
    if moment is None:
        return ""
    return dateformat.format(local_time(moment), format_string)


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The aware moment the organisation's `day` begins."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=organisation_zone())


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The aware moment the organisation's `day` ends (exclusive: the next day begins)."""
    return start_of_day(day + datetime.timedelta(days=1))


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def next_month(day: datetime.date) -> datetime.date:
    """The first day of the month after `day`'s."""
    return add_months(first_of_month(day), 1)


def previous_month(day: datetime.date) -> datetime.date:
    """The first day of the month before `day`'s."""
    return add_months(first_of_month(day), -1)


def start_of_month(day: datetime.date) -> datetime.datetime:
    """The aware moment the organisation's month holding `day` begins."""
    return start_of_day(first_of_month(day))


def end_of_month(day: datetime.date) -> datetime.datetime:
    """The aware moment the organisation's month holding `day` ends (exclusive)."""
    return start_of_day(next_month(day))


def this_month() -> datetime.date:
    """The first day of the organisation's current month."""
    return first_of_month(today())
