"""What an API key may touch, read or write, per domain; each endpoint declares its scope."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    CONVERSATIONS_READ = "conversations:read"
    CONVERSATIONS_WRITE = "conversations:write"
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_WRITE = "customers:write"
    # A customer's whole data export (GDPR): apart from reading, as few keys should hold it.
    CUSTOMERS_EXPORT = "customers:export"
    SAVED_REPLIES_READ = "saved_replies:read"
    SAVED_REPLIES_WRITE = "saved_replies:write"
    FEEDBACK_READ = "feedback:read"
    FEEDBACK_WRITE = "feedback:write"
    GOODWILL_READ = "goodwill:read"
    GOODWILL_WRITE = "goodwill:write"
    # The shop or billing system's execution API (gestures to carry out, results back).
    CARE_READ = "care:read"
    CARE_EXECUTE = "care:execute"
    LEARNING_READ = "learning:read"
    LEARNING_WRITE = "learning:write"
    IDEAS_READ = "ideas:read"
    IDEAS_WRITE = "ideas:write"
    RECOGNITION_READ = "recognition:read"
    RECOGNITION_WRITE = "recognition:write"
    PLAYBOOK_READ = "playbook:read"
    PULSE_READ = "pulse:read"
    INSIGHTS_READ = "insights:read"
    WEBHOOKS_READ = "webhooks:read"

    @property
    def label(self) -> str:
        return SCOPE_LABELS[self]


SCOPE_LABELS = {
    Scope.CONVERSATIONS_READ: "Read conversations and their messages",
    Scope.CONVERSATIONS_WRITE: "Open conversations, add customer messages, send replies and "
    "notes, assign, tag and change status",
    Scope.CUSTOMERS_READ: "Read and search customer profiles",
    Scope.CUSTOMERS_WRITE: "Create, edit and merge customers",
    Scope.CUSTOMERS_EXPORT: "Export all data held about a customer",
    Scope.SAVED_REPLIES_READ: "Read saved replies",
    Scope.SAVED_REPLIES_WRITE: "Create and edit saved replies",
    Scope.FEEDBACK_READ: "Read surveys, answers and recovery tasks",
    Scope.FEEDBACK_WRITE: "Log contacts on and close recovery tasks",
    Scope.GOODWILL_READ: "Read goodwill gestures and allowances",
    Scope.GOODWILL_WRITE: "Request goodwill gestures",
    Scope.CARE_READ: "Read gestures waiting to be executed",
    Scope.CARE_EXECUTE: "Report gestures executed or failed",
    Scope.LEARNING_READ: "Read learning reviews and their action items",
    Scope.LEARNING_WRITE: "File learning reviews and move their action items on",
    Scope.IDEAS_READ: "Read the idea box and its answers",
    Scope.IDEAS_WRITE: "Send ideas (named) and answer them",
    Scope.RECOGNITION_READ: "Read kudos and shared success stories",
    Scope.RECOGNITION_WRITE: "Give kudos",
    Scope.PLAYBOOK_READ: "Read the internal playbook",
    Scope.PULSE_READ: "Read pulse survey results (anonymous aggregates only)",
    Scope.INSIGHTS_READ: "Read the insights metrics and their definitions",
    Scope.WEBHOOKS_READ: "Read the catalogue of webhook events",
}

SCOPE_CHOICES = [(scope.value, scope.label) for scope in Scope]


def scopes_from(values: list[str] | tuple[str, ...]) -> list[Scope]:
    """Known scopes, deduplicated and in the enum's order; ValueError names an unknown one."""
    wanted = {Scope(value) for value in values}
    return [scope for scope in Scope if scope in wanted]
