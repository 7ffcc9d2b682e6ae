"""The catalogue of webhook events in the API, and each payload's schema in the OpenAPI document.

`GET /api/v1/webhook-events/` lists every event type with its version, meaning and an example
body; the schema gains one component per event (`WebhookEvent_conversation_created`, …) whose
`data` is built from the TypedDict core.events declares, so the documentation cannot drift.
"""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin, get_type_hints

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from careloop.api.base import ApiView
from careloop.api.scopes import Scope
from careloop.core.events import API_VERSION, EVENT_TYPES, EventType
from careloop.core.permissions import Action

_JSON_TYPES: dict[type, str] = {int: "integer", str: "string", float: "number", bool: "boolean"}


def _property(hint: Any) -> dict[str, Any]:
    if get_origin(hint) in (Union, types.UnionType):
        kinds = [arg for arg in get_args(hint) if arg is not type(None)]
        return {**_property(kinds[0]), "nullable": True}
    return {"type": _JSON_TYPES[hint]}


def data_schema(event: EventType[Any]) -> dict[str, Any]:
    hints = get_type_hints(event.data)
    return {
        "type": "object",
        "description": (event.data.__doc__ or "").strip() if event.data.__doc__ else "",
        "properties": {name: _property(hint) for name, hint in hints.items()},
        "required": sorted(hints),
    }


def example_body(event: EventType[Any]) -> dict[str, Any]:
    return {
        "id": "evt_5b0c2f9e8a7d4c1b9e3f6a2d1c0b8e7f",
        "type": event.name,
        "api_version": API_VERSION,
        "created": 1796634843,
        "data": dict(event.example),
    }


def component_name(event: EventType[Any]) -> str:
    return "WebhookEvent_" + event.name.replace(".", "_")


def envelope_schema(event: EventType[Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"{event.description} (payload version {event.version})",
        "properties": {
            "id": {"type": "string", "description": "The same on every retry: drop repeats."},
            "type": {"type": "string", "enum": [event.name]},
            "api_version": {"type": "string"},
            "created": {"type": "integer", "description": "Unix time of the event."},
            "data": data_schema(event),
        },
        "required": ["id", "type", "api_version", "created", "data"],
        "example": example_body(event),
    }


def add_event_schemas(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: one component schema per webhook event."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for event in EVENT_TYPES:
        schemas[component_name(event)] = envelope_schema(event)
    return result


class EventTypeSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="e.g. conversation.created")
    version = serializers.IntegerField(help_text="The payload's version; bumped on changes.")
    description = serializers.CharField()
    schema = serializers.CharField(help_text="The component schema of its body in this document.")
    example = serializers.JSONField(help_text="An example body, as POSTed to endpoints.")


class WebhookEventsView(ApiView):
    """The events a webhook endpoint may subscribe to."""

    required_action = Action.MANAGE_INTEGRATIONS
    required_scopes = {"GET": Scope.WEBHOOKS_READ}

    @extend_schema(
        operation_id="webhook_events_catalogue",
        description="Every event type webhooks send, with its payload version and an example "
        "body. Deliveries are POSTed with `Careloop-Signature: t=<unix>,v1=<hex>`, the "
        "HMAC-SHA256 of `<t>.<raw body>` keyed with the endpoint's secret.",
        tags=["webhooks"],
        responses={200: EventTypeSerializer(many=True)},
        examples=[
            OpenApiExample(
                "conversation.created",
                value=[
                    {
                        "name": "conversation.created",
                        "version": 1,
                        "description": EVENT_TYPES[0].description,
                        "schema": component_name(EVENT_TYPES[0]),
                        "example": example_body(EVENT_TYPES[0]),
                    }
                ],
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "name": event.name,
                    "version": event.version,
                    "description": event.description,
                    "schema": component_name(event),
                    "example": example_body(event),
                }
                for event in EVENT_TYPES
            ]
        )
