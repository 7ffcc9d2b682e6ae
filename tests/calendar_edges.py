"""Moments at the edge of a month, in zones far from UTC, and a clock that stands still there.

Each edge is 23:30 on the last day of November or 00:30 on the first of December, local time;
in two of them the UTC date is a different one, so code reading UTC dates gets them wrong.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from careloop.people.selectors import current_organisation


@dataclass(frozen=True)
class Edge:
    zone: str
    local: datetime.datetime  # naive, in `zone`

    @property
    def moment(self) -> datetime.datetime:
        return self.local.replace(tzinfo=ZoneInfo(self.zone)).astimezone(datetime.UTC)

    @property
    def today(self) -> datetime.date:
        return self.local.date()

    def __str__(self) -> str:
        return f"{self.zone} {self.local:%Y-%m-%d %H:%M}"


BEFORE_MIDNIGHT = datetime.datetime(2026, 11, 30, 23, 30)
AFTER_MIDNIGHT = datetime.datetime(2026, 12, 1, 0, 30)
EDGES = [
    Edge(zone, local)
    for zone in ("Pacific/Auckland", "America/Los_Angeles")
    for local in (BEFORE_MIDNIGHT, AFTER_MIDNIGHT)
]
edges = pytest.mark.parametrize("edge", EDGES, ids=str)


def stand_at(monkeypatch: pytest.MonkeyPatch, edge: Edge) -> None:
    """Put the organisation in the edge's zone and stop the clock at its moment."""
    organisation = current_organisation()
    organisation.time_zone = edge.zone
    organisation.save(update_fields=["time_zone"])
    monkeypatch.setattr(timezone, "now", lambda: edge.moment)
