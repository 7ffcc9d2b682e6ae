"""The contextual pair model: MiniLM-L6 fine-tuned on EPITOME to read the customer's message
and the reply together ("[CLS] customer [SEP] reply [SEP]"), int8 ONNX on onnxruntime.

It sees what a static vector can't: "I'd be heartbroken too" reacts, "What day is the
birthday?" explores this customer's situation. Trained by `scripts/train-pair-model`
(pair_training.py, PyTorch on the CPU, training only); its probabilities are blended with the
static heads' in engine.score_replies, with each mechanism's weight chosen on the tune split
(models/epitome-pair.json). Loaded once per process, on first use; without the model file the
engine falls back to the static heads alone.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from careloop.empathy.features import MODELS_DIR
from careloop.empathy.onnx_session import cpu_session

MODEL_PATH = MODELS_DIR / "epitome-pair.onnx"
SETTINGS_PATH = MODELS_DIR / "epitome-pair.json"
CLS_ID = 101
SEP_ID = 102
# Rows per onnxruntime call: sorted by length so padding stays small.
BATCH_ROWS = 32

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class PairSettings:
    """What training chose, stored beside the weights."""

    customer_pieces: int
    reply_pieces: int
    # Per mechanism: the pair model's share of the blended probabilities (the static heads
    # get the rest).
    blend: dict[str, float]

    @classmethod
    def load(cls, path: Path = SETTINGS_PATH) -> PairSettings:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            customer_pieces=int(stored["customer_pieces"]),
            reply_pieces=int(stored["reply_pieces"]),
            blend={k: float(v) for k, v in stored["blend"].items()},
        )


def pair_inputs(
    customer_ids: Sequence[int], reply_ids: Sequence[int], settings: PairSettings
) -> tuple[list[int], list[int]]:
    """Piece ids and segment ids of "[CLS] customer [SEP] reply [SEP]", each side cut to its
    budget (the customer's opening and the reply's opening are what training saw)."""
    customer = list(customer_ids[: settings.customer_pieces])
    reply = list(reply_ids[: settings.reply_pieces])
    ids = [CLS_ID, *customer, SEP_ID, *reply, SEP_ID]
    segments = [0] * (len(customer) + 2) + [1] * (len(reply) + 1)
    return ids, segments


class PairModel:
    """The onnxruntime session; `probabilities` gives (pairs, 3 mechanisms, 3 levels)."""

    def __init__(self, model_path: Path = MODEL_PATH, settings: PairSettings | None = None) -> None:
        self.settings = settings or PairSettings.load()
        self._session = cpu_session(model_path)

    def probabilities(
        self, customer_ids: Sequence[Sequence[int]], reply_ids: Sequence[Sequence[int]]
    ) -> Matrix:
        inputs = [
            pair_inputs(customer, reply, self.settings)
            for customer, reply in zip(customer_ids, reply_ids, strict=True)
        ]
        out = np.zeros((len(inputs), 3, 3), dtype=np.float32)
        order = np.argsort([len(ids) for ids, _ in inputs], kind="stable")
        for start in range(0, len(order), BATCH_ROWS):
            rows = order[start : start + BATCH_ROWS]
            width = max(len(inputs[row][0]) for row in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            segments = np.zeros_like(ids)
            mask = np.zeros_like(ids)
            for position, row in enumerate(rows):
                row_ids, row_segments = inputs[row]
                ids[position, : len(row_ids)] = row_ids
                segments[position, : len(row_ids)] = row_segments
                mask[position, : len(row_ids)] = 1
            feeds = {"input_ids": ids, "token_type_ids": segments, "attention_mask": mask}
            logits = self._session.run(["logits"], feeds)[0].reshape(len(rows), 3, 3)
            shifted = np.exp(logits - logits.max(axis=2, keepdims=True))
            out[rows] = shifted / shifted.sum(axis=2, keepdims=True)
        return out


_model: PairModel | None = None
_loaded = False
_lock = threading.Lock()


def get_pair_model() -> PairModel | None:
    """The process-wide pair model, or None when models/ holds none (static heads only)."""
    global _model, _loaded
    if not _loaded:
        with _lock:
            if not _loaded:
                if MODEL_PATH.exists() and SETTINGS_PATH.exists():
                    _model = PairModel()
                _loaded = True
    return _model


def reset() -> None:
    """Forget the loaded model (after training wrote a new one)."""
    global _model, _loaded
    with _lock:
        _model, _loaded = None, False
