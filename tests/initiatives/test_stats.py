from __future__ import annotations

import numpy as np
import pytest

from careloop.initiatives import stats
from tests.initiatives.synthetic import MONTHS, START, panel

# 200 datasets: the number of intervals covering the truth is Binomial(200, 0.95), whose
# 99.9 % range is about 0.90–0.99; a looser 0.88–0.99 still fails an interval that is off.
DATASETS = 200


def coverage(treated: int, comparison: int, effect: float, seed: int) -> float:
    rng = np.random.default_rng(seed)
    covered = 0
    for index in range(DATASETS):
        result = stats.did(
            panel(rng, treated, comparison, effect),
            list(range(treated)),
            list(range(treated, treated + comparison)),
            MONTHS,
            START,
            seed=index,
            draws=400,
        )
        assert result.effect.low is not None and result.effect.high is not None
        covered += result.effect.low <= effect <= result.effect.high
    return covered / DATASETS


def test_the_interval_covers_a_built_in_effect_about_95_percent_of_the_time() -> None:
    assert 0.88 <= coverage(treated=3, comparison=9, effect=4.0, seed=1) <= 0.99


def test_the_interval_covers_zero_about_95_percent_of_the_time_without_an_effect() -> None:
    assert 0.88 <= coverage(treated=2, comparison=6, effect=0.0, seed=2) <= 0.99


def test_a_single_treated_team_still_gets_an_honest_interval() -> None:
    assert 0.88 <= coverage(treated=1, comparison=5, effect=3.0, seed=3) <= 0.99


def test_a_large_effect_is_found_and_its_interval_excludes_zero() -> None:
    rng = np.random.default_rng(4)
    result = stats.did(panel(rng, 3, 9, 10.0), [0, 1, 2], list(range(3, 12)), MONTHS, START)
    assert result.effect.value == pytest.approx(10.0, abs=2.5)
    assert not result.effect.includes_zero
    assert (result.effect.treated_teams, result.effect.comparison_teams) == (3, 9)
    assert (result.effect.pre_months, result.effect.post_months) == (6, 6)


def test_difference_in_differences_by_hand() -> None:
    # Treated team 0 goes 10 -> 14, comparison teams go 20 -> 21, 30 -> 30, 40 -> 42.
    months, start = MONTHS[:6], MONTHS[3]
    levels = {0: (10, 14), 1: (20, 21), 2: (30, 30), 3: (40, 42)}
    values = {
        (team, month): float(before if index < 3 else after)
        for team, (before, after) in levels.items()
        for index, month in enumerate(months)
    }
    result = stats.did(values, [0], [1, 2, 3], months, start)
    assert result.effect.value == pytest.approx(4 - (1 + 0 + 2) / 3)
    assert result.series[0] == (months[0], 10.0, 30.0)


def test_too_few_teams_or_months_give_no_effect_and_say_what_is_missing() -> None:
    rng = np.random.default_rng(5)
    values = panel(rng, 1, 2, 5.0)
    result = stats.did(values, [0], [1, 2], MONTHS, START)
    assert result.effect.value is None
    assert any("comparison teams" in reason for reason in result.effect.missing)
    early = stats.did(panel(rng, 1, 5, 5.0), [0], [1, 2, 3, 4, 5], MONTHS[:7], START)
    assert early.effect.value is None
    assert any("months since the start" in reason for reason in early.effect.missing)


def test_the_pre_trend_check_flags_groups_that_were_already_drifting_apart() -> None:
    rng = np.random.default_rng(6)
    drifting = panel(rng, 3, 9, 0.0, treated_drift=1.5, noise=1.0)
    result = stats.did(drifting, [0, 1, 2], list(range(3, 12)), MONTHS, START)
    assert result.pre_trend.value == pytest.approx(1.5, abs=0.5)
    assert not result.pre_trend.includes_zero
    parallel = stats.did(panel(rng, 3, 9, 4.0), [0, 1, 2], list(range(3, 12)), MONTHS, START)
    assert parallel.pre_trend.low is not None and parallel.pre_trend.low < 1.5
