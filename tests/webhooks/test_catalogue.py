"""The event catalogue in the API and each event's body as a schema component."""

from __future__ import annotations

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from careloop.core import events
from careloop.core.permissions import Role
from tests.fixtures.api import ClientMaker


@pytest.mark.django_db
def test_the_catalogue_lists_every_event_with_an_example_body(api_as: ClientMaker) -> None:
    listed = api_as(Role.ADMIN).get(reverse("api:webhook-events")).json()
    assert [entry["name"] for entry in listed] == [event.name for event in events.EVENT_TYPES]
    created = listed[0]
    assert created["example"]["type"] == "conversation.created"
    assert set(created["example"]) == {"id", "type", "api_version", "created", "data"}


def test_the_schema_documents_each_events_body_from_its_declared_data() -> None:
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    created = schemas["WebhookEvent_conversation_created"]
    data = created["properties"]["data"]
    assert data["properties"]["assignee_id"] == {"type": "integer", "nullable": True}
    assert data["properties"]["subject"] == {"type": "string"}
    assert created["example"]["data"] == events.CONVERSATION_CREATED.example
    concern = schemas["WebhookEvent_concern_received"]["properties"]["data"]["properties"]
    assert "body" not in concern and "name" not in concern and "email" not in concern
    assert all(f"WebhookEvent_{e.name.replace('.', '_')}" in schemas for e in events.EVENT_TYPES)
