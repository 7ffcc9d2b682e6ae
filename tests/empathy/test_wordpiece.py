from __future__ import annotations

import pytest

from careloop.empathy.features import VOCAB_PATH
from careloop.empathy.wordpiece import WordPieceTokenizer


@pytest.fixture(scope="module")
def tokenizer() -> WordPieceTokenizer:
    return WordPieceTokenizer(VOCAB_PATH)


def tokens(tokenizer: WordPieceTokenizer, text: str) -> list[str]:
    by_id = {piece_id: token for token, piece_id in tokenizer.vocabulary.items()}
    return [by_id[piece_id] for piece_id in tokenizer.ids(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm unhappy!", ["i", "'", "m", "unhappy", "!"]),
        ("Café DÉJÀ vu", ["cafe", "de", "##ja", "vu"]),
        ("tab\there\x00", ["tab", "here"]),
        ("I’m upset", ["i", "’", "m", "upset"]),
        ("unforgettable", ["un", "##for", "##get", "##table"]),
        ("日本", ["日", "本"]),
    ],
)
def test_bert_uncased_rules(tokenizer: WordPieceTokenizer, text: str, expected: list[str]) -> None:
    assert tokens(tokenizer, text) == expected


def test_an_overlong_word_is_unknown(tokenizer: WordPieceTokenizer) -> None:
    assert tokens(tokenizer, "x" * 150) == ["[UNK]"]


def test_pieces_point_back_into_the_original_text(tokenizer: WordPieceTokenizer) -> None:
    text = "Très frustrating, unforgettable?"

    pieces = tokenizer.pieces(text)

    assert [text[piece.start : piece.end] for piece in pieces] == [
        "Très",
        "frustrating",
        ",",
        "un",
        "for",
        "get",
        "table",
        "?",
    ]
    assert [piece.continues_word for piece in pieces] == [
        False,
        False,
        False,
        False,
        True,
        True,
        True,
        False,
    ]
    assert [piece.piece_id for piece in pieces] == tokenizer.ids(text)


def test_ids_stop_at_the_limit(tokenizer: WordPieceTokenizer) -> None:
    assert len(tokenizer.ids("word " * 50, limit=7)) == 7
