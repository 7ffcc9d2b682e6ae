"""Links in a chat that only its visitor may see, supplied by other domains (a survey link).

A message's stored text is what the team reads everywhere (the thread, the API, exports), so a
link only the customer may use is never stored there. A domain that posts such a message
registers a provider; the chat API asks the providers about the messages it is about to show
the visitor, and nothing else does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from careloop.conversations.models import Message


@dataclass(frozen=True)
class VisitorLink:
    text: str  # what the visitor reads in place of the stored text
    url: str = ""  # empty once the link can no longer be used
    label: str = ""


VisitorLinkProvider = Callable[[Sequence[Message]], Mapping[int, VisitorLink]]

_providers: dict[str, VisitorLinkProvider] = {}


def register_visitor_links(name: str, provider: VisitorLinkProvider) -> None:
    _providers[name] = provider


def visitor_links(messages: Sequence[Message]) -> dict[int, VisitorLink]:
    """What each message shows its chat visitor instead of its stored text, by message id."""
    found: dict[int, VisitorLink] = {}
    if not messages:
        return found
    for _, provider in sorted(_providers.items()):
        found.update(provider(messages))
    return found
