"""What an API key may touch, read or write, per domain; each endpoint declares its scope."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    CONVERSATIONS_READ = "conversations:read"
    CONVERSATIONS_WRITE = "conversations:write"
    CUSTOMERS_READ = "customers:read"
    CARE_READ = "care:read"
    CARE_EXECUTE = "care:execute"
    WEBHOOKS_READ = "webhooks:read"

    @property
    def label(self) -> str:
        return SCOPE_LABELS[self]


SCOPE_LABELS = {
    Scope.CONVERSATIONS_READ: "Read conversations and their messages",
    Scope.CONVERSATIONS_WRITE: "Open conversations, add customer messages, send replies and notes",
    Scope.CUSTOMERS_READ: "Read customer profiles",
    Scope.CARE_READ: "Read gestures waiting to be executed",
    Scope.CARE_EXECUTE: "Report gestures executed or failed",
    Scope.WEBHOOKS_READ: "Read the catalogue of webhook events",
}

SCOPE_CHOICES = [(scope.value, scope.label) for scope in Scope]


def scopes_from(values: list[str] | tuple[str, ...]) -> list[Scope]:
    """Known scopes, deduplicated and in the enum's order; ValueError names an unknown one."""
    wanted = {Scope(value) for value in values}
    return [scope for scope in Scope if scope in wanted]
