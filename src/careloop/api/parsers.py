"""JSON request bodies, refused with a 400 when Python's parser would crash or store garbage.

Bounded nesting (a deep body would exhaust the recursion limit) and no lone surrogates
(`"\\ud800"` parses, but no database can store it as text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32
# A JSON string (skipped whole, escapes included) or a bracket that opens or closes a level.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text, without parsing it."""
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif bracket in "]}":
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON.")


def has_lone_surrogate(value: Any) -> bool:
    """Whether any string in a parsed JSON value (keys included) cannot be encoded as UTF-8."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, Mapping):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class StrictJSONParser(JSONParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        raw = stream.read()
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        except UnicodeDecodeError:
            raise ParseError("The body is not valid UTF-8.") from None
        if nesting_depth(text) > MAX_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels is not accepted.")
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
        if _SURROGATE_ESCAPE.search(text) and has_lone_surrogate(data):
            raise ParseError(
                "The body contains a lone UTF-16 surrogate (such as \\ud800), which is not text."
            )
        return data
