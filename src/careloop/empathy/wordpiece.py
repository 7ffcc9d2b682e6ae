"""BERT uncased WordPiece tokenisation in plain Python (the rules of Hugging Face's
BertNormalizer, BertPreTokenizer and WordPiece), so scoring needs numpy and nothing else.

Normalise: drop control characters, turn whitespace into spaces, space out CJK ideographs,
strip accents (NFD, drop combining marks), lowercase. Split on whitespace and around every
punctuation character. Each word becomes its longest-match-first pieces from the vocabulary
("##" marks a piece that continues a word), or [UNK] when it can't be covered.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_WORD_CHARACTERS = 100
UNKNOWN = "[UNK]"
CONTINUATION = "##"
_CACHE_LIMIT = 200_000

_ASCII_WORDS = re.compile(r"[a-z0-9]+|[!-/:-@\[-`{-~]")
_ASCII_CLEAN = str.maketrans(
    dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127]) | dict.fromkeys((9, 10, 13), " ")
)
_CJK_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B820, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)


@dataclass(frozen=True)
class Piece:
    """A word piece: its vocabulary id, where it sits in the original text, and whether it
    continues the previous piece's word."""

    piece_id: int
    start: int
    end: int
    continues_word: bool


def _is_cjk(code: int) -> bool:
    return any(low <= code <= high for low, high in _CJK_RANGES)


@functools.cache
def _is_punctuation(character: str) -> bool:
    code = ord(character)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(character).startswith("P")


@functools.cache
def _spaced(character: str) -> str:
    """One original character, normalised, with spaces around punctuation and ideographs so
    that str.split() yields the words (the fast path of _normalise + _words)."""
    normalised, _ = _normalise(character)
    return "".join(
        f" {each} " if _is_punctuation(each) or _is_cjk(ord(each)) else each for each in normalised
    )


@functools.cache
def _normalised_character(character: str) -> str:
    """What one original character becomes: "" when dropped, " " for whitespace, spaced out
    when it is a CJK ideograph, else its accent-stripped lowercase form."""
    if character in "\t\n\r " or unicodedata.category(character) == "Zs":
        return " "
    if character in "\x00\ufffd" or unicodedata.category(character).startswith("C"):
        return ""
    if _is_cjk(ord(character)):
        return f" {character} "
    return "".join(
        decomposed.lower()
        for decomposed in unicodedata.normalize("NFD", character)
        if unicodedata.category(decomposed) != "Mn"
    )


def _normalise(text: str) -> tuple[list[str], list[int]]:
    """Normalised characters, each with the index of the original character it came from."""
    characters: list[str] = []
    origins: list[int] = []
    for index, character in enumerate(text):
        normalised = _normalised_character(character)
        characters.extend(normalised)
        origins.extend([index] * len(normalised))
    return characters, origins


def _words(characters: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) of each word in the normalised characters: whitespace separates words and
    every punctuation character is a word of its own."""
    spans: list[tuple[int, int]] = []
    start = -1
    for position, character in enumerate(characters):
        if character.isspace():
            if start >= 0:
                spans.append((start, position))
                start = -1
        elif _is_punctuation(character):
            if start >= 0:
                spans.append((start, position))
                start = -1
            spans.append((position, position + 1))
        elif start < 0:
            start = position
    if start >= 0:
        spans.append((start, len(characters)))
    return spans


class WordPieceTokenizer:
    """Text to piece ids (fast, cached per word) or to pieces with offsets (for explanations)."""

    def __init__(self, vocabulary_path: Path) -> None:
        tokens = vocabulary_path.read_text(encoding="utf-8").splitlines()
        self.vocabulary: dict[str, int] = {token: index for index, token in enumerate(tokens)}
        self.unknown_id = self.vocabulary[UNKNOWN]
        self._cache: dict[str, tuple[tuple[int, int], ...]] = {}

    def __len__(self) -> int:
        return len(self.vocabulary)

    def _word_pieces(self, word: str) -> tuple[tuple[int, int], ...]:
        """(id, length in characters) of each piece of one normalised word."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if len(word) > MAX_WORD_CHARACTERS:
            pieces: tuple[tuple[int, int], ...] = ((self.unknown_id, len(word)),)
        else:
            found: list[tuple[int, int]] = []
            start = 0
            while start < len(word):
                end = len(word)
                piece_id = None
                while start < end:
                    candidate = word[start:end] if start == 0 else CONTINUATION + word[start:end]
                    piece_id = self.vocabulary.get(candidate)
                    if piece_id is not None:
                        break
                    end -= 1
                if piece_id is None:
                    found = [(self.unknown_id, len(word))]
                    break
                found.append((piece_id, end - start))
                start = end
            pieces = tuple(found)
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[word] = pieces
        return pieces

    def _normalised_words(self, text: str) -> list[str]:
        if text.isascii():
            return _ASCII_WORDS.findall(text.translate(_ASCII_CLEAN).lower())
        return "".join([_spaced(character) for character in text]).split()

    def ids(self, text: str, limit: int | None = None) -> list[int]:
        """Piece ids of the text, without [CLS]/[SEP], at most `limit` of them."""
        word_pieces = self._word_pieces
        out = [
            piece_id for word in self._normalised_words(text) for piece_id, _ in word_pieces(word)
        ]
        return out[:limit] if limit is not None else out

    def pieces(self, text: str, limit: int | None = None) -> list[Piece]:
        """Pieces with their [start, end) in the original text."""
        characters, origins = _normalise(text)
        out: list[Piece] = []
        for word_start, word_end in _words(characters):
            word = "".join(characters[word_start:word_end])
            position = word_start
            for number, (piece_id, length) in enumerate(self._word_pieces(word)):
                piece_end = min(position + length, word_end)
                out.append(
                    Piece(piece_id, origins[position], origins[piece_end - 1] + 1, number > 0)
                )
                position = piece_end
            if limit is not None and len(out) >= limit:
                return out[:limit]
        return out
