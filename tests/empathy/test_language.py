from __future__ import annotations

import pytest

from careloop.empathy.language import detect_language, not_read_language


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Mi pedido llegó roto y nadie me responde.", "Spanish"),
        ("Meine Bestellung ist seit zwei Wochen nicht angekommen.", "German"),
        ("Bonjour, je n'ai toujours pas reçu mon remboursement.", "French"),
        ("I have waited three weeks and nobody answers, this is ridiculous", "English"),
    ],
)
def test_a_message_is_told_apart_by_language(text: str, name: str) -> None:
    assert detect_language(text).name == name


@pytest.mark.parametrize("text", ["ok", "Danke", "Thanks!", "Where is my order #1234?", ""])
def test_short_or_unclear_texts_stay_english_so_they_are_still_read(text: str) -> None:
    assert detect_language(text).is_english


def test_not_read_names_the_first_language_the_models_cannot_read() -> None:
    assert not_read_language("My parcel is broken.", "Lo siento mucho, le envío otro hoy.") == (
        "Spanish"
    )
    assert not_read_language("My parcel is broken.", "I'm sorry, a new one is on its way.") == ""
