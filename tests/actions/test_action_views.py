from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careloop.actions.models import ActionItem
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.actions.factories import ActionItemFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_staff_create_an_item_for_a_colleague_due_in_a_week(client: Client) -> None:
    creator, owner = UserFactory(), UserFactory()
    response = signed_in(client, creator).post(
        reverse("actions:item-create"),
        {"title": "Shorten the returns form", "owner": owner.pk, "kind": "process"},
    )
    item = ActionItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("actions:item", kwargs={"item_id": item.pk})
    assert (item.owner, item.created_by, item.kind) == (owner, creator, "process")
    assert item.due == timezone.localdate() + datetime.timedelta(days=7)


def test_the_owner_marks_an_item_done_with_evidence(client: Client) -> None:
    item = ActionItemFactory()
    url = reverse("actions:item", kwargs={"item_id": item.pk})
    client = signed_in(client, item.owner)

    refused = client.post(url, {"status": "done", "evidence": ""})
    assert refused.status_code == 200
    assert "Describe the evidence" in refused.content.decode()

    client.post(url, {"status": "done", "evidence": "New macro live since Monday"})
    item.refresh_from_db()
    assert (item.status, item.evidence) == ("done", "New macro live since Monday")


def test_an_item_is_hidden_from_colleagues_who_may_not_change_it(client: Client) -> None:
    item = ActionItemFactory()
    client = signed_in(client, UserFactory(team=item.owner.team))
    url = reverse("actions:item", kwargs={"item_id": item.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "dropped", "dropped_reason": "No"}).status_code == 404
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


def test_the_owners_lead_may_update_the_item(client: Client) -> None:
    item = ActionItemFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=item.owner.team)
    url = reverse("actions:item", kwargs={"item_id": item.pk})
    signed_in(client, lead).post(url, {"status": "in_progress", "recheck_on": "2030-01-31"})
    item.refresh_from_db()
    assert (item.status, item.recheck_on) == ("in_progress", datetime.date(2030, 1, 31))


def test_a_lead_sees_their_teams_overdue_items_on_the_ledger(client: Client) -> None:
    team = TeamFactory()
    overdue = ActionItemFactory(
        owner=UserFactory(team=team), due=timezone.localdate() - datetime.timedelta(days=2)
    )
    other = ActionItemFactory(due=timezone.localdate() - datetime.timedelta(days=2))
    response = signed_in(client, UserFactory(role=Role.TEAM_LEAD, team=team)).get(
        reverse("actions:ledger")
    )
    assert list(response.context["overdue_for_team"]) == [overdue]
    assert other.title not in response.content.decode()


def test_an_agent_cannot_widen_the_ledger_to_everyone(client: Client) -> None:
    agent = UserFactory()
    ActionItemFactory(title="Someone else's item")
    response = signed_in(client, agent).get(reverse("actions:ledger"), {"scope": "all"})
    assert response.context["scope"] == "mine"
    assert "Someone else&#x27;s item" not in response.content.decode()


def test_titles_and_evidence_are_escaped_everywhere(client: Client) -> None:
    item = ActionItemFactory(title=SCRIPT, status="done", evidence=SCRIPT)
    item.completed_at = timezone.now()
    item.save()
    client = signed_in(client, item.owner)
    for url in (
        reverse("actions:ledger"),
        reverse("actions:item", kwargs={"item_id": item.pk}),
        reverse("actions:feed"),
    ):
        body = client.get(url).content.decode()
        assert SCRIPT not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url


def test_you_said_we_did_lists_done_items_newest_first_without_their_owners(
    client: Client,
) -> None:
    now = timezone.now()
    older = ActionItemFactory(
        title="Weekend cover rota",
        status="done",
        evidence="Rota published",
        source_label="Pulse survey, March",
        completed_at=now - datetime.timedelta(days=3),
    )
    newer = ActionItemFactory(
        title="Refund limit raised",
        status="done",
        evidence="Limit is now 50 EUR",
        source_kind="idea",
        completed_at=now,
    )
    ActionItemFactory(title="Still open")
    response = signed_in(client, UserFactory(role=Role.PEOPLE_PARTNER)).get(reverse("actions:feed"))
    body = response.content.decode()
    assert list(response.context["page"]) == [newer, older]
    assert body.index("Refund limit raised") < body.index("Weekend cover rota")
    assert "Rota published" in body and "Pulse survey, March" in body and "Idea" in body
    assert "Still open" not in body
    assert older.owner.full_name not in body and newer.owner.full_name not in body


def test_the_actions_section_opens_the_ledger(client: Client) -> None:
    response = signed_in(client, UserFactory()).get(reverse("core:dashboard"))
    assert reverse("actions:ledger") in response.content.decode()


def test_the_ledgers_pages_keep_the_status_filter(client: Client) -> None:
    owner = UserFactory()
    ActionItemFactory.create_batch(51, owner=owner, status="in_progress")
    response = signed_in(client, owner).get(reverse("actions:ledger"), {"status": "in_progress"})
    assert "?scope=mine&amp;status=in_progress&amp;page=2" in response.content.decode()
