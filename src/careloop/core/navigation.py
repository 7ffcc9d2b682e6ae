"""The product's sections, in the order people meet them, each with the action it needs."""

from __future__ import annotations

from dataclasses import dataclass

from careloop.core.permissions import Action, Principal, can


@dataclass(frozen=True)
class Section:
    slug: str
    label: str
    url_name: str
    action: Action
    purpose: str


SECTIONS: tuple[Section, ...] = (
    Section(
        "dashboard", "Dashboard", "core:dashboard", Action.VIEW_DASHBOARD, "Your day at a glance."
    ),
    Section(
        "inbox",
        "Care inbox",
        "conversations:inbox",
        Action.USE_INBOX,
        "Conversations from email, chat and the API, the most upset customer first.",
    ),
    Section(
        "customers",
        "Customers",
        "conversations:customers",
        Action.VIEW_CUSTOMERS,
        "Every customer with their history and preferences.",
    ),
    Section(
        "feedback",
        "Voice of the customer",
        "feedback:overview",
        Action.VIEW_FEEDBACK,
        "CSAT, CES and NPS, recovery of detractors, confidential concerns.",
    ),
    Section(
        "care",
        "Goodwill",
        "care:home",
        Action.GRANT_GESTURES,
        "Refunds, credits and swaps granted within your allowance, without asking.",
    ),
    Section(
        "learning",
        "Learning reviews",
        "learning:reviews",
        Action.USE_LEARNING,
        "Mistakes and near misses, understood through contributing factors, not culprits.",
    ),
    Section(
        "actions",
        "Actions",
        "actions:ledger",
        Action.USE_ACTIONS,
        "One ledger of what we promised to change, and “you said, we did”.",
    ),
    Section(
        "pulse",
        "Team voice",
        "pulse:home",
        Action.USE_PULSE,
        "Anonymous pulse surveys, the idea box and 360° feedback.",
    ),
    Section(
        "recognition",
        "Recognition",
        "recognition:home",
        Action.USE_RECOGNITION,
        "Kudos and success stories backed by the customer's own words.",
    ),
    Section(
        "playbook",
        "Playbook",
        "playbook:index",
        Action.USE_PLAYBOOK,
        "A living knowledge base written from real cases.",
    ),
    Section(
        "coaching",
        "Coaching",
        "coaching:home",
        Action.USE_COACHING,
        "Role-play practice and fair QA reviews.",
    ),
    Section(
        "insights",
        "Insights",
        "insights:dashboard",
        Action.VIEW_INSIGHTS,
        "How culture and customer outcomes move together, with honest statistics.",
    ),
    Section(
        "initiatives",
        "Initiatives",
        "initiatives:list",
        Action.VIEW_INITIATIVES,
        "What each initiative changed and what it was worth, with honest uncertainty.",
    ),
    Section(
        "people", "People & teams", "people:teams", Action.VIEW_PEOPLE, "Who is on which team."
    ),
    Section(
        "settings",
        "Organisation",
        "people:organisation",
        Action.MANAGE_ORGANISATION,
        "Name, time zone, business hours and values.",
    ),
    Section(
        "api-keys",
        "API keys",
        "api_keys:list",
        Action.MANAGE_ORGANISATION,
        "Keys for integrations: whom each acts as, what it may touch, when it was last used.",
    ),
    Section(
        "export",
        "Export all data",
        "exports:list",
        Action.EXPORT_ORGANISATION,
        "Everything the organisation keeps in careloop, in one file to take elsewhere.",
    ),
    Section(
        "integrations",
        "Integrations",
        "webhooks:list",
        Action.MANAGE_INTEGRATIONS,
        "Outgoing webhooks with their delivery log, and Slack or Teams channels.",
    ),
    Section(
        "audit",
        "Audit log",
        "core:audit-log",
        Action.VIEW_AUDIT_LOG,
        "Every read of confidential items and every administrative change.",
    ),
)


def sections_for(user: Principal) -> list[Section]:
    return [section for section in SECTIONS if can(user, section.action)]


def section(slug: str) -> Section:
    return next(entry for entry in SECTIONS if entry.slug == slug)
