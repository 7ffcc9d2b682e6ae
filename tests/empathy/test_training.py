"""Splits, intervals and learning from agents' corrections (`careloop empathy train|eval`)."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command

from careloop.coaching.models import ScoreDisputeVerdict
from careloop.coaching.services.score_disputes import review_score_dispute
from careloop.core.permissions import Role
from careloop.empathy import training
from careloop.empathy.features import StaticEncoder
from tests.coaching.factories import score_dispute
from tests.people.factories import TeamFactory, UserFactory


def pair(seeker_id: str, seeker: str, response: str, level: int) -> training.EpitomePair:
    levels = dict.fromkeys(training.MECHANISMS, level)
    return training.EpitomePair(seeker_id, seeker, response, levels)


def test_epitome_splits_are_fixed_disjoint_and_keep_the_earlier_test_pairs() -> None:
    ids = [f"seeker{number}" for number in range(2000)]
    splits = [pair(seeker_id, "", "", 0).split for seeker_id in ids]

    assert {
        split: round(splits.count(split) / len(ids), 2) for split in ("train", "tune", "test")
    } == pytest.approx({"train": 0.7, "tune": 0.1, "test": 0.2}, abs=0.03)
    # The test pairs are the held-out pairs of the first engine (crc32 % 5 == 0), so figures
    # stay comparable across versions.
    assert [split == "test" for split in splits] == [
        zlib.crc32(seeker_id.encode()) % 5 == 0 for seeker_id in ids
    ]


def test_the_interval_is_a_point_for_perfect_predictions_and_brackets_noisy_ones() -> None:
    rng = np.random.default_rng(1)
    truth = np.eye(3, dtype=bool)[rng.integers(0, 3, 400)]
    noisy = truth.copy()
    flipped = rng.random(400) < 0.3
    noisy[flipped] = np.eye(3, dtype=bool)[rng.integers(0, 3, int(flipped.sum()))]

    assert training.macro_f1_interval(truth, truth) == (1.0, 1.0)
    low, high = training.macro_f1_interval(truth, noisy)
    point = training.macro_f1(truth.argmax(1), noisy.argmax(1), (0, 1, 2))
    assert low < point < high
    assert high - low < 0.15


CARING = "I'm so sorry, that sounds awful. How are you holding up?"
FLAT = "Your order number is 1234."
TRICKY = "Right, let's get a new one out to you today."


@pytest.fixture
def tiny_epitome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[training.EpitomePair]:
    monkeypatch.setattr(training, "EPITOME_HEADS_PATH", tmp_path / "epitome.npz")
    pairs = []
    for number in range(90):
        level = number % 3
        response = (CARING, FLAT, CARING + " " + FLAT)[level]
        pairs.append(pair(f"s{number}", f"My parcel {number} is lost.", response, level))
    return pairs


def test_corrections_join_the_fit_and_the_report_says_what_they_changed(
    tiny_epitome: list[training.EpitomePair],
) -> None:
    correction = training.Correction(1, "My parcel is lost.", TRICKY, "explorations", 2)

    metrics = training.train_epitome(StaticEncoder(), tiny_epitome, print, [correction])

    assert metrics["agent_corrections"] == 1
    explorations = metrics["explorations"]
    assert explorations["agent_corrections"] == 1
    assert set(explorations["without_corrections"]) == {
        "accuracy",
        "macro_f1",
        "corrections_agreed",
    }
    assert (
        explorations["corrections_agreed"]
        >= explorations["without_corrections"]["corrections_agreed"]
    )
    assert metrics["emotional_reactions"]["agent_corrections"] == 0
    assert "without_corrections" not in metrics["emotional_reactions"]
    assert explorations["c"] in training.EPITOME_C_CANDIDATES
    assert training.EPITOME_HEADS_PATH.exists()


@pytest.mark.django_db
def test_train_learns_overturned_scores_and_records_the_model_version(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    overturned = review_score_dispute(
        score_dispute(UserFactory(role=Role.AGENT, team=team)), by=lead, outcome="overturned"
    )
    review_score_dispute(
        score_dispute(UserFactory(role=Role.AGENT, team=team)), by=lead, outcome="confirmed"
    )
    seen: dict[str, Any] = {}

    def fake_train(data_dir: Path, log: Any, **options: Any) -> dict[str, Any]:
        seen.update(options)
        counts = dict.fromkeys(training.MECHANISMS, 0)
        counts["explorations"] = len(options["corrections"])
        row = {"accuracy": 0.9, "macro_f1": 0.7, "agent_corrections": 1, "corrections_agreed": 1}
        before = {"accuracy": 0.9, "macro_f1": 0.69, "corrections_agreed": 0}
        return {
            "epitome": {
                "emotional_reactions": {"accuracy": 0.8, "macro_f1": 0.7},
                "interpretations": {"accuracy": 0.8, "macro_f1": 0.6},
                "explorations": {**row, "without_corrections": before},
            },
            "agent_corrections": {"total": len(options["corrections"]), **counts},
            "version": "empathy-0123456789",
            "train_seconds": 1.0,
        }

    monkeypatch.setattr(training, "train", fake_train)
    (tmp_path / "epitome").mkdir()
    (tmp_path / "goemotions").mkdir()

    call_command("empathy", "train", "--data", str(tmp_path), "--epitome-only")

    [correction] = seen["corrections"]
    assert (correction.mechanism, correction.level) == ("explorations", 2)
    assert seen["epitome_only"] is True
    output = capsys.readouterr().out
    assert "agent corrections learned: 1 (emotional_reactions 0, interpretations 0, " in output
    assert "explorations 1); 1 new to this version" in output
    assert "explorations: test macro-F1 0.690 -> 0.700" in output
    overturned.refresh_from_db()
    assert overturned.learned_by_model == "empathy-0123456789"
    assert ScoreDisputeVerdict.objects.filter(learned_by_model="").count() == 1
