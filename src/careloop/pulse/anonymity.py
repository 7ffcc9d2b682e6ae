"""The anonymity rules, as plain functions over counts, so every page and export shares them.

- A group shows only with at least `k` answers (the survey's minimum reporting group).
- Complementary suppression: when the hidden groups together hold between 1 and k − 1 answers,
  the next-smallest visible sibling is hidden too, until what is hidden holds 0 or ≥ k answers;
  the organisation total minus the visible teams then never isolates fewer than k people.
- A filter (a set of groups) is shown only if every group in it is visible and what it leaves
  out is empty or holds ≥ k answers.
- A group whose membership changed by 1 to k − 1 people since its last reported round is
  withheld for the round: comparing the two rounds would point to the joiners and leavers.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)


def visible_groups[Key: Hashable](
    counts: Mapping[Key, int], k: int, always_hidden: Iterable[Key] = ()
) -> set[Key]:
    """The groups that may be shown on their own, with complementary suppression applied."""
    hidden = {key for key, count in counts.items() if count < k} | set(always_hidden)
    visible = set(counts) - hidden
    while 0 < sum(counts.get(key, 0) for key in hidden) < k and visible:
        smallest = min(visible, key=lambda key: (counts[key], str(key)))
        visible.discard(smallest)
        hidden.add(smallest)
    return visible


def filter_allowed[Key: Hashable](
    selected: Iterable[Key], counts: Mapping[Key, int], visible: set[Key], k: int
) -> bool:
    """Whether a filter on these groups may be shown: no hidden group, no small remainder."""
    chosen = set(selected)
    if not chosen or not chosen <= visible:
        return False
    inside = sum(counts.get(key, 0) for key in chosen)
    outside = sum(count for key, count in counts.items() if key not in chosen)
    return inside >= k and (outside == 0 or outside >= k)


def membership_change(before: set[int], after: set[int]) -> int:
    """How many people joined or left between two rounds."""
    return len(before ^ after)


def withheld_for_membership_change(before: set[int] | None, after: set[int], k: int) -> bool:
    """True when the change since the last reported round is too small to hide who it was."""
    if before is None:
        return False
    return 0 < membership_change(before, after) < k
