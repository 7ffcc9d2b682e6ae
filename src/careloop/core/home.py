"""The home page's figures: each domain registers the tiles it knows, core shows those a
person's role may see (the pattern core/privacy.py uses, so core imports no domain)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from careloop.core.permissions import Action, Principal, can


class Group(IntEnum):
    """The home page's sections, in the order they are shown."""

    YOUR_WORK = 1
    YOUR_TEAM = 2
    HEADLINES = 3

    @property
    def label(self) -> str:
        return {
            Group.YOUR_WORK: "Your work",
            Group.YOUR_TEAM: "Your team",
            Group.HEADLINES: "Customer outcomes, last 30 days",
        }[self]


@dataclass(frozen=True)
class Figure:
    """One number on the home page; `change` is against the previous period of equal length."""

    key: str
    label: str
    value: float | int | None
    unit: str = ""
    change: float | None = None
    url: str = ""
    # For times, a fall is the good direction.
    lower_is_better: bool = False

    @property
    def trend(self) -> str:
        return trend(self.change, lower_is_better=self.lower_is_better)


@dataclass(frozen=True)
class HomeTile:
    key: str
    group: Group
    # Who sees the tile at all; the figures themselves come from restricted selectors.
    action: Action
    figures: Callable[[Any], list[Figure]]
    order: int = 0


@dataclass
class HomeSection:
    group: Group
    figures: list[Figure] = field(default_factory=list)


_tiles: dict[str, HomeTile] = {}
_current_organisation: Callable[[], Any] | None = None


def register_tile(tile: HomeTile) -> None:
    _tiles[tile.key] = tile


def register_organisation(current_organisation: Callable[[], Any]) -> None:
    """How the home page reads the installation's organisation it is headed with (the people
    app registers it: core sits below people, so it cannot import it)."""
    global _current_organisation
    _current_organisation = current_organisation


def organisation() -> Any:
    """The installation's organisation, or None when no app has registered how to read it."""
    return _current_organisation() if _current_organisation is not None else None


def sections_for(user: Principal) -> list[HomeSection]:
    """The home page's figures for `user`, grouped; tiles their role may not see are skipped,
    and so are sections with nothing to show."""
    sections: dict[Group, HomeSection] = {}
    for tile in sorted(_tiles.values(), key=lambda tile: (tile.group, tile.order, tile.key)):
        if not can(user, tile.action):
            continue
        figures = tile.figures(user)
        if figures:
            sections.setdefault(tile.group, HomeSection(tile.group)).figures.extend(figures)
    return list(sections.values())


def change(current: float | None, previous: float | None) -> float | None:
    """The difference against the previous period, when both periods have a figure."""
    if current is None or previous is None:
        return None
    return round(current - previous, 2)


def trend(difference: float | None, *, lower_is_better: bool = False) -> str:
    """ "better", "worse", or "" when nothing changed or there is nothing to compare."""
    if not difference:
        return ""
    return "better" if (difference < 0) == lower_is_better else "worse"
