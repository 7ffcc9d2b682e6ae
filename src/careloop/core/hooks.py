"""The one way a domain reacts to another: a typed hook the publishing domain declares.

The publishing domain declares a `Hook[Payload]` next to its services and calls it where the
thing happens (`conversation_solved.call(conversation)`), so the call site shows that others are
told. Subscribers register in their AppConfig.ready() (`conversation_solved.subscribe(...)`), and
`subscribers()` names who hears what, so the whole flow reads in one place (tests/core/test_hooks).

Subscribers run in the order they subscribed. A hook called inside a transaction runs them at
once, as part of the write: one that fails raises to the caller and the work rolls back, as any
function it called would. A hook declared `after_commit` runs them once the transaction commits
(at once outside one), when the work stands whatever they do: each runs on its own, and one that
fails is logged while the others still run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

type Subscriber[Payload] = Callable[[Payload], object]


class Hook[Payload]:
    """Something one domain lets others react to, with the payload it hands them."""

    def __init__(self, name: str, description: str, *, after_commit: bool = False) -> None:
        self.name = name
        self.description = description
        self.after_commit = after_commit
        self._subscribers: dict[str, Subscriber[Payload]] = {}

    def __repr__(self) -> str:
        return f"<Hook {self.name}>"

    def subscribe(self, subscriber: Subscriber[Payload], *, name: str | None = None) -> None:
        """Call `subscriber` with each payload; registering the same name again replaces it
        (AppConfig.ready() may run more than once)."""
        self._subscribers[name or _name_of(subscriber)] = subscriber

    def unsubscribe(self, name: str) -> None:
        self._subscribers.pop(name, None)

    def subscribers(self) -> list[str]:
        """The subscribers' names (module.function unless named), in the order they run."""
        return list(self._subscribers)

    def call(self, payload: Payload) -> None:
        """Tell every subscriber, now or (`after_commit`) once the transaction commits."""
        if not self._subscribers:
            return
        if self.after_commit:
            transaction.on_commit(lambda: self.call_each(payload))
        else:
            for subscriber in list(self._subscribers.values()):
                subscriber(payload)

    def call_each(self, payload: Payload) -> int:
        """Run every subscriber now, each on its own (one that fails is logged); how many ran
        without raising."""
        ran = 0
        for name, subscriber in list(self._subscribers.items()):
            try:
                subscriber(payload)
                ran += 1
            except Exception:
                logger.exception("Subscriber %s of %s failed", name, self.name)
        return ran


def _name_of(subscriber: Callable[..., object]) -> str:
    module = getattr(subscriber, "__module__", None) or "?"
    qualname = getattr(subscriber, "__qualname__", None) or repr(subscriber)
    return f"{module}.{qualname}"
