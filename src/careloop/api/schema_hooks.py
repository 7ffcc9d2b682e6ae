"""The OpenAPI schema: each operation's scope, and the answers every operation can give."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

from careloop.api.permissions import required_scope

SCOPE_EXTENSION = "x-required-scope"

ERROR_BODY = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
WRITE_RESPONSES = {
    "413": "The body is larger than the API accepts.",
}
COMMON_RESPONSES = {
    "401": "No valid API key.",
    "403": "The key lacks the scope the operation names in `x-required-scope`, or the key's "
    "owner may not do this (a key acts as its owner).",
    "429": "Too many requests for this API key; retry after the Retry-After header's seconds.",
}


def require_a_customer_reference(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A customer is named by email, by external id, or both (see the serializer)."""
    reference = result.get("components", {}).get("schemas", {}).get("CustomerReference")
    if reference is not None:
        # Each branch repeats its property's rules: some generators read a branch on its own.
        properties = reference.get("properties", {})
        reference["anyOf"] = [
            {"required": [name], "properties": {name: properties[name]}}
            for name in ("email", "external_id")
            if name in properties
        ]
    return result


def add_common_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Add 401, 403 and 429 to every operation that needs a key (429 alone to public ones),
    unless it says otherwise."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            answers = dict(COMMON_RESPONSES)
            if not operation.get("security"):
                # A public operation (the help centre) takes no key, so no key is refused.
                answers = {"429": COMMON_RESPONSES["429"]}
            if "requestBody" in operation:
                answers |= WRITE_RESPONSES
            for code, description in answers.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR_BODY}},
                    },
                )
    return result


class ScopedAutoSchema(AutoSchema):
    """Names the scope each operation needs, as `x-required-scope` and in its description."""

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        scope = required_scope(self.view, method)
        if operation is not None and scope is not None:
            operation[SCOPE_EXTENSION] = scope.value
            needs = f"Needs an API key with the scope `{scope.value}`."
            description = operation.get("description", "")
            operation["description"] = f"{description}\n\n{needs}" if description else needs
        return operation
