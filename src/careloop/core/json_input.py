"""JSON bodies from outside, read with limits: size, nesting depth, and text that can be kept.

json.loads recurses once per nesting level, so a 16 KB body of "[[[[..." raises RecursionError
deep inside the parser; a "\\ud800" escape decodes to a lone surrogate, which cannot be encoded
to store or log it; PostgreSQL text cannot hold a NUL. Each is refused here with a message the
sender can act on, before anything else looks at the body.
"""

from __future__ import annotations

import json
import re

MAX_DEPTH = 20
# NUL cannot be stored in PostgreSQL text; a lone surrogate cannot be encoded at all.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class JsonInputError(ValueError):
    """The body is not JSON careloop accepts; the text is written for the sender."""


def _depth(body: str) -> int:
    """The deepest nesting of arrays and objects, ignoring brackets inside strings."""
    deepest = depth = 0
    in_string = escaped = False
    for character in body:
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in "]}":
            depth -= 1
    return deepest


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (*_strings(key), *_strings(item))]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def parse_json_body(body: bytes, *, max_bytes: int, max_depth: int = MAX_DEPTH) -> object:
    """The decoded body; raises JsonInputError when it is too large, too deep or not JSON."""
    if len(body) > max_bytes:
        raise JsonInputError(f"The request is too large (at most {max_bytes} bytes).")
    try:
        text = body.decode("utf-8") if body else "{}"
    except UnicodeDecodeError as error:
        raise JsonInputError("The request body must be JSON in UTF-8.") from error
    if _depth(text) > max_depth:
        raise JsonInputError(f"The JSON is nested too deeply (at most {max_depth} levels).")
    try:
        value = json.loads(text)
    except ValueError as error:
        raise JsonInputError("The request body must be JSON.") from error
    if any(_UNSTORABLE.search(string) for string in _strings(value)):
        raise JsonInputError(
            "The text contains a NUL or an unpaired surrogate escape (such as \\ud800), which "
            "cannot be stored; nothing was saved. Send the text again without it."
        )
    return value
