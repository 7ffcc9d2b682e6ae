"""The customer survey scales and where each draws its lines: one home, used by every domain.

CSAT 1–5 (satisfied: 4–5), Customer Effort 1–7 (easy: 5–7), Net Promoter 0–10 (promoters
9–10, detractors 0–6; eNPS in pulse surveys uses the same lines). An answer is a *detractor*
when any of its scores is at or below its scale's poor line (NPS 0–6, CSAT 1–2, effort 1–3):
such answers open a recovery task and count as detractors in every report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q


@dataclass(frozen=True)
class Scale:
    field: str  # the answer's field: csat, ces, nps
    label: str  # as people read it: "CSAT", "Effort", "NPS"
    low: int
    high: int
    good_from: int  # satisfied, easy, promoter: this and above
    poor_to: int  # unhappy, hard, detractor: this and below

    def is_good(self, value: int) -> bool:
        return value >= self.good_from

    def is_poor(self, value: int) -> bool:
        return value <= self.poor_to

    def holds(self, value: int) -> bool:
        return self.low <= value <= self.high

    def choices(self) -> list[tuple[int, str]]:
        return [(value, str(value)) for value in range(self.low, self.high + 1)]

    def good(self, prefix: str = "") -> Q:
        """Rows whose score (at `prefix` + field) is good, for counting in the database."""
        return Q(**{f"{prefix}{self.field}__gte": self.good_from})

    def poor(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}{self.field}__lte": self.poor_to})


CSAT = Scale("csat", "CSAT", low=1, high=5, good_from=4, poor_to=2)
CES = Scale("ces", "Effort", low=1, high=7, good_from=5, poor_to=3)
NPS = Scale("nps", "NPS", low=0, high=10, good_from=9, poor_to=6)
SCALES = (CSAT, CES, NPS)


def percent_good(scale: Scale, values: Sequence[int]) -> float | None:
    """Share of good scores in percent (CSAT satisfied, effort easy), None without answers."""
    return 100 * sum(scale.is_good(value) for value in values) / len(values) if values else None


def net_promoter_score(values: Sequence[int]) -> float | None:
    """% promoters − % detractors over every answer (passives count in the base)."""
    if not values:
        return None
    promoters = sum(NPS.is_good(value) for value in values)
    detractors = sum(NPS.is_poor(value) for value in values)
    return 100 * (promoters - detractors) / len(values)


def poor_scores(scores: Iterable[tuple[Scale, int | None]]) -> list[str]:
    """The scores that make an answer a detractor, as "NPS 3"; empty when none does."""
    return [
        f"{scale.label} {value}"
        for scale, value in scores
        if value is not None and scale.is_poor(value)
    ]


def detractor(prefix: str = "") -> Q:
    """Answers with any poor score, for counting in the database."""
    return reduce(or_, (scale.poor(prefix) for scale in SCALES))
