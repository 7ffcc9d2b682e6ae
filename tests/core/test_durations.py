from __future__ import annotations

import pytest

from careloop.core.durations import describe_duration


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "0 s"),
        (42, "42 s"),
        (60, "1 min"),
        (3600, "1 h"),
        (5400, "1 h 30 min"),
        (90_000, "1 d 1 h"),
        (-5, "0 s"),
    ],
)
def test_durations_read_like_people_say_them(seconds: int, words: str) -> None:
    assert describe_duration(seconds) == words
