from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from careloop.actions import selectors, services
from careloop.actions.models import ActionItem
from careloop.core.permissions import Role
from tests.actions.factories import ActionItemFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def test_a_new_item_is_open_and_due_a_week_from_today() -> None:
    owner = UserFactory()
    item = services.create_action_item(
        services.ActionItemDraft(
            title="  Add a refund-limit warning  ",
            owner=owner,
            source_kind="learning_review",
            source_id=12,
            source_label="Refund tool outage",
        )
    )
    assert item.status == ActionItem.Status.OPEN
    assert item.due == TODAY() + datetime.timedelta(days=7)
    assert item.title == "Add a refund-limit warning"
    assert (item.source_kind, item.source_id, item.kind) == ("learning_review", 12, "improvement")


def test_a_given_due_date_and_recheck_date_are_kept() -> None:
    due, recheck = datetime.date(2030, 1, 2), datetime.date(2030, 2, 1)
    item = services.create_action_item(
        services.ActionItemDraft(
            title="Train on the new macro",
            owner=UserFactory(),
            source_kind="survey",
            kind="training",
            due=due,
            recheck_on=recheck,
        )
    )
    assert (item.due, item.recheck_on, item.kind) == (due, recheck, "training")


@pytest.mark.parametrize(
    ("field", "value"), [("source_kind", "gossip"), ("kind", "blame"), ("title", "   ")]
)
def test_bad_values_are_refused_with_a_clear_error(field: str, value: str) -> None:
    arguments = {"title": "Fix it", "source_kind": "idea", "kind": "improvement"} | {field: value}
    with pytest.raises(ValidationError):
        services.create_action_item(services.ActionItemDraft(owner=UserFactory(), **arguments))
    assert not ActionItem.objects.exists()


def test_done_needs_evidence_of_completion() -> None:
    item = ActionItemFactory()
    with pytest.raises(ValidationError, match="evidence"):
        services.change_status(item, by=item.owner, status="done", evidence="  ")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN

    services.change_status(item, by=item.owner, status="done", evidence="Macro shipped on 3 May")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.DONE
    assert item.evidence == "Macro shipped on 3 May"
    assert item.completed_at is not None


def test_dropping_needs_a_reason() -> None:
    item = ActionItemFactory()
    with pytest.raises(ValidationError, match="why"):
        services.change_status(item, by=item.owner, status="dropped")
    services.change_status(item, by=item.owner, status="dropped", dropped_reason="Tool retired")
    item.refresh_from_db()
    assert (item.status, item.dropped_reason) == ("dropped", "Tool retired")


def test_reopening_a_done_item_clears_its_completion_time() -> None:
    item = ActionItemFactory()
    services.change_status(item, by=item.owner, status="done", evidence="Done")
    services.change_status(item, by=item.owner, status="in_progress")
    item.refresh_from_db()
    assert item.completed_at is None


def test_only_owner_creator_their_lead_and_cx_leaders_may_change_an_item() -> None:
    team = TeamFactory()
    creator = UserFactory()
    item = ActionItemFactory(owner=UserFactory(team=team), created_by=creator)
    allowed = [
        item.owner,
        creator,
        UserFactory(role=Role.TEAM_LEAD, team=team),
        UserFactory(role=Role.CX_LEADER),
        UserFactory(role=Role.ADMIN),
    ]
    refused = [
        UserFactory(team=team),
        UserFactory(role=Role.TEAM_LEAD),
        UserFactory(role=Role.PEOPLE_PARTNER),
    ]
    assert [selectors.can_change_item(user, item) for user in allowed] == [True] * 5
    assert [selectors.can_change_item(user, item) for user in refused] == [False] * 3
    with pytest.raises(PermissionDenied):
        services.change_status(item, by=refused[0], status="in_progress")


def test_a_lead_sees_overdue_items_of_their_own_team_only() -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    member = UserFactory(team=team)
    yesterday = TODAY() - datetime.timedelta(days=1)
    overdue = ActionItemFactory(owner=member, due=yesterday)
    ActionItemFactory(owner=member, due=TODAY())
    ActionItemFactory(owner=member, due=yesterday, status="done", evidence="Shipped")
    ActionItemFactory(owner=UserFactory(), due=yesterday)

    assert list(selectors.overdue_for_lead(lead)) == [overdue]
    assert not selectors.overdue_for_lead(member).exists()


def test_the_ledger_scopes_by_role() -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    mine = ActionItemFactory(owner=lead)
    teammates = ActionItemFactory(owner=UserFactory(team=team))
    elsewhere = ActionItemFactory()
    leader = UserFactory(role=Role.CX_LEADER)

    assert list(selectors.ledger_for(lead)) == [mine]
    assert set(selectors.ledger_for(lead, scope="team")) == {mine, teammates}
    assert list(selectors.ledger_for(lead, scope="all")) == [mine]
    assert set(selectors.ledger_for(leader, scope="all")) == {mine, teammates, elsewhere}
    assert list(selectors.ledger_for(teammates.owner, scope="team")) == [teammates]


def test_the_ledger_filters_by_status() -> None:
    owner = UserFactory()
    ActionItemFactory(owner=owner)
    started = ActionItemFactory(owner=owner, status="in_progress")
    assert list(selectors.ledger_for(owner, status="in_progress")) == [started]
