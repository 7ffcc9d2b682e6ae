"""The row-level matrix: role × action × whose row it is → allowed or denied.

For every model that declares `row_ownership`, each action it is read under is tried by
each role on four rows: the person's own, a teammate's, another team's, and one with no
team. What each role may reach is the hand-written MATRIX of `test_permission_matrix`;
this file checks that `restrict` (every list, export and API) and `may` (one-row checks)
both honour it, and agree with each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models import Model
from django.utils import timezone

from careloop.conversations.models import Conversation, Message
from careloop.core.permissions import FOUR_EYES, Action, Reach, Role, may, restrict
from careloop.people.models import Team, User
from tests.actions.factories import ActionItemFactory
from tests.conversations.factories import ConversationFactory, CustomerFactory
from tests.core.test_permission_matrix import EXPECTED
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF = (Role.AGENT, Role.TEAM_LEAD, Role.CX_LEADER, Role.PEOPLE_PARTNER, Role.ADMIN)

# Builds one row that belongs to `owner`, booked to `team`.
RowBuilder = Callable[[User, Team | None], Model]


def _conversation(owner: User, team: Team | None) -> Conversation:
    return ConversationFactory(assignee=owner, team=team)


def _note(owner: User, team: Team | None) -> Message:
    return Message.objects.create(
        conversation=_conversation(owner, team),
        author_kind=Message.Author.AGENT,
        author=owner,
        body_text="Note for the team",
        is_internal_note=True,
        note_team=team,
    )


def _scored_reply(owner: User, team: Team | None) -> Message:
    if team is not None and owner.team_id != team.pk:
        owner.team = team
        owner.save(update_fields=["team"])
    return Message.objects.create(
        conversation=_conversation(owner, team),
        author_kind=Message.Author.AGENT,
        author=owner,
        body_text="I am sorry, let me fix this.",
        reply_score={"empathy": 0.5},
    )


def _score_dispute(owner: User, team: Team | None) -> Model:
    from careloop.conversations.models import ReplyScoreDispute

    return ReplyScoreDispute.objects.create(
        message=_scored_reply(owner, team),
        agent=owner,
        mechanism="explorations",
        model_level=0,
        agent_level=2,
    )


def _gesture(owner: User, team: Team | None) -> Model:
    from careloop.care.models import Gesture, GestureKind, GestureStatus

    conversation = _conversation(owner, team)
    return Gesture.objects.create(
        kind=GestureKind.REFUND,
        amount=Decimal("10.00"),
        currency="EUR",
        reason="Parcel lost",
        customer=conversation.customer,
        conversation=conversation,
        agent=owner,
        team=team,
        status=GestureStatus.PENDING,
    )


def _agent_allowance(owner: User, team: Team | None) -> Model:
    from careloop.care.models import Allowance

    if owner.team_id != (team.pk if team else None):
        owner.team = team
        owner.save(update_fields=["team"])
    return Allowance.objects.create(agent=owner, per_incident_limit=Decimal("50.00"))


def _recovery_task(owner: User, team: Team | None) -> Model:
    from careloop.feedback.models import (
        RecoveryTask,
        SurveyInvitation,
        SurveyKind,
        SurveyResponse,
    )

    customer = CustomerFactory()
    kind = SurveyKind.POST_RESOLUTION
    invitation = SurveyInvitation.objects.create(
        kind=kind, customer=customer, send_after=timezone.now()
    )
    response = SurveyResponse.objects.create(
        invitation=invitation, kind=kind, customer=customer, team=team, agent=owner, csat=1
    )
    return RecoveryTask.objects.create(
        response=response,
        customer=customer,
        team=team,
        owner=owner,
        reason="Detractor",
        due_at=timezone.now(),
    )


def _customer(owner: User, team: Team | None) -> Model:
    """A customer of a conversation with `owner`: customers are everyone's who sees any."""
    return _conversation(owner, team).customer


def _saved_reply(owner: User, team: Team | None) -> Model:
    from careloop.conversations.models import SavedReply

    return SavedReply.objects.create(title="Late parcel", body="Sorry!", team=team)


def _survey_answer(owner: User, team: Team | None) -> Model:
    return _recovery_task(owner, team).response  # type: ignore[attr-defined,no-any-return]


def _survey(owner: User, team: Team | None) -> Model:
    return _survey_answer(owner, team).invitation  # type: ignore[attr-defined,no-any-return]


def _action_item(owner: User, team: Team | None) -> Model:
    if team is not None and owner.team_id != team.pk:
        owner.team = team
        owner.save(update_fields=["team"])
    return ActionItemFactory(owner=owner, created_by=owner)


def _initiative(owner: User, team: Team | None) -> Model:
    import datetime

    from careloop.initiatives.services import InitiativeDraft, create_initiative

    return create_initiative(
        InitiativeDraft(
            name="Empathy training",
            teams=[team or TeamFactory()],
            start=datetime.date(2026, 1, 1),
            outcomes=["csat"],
        ),
        created_by=owner,
    )


def _qa_review(owner: User, team: Team | None) -> Model:
    from tests.coaching.factories import rubric

    if team is not None and owner.team_id != team.pk:
        owner.team = team
        owner.save(update_fields=["team"])
    from careloop.coaching.models import QAReview

    reviewer = UserFactory(role=Role.CX_LEADER, team=None)
    return QAReview.objects.create(
        conversation=_conversation(owner, team),
        agent=owner,
        reviewer=reviewer,
        rubric=rubric(reviewer),
    )


def _story(owner: User, team: Team | None) -> Model:
    from careloop.recognition.models import StoryOrigin, SuccessStory

    conversation = _conversation(owner, team)
    return SuccessStory.objects.create(
        agent=owner,
        conversation=conversation,
        customer_words="You made my day",
        source_label="Message",
        source_key=f"message:{conversation.pk}",
        origin=StoryOrigin.CUSTOMER_PRAISE,
        title="A day made",
    )


def _learning_review(owner: User, team: Team | None) -> Model:
    from careloop.learning.models import LearningReview, ReviewStatus, Visibility

    return LearningReview.objects.create(
        title="Refund sent twice",
        kind="mistake",
        summary="A refund went out twice.",
        facilitator=owner,
        team=team,
        status=ReviewStatus.PUBLISHED,
        visibility=Visibility.TEAM,
    )


@dataclass(frozen=True)
class RowCase:
    model: type[Model]
    action: Action
    build: RowBuilder


def _model(label: str) -> type[Model]:
    return apps.get_model(label)


CASES = [
    RowCase(Conversation, Action.USE_INBOX, _conversation),
    RowCase(_model("conversations.Customer"), Action.VIEW_CUSTOMERS, _customer),
    RowCase(_model("conversations.Customer"), Action.MANAGE_CUSTOMER_PRIVACY, _customer),
    RowCase(_model("conversations.SavedReply"), Action.USE_INBOX, _saved_reply),
    RowCase(_model("conversations.SavedReply"), Action.MANAGE_INBOX, _saved_reply),
    RowCase(_model("feedback.SurveyInvitation"), Action.VIEW_FEEDBACK, _survey),
    RowCase(_model("feedback.SurveyResponse"), Action.VIEW_FEEDBACK, _survey_answer),
    RowCase(Message, Action.READ_INTERNAL_NOTES, _note),
    RowCase(Message, Action.SEE_REPLY_SCORES, _scored_reply),
    RowCase(
        _model("conversations.ReplyScoreDispute"), Action.REVIEW_SCORE_DISPUTES, _score_dispute
    ),
    RowCase(_model("care.Gesture"), Action.SEE_GESTURES, _gesture),
    RowCase(_model("care.Gesture"), Action.APPROVE_GESTURES, _gesture),
    RowCase(_model("care.Allowance"), Action.MANAGE_ALLOWANCES, _agent_allowance),
    RowCase(_model("feedback.RecoveryTask"), Action.WORK_RECOVERY, _recovery_task),
    RowCase(_model("actions.ActionItem"), Action.SEE_ACTION_ITEMS, _action_item),
    RowCase(_model("coaching.QAReview"), Action.SEE_QA_REVIEWS, _qa_review),
    RowCase(_model("recognition.SuccessStory"), Action.SEE_UNSHARED_STORIES, _story),
    RowCase(_model("learning.LearningReview"), Action.READ_LEARNING_REVIEWS, _learning_review),
    RowCase(_model("learning.LearningReview"), Action.FACILITATE_REVIEW, _learning_review),
    RowCase(_model("initiatives.Initiative"), Action.VIEW_INITIATIVES, _initiative),
    RowCase(_model("initiatives.Initiative"), Action.MANAGE_INITIATIVES, _initiative),
]


def test_every_model_with_an_owner_is_in_the_matrix() -> None:
    covered = {(case.model, case.action) for case in CASES}
    for model in apps.get_models():
        declared = getattr(model, "row_ownership", None)
        if isinstance(declared, dict):
            assert {(model, action) for action in declared} <= covered, model
        elif declared is not None:
            assert any(case.model is model for case in CASES), model


def expected_rows(level: Reach, action: Action) -> dict[str, bool]:
    allowed = {
        Reach.NONE: set(),
        Reach.OWN: {"own"},
        Reach.TEAM: {"own", "same team"},
        Reach.ORGANISATION: {"own", "same team", "other team", "no team"},
    }[level]
    if action in FOUR_EYES:
        allowed = allowed - {"own"}
    return {where: where in allowed for where in ("own", "same team", "other team", "no team")}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.model.__name__}-{c.action.value}")
def test_each_role_reaches_exactly_the_rows_the_matrix_gives_it(case: RowCase) -> None:
    home, elsewhere = TeamFactory(), TeamFactory()
    failures = []
    for role in STAFF:
        person = UserFactory(role=role, team=home)
        rows = {
            "own": case.build(person, home),
            "same team": case.build(UserFactory(team=home), home),
            "other team": case.build(UserFactory(team=elsewhere), elsewhere),
            "no team": case.build(UserFactory(team=None), None),
        }
        level = EXPECTED[(case.action, role)]
        wanted = expected_rows(level, case.action)
        shared = getattr(case.model, "row_ownership", None)
        ownership = shared.get(case.action) if isinstance(shared, dict) else shared
        if ownership is not None and ownership.teamless_rows_shared and level >= Reach.TEAM:
            wanted["no team"] = True
        reached = set(
            restrict(
                case.model._default_manager.filter(pk__in=[r.pk for r in rows.values()]),
                person,
                case.action,
            ).values_list("pk", flat=True)
        )
        for where, row in rows.items():
            row = case.model._default_manager.get(pk=row.pk)
            got_restrict = row.pk in reached
            got_may = may(person, case.action, row)
            if got_restrict != wanted[where] or got_may != wanted[where]:
                failures.append((role.value, where, wanted[where], got_restrict, got_may))
    assert failures == []


def test_a_person_without_a_team_reaches_only_their_own_rows_with_team_reach() -> None:
    lead = UserFactory(role=Role.TEAM_LEAD, team=None)
    own = _gesture(lead, None)
    other = _gesture(UserFactory(team=TeamFactory()), None)
    from careloop.care.models import Gesture

    visible = set(restrict(Gesture.objects.all(), lead, Action.SEE_GESTURES))
    assert visible == {own}
    assert not may(lead, Action.SEE_GESTURES, other)


@pytest.mark.parametrize("role", STAFF, ids=lambda role: role.value)
def test_a_team_allowance_belongs_to_every_member_of_the_team(role: Role) -> None:
    """It binds each member's gestures, so no member changes it (FOUR_EYES); outsiders may."""
    from careloop.care.models import Allowance

    home, elsewhere = TeamFactory(), TeamFactory()
    own_team = Allowance.objects.create(team=home, period_limit=Decimal("100.00"))
    other_team = Allowance.objects.create(team=elsewhere, period_limit=Decimal("100.00"))
    member, outsider = UserFactory(role=role, team=home), UserFactory(role=role, team=None)
    organisation_wide = EXPECTED[(Action.MANAGE_ALLOWANCES, role)] is Reach.ORGANISATION
    for person, row, allowed in (
        (member, own_team, False),
        (member, other_team, organisation_wide),
        (outsider, own_team, organisation_wide),
    ):
        reached = restrict(Allowance.objects.filter(pk=row.pk), person, Action.MANAGE_ALLOWANCES)
        assert reached.exists() is allowed, (role, row)
        assert may(person, Action.MANAGE_ALLOWANCES, row) is allowed, (role, row)


def test_inactive_people_reach_no_rows() -> None:
    admin = UserFactory(role=Role.ADMIN, is_active=False)
    note = _note(UserFactory(), None)
    assert not restrict(Message.objects.all(), admin, Action.READ_INTERNAL_NOTES).exists()
    assert not may(admin, Action.READ_INTERNAL_NOTES, note)
