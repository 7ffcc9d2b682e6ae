"""Synthetic team × month panels with a known effect, for the statistics tests."""

from __future__ import annotations

import datetime

import numpy as np

MONTHS = [datetime.date(2026, month, 1) for month in range(1, 13)]
START = MONTHS[6]


def panel(
    rng: np.random.Generator,
    treated: int,
    comparison: int,
    effect: float,
    *,
    noise: float = 2.0,
    treated_drift: float = 0.0,
) -> dict[tuple[int, datetime.date], float]:
    """Teams with their own level, a shared seasonal month effect, month-to-month noise, and
    `effect` added to the first `treated` teams from START on (`treated_drift` a month to them
    throughout: a broken parallel trend)."""
    months = {month: rng.normal(0, 3) for month in MONTHS}
    values = {}
    for team in range(treated + comparison):
        level = rng.normal(70, 8)
        is_treated = team < treated
        for index, month in enumerate(MONTHS):
            value = level + months[month] + rng.normal(0, noise)
            if is_treated:
                value += treated_drift * index + (effect if month >= START else 0.0)
            values[(team, month)] = value
    return values
