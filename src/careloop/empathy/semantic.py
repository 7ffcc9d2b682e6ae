"""Sentence vectors for meaning-based search and grouping, from the engine's own encoder.

The vectors are the distilled MiniLM word-piece vectors the heads read (see features.py), so
"parcel never arrived" lands near "my delivery is missing" with no neural runtime.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from careloop.empathy.features import Matrix, get_static_encoder


def embed_texts(texts: Sequence[str]) -> Matrix:
    """One L2-normalised float32 row per text (an empty text is the zero row)."""
    return get_static_encoder().encode(texts)


def vector_dimensions() -> int:
    return get_static_encoder().dim


def rank_by_similarity(query: str, candidates: Matrix, limit: int = 10) -> list[tuple[int, float]]:
    """Indexes of the rows of `candidates` closest in meaning to `query`, with cosine scores."""
    if len(candidates) == 0:
        return []
    scores = candidates @ embed_texts([query])[0]
    order = np.argsort(-scores, kind="stable")[:limit]
    return [(int(index), float(scores[index])) for index in order]
