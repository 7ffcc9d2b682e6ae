"""Difference-in-differences on team × month panels, with a team-clustered bootstrap.

Each team is summarised by one number, the mean of its post-start months minus the mean of
its pre-start months, so a team is the unit of resampling (its months are correlated). The
effect is the treated teams' mean change minus the comparison teams' mean change.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Panel = Mapping[tuple[int, datetime.date], float]

# Statistics minimums: fewer and no effect is shown (the privacy minimum applies per cell,
# upstream, before a value reaches a panel).
MIN_TREATED_TEAMS = 1
MIN_COMPARISON_TEAMS = 3
MIN_PRE_MONTHS = 3
MIN_POST_MONTHS = 2
BOOTSTRAP_DRAWS = 2000

# Two-sided 97.5 % quantiles of Student's t for small degrees of freedom (beyond 30: normal).
_T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t_975(df: int) -> float:
    if df < 1:
        return math.inf
    return _T_975[df - 1] if df <= len(_T_975) else 1.96 + 2.4 / df


@dataclass(frozen=True)
class Estimate:
    """A difference with its 95 % interval; `value` is None when the minimums are not met."""

    value: float | None
    low: float | None
    high: float | None
    treated_teams: int
    comparison_teams: int
    pre_months: int
    post_months: int
    missing: tuple[str, ...] = ()

    @property
    def includes_zero(self) -> bool:
        return self.low is None or self.high is None or self.low <= 0 <= self.high


@dataclass(frozen=True)
class Result:
    effect: Estimate
    pre_trend: Estimate
    # Mean of each group per month, for the before/after chart: month -> (treated, comparison).
    series: tuple[tuple[datetime.date, float | None, float | None], ...]


def _team_values(
    panel: Panel, team_ids: Sequence[int], months: Sequence[datetime.date]
) -> dict[int, list[tuple[int, float]]]:
    positions = {month: index for index, month in enumerate(months)}
    values: dict[int, list[tuple[int, float]]] = {team_id: [] for team_id in team_ids}
    for (team_id, month), value in panel.items():
        if team_id in values and month in positions:
            values[team_id].append((positions[month], value))
    return values


def _interval(
    treated: np.ndarray, comparison: np.ndarray, rng: np.random.Generator, draws: int
) -> tuple[float, float, float]:
    """The difference of group means and its 95 % interval.

    Residuals of every team (about its group's mean) are pooled and resampled whole teams at a
    time, so a single treated team still gets an interval: its noise is taken to be like the
    comparison teams'. The bootstrap's standard error, corrected for the two means estimated,
    goes with Student's t on n − 2 degrees of freedom (few teams: a wider, honest interval).
    """
    effect = float(treated.mean() - comparison.mean())
    n_treated, n_comparison = len(treated), len(comparison)
    n = n_treated + n_comparison
    residuals = np.concatenate([treated - treated.mean(), comparison - comparison.mean()])
    residuals *= math.sqrt(n / (n - 2))
    picks = rng.integers(0, n, size=(draws, n))
    drawn = residuals[picks]
    replicates = drawn[:, :n_treated].mean(axis=1) - drawn[:, n_treated:].mean(axis=1)
    half = t_975(n - 2) * float(replicates.std(ddof=1))
    return effect, effect - half, effect + half


def did(
    panel: Panel,
    treated_ids: Sequence[int],
    comparison_ids: Sequence[int],
    months: Sequence[datetime.date],
    start: datetime.date,
    *,
    seed: int = 0,
    draws: int = BOOTSTRAP_DRAWS,
) -> Result:
    """The effect of starting something in `start`'s month on the treated teams, against the
    comparison teams over the same `months`, with the pre-trend check on the months before."""
    rng = np.random.default_rng(seed)
    months = sorted(months)
    first_post = next((index for index, month in enumerate(months) if month >= start), len(months))
    values = _team_values(panel, [*treated_ids, *comparison_ids], months)

    def changes(team_ids: Sequence[int]) -> list[float]:
        found = []
        for team_id in team_ids:
            pre = [value for index, value in values[team_id] if index < first_post]
            post = [value for index, value in values[team_id] if index >= first_post]
            if pre and post:
                found.append(sum(post) / len(post) - sum(pre) / len(pre))
        return found

    def slopes(team_ids: Sequence[int]) -> list[float]:
        found = []
        for team_id in team_ids:
            pre = [(index, value) for index, value in values[team_id] if index < first_post]
            if len(pre) >= 2:
                xs = np.array([index for index, _ in pre], dtype=float)
                ys = np.array([value for _, value in pre], dtype=float)
                found.append(float(np.polyfit(xs, ys, 1)[0]))
        return found

    observed_months = {index for team in values.values() for index, _ in team}
    pre_months = sum(1 for index in observed_months if index < first_post)
    post_months = sum(1 for index in observed_months if index >= first_post)

    def estimate(treated: list[float], comparison: list[float], need_post: bool) -> Estimate:
        missing = []
        if len(treated) < MIN_TREATED_TEAMS:
            missing.append(
                f"at least {MIN_TREATED_TEAMS} team with the initiative and figures before "
                f"and after (has {len(treated)})"
            )
        if len(comparison) < MIN_COMPARISON_TEAMS:
            missing.append(
                f"at least {MIN_COMPARISON_TEAMS} comparison teams with figures before and "
                f"after (has {len(comparison)})"
            )
        if pre_months < MIN_PRE_MONTHS:
            missing.append(f"at least {MIN_PRE_MONTHS} months before the start (has {pre_months})")
        if need_post and post_months < MIN_POST_MONTHS:
            missing.append(f"at least {MIN_POST_MONTHS} months since the start (has {post_months})")
        if missing:
            return Estimate(
                None, None, None, len(treated), len(comparison), pre_months, post_months,
                tuple(missing),
            )  # fmt: skip
        value, low, high = _interval(np.array(treated), np.array(comparison), rng, draws)
        return Estimate(value, low, high, len(treated), len(comparison), pre_months, post_months)

    effect = estimate(changes(treated_ids), changes(comparison_ids), need_post=True)
    pre_trend = estimate(slopes(treated_ids), slopes(comparison_ids), need_post=False)

    def mean_of(team_ids: Sequence[int], index: int) -> float | None:
        found = [value for team_id in team_ids for at, value in values[team_id] if at == index]
        return sum(found) / len(found) if found else None

    series = tuple(
        (month, mean_of(treated_ids, index), mean_of(comparison_ids, index))
        for index, month in enumerate(months)
    )
    return Result(effect, pre_trend, series)
