"""Durations as people read them: "2 h 15 min", "3 d 4 h"."""

from __future__ import annotations


def describe_duration(seconds: int) -> str:
    minutes = max(seconds, 0) // 60
    hours, minutes = divmod(minutes, 60)
    if hours >= 24:
        days, hours = divmod(hours, 24)
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return f"{max(seconds, 0)} s"
