"""JSON-lines scoring for `careloop empathy score-replies|score-messages`.

One output line per non-blank input line, in input order. A line that is not a JSON object
with the expected string fields gets {"id": ..., "error": ...} (id null when it can't be
read) and the run goes on. Lines are scored in chunks so memory stays flat on big files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from careloop.empathy.engine import read_customer_messages, score_replies

CHUNK_LINES = 4096


@dataclass
class BatchSummary:
    scored: int = 0
    errors: int = 0


@dataclass(frozen=True)
class _Parsed:
    record_id: str | None
    fields: tuple[str, ...] | None
    error: str | None


def _parse(line: str, field_names: Sequence[str]) -> _Parsed:
    try:
        value = json.loads(line)
    except ValueError as error:
        return _Parsed(None, None, f"invalid JSON: {error}")
    if not isinstance(value, dict):
        return _Parsed(None, None, "expected a JSON object")
    record_id = value.get("id")
    if not isinstance(record_id, str):
        problem = "missing field 'id'" if "id" not in value else "field 'id' must be a string"
        return _Parsed(None, None, problem)
    fields = []
    for name in field_names:
        if name not in value:
            return _Parsed(record_id, None, f"missing field '{name}'")
        if not isinstance(value[name], str):
            return _Parsed(record_id, None, f"field '{name}' must be a string")
        fields.append(value[name])
    return _Parsed(record_id, tuple(fields), None)


def _chunks(source: BinaryIO) -> Iterator[list[str]]:
    # Bytes split on "\n" only, so a stray "\r" inside a line can't shift the output; bad
    # UTF-8 becomes U+FFFD rather than stopping the run; a leading BOM is dropped.
    chunk: list[str] = []
    for number, raw in enumerate(source):
        line = raw.decode("utf-8", errors="replace")
        if number == 0:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        chunk.append(line)
        if len(chunk) >= CHUNK_LINES:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _run(
    in_path: Path,
    out_path: Path,
    field_names: Sequence[str],
    score: Callable[[list[tuple[str, ...]]], list[dict[str, Any]]],
) -> BatchSummary:
    summary = BatchSummary()
    with (
        in_path.open("rb") as source,
        out_path.open("w", encoding="utf-8") as sink,
    ):
        for chunk in _chunks(source):
            parsed = [_parse(line, field_names) for line in chunk]
            good = [entry.fields for entry in parsed if entry.fields is not None]
            results = iter(score(good) if good else [])
            for entry in parsed:
                if entry.fields is None:
                    record: dict[str, Any] = {"id": entry.record_id, "error": entry.error}
                    summary.errors += 1
                else:
                    record = {"id": entry.record_id, **next(results)}
                    summary.scored += 1
                sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    return summary


def _score_reply_fields(rows: list[tuple[str, ...]]) -> list[dict[str, Any]]:
    scores = score_replies([(customer, reply) for customer, reply in rows])
    return [
        {
            "emotional_reactions": score.emotional_reactions,
            "interpretations": score.interpretations,
            "explorations": score.explorations,
            "empathy": score.empathy,
        }
        for score in scores
    ]


def _score_message_fields(rows: list[tuple[str, ...]]) -> list[dict[str, Any]]:
    readings = read_customer_messages([text for (text,) in rows], explain=False)
    return [{"emotions": reading.scaled, "distress": reading.distress} for reading in readings]


def score_replies_file(in_path: Path, out_path: Path) -> BatchSummary:
    """{"id", "customer", "reply"} lines in; {"id", mechanisms..., "empathy"} lines out."""
    return _run(in_path, out_path, ("customer", "reply"), _score_reply_fields)


def score_messages_file(in_path: Path, out_path: Path) -> BatchSummary:
    """{"id", "text"} lines in; {"id", "emotions": {28 labels}, "distress"} lines out."""
    return _run(in_path, out_path, ("text",), _score_message_fields)
