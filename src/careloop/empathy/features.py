"""Text features for the heads: static word-piece vectors distilled from all-MiniLM-L6-v2, plus
cheap lexical cues. numpy only, so scoring needs no neural runtime.

The vectors are the MiniLM sentence embedding of each word piece on its own, reduced by PCA
(the model2vec recipe); a text is the SIF-weighted mean of its pieces' vectors, so rare,
meaningful pieces count more than "the" and "and". Distilled by `careloop empathy train`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from careloop.empathy.wordpiece import Piece, WordPieceTokenizer

MODELS_DIR = Path(__file__).resolve().parent / "models"
VOCAB_PATH = MODELS_DIR / "vocab.txt"
TOKEN_VECTORS_PATH = MODELS_DIR / "token_vectors.npz"
MAX_PIECES = 512

Matrix = npt.NDArray[np.float32]


class StaticEncoder:
    """Turns texts into fixed-size vectors; also tells how much each piece weighed."""

    def __init__(self, vectors_path: Path = TOKEN_VECTORS_PATH) -> None:
        self.tokenizer = WordPieceTokenizer(VOCAB_PATH)
        with np.load(vectors_path) as stored:
            quantised = stored["vectors"].astype(np.float32)
            scales = stored["scales"].astype(np.float32)
            self.vectors: Matrix = quantised * scales[:, None]
            self.weights: Matrix = stored["weights"].astype(np.float32)
        self.weighted_vectors: Matrix = np.ascontiguousarray(self.vectors * self.weights[:, None])
        self.dim = int(self.vectors.shape[1])

    def pieces(self, texts: Sequence[str]) -> list[list[Piece]]:
        """The word pieces of each text with their offsets (slower than piece_ids)."""
        return [self.tokenizer.pieces(text, MAX_PIECES) for text in texts]

    def piece_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """The word-piece ids of each text (no [CLS]/[SEP])."""
        return [self.tokenizer.ids(text, MAX_PIECES) for text in texts]

    def encode(self, texts: Sequence[str]) -> Matrix:
        """One L2-normalised row per text; an empty text is the zero vector."""
        return self.encode_ids(self.piece_ids(texts))

    def encode_ids(self, id_lists: Sequence[Sequence[int]]) -> Matrix:
        """encode() for texts already split into piece ids."""
        out = np.zeros((len(id_lists), self.dim), dtype=np.float32)
        # One small gather per text stays in cache; a single flat gather for a whole batch is
        # many times slower.
        for row, ids in enumerate(id_lists):
            if ids:
                out[row] = self.weighted_vectors[ids].sum(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.maximum(norms, 1e-12)).astype(np.float32)


_encoder: StaticEncoder | None = None
_encoder_lock = threading.Lock()


def get_static_encoder() -> StaticEncoder:
    """The process-wide encoder, loaded on first use."""
    global _encoder
    if _encoder is None:
        with _encoder_lock:
            if _encoder is None:
                _encoder = StaticEncoder()
    return _encoder


# Lexical cues that sentence vectors blur: asking (explorations), naming the feeling
# (emotional reactions), reflecting the other's experience back (interpretations).
REPLY_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("question_mark", r"\?"),
        (
            "question_opener",
            r"(?:^|[.!?]\s+)(?:what|how|why|when|where|who|which|do|does|did|have|has|are|is"
            r"|can|could|would|will)\b",
        ),
        ("tell_me_more", r"\b(?:tell me (?:more|about)|can you (?:say|share|explain)|curious)\b"),
        ("sorry", r"\b(?:sorry|apologi[sz]e|apologies)\b"),
        ("that_sounds", r"\b(?:that|this|it) (?:sounds|must be|must have been|seems)\b"),
        ("feel_words", r"\b(?:frustrat\w*|upset\w*|stress\w*|hard|tough|awful|terrible|worr\w*)\b"),
        ("i_understand", r"\bi (?:understand|can (?:imagine|see|relate)|get (?:it|that))\b"),
        ("i_feel", r"\bi(?:'m| am) (?:so |really )?(?:sorry|sad|glad|happy|here)\b"),
        ("been_there", r"\b(?:i(?:'ve| have) been|i went through|same (?:thing|here)|me too)\b"),
        ("you_feel", r"\byou(?:'re| are)? (?:feel\w*|seem\w*|sound\w*)\b"),
        ("hugs", r"\b(?:hugs?|<3|sending (?:love|you))\b"),
        ("second_person", r"\byou\b"),
    )
)


def reply_cues(texts: Sequence[str]) -> Matrix:
    """Counts of each cue and the word count, squashed by log1p / log 4 and capped at 2."""
    out = np.zeros((len(texts), len(REPLY_CUES) + 1), dtype=np.float32)
    for row, text in enumerate(texts):
        for column, (_, pattern) in enumerate(REPLY_CUES):
            out[row, column] = len(pattern.findall(text))
        out[row, -1] = len(text.split())
    return np.minimum(np.log1p(out) / np.log(4.0), 2.0).astype(np.float32)


def pair_features(
    encoder: StaticEncoder, customer_texts: Sequence[str], reply_texts: Sequence[str]
) -> Matrix:
    """[customer, reply, customer*reply, |customer-reply|, reply cues] for each pair."""
    unique_customers = list(dict.fromkeys(customer_texts))
    customer_rows = encoder.encode(unique_customers)
    index = {text: row for row, text in enumerate(unique_customers)}
    customer = customer_rows[[index[text] for text in customer_texts]]
    return pair_vectors(customer, encoder.encode(reply_texts), reply_texts)


def pair_vectors(customer: Matrix, reply: Matrix, reply_texts: Sequence[str]) -> Matrix:
    """pair_features from already-encoded customer and reply rows."""
    return np.hstack(
        [customer, reply, customer * reply, np.abs(customer - reply), reply_cues(reply_texts)]
    ).astype(np.float32)
