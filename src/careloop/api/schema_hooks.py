"""Post-processing of the OpenAPI schema: answers every operation can give, documented once."""

from __future__ import annotations

from typing import Any

ERROR_BODY = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
COMMON_RESPONSES = {
    "401": "No valid API key.",
    "403": "The key's role does not allow this.",
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
    """Add 401, 403 and 429 to every operation that needs a key, unless it says otherwise."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in COMMON_RESPONSES.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR_BODY}},
                    },
                )
    return result
