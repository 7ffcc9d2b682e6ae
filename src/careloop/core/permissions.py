"""Who may do what: the one place where access is decided.

Every view declares the `Action` it needs with `requires(...)`; templates and services ask
`can(user, action)`. The rules are a plain table so a reader can audit them at a glance.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    TEAM_LEAD = "team_lead"
    CX_LEADER = "cx_leader"
    PEOPLE_PARTNER = "people_partner"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.CUSTOMER: "Customer",
    Role.AGENT: "Agent",
    Role.TEAM_LEAD: "Team lead",
    Role.CX_LEADER: "CX leader",
    Role.PEOPLE_PARTNER: "People partner",
    Role.ADMIN: "Admin",
}

STAFF_ROLES = frozenset(Role) - {Role.CUSTOMER}


class Action(StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    USE_INBOX = "use_inbox"
    MANAGE_INBOX = "manage_inbox"
    VIEW_CUSTOMERS = "view_customers"
    VIEW_FEEDBACK = "view_feedback"
    GRANT_GESTURES = "grant_gestures"
    USE_LEARNING = "use_learning"
    FACILITATE_LEARNING = "facilitate_learning"
    USE_ACTIONS = "use_actions"
    USE_PULSE = "use_pulse"
    USE_RECOGNITION = "use_recognition"
    USE_PLAYBOOK = "use_playbook"
    USE_COACHING = "use_coaching"
    VIEW_INSIGHTS = "view_insights"
    VIEW_PEOPLE = "view_people"
    MANAGE_PEOPLE = "manage_people"
    MANAGE_TEAMS = "manage_teams"
    MANAGE_ORGANISATION = "manage_organisation"
    USE_ADMIN_SITE = "use_admin_site"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_CUSTOMER_PRIVACY = "manage_customer_privacy"
    # care (goodwill)
    APPROVE_GESTURES = "approve_gestures"
    MANAGE_ALLOWANCES = "manage_allowances"
    EXECUTE_GESTURES = "execute_gestures"
    # coaching: scenarios, rubrics, calibration and plans; writing QA reviews
    MANAGE_COACHING = "manage_coaching"
    REVIEW_QUALITY = "review_quality"
    # feedback (voice of the customer)
    MANAGE_FEEDBACK = "manage_feedback"
    HANDLE_CONCERNS = "handle_concerns"
    # playbook
    MANAGE_PLAYBOOK = "manage_playbook"
    # pulse (team voice)
    RUN_PULSE_SURVEYS = "run_pulse_surveys"
    VIEW_PULSE_RESULTS = "view_pulse_results"
    ANSWER_IDEAS = "answer_ideas"
    MANAGE_ROSTER = "manage_roster"
    # insights: editing the customer journey map
    MANAGE_JOURNEY = "manage_journey"


_FRONTLINE = frozenset({Role.AGENT, Role.TEAM_LEAD, Role.CX_LEADER, Role.ADMIN})
_LEADERS = frozenset({Role.TEAM_LEAD, Role.CX_LEADER, Role.PEOPLE_PARTNER, Role.ADMIN})

RULES: dict[Action, frozenset[Role]] = {
    Action.VIEW_DASHBOARD: STAFF_ROLES,
    # Customer work: people partners support the team, they do not read customers' conversations.
    Action.USE_INBOX: _FRONTLINE,
    # Saved replies, SLA targets and routing shape everyone's work: leads set them.
    Action.MANAGE_INBOX: frozenset({Role.TEAM_LEAD, Role.CX_LEADER, Role.ADMIN}),
    Action.VIEW_CUSTOMERS: _FRONTLINE,
    Action.VIEW_FEEDBACK: _FRONTLINE,
    Action.GRANT_GESTURES: _FRONTLINE,
    # Every employee files learning reviews, answers pulses, gives kudos and learns.
    Action.USE_LEARNING: STAFF_ROLES,
    # Facilitators read and answer anonymous reports and may publish any review.
    Action.FACILITATE_LEARNING: _LEADERS,
    Action.USE_ACTIONS: STAFF_ROLES,
    Action.USE_PULSE: STAFF_ROLES,
    Action.USE_RECOGNITION: STAFF_ROLES,
    Action.USE_PLAYBOOK: STAFF_ROLES,
    Action.USE_COACHING: STAFF_ROLES,
    Action.VIEW_INSIGHTS: _LEADERS,
    Action.VIEW_PEOPLE: STAFF_ROLES,
    Action.MANAGE_PEOPLE: frozenset({Role.PEOPLE_PARTNER, Role.ADMIN}),
    Action.MANAGE_TEAMS: frozenset({Role.PEOPLE_PARTNER, Role.ADMIN}),
    Action.MANAGE_ORGANISATION: frozenset({Role.ADMIN}),
    Action.USE_ADMIN_SITE: frozenset({Role.ADMIN}),
    Action.VIEW_AUDIT_LOG: frozenset({Role.ADMIN}),
    # Exporting or erasing a customer's data (GDPR requests): CX leadership, audited.
    Action.MANAGE_CUSTOMER_PRIVACY: frozenset({Role.CX_LEADER, Role.ADMIN}),
    # care (goodwill): leads decide on requests above the allowance, see outcomes and
    # reconcile execution; team leads edit their own team's allowances (see care.services).
    Action.APPROVE_GESTURES: frozenset({Role.TEAM_LEAD, Role.CX_LEADER, Role.ADMIN}),
    Action.MANAGE_ALLOWANCES: frozenset({Role.TEAM_LEAD, Role.CX_LEADER, Role.ADMIN}),
    # API keys of the shop or billing system that executes refunds and credits.
    Action.EXECUTE_GESTURES: frozenset({Role.CX_LEADER, Role.ADMIN}),
    # coaching: leads coach and review; people partners support, they do not score work.
    Action.MANAGE_COACHING: frozenset({Role.TEAM_LEAD, Role.CX_LEADER, Role.ADMIN}),
    Action.REVIEW_QUALITY: frozenset({Role.TEAM_LEAD, Role.CX_LEADER, Role.ADMIN}),
    # feedback: survey rules, follow-up questions and milestone email templates are set by leads.
    Action.MANAGE_FEEDBACK: frozenset({Role.TEAM_LEAD, Role.CX_LEADER, Role.ADMIN}),
    # Confidential concerns are often about an employee or a team, so they go to people outside
    # the teams' line: the CX leader, and admins (who already hold the audit log). Team leads
    # and agents may be the subject of a concern; people partners serve employees, not customers.
    Action.HANDLE_CONCERNS: frozenset({Role.CX_LEADER, Role.ADMIN}),
    # playbook: leads publish to the public help centre and edit any article.
    Action.MANAGE_PLAYBOOK: frozenset({Role.TEAM_LEAD, Role.CX_LEADER, Role.ADMIN}),
    # pulse (team voice): surveys are run by people partners, CX leaders and admins; leads
    # read results (their own team and the organisation) and answer ideas.
    Action.RUN_PULSE_SURVEYS: frozenset({Role.CX_LEADER, Role.PEOPLE_PARTNER, Role.ADMIN}),
    Action.VIEW_PULSE_RESULTS: _LEADERS,
    Action.ANSWER_IDEAS: _LEADERS,
    Action.MANAGE_ROSTER: frozenset({Role.PEOPLE_PARTNER, Role.ADMIN}),
    # insights: the journey map's stages and touchpoints are the customer side's to shape.
    Action.MANAGE_JOURNEY: frozenset({Role.TEAM_LEAD, Role.CX_LEADER, Role.ADMIN}),
}


class Principal(Protocol):
    """What permission checks need to know about a user (anonymous users included)."""

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...


def role_of(user: Principal) -> Role | None:
    if not user.is_authenticated or not user.is_active:
        return None
    role = getattr(user, "role", None)
    return Role(role) if role else None


def can(user: Principal, action: Action) -> bool:
    role = role_of(user)
    return role is not None and role in RULES[action]


def roles_allowed(action: Action) -> frozenset[Role]:
    return RULES[action]


ViewFunction = Callable[..., HttpResponseBase]


def requires(action: Action) -> Callable[[ViewFunction], ViewFunction]:
    """Guard a view: anonymous people go to the login page, others without the right get 403."""

    def decorate(view: ViewFunction) -> ViewFunction:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                # Imported here: auth.views loads the user model, which imports this module.
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not can(request.user, action):
                raise PermissionDenied(f"Your role does not allow: {action.value}")
            return view(request, *args, **kwargs)

        guarded.required_action = action  # type: ignore[attr-defined]
        return guarded

    return decorate


def public(view: ViewFunction) -> ViewFunction:
    """Mark a view as deliberately open to everyone, so the permission audit can tell."""
    view.is_public = True  # type: ignore[attr-defined]
    return view
