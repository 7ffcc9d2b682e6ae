"""Saved replies through the API: the inbox reads them, those who set up the inbox write them."""

from __future__ import annotations

import json
from itertools import count
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from careloop.api.scopes import Scope
from careloop.conversations.models import SavedReply
from careloop.core.permissions import Role
from tests.fixtures.api import ClientMaker
from tests.people.factories import TeamFactory

pytestmark = pytest.mark.django_db

_keys = count()


def write(client: APIClient, method: str, url: str, data: dict[str, Any]) -> Any:
    return client.generic(
        method,
        url,
        json.dumps(data),
        content_type="application/json",
        headers={"Idempotency-Key": f"s{next(_keys)}"},
    )


def test_an_agent_reads_saved_replies_but_may_not_write_them(api_as: ClientMaker) -> None:
    saved = SavedReply.objects.create(title="Late parcel", body="Hi {{ customer.first_name }}")
    agent_api = api_as(Role.AGENT)
    listed = agent_api.get(reverse("api:saved-replies")).json()["results"]
    assert [(row["id"], row["body"]) for row in listed] == [(saved.pk, saved.body)]
    assert agent_api.get(reverse("api:saved-reply", args=[saved.pk])).status_code == 200
    created = write(agent_api, "POST", reverse("api:saved-replies"), {"title": "T", "body": "B"})
    assert created.status_code == 403
    edited = write(agent_api, "PATCH", reverse("api:saved-reply", args=[saved.pk]), {"title": "X"})
    assert edited.status_code == 403
    assert SavedReply.objects.get().title == "Late parcel"


def test_a_lead_creates_and_edits_saved_replies(api_as: ClientMaker) -> None:
    team = TeamFactory()
    lead_api = api_as(Role.TEAM_LEAD)
    created = write(
        lead_api,
        "POST",
        reverse("api:saved-replies"),
        {"title": "Refund sent", "body": "Your refund is on its way.", "team": team.pk},
    )
    assert created.status_code == 201, created.json()
    saved = SavedReply.objects.get()
    assert (saved.title, saved.team) == ("Refund sent", team)
    url = reverse("api:saved-reply", args=[saved.pk])
    edited = write(lead_api, "PATCH", url, {"body": "It is on its way.", "team": None})
    assert edited.status_code == 200, edited.json()
    saved.refresh_from_db()
    assert (saved.title, saved.body, saved.team) == ("Refund sent", "It is on its way.", None)
    assert write(lead_api, "PATCH", url, {"team": team.pk + 100}).status_code == 404
    assert write(lead_api, "PATCH", url, {"title": ""}).status_code == 400


def test_a_people_partner_key_reads_no_saved_replies(api_as: ClientMaker) -> None:
    assert api_as(Role.PEOPLE_PARTNER).get(reverse("api:saved-replies")).status_code == 403


def test_a_leads_read_only_key_may_not_write_saved_replies(api_as: ClientMaker) -> None:
    saved = SavedReply.objects.create(title="Late parcel", body="Sorry")
    client = api_as(Role.TEAM_LEAD, scopes=[Scope.SAVED_REPLIES_READ])
    assert client.get(reverse("api:saved-reply", args=[saved.pk])).status_code == 200
    refused = write(client, "PATCH", reverse("api:saved-reply", args=[saved.pk]), {"title": "X"})
    assert refused.status_code == 403
    assert "saved_replies:write" in refused.json()["detail"]
    assert SavedReply.objects.get().title == "Late parcel"
