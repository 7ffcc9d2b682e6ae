from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from drf_spectacular.validation import validate_schema

# Every request reads the organisation's time zone, the schema's too.
pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_3_and_open_to_everyone(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on anything that breaks the OpenAPI 3 JSON schema


def test_every_post_documents_the_required_idempotency_key(schema: dict[str, Any]) -> None:
    posts = [path["post"] for path in schema["paths"].values() if "post" in path]
    assert len(posts) >= 2
    for operation in posts:
        headers = [p for p in operation["parameters"] if p["in"] == "header"]
        assert [(p["name"], p["required"]) for p in headers] == [("Idempotency-Key", True)]
        assert {"201", "400", "422"} <= set(operation["responses"])
        assert "requestBody" in operation


def test_endpoints_are_tagged_and_secured_by_bearer_keys(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert all(
        op["tags"] in (["conversations"], ["customers"], ["gestures"], ["webhooks"])
        for op in operations
    )
    assert all(op["security"] == [{"apiKey": []}] for op in operations)


def test_every_operation_names_the_scope_it_needs_and_documents_403(
    schema: dict[str, Any],
) -> None:
    operations = {
        (path, method): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }
    scopes = {key: operation["x-required-scope"] for key, operation in operations.items()}
    assert scopes[("/api/v1/conversations/", "get")] == "conversations:read"
    assert scopes[("/api/v1/conversations/", "post")] == "conversations:write"
    assert scopes[("/api/v1/gestures/executions/", "post")] == "care:execute"
    for operation in operations.values():
        assert operation["x-required-scope"] in operation["description"]
        assert "scope" in operation["responses"]["403"]["description"]
        if "requestBody" in operation:
            assert "413" in operation["responses"]
