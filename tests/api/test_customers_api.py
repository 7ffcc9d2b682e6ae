"""Customers through the API: search, create, edit, merge and export, as the key's owner."""

from __future__ import annotations

import json
from itertools import count
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from careloop.api.scopes import Scope
from careloop.conversations.models import Channel, ContactPoint, Customer
from careloop.conversations.services.conversations import receive_customer_message
from careloop.core.audit import audit_events_for
from careloop.core.permissions import Role
from tests.conversations.factories import CustomerFactory
from tests.fixtures.api import ClientMaker

pytestmark = pytest.mark.django_db

_keys = count()


def write(client: APIClient, method: str, url: str, data: dict[str, Any], key: str = "") -> Any:
    return client.generic(
        method,
        url,
        json.dumps(data),
        content_type="application/json",
        headers={"Idempotency-Key": key or f"c{next(_keys)}"},
    )


@pytest.fixture
def agent_api(api_as: ClientMaker) -> APIClient:
    return api_as(Role.AGENT)


def test_customers_are_searched_by_name_or_email_and_merged_ones_left_out(
    agent_api: APIClient,
) -> None:
    ana = CustomerFactory(full_name="Ana Lima", email="ana@shop.test")
    bo = CustomerFactory(full_name="Bo Berg", email="bo@lima-mail.test")
    CustomerFactory(full_name="Cy Dahl", email="cy@example.test")
    CustomerFactory(full_name="Ana Lima (old)", email=None, merged_into=ana)
    url = reverse("api:customers")
    found = agent_api.get(url, {"q": "lima"}).json()["results"]
    assert [row["id"] for row in found] == [bo.pk, ana.pk]
    assert [row["id"] for row in agent_api.get(url, {"q": "ANA@shop"}).json()["results"]] == [
        ana.pk
    ]
    assert len(agent_api.get(url).json()["results"]) == 3


def test_a_search_with_a_null_character_is_a_400(agent_api: APIClient) -> None:
    assert agent_api.get(reverse("api:customers"), {"q": "a\x00b"}).status_code == 400


def test_creating_a_customer_makes_their_email_a_contact_point_once(
    agent_api: APIClient,
) -> None:
    data = {"full_name": "Dee Eng", "email": "Dee@Example.test", "notes": "Prefers mornings"}
    first = write(agent_api, "POST", reverse("api:customers"), data, key="same")
    again = write(agent_api, "POST", reverse("api:customers"), data, key="same")
    assert first.status_code == again.status_code == 201, first.json()
    assert again.json() == first.json()
    customer = Customer.objects.get()
    assert (customer.email, customer.notes) == ("dee@example.test", "Prefers mornings")
    assert ContactPoint.objects.get().value == "dee@example.test"
    assert first.json()["contact_points"] == [{"kind": "email", "value": "dee@example.test"}]


def test_an_email_already_used_is_a_conflict_and_nothing_is_created(
    agent_api: APIClient,
) -> None:
    receive_customer_message(
        CustomerFactory(email="taken@example.test"), channel=Channel.EMAIL, body_text="Hi"
    )
    response = write(
        agent_api,
        "POST",
        reverse("api:customers"),
        {"full_name": "X", "email": "TAKEN@example.test"},
    )
    assert response.status_code == 409
    assert "email" in response.json()
    assert Customer.objects.count() == 1


def test_editing_changes_only_the_fields_sent_and_never_the_email(agent_api: APIClient) -> None:
    customer = CustomerFactory(full_name="Eve", company="Old Co", email="eve@example.test")
    url = reverse("api:customer", args=[customer.pk])
    response = write(
        agent_api, "PATCH", url, {"company": "New Co", "language": "nl", "email": "x@y.test"}
    )
    assert response.status_code == 200, response.json()
    customer.refresh_from_db()
    assert (customer.full_name, customer.company, customer.language) == ("Eve", "New Co", "nl")
    assert customer.email == "eve@example.test"
    assert write(agent_api, "PATCH", url, {"full_name": " "}).status_code == 400


def test_merging_moves_conversations_and_contact_points_to_the_survivor(
    agent_api: APIClient,
) -> None:
    duplicate = receive_customer_message(
        CustomerFactory(email=None), channel=Channel.CHAT, body_text="Hi"
    ).conversation.customer
    ContactPoint.objects.create(customer=duplicate, kind=ContactPoint.Kind.PHONE, value="+31 6")
    survivor = CustomerFactory()
    url = reverse("api:customer-merge", args=[duplicate.pk])
    response = write(agent_api, "POST", url, {"into": survivor.pk})
    assert response.status_code == 201, response.json()
    assert response.json()["id"] == survivor.pk
    assert len(response.json()["conversation_ids"]) == 1
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == survivor.pk
    assert survivor.contact_points.filter(value="+31 6").exists()
    again = write(agent_api, "POST", url, {"into": CustomerFactory().pk})
    assert again.status_code == 409


def test_merging_into_itself_or_nobody_is_refused(agent_api: APIClient) -> None:
    customer = CustomerFactory()
    url = reverse("api:customer-merge", args=[customer.pk])
    assert write(agent_api, "POST", url, {"into": customer.pk}).status_code == 409
    assert write(agent_api, "POST", url, {"into": customer.pk + 100}).status_code == 404
    assert write(agent_api, "POST", url, {"into": str(customer.pk)}).status_code == 400
    customer.refresh_from_db()
    assert customer.merged_into_id is None


def test_the_export_holds_the_customers_data_and_is_audited(api_as: ClientMaker) -> None:
    message = receive_customer_message(
        CustomerFactory(email="fay@example.test"), channel=Channel.EMAIL, body_text="My order"
    )
    customer = message.conversation.customer
    response = api_as(Role.CX_LEADER).get(reverse("api:customer-export", args=[customer.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "fay@example.test" in str(response.json())
    assert "My order" in str(response.json())
    assert "customer.exported" in [event.action for event in audit_events_for(customer)]


def test_only_privacy_roles_with_the_export_scope_export(api_as: ClientMaker) -> None:
    customer = CustomerFactory()
    url = reverse("api:customer-export", args=[customer.pk])
    assert api_as(Role.AGENT).get(url).status_code == 403
    lacking = [scope for scope in Scope if scope is not Scope.CUSTOMERS_EXPORT]
    refused = api_as(Role.CX_LEADER, scopes=lacking).get(url)
    assert refused.status_code == 403
    assert "customers:export" in refused.json()["detail"]
    assert not audit_events_for(customer).filter(action="customer.exported").exists()


def test_a_read_only_key_may_search_but_not_change_customers(api_as: ClientMaker) -> None:
    customer = CustomerFactory(full_name="Gus")
    client = api_as(Role.AGENT, scopes=[Scope.CUSTOMERS_READ])
    assert client.get(reverse("api:customers")).status_code == 200
    url = reverse("api:customer", args=[customer.pk])
    refused = write(client, "PATCH", url, {"full_name": "Changed"})
    assert refused.status_code == 403
    assert "customers:write" in refused.json()["detail"]
    customer.refresh_from_db()
    assert customer.full_name == "Gus"


def test_a_people_partners_key_sees_no_customers(api_as: ClientMaker) -> None:
    CustomerFactory()
    assert api_as(Role.PEOPLE_PARTNER).get(reverse("api:customers")).status_code == 403
