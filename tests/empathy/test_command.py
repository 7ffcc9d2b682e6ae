from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from careloop.empathy import batch
from careloop.empathy.heads import Heads


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_score_replies_scores_good_lines_and_reports_bad_ones_in_order(
    tmp_path: Path, heads: Heads
) -> None:
    source = write_lines(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": "a", "customer": "My parcel is lost again!", "reply": "So sorry!"}),
            "{not json",
            json.dumps({"id": "c", "customer": "Hello"}),
            json.dumps({"id": "d", "customer": "Hello", "reply": 5}),
            json.dumps({"id": 7, "customer": "Hello", "reply": "Hi"}),
            json.dumps(["a", "list"]),
            "",
            json.dumps({"id": "h", "customer": "", "reply": "Your order number is 1234."}),
        ],
    )
    target = tmp_path / "out.jsonl"

    call_command("empathy", "score-replies", str(source), str(target))

    records = read_records(target)
    assert [record["id"] for record in records] == ["a", None, "c", "d", None, None, "h"]
    for record in (records[0], records[-1]):
        assert set(record) == {
            "id",
            "emotional_reactions",
            "interpretations",
            "explorations",
            "empathy",
        }
        assert record["emotional_reactions"] in (0, 1, 2)
        assert isinstance(record["empathy"], float)
    for record in records[1:6]:
        assert set(record) == {"id", "error"}
        assert isinstance(record["error"], str)
    assert "reply" in str(records[2]["error"])


def test_score_messages_gives_all_labels_scaled_and_distress(tmp_path: Path, heads: Heads) -> None:
    source = write_lines(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": "calm", "text": "What time do you open on Saturday?"}),
            json.dumps({"id": "bad", "text": None}),
            json.dumps({"id": "upset", "text": "I'm furious, this is the worst service ever!!"}),
            "[]",
        ],
    )
    target = tmp_path / "out.jsonl"

    call_command("empathy", "score-messages", str(source), str(target))

    calm, bad, upset, anonymous = read_records(target)
    labels = set(heads.emotions.labels)
    for record in (calm, upset):
        emotions = record["emotions"]
        assert isinstance(emotions, dict)
        assert set(emotions) == labels
        assert all(0.0 <= value <= 1.0 for value in emotions.values())
    assert upset["emotions"]["anger"] >= 0.5  # type: ignore[index]
    assert upset["distress"] > calm["distress"]  # type: ignore[operator]
    assert bad == {"id": "bad", "error": "field 'text' must be a string"}
    assert anonymous["id"] is None


def test_scoring_a_missing_file_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("empathy", "score-messages", str(tmp_path / "nope"), str(tmp_path / "o"))


def test_order_survives_chunking_crlf_a_bom_and_bad_utf8(
    tmp_path: Path, heads: Heads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "CHUNK_LINES", 2)
    lines = [json.dumps({"id": f"m{index}", "text": f"Message {index}"}) for index in range(5)]
    lines[2] = '{"id": "m2", "text": "a raw \r is not valid JSON, but it stays one line"}'
    lines[3] = '{"id": "m3", "text": "caf\xe9"}'
    payload = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
    source = tmp_path / "in.jsonl"
    source.write_bytes(payload.replace("\xe9".encode(), b"\xff"))
    target = tmp_path / "out.jsonl"

    call_command("empathy", "score-messages", str(source), str(target))

    records = read_records(target)
    assert [record["id"] for record in records] == ["m0", "m1", None, "m3", "m4"]
    assert "error" in records[2]
    assert all("distress" in records[index] for index in (0, 1, 3, 4))
