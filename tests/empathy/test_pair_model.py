from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from careloop.empathy import engine
from careloop.empathy.heads import MECHANISMS
from careloop.empathy.pair_model import (
    CLS_ID,
    SEP_ID,
    PairSettings,
    get_pair_model,
    pair_inputs,
)

CUSTOMER = "My order never came and nobody answers my emails."
REPLY = "Here is the tracking link for your order."


def settings(blend: float) -> PairSettings:
    return PairSettings(customer_pieces=3, reply_pieces=2, blend=dict.fromkeys(MECHANISMS, blend))


class FixedPairModel:
    """Stands in for the onnxruntime session: every pair reads as a strong level 2."""

    def __init__(self, pair_settings: PairSettings) -> None:
        self.settings = pair_settings

    def probabilities(
        self, customer_ids: Sequence[Sequence[int]], reply_ids: Sequence[Sequence[int]]
    ) -> np.ndarray:
        return np.tile(np.array([0.0, 0.0, 1.0], dtype=np.float32), (len(reply_ids), 3, 1))


def static_score(monkeypatch: pytest.MonkeyPatch) -> engine.ReplyScore:
    """The reply's score with no pair model in models/: the static heads alone."""
    monkeypatch.setattr(engine, "get_pair_model", lambda: None)
    return engine.score_reply(CUSTOMER, REPLY)


def test_each_side_is_cut_to_its_budget_and_the_reply_is_the_second_segment() -> None:
    ids, segments = pair_inputs([1, 2, 3, 4, 5], [6, 7, 8], settings(0.5))

    assert ids == [CLS_ID, 1, 2, 3, SEP_ID, 6, 7, SEP_ID]
    assert segments == [0, 0, 0, 0, 0, 1, 1, 1]


def test_with_no_share_for_the_pair_model_the_static_heads_decide(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    static = static_score(monkeypatch)

    monkeypatch.setattr(engine, "get_pair_model", lambda: FixedPairModel(settings(0.0)))
    blended = engine.score_reply(CUSTOMER, REPLY)

    assert blended == static


def test_with_the_whole_share_the_pair_model_decides_the_levels_under_the_rules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "get_pair_model", lambda: FixedPairModel(settings(1.0)))

    score = engine.score_reply(CUSTOMER, REPLY)

    assert (score.interpretations, score.explorations) == (2, 2)
    # The rules still apply on top: a reply that reacts to nothing shows no emotional reaction.
    assert score.emotional_reactions == 0
    assert score.probabilities["interpretations"] == (0.0, 0.0, 1.0)


def test_back_filling_without_the_pair_model_scores_with_the_static_heads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    static = static_score(monkeypatch)
    monkeypatch.setattr(engine, "get_pair_model", lambda: FixedPairModel(settings(1.0)))

    [back_filled] = engine.score_replies([(CUSTOMER, REPLY)], contextual=False)

    assert back_filled == static


def test_the_committed_pair_model_loads_and_gives_a_distribution_per_mechanism() -> None:
    model = get_pair_model()
    assert model is not None

    probabilities = model.probabilities([[2023, 2003], []], [[7592, 999], [4067]])

    assert probabilities.shape == (2, 3, 3)
    assert np.allclose(probabilities.sum(axis=2), 1.0, atol=1e-5)
    assert set(model.settings.blend) == set(MECHANISMS)
