"""Agents' corrections of the coach, as training reads them, wherever they are kept.

The empathy engine sits below the domains: it does not know where corrections live. The
domain that keeps them (coaching: overturned reply scores) registers a source in its
AppConfig.ready(); `careloop empathy train` reads every source and tells each which
corrections a model version learned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Correction:
    """An agent's level for one mechanism of a reply, upheld by their lead (an overturned score)."""

    correction_id: int
    customer_text: str
    reply_text: str
    mechanism: str
    level: int


@dataclass(frozen=True)
class CorrectionSource:
    name: str
    read: Callable[[], list[Correction]]
    # Notes that `model_version` learned these corrections; returns how many were new to it.
    mark_learned: Callable[[Sequence[int], str], int]


_sources: dict[str, CorrectionSource] = {}


def register_correction_source(source: CorrectionSource) -> None:
    """Register (or replace, by name) where corrections come from."""
    _sources[source.name] = source


def correction_sources() -> list[CorrectionSource]:
    return list(_sources.values())
