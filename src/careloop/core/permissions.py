"""Who may do what, to which rows, and who is told: the one place where access is decided.

`RULES` gives each role a `Reach` for each action: none, its own rows, its team's, or the
whole organisation's. Every view declares the action it needs with `requires(...)`; every
selector, list, export and API starts from `restrict(queryset, user, action)`; one-row checks
ask `may(user, action, row)`, derived from the same rule; notifications and escalations ask
`recipients(action, team)`. Models say whose a row is once, as `row_ownership`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import wraps
from typing import Any, Protocol

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, Q, QuerySet
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
    # Taking all of the organisation's data out of careloop (every domain, attachments).
    EXPORT_ORGANISATION = "export_organisation"
    # outgoing webhooks and Slack / Teams channels
    MANAGE_INTEGRATIONS = "manage_integrations"
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
    # conversations: who is given conversations by the team's assignment rule
    RECEIVE_ASSIGNMENTS = "receive_assignments"
    # Row-level actions: what a role reaches among rows that belong to people and teams.
    READ_INTERNAL_NOTES = "read_internal_notes"
    SEE_GESTURES = "see_gestures"
    WORK_RECOVERY = "work_recovery"
    SEE_ACTION_ITEMS = "see_action_items"
    SEE_REPLY_SCORES = "see_reply_scores"
    SEE_QA_REVIEWS = "see_qa_reviews"
    VIEW_CULTURE = "view_culture"
    SEE_UNSHARED_STORIES = "see_unshared_stories"
    # team voice and coaching (rows and people): published learning reviews, who hears of an
    # idea left unanswered, and whom a person coaches
    READ_LEARNING_REVIEWS = "read_learning_reviews"
    FACILITATE_REVIEW = "facilitate_review"
    HEAR_OVERDUE_IDEAS = "hear_overdue_ideas"
    COACH_PEOPLE = "coach_people"
    # initiatives: what a change did and what it was worth (budget-level, organisation-wide)
    VIEW_INITIATIVES = "view_initiatives"
    MANAGE_INITIATIVES = "manage_initiatives"
    # empathy: confirming or overturning an agent's dispute of the coach's score of a reply
    REVIEW_SCORE_DISPUTES = "review_score_disputes"


class Reach(IntEnum):
    """How far a role's right to an action extends over rows, narrowest first."""

    NONE = 0
    # Rows that name the person as an owner (the agent of a gesture, an item's owner).
    OWN = 1
    # Their own rows and every row of their team.
    TEAM = 2
    # Every row of the organisation.
    ORGANISATION = 3


def _everywhere(roles: Iterable[Role]) -> dict[Role, Reach]:
    return dict.fromkeys(roles, Reach.ORGANISATION)


_FRONTLINE = frozenset({Role.AGENT, Role.TEAM_LEAD, Role.CX_LEADER, Role.ADMIN})
_LEADERS = frozenset({Role.TEAM_LEAD, Role.CX_LEADER, Role.PEOPLE_PARTNER, Role.ADMIN})
_A, _L, _CX, _PP, _ADMIN = (
    Role.AGENT,
    Role.TEAM_LEAD,
    Role.CX_LEADER,
    Role.PEOPLE_PARTNER,
    Role.ADMIN,
)
_OWN, _TEAM, _ORG = Reach.OWN, Reach.TEAM, Reach.ORGANISATION

RULES: dict[Action, dict[Role, Reach]] = {
    Action.VIEW_DASHBOARD: _everywhere(STAFF_ROLES),
    # Customer work: people partners support the team, they do not read customers' conversations.
    Action.USE_INBOX: _everywhere(_FRONTLINE),
    # Saved replies, SLA targets and routing shape everyone's work: leads set them.
    Action.MANAGE_INBOX: _everywhere({_L, _CX, _ADMIN}),
    Action.VIEW_CUSTOMERS: _everywhere(_FRONTLINE),
    Action.VIEW_FEEDBACK: _everywhere(_FRONTLINE),
    Action.GRANT_GESTURES: _everywhere(_FRONTLINE),
    # Every employee files learning reviews, answers pulses, gives kudos and learns.
    Action.USE_LEARNING: _everywhere(STAFF_ROLES),
    # Facilitators read and answer anonymous reports and may publish any review.
    Action.FACILITATE_LEARNING: _everywhere(_LEADERS),
    Action.USE_ACTIONS: _everywhere(STAFF_ROLES),
    Action.USE_PULSE: _everywhere(STAFF_ROLES),
    Action.USE_RECOGNITION: _everywhere(STAFF_ROLES),
    Action.USE_PLAYBOOK: _everywhere(STAFF_ROLES),
    Action.USE_COACHING: _everywhere(STAFF_ROLES),
    Action.VIEW_INSIGHTS: _everywhere(_LEADERS),
    Action.VIEW_PEOPLE: _everywhere(STAFF_ROLES),
    Action.MANAGE_PEOPLE: _everywhere({_PP, _ADMIN}),
    Action.MANAGE_TEAMS: _everywhere({_PP, _ADMIN}),
    Action.MANAGE_ORGANISATION: _everywhere({_ADMIN}),
    Action.USE_ADMIN_SITE: _everywhere({_ADMIN}),
    Action.VIEW_AUDIT_LOG: _everywhere({_ADMIN}),
    # Exporting or erasing a customer's data (GDPR requests): CX leadership, audited.
    Action.MANAGE_CUSTOMER_PRIVACY: _everywhere({_CX, _ADMIN}),
    # The whole organisation's data in one file: admins alone, audited.
    Action.EXPORT_ORGANISATION: _everywhere({_ADMIN}),
    # Webhooks send customers' conversations to other systems and hold signing secrets.
    Action.MANAGE_INTEGRATIONS: _everywhere({_ADMIN}),
    # care (goodwill): leads decide on requests above the allowance for their team, never on
    # their own (FOUR_EYES); they edit allowances that do not apply to their own gestures.
    Action.APPROVE_GESTURES: {_L: _TEAM, _CX: _ORG, _ADMIN: _ORG},
    Action.MANAGE_ALLOWANCES: {_L: _TEAM, _CX: _ORG, _ADMIN: _ORG},
    # API keys of the shop or billing system that executes refunds and credits.
    Action.EXECUTE_GESTURES: _everywhere({_CX, _ADMIN}),
    # coaching: leads coach and review; people partners support, they do not score work.
    Action.MANAGE_COACHING: _everywhere({_L, _CX, _ADMIN}),
    Action.REVIEW_QUALITY: _everywhere({_L, _CX, _ADMIN}),
    # feedback: survey rules, follow-up questions and milestone email templates are set by leads.
    Action.MANAGE_FEEDBACK: _everywhere({_L, _CX, _ADMIN}),
    # Confidential concerns are often about an employee or a team, so they go to people outside
    # the teams' line: the CX leader, and admins (who already hold the audit log). Team leads
    # and agents may be the subject of a concern; people partners serve employees, not customers.
    Action.HANDLE_CONCERNS: _everywhere({_CX, _ADMIN}),
    # playbook: leads publish to the public help centre and review others' changes.
    Action.MANAGE_PLAYBOOK: _everywhere({_L, _CX, _ADMIN}),
    # pulse (team voice): surveys are run by people partners, CX leaders and admins; leads
    # read results (their own team and the organisation) and answer ideas.
    Action.RUN_PULSE_SURVEYS: _everywhere({_CX, _PP, _ADMIN}),
    Action.VIEW_PULSE_RESULTS: _everywhere(_LEADERS),
    Action.ANSWER_IDEAS: _everywhere(_LEADERS),
    Action.MANAGE_ROSTER: _everywhere({_PP, _ADMIN}),
    # insights: the journey map's stages and touchpoints are the customer side's to shape.
    Action.MANAGE_JOURNEY: _everywhere({_L, _CX, _ADMIN}),
    # Round robin hands new conversations to the team's frontline, never to CX leadership.
    Action.RECEIVE_ASSIGNMENTS: _everywhere({_A, _L}),
    # What colleagues write for each other stays with the team that owns the conversation (and
    # whoever it is assigned to); leaders read every team's notes.
    Action.READ_INTERNAL_NOTES: {_A: _TEAM, _L: _ORG, _CX: _ORG, _ADMIN: _ORG},
    # Gestures: the giver sees their own, a lead their team's, CX leadership everyone's.
    Action.SEE_GESTURES: {_A: _OWN, _L: _TEAM, _CX: _ORG, _ADMIN: _ORG},
    # Detractor recovery: the owner works their task, the lead their team's, CX leadership all.
    Action.WORK_RECOVERY: {_A: _OWN, _L: _TEAM, _CX: _ORG, _ADMIN: _ORG},
    # Action items: an owner's or creator's own, a lead's team, CX leadership and admins all.
    Action.SEE_ACTION_ITEMS: {_A: _OWN, _L: _TEAM, _CX: _ORG, _PP: _OWN, _ADMIN: _ORG},
    # An agent's empathy scores are theirs and their coach's (the lead of their team) alone.
    Action.SEE_REPLY_SCORES: {_A: _OWN, _L: _TEAM},
    # QA reviews: the reviewed agent and the reviewer, the agent's lead, CX leadership.
    Action.SEE_QA_REVIEWS: {_A: _OWN, _L: _TEAM, _CX: _ORG, _ADMIN: _ORG},
    # Psychological safety, eNPS and turnover: a lead sees their own team's, never another's.
    Action.VIEW_CULTURE: {_L: _TEAM, _CX: _ORG, _PP: _ORG, _ADMIN: _ORG},
    # A success story waits for its agent's consent: until shared, it is theirs and its
    # proposer's, not their lead's.
    Action.SEE_UNSHARED_STORIES: dict.fromkeys(STAFF_ROLES, _OWN),
    # Published learning reviews: their facilitator's and their team's (organisation-wide ones
    # reach everyone); leaders beyond one team read them all.
    Action.READ_LEARNING_REVIEWS: {_A: _TEAM, _L: _TEAM, _CX: _ORG, _PP: _ORG, _ADMIN: _ORG},
    # Moving a learning review along (edit, publish, action items, its process feedback): its
    # facilitator, and the facilitating roles for every review.
    Action.FACILITATE_REVIEW: {_A: _OWN, _L: _ORG, _CX: _ORG, _PP: _ORG, _ADMIN: _ORG},
    # An idea past its answer date goes to the leads of its team and to the people partners.
    Action.HEAR_OVERDUE_IDEAS: {_L: _TEAM, _PP: _ORG},
    # A person's coach is the lead of their team; those who lead a team are coached by those
    # who reach the whole organisation.
    Action.COACH_PEOPLE: {_L: _TEAM, _CX: _ORG, _ADMIN: _ORG},
    # Initiatives compare teams against each other and put money on them: the leaders who
    # ask for budget (CX, people) and admins; a lead of one team would read other teams' data.
    Action.VIEW_INITIATIVES: _everywhere({_CX, _PP, _ADMIN}),
    Action.MANAGE_INITIATIVES: _everywhere({_CX, _PP, _ADMIN}),
    # A disputed reply score goes to the agent's coach, the lead of their team, who alone
    # besides the agent sees it (SEE_REPLY_SCORES); never to the one who disputed (FOUR_EYES).
    Action.REVIEW_SCORE_DISPUTES: {_L: _TEAM},
}

# Four eyes: the person a row belongs to never takes these actions on it (a lead does not
# approve their own gesture or raise an allowance that applies to their own gestures).
FOUR_EYES: frozenset[Action] = frozenset(
    {Action.APPROVE_GESTURES, Action.MANAGE_ALLOWANCES, Action.REVIEW_SCORE_DISPUTES}
)


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


def reach(user: Principal, action: Action) -> Reach:
    """How far the user's right to `action` extends; `Reach.NONE` when they have none."""
    role = role_of(user)
    if role is None:
        return Reach.NONE
    return RULES[action].get(role, Reach.NONE)


def can(user: Principal, action: Action) -> bool:
    """Whether the user may take `action` on at least some rows (or at all, for plain actions)."""
    return reach(user, action) is not Reach.NONE


def roles_allowed(action: Action) -> frozenset[Role]:
    return frozenset(RULES[action])


# --- Granting roles ---------------------------------------------------------------------------

# Authority, lowest first: nobody gives a role ranked above their own, and only admins make
# admins. CX leaders rank above people partners: they hold customers' money and data.
ROLE_RANK: dict[Role, int] = {
    Role.AGENT: 1,
    Role.TEAM_LEAD: 2,
    Role.PEOPLE_PARTNER: 3,
    Role.CX_LEADER: 4,
    Role.ADMIN: 5,
}


def grantable_roles(user: Principal) -> list[Role]:
    """The roles `user` may give an employee (adding or editing them), lowest first."""
    own = role_of(user)
    if own is None or not can(user, Action.MANAGE_PEOPLE):
        return []
    return [
        role
        for role in sorted(ROLE_RANK, key=ROLE_RANK.__getitem__)
        if ROLE_RANK[role] <= ROLE_RANK[own] and (role is not Role.ADMIN or own is Role.ADMIN)
    ]


# --- Rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ownership:
    """Which fields of a model name the people a row belongs to and their team.

    Each model that holds people's or customers' data declares this once, as its class
    attribute `row_ownership` (or a mapping from action to `Ownership` where one model is read
    under several rules); `restrict` and `may` read it, so the rule is never written twice.
    Fields are ORM lookups (`"agent"`, `"conversation__team"`).
    """

    owners: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    # Rows without a team (an unrouted conversation) are shared by everyone with team reach.
    teamless_rows_shared: bool = False
    # Lookups to a Team each of whose members counts as an owner of the row: a team-wide
    # allowance applies to every member's own gestures, so under FOUR_EYES none of them edits it.
    member_teams: tuple[str, ...] = ()


def ownership_of(model: type[Model], action: Action) -> Ownership:
    """A model's ownership for `action`: one `Ownership`, or a mapping when actions differ."""
    declared = getattr(model, "row_ownership", None)
    if isinstance(declared, Mapping):
        declared = declared.get(action)
    if not isinstance(declared, Ownership):
        raise ImproperlyConfigured(
            f"{model.__name__} declares no row_ownership for {action.value}; "
            "restrict() cannot scope it."
        )
    return declared


def _team_id(user: Principal) -> int | None:
    return getattr(user, "team_id", None)


def _own_rows(ownership: Ownership, user: Principal) -> Q:
    rows = Q(pk__in=[])
    for owner in ownership.owners:
        rows |= Q(**{owner: getattr(user, "pk", None)})
    team_id = _team_id(user)
    if team_id is not None:
        for team in ownership.member_teams:
            rows |= Q(**{f"{team}_id": team_id})
    return rows


def _rows_within(ownership: Ownership, user: Principal, level: Reach) -> Q | None:
    """The rows `level` reaches for this user, as a filter; None means every row."""
    if level is Reach.ORGANISATION:
        return None
    rows = _own_rows(ownership, user)
    team_id = _team_id(user)
    if level is Reach.TEAM:
        for team in ownership.teams:
            if team_id is not None:
                rows |= Q(**{f"{team}_id": team_id})
            if ownership.teamless_rows_shared:
                rows |= Q(**{f"{team}__isnull": True})
    return rows


def restrict[M: Model](
    queryset: QuerySet[M],
    user: Principal,
    action: Action,
    *,
    within: Reach = Reach.ORGANISATION,
) -> QuerySet[M]:
    """The rows of `queryset` that `user` may take `action` on: every list, export and API.

    `within` narrows a view to less than the user's reach ("mine" in a ledger a lead may
    see their team's of); it never widens it.
    """
    level = min(reach(user, action), within)
    if level is Reach.NONE:
        return queryset.none()
    ownership = ownership_of(queryset.model, action)
    rows = _rows_within(ownership, user, level)
    if rows is not None:
        queryset = queryset.filter(rows)
    if action in FOUR_EYES:
        queryset = queryset.exclude(_own_rows(ownership, user))
    return queryset


def _value_at(row: Model, lookup: str) -> object:
    """The primary key a lookup such as `conversation__team` names on one loaded row."""
    *path, last = lookup.split("__")
    target: object = row
    for name in path:
        target = getattr(target, name, None)
        if target is None:
            return None
    if hasattr(target, f"{last}_id"):
        return getattr(target, f"{last}_id")
    value = getattr(target, last, None)
    return getattr(value, "pk", value)


def may(user: Principal, action: Action, row: Model | None = None) -> bool:
    """Whether `user` may take `action` on `row`: the same rule as `restrict`, for one row.

    Without a row it answers whether the user may take the action on any row at all.
    """
    level = reach(user, action)
    if level is Reach.NONE:
        return False
    if row is None:
        return True
    ownership = ownership_of(type(row), action)
    user_pk = getattr(user, "pk", None)
    own = user_pk is not None and any(_value_at(row, o) == user_pk for o in ownership.owners)
    user_team_id = _team_id(user)
    own = own or (
        user_team_id is not None
        and any(_value_at(row, team) == user_team_id for team in ownership.member_teams)
    )
    if action in FOUR_EYES and own:
        return False
    if level is Reach.ORGANISATION or own:
        return True
    if level is Reach.TEAM:
        teams = [_value_at(row, team) for team in ownership.teams]
        if ownership.teamless_rows_shared and any(team is None for team in teams):
            return True
        team_id = _team_id(user)
        return team_id is not None and team_id in teams
    return False


def reaches_team(user: Principal, action: Action, team_id: int | None) -> bool:
    """Whether `user` may see figures about team `team_id` as a whole under `action` (a team's
    culture scores): every team with organisation reach, their own with team reach."""
    level = reach(user, action)
    if level is Reach.ORGANISATION:
        return True
    return level is Reach.TEAM and team_id is not None and team_id == _team_id(user)


def restrict_teams[M: Model](
    queryset: QuerySet[M], user: Principal, action: Action, team: str = "pk"
) -> QuerySet[M]:
    """The rows of team-level figures (teams, or rows whose `team` lookup names one) that
    `user` may see under `action`: the queryset form of `reaches_team`."""
    level = reach(user, action)
    if level is Reach.ORGANISATION:
        return queryset
    team_id = _team_id(user)
    if level is Reach.TEAM and team_id is not None:
        return queryset.filter(**{team: team_id})
    return queryset.none()


def restrict_shared[M: Model](
    queryset: QuerySet[M], user: Principal, action: Action
) -> QuerySet[M]:
    """The rows of `queryset` under `action` when every holder of the action sees the same rows
    (the idea box, the internal playbook): all of them for a holder, none for anyone else."""
    return queryset if can(user, action) else queryset.none()


def require(user: Principal, action: Action, row: Model) -> None:
    """Raise PermissionDenied unless `may(user, action, row)`: for views and services alike."""
    if not may(user, action, row):
        raise PermissionDenied(f"Your role does not allow {action.value} on this item.")


class Scope(StrEnum):
    """The narrower views of a list that people choose between: "mine", "my team", "everyone"."""

    MINE = "mine"
    TEAM = "team"
    ALL = "all"

    @property
    def reach(self) -> Reach:
        return {Scope.MINE: Reach.OWN, Scope.TEAM: Reach.TEAM, Scope.ALL: Reach.ORGANISATION}[self]

    @property
    def label(self) -> str:
        return {Scope.MINE: "Mine", Scope.TEAM: "My team", Scope.ALL: "Everyone"}[self]


def scopes_for(user: Principal, action: Action) -> list[Scope]:
    """The views of a list the user's reach for `action` offers them, narrowest first."""
    level = reach(user, action)
    if level is Reach.TEAM and _team_id(user) is None:
        level = Reach.OWN
    return [scope for scope in Scope if scope.reach <= level and level is not Reach.NONE]


def scope_or_mine(user: Principal, action: Action, wanted: str) -> Scope:
    """The scope asked for in a query string if the user's reach offers it, else "mine"."""
    offered = scopes_for(user, action)
    return next((scope for scope in offered if scope.value == wanted), Scope.MINE)


# --- Who is told ------------------------------------------------------------------------------


def holders(action: Action, level: Reach | None = None) -> QuerySet[Any]:
    """Every active employee whose role may take `action` (on some rows), by name; with
    `level`, only those whose reach is exactly that (the team-level holders, say)."""
    roles = [role.value for role, held in RULES[action].items() if level in (None, held)]
    people = get_user_model()._default_manager.filter(is_active=True, role__in=roles)
    return people.order_by("full_name", "email")


def recipients(
    action: Action, team_id: int | None = None, *, excluding: Principal | None = None
) -> list[Any]:
    """Who is told about a row of `team_id` that needs `action`: the closest people who may act.

    First the people whose team reach covers the team (its lead), then those who reach the
    whole organisation (admins last, as the fallback): the first group that has anyone.
    `excluding` (the row's owner, under FOUR_EYES) is never told: a lead who is the only one
    on their team sends their own request on to the next group.
    """
    roles = RULES[action]
    people = holders(action)
    if excluding is not None:
        people = people.exclude(pk=getattr(excluding, "pk", None))
    team_roles = [role.value for role, level in roles.items() if level is Reach.TEAM]
    organisation_roles = [
        role.value for role, level in roles.items() if level is Reach.ORGANISATION
    ]
    tiers = [
        people.filter(role__in=team_roles, team_id=team_id) if team_id is not None else None,
        people.filter(role__in=organisation_roles).exclude(role=Role.ADMIN),
        people.filter(role__in=organisation_roles, role=Role.ADMIN),
    ]
    for tier in tiers:
        found = list(tier) if tier is not None else []
        if found:
            return found
    return []


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
