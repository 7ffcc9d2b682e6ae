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
        assert {"400", "422"} <= set(operation["responses"])
        # 201 when the POST makes something (a conversation, a note), 200 when it changes one.
        assert {"200", "201"} & set(operation["responses"])
        assert "requestBody" in operation


def test_every_patch_documents_the_required_idempotency_key(schema: dict[str, Any]) -> None:
    patches = [path["patch"] for path in schema["paths"].values() if "patch" in path]
    assert len(patches) >= 2
    for operation in patches:
        headers = [p for p in operation["parameters"] if p["in"] == "header"]
        assert [(p["name"], p["required"]) for p in headers] == [("Idempotency-Key", True)]
        assert {"200", "400", "404", "422"} <= set(operation["responses"])


def test_every_list_is_cursor_paginated_and_says_so(schema: dict[str, Any]) -> None:
    lists = [
        operation
        for path in schema["paths"].values()
        for method, operation in path.items()
        if method == "get" and operation["operationId"].endswith("_list")
    ]
    assert len(lists) >= 9
    for operation in lists:
        names = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        assert names["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}
        assert names["cursor"]["schema"]["type"] == "string"
        page = operation["responses"]["200"]["content"]["application/json"]["schema"]
        page = schema["components"]["schemas"][page["$ref"].rsplit("/", 1)[-1]]
        assert set(page["required"]) == {"next", "previous", "results"}
        assert "400" in operation["responses"]


def test_the_inbox_filters_are_documented_on_the_conversation_list(
    schema: dict[str, Any],
) -> None:
    listing = schema["paths"]["/api/v1/conversations/"]["get"]
    names = {p["name"]: p for p in listing["parameters"]}
    assert {"view", "status", "tag", "assignee_email", "customer_email"} <= set(names)
    view_values = names["view"]["schema"]
    assert "waiting" in str(view_values) and "unassigned" in str(view_values)


def test_endpoints_are_tagged_and_secured_by_bearer_keys(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    operations = [op for path in schema["paths"].values() for op in path.values()]
    tags = {"conversations", "customers", "gestures", "saved-replies", "feedback"}
    tags |= {"learning", "ideas", "recognition"}
    tags |= {"help centre", "playbook", "pulse", "insights", "webhooks"}
    assert all(len(op["tags"]) == 1 and op["tags"][0] in tags for op in operations)
    public = [op for op in operations if op["tags"] == ["help centre"]]
    assert public and all("security" not in op for op in public)
    assert all(op["security"] == [{"apiKey": []}] for op in operations if op not in public)


def test_every_operation_names_the_scope_it_needs_and_documents_403(
    schema: dict[str, Any],
) -> None:
    operations = {
        (path, method): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }
    scopes = {key: operation.get("x-required-scope") for key, operation in operations.items()}
    assert scopes[("/api/v1/conversations/", "get")] == "conversations:read"
    assert scopes[("/api/v1/conversations/", "post")] == "conversations:write"
    assert scopes[("/api/v1/gestures/executions/", "post")] == "care:execute"
    for operation in operations.values():
        if "security" not in operation:  # the public help centre: no key, so no scope
            assert "x-required-scope" not in operation and "403" not in operation["responses"]
            continue
        assert operation["x-required-scope"] in operation["description"]
        assert "scope" in operation["responses"]["403"]["description"]
        if "requestBody" in operation:
            assert "413" in operation["responses"]
