"""The OpenAPI schema: each operation's scope, and the answers every operation can give."""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.openapi import AutoSchema

from careloop.api.permissions import required_scope

# As drf-spectacular writes `strict_fields.NOT_BLANK`: some text, no null characters.
NOT_BLANK = "^[^\\u0000]*[^\\u0000\\s][^\\u0000]*$"

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


BLANK_BRANCH = {"type": "string", "maxLength": 0}


def drop_redundant_blank_branches(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Text that may be blank and has a pattern comes out as `oneOf: [text, maxLength 0]`;
    where the pattern already allows "", a blank value would match both branches, which
    `oneOf` (exactly one) forbids. Such a field is its text branch alone."""

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        if not isinstance(node, dict):
            return
        branches = node.get("oneOf")
        if (
            isinstance(branches, list)
            and len(branches) == 2
            and branches[1] == BLANK_BRANCH
            and "pattern" in branches[0]
            and re.search(branches[0]["pattern"], "")
        ):
            del node["oneOf"]
            node.update({k: v for k, v in branches[0].items() if k not in node})
        for value in node.values():
            visit(value)

    visit(result)
    return result


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


def require_evidence_to_close_an_item(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """An action item marked done names its evidence, and one dropped says why (see
    `actions.services.change_status`): each status is a branch with what it needs."""
    change = result.get("components", {}).get("schemas", {}).get("ActionItemStatus")
    if change is not None:
        properties = change.get("properties", {})
        needs = {"done": "evidence", "dropped": "dropped_reason"}
        branches: list[dict[str, Any]] = [
            {"properties": {"status": {"type": "string", "enum": ["open", "in_progress"]}}}
        ]
        for status, field in needs.items():
            longest = properties[field]["maxLength"]
            text = {"type": "string", "minLength": 1, "maxLength": longest, "pattern": NOT_BLANK}
            branches.append(
                {
                    "required": ["status", field],
                    "properties": {"status": {"type": "string", "enum": [status]}, field: text},
                }
            )
        change["anyOf"] = branches
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


# Money as text: up to 10 digits and 2 decimals (care.services.MAX_AMOUNT); these two are
# subsets of it, for the kinds that need an amount and for swaps, which cost nothing.
AMOUNT_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
NONZERO_AMOUNT_PATTERN = r"^([1-9][0-9]{0,9}(\.[0-9]{1,2})?|0\.([1-9][0-9]?|0[1-9]))$"
ZERO_AMOUNT_PATTERN = r"^0(\.0{1,2})?$"


def _choices(schemas: dict[str, Any], field: dict[str, Any]) -> list[str]:
    """A choice field's values, through the shared enum component it refers to."""
    ref = field.get("$ref", "")
    target = schemas.get(ref.rsplit("/", 1)[-1], field) if ref else field
    return list(target.get("enum", []))


def _one_of(values: list[str]) -> dict[str, Any]:
    return {"type": "string", "enum": values}


def state_cross_field_rules(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Rules that join fields, as `anyOf`, so a request the schema allows is one the API
    takes: a refund, credit or discount needs an amount, a swap costs nothing and names both
    items (care.services); closing a recovery task names a cause unless nobody replied."""
    schemas = result.get("components", {}).get("schemas", {})
    gesture = schemas.get("GestureRequest")
    if gesture is not None:
        properties = gesture.get("properties", {})
        kinds = _choices(schemas, properties.get("kind", {}))
        money, swap = ["refund", "credit", "discount"], ["swap"]
        others = [kind for kind in kinds if kind not in money + swap]
        amount = {"type": "string", "maxLength": properties.get("amount", {}).get("maxLength")}
        # Written as `reason` is: some text that is not only spaces.
        not_blank = properties.get("reason", {}).get("pattern")
        item = {"type": "string", "minLength": 1, "maxLength": 300, "pattern": not_blank}
        gesture["anyOf"] = [
            {
                "required": ["kind", "amount"],
                "properties": {
                    "kind": _one_of(money),
                    "amount": {**amount, "pattern": NONZERO_AMOUNT_PATTERN},
                },
            },
            {
                "required": ["kind", "items_out", "items_in"],
                "properties": {
                    "kind": _one_of(swap),
                    "amount": {**amount, "pattern": ZERO_AMOUNT_PATTERN},
                    "items_out": item,
                    "items_in": item,
                },
            },
            {"required": ["kind"], "properties": {"kind": _one_of(others)}},
        ]
    closing = schemas.get("RecoveryClose")
    if closing is not None:
        properties = closing.get("properties", {})
        causes = {**properties.get("causes", {}), "minItems": 1}
        closing["anyOf"] = [
            {"properties": {"outcome": _one_of(["no_reply"])}},
            {"required": ["causes"], "properties": {"causes": causes}},
        ]
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
