"""The trained heads in models/*.npz, run with numpy: linear models over [dense vector,
word-piece presence]. Loaded once per process, on first use."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from careloop.empathy import pair_model
from careloop.empathy.features import MODELS_DIR, StaticEncoder, get_static_encoder

EPITOME_PATH = MODELS_DIR / "epitome.npz"
GOEMOTIONS_PATH = MODELS_DIR / "goemotions.npz"
MECHANISMS = ("emotional_reactions", "interpretations", "explorations")

Matrix = npt.NDArray[np.float32]


@dataclass
class LinearHead:
    """logits = dense @ dense_weights.T + sum of bag_weights over the distinct pieces + bias."""

    dense_weights: Matrix
    bag_weights: Matrix
    bias: Matrix

    def logits(self, dense: Matrix, piece_ids: Sequence[Sequence[int]]) -> Matrix:
        out = dense @ self.dense_weights.T + self.bias
        by_piece = self.bag_weights_by_piece
        for row, ids in enumerate(piece_ids):
            if ids:
                out[row] += by_piece[list(set(ids))].sum(axis=0)
        return out.astype(np.float32)

    @cached_property
    def bag_weights_by_piece(self) -> Matrix:
        """bag_weights transposed, one contiguous row per piece, for cheap gathers."""
        return np.ascontiguousarray(self.bag_weights.T)


@dataclass(frozen=True)
class EmotionHeads:
    head: LinearHead
    labels: tuple[str, ...]
    thresholds: Matrix


@dataclass(frozen=True)
class Heads:
    encoder: StaticEncoder
    emotions: EmotionHeads
    mechanisms: dict[str, LinearHead]


def _load() -> Heads:
    with np.load(GOEMOTIONS_PATH) as stored:
        emotions = EmotionHeads(
            head=LinearHead(
                stored["dense"].astype(np.float32),
                stored["bag"].astype(np.float32),
                stored["bias"].astype(np.float32),
            ),
            labels=tuple(str(label) for label in stored["labels"]),
            thresholds=stored["thresholds"].astype(np.float32),
        )
    with np.load(EPITOME_PATH) as stored:
        mechanisms = {
            mechanism: LinearHead(
                stored[f"{mechanism}_dense"].astype(np.float32),
                stored[f"{mechanism}_bag"].astype(np.float32),
                stored[f"{mechanism}_bias"].astype(np.float32),
            )
            for mechanism in MECHANISMS
        }
    return Heads(get_static_encoder(), emotions, mechanisms)


_heads: Heads | None = None
_lock = threading.Lock()


def get_heads() -> Heads:
    """The process-wide heads and encoder, loaded on first use."""
    global _heads
    if _heads is None:
        with _lock:
            if _heads is None:
                _heads = _load()
    return _heads


def reset() -> None:
    """Forget the loaded heads (after training wrote new ones)."""
    global _heads
    import careloop.empathy.features as features

    with _lock:
        _heads = None
        features._encoder = None
    pair_model.reset()


def sigmoid(values: Matrix) -> Matrix:
    return (1.0 / (1.0 + np.exp(-np.clip(values, -40, 40)))).astype(np.float32)


def softmax(values: Matrix) -> Matrix:
    shifted = np.exp(values - values.max(axis=1, keepdims=True))
    return (shifted / shifted.sum(axis=1, keepdims=True)).astype(np.float32)
