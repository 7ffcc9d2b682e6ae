"""Empathy engine figures: held-out quality, live-coach latency, batch throughput.

    .venv/bin/python bench/empathy.py [--data ../shared/data]

Quality needs the shared data; the timings run on synthetic text and need nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careloop.settings.base")

import django

django.setup()

from careloop.empathy import batch, training  # noqa: E402
from careloop.empathy.engine import read_customer_message, score_reply  # noqa: E402
from careloop.empathy.features import MODELS_DIR  # noqa: E402
from careloop.empathy.heads import get_heads  # noqa: E402
from careloop.empathy.language import not_read_language  # noqa: E402
from careloop.empathy.pair_model import get_pair_model  # noqa: E402
from careloop.empathy.policy_walls import find_policy_walls  # noqa: E402

CUSTOMER = (
    "I ordered the blue kettle three weeks ago and it still hasn't arrived. I've emailed twice "
    "and nobody has replied. I'm honestly really frustrated and starting to worry I've lost "
    "my money. Can someone please tell me what is going on?"
)
DRAFT_TEXT = (
    "I'm so sorry the kettle still hasn't reached you, and that your emails went unanswered - "
    "that must be really frustrating, especially after three weeks of waiting. I've checked "
    "your order and the parcel was held at our depot because of a labelling fault on our side. "
    "I've arranged for a replacement to go out today by tracked next-day delivery, and I've "
    "refunded the original postage. Could you confirm the delivery address is still the same? "
    "If anything else goes wrong, reply here and I'll pick it up myself."
)
DRAFT = " ".join(DRAFT_TEXT.split()[:80])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def live_coach_latency(rounds: int = 300) -> dict[str, float]:
    """One keystroke-pause's worth of work: tell both texts' language, score the draft, read the
    customer, find walls."""
    not_read_language("warm up the language detector")
    timings = []
    for index in range(rounds):
        draft = f"{DRAFT} {index}"
        started = time.perf_counter()
        not_read_language(CUSTOMER, draft)
        score_reply(CUSTOMER, draft)
        read_customer_message(CUSTOMER)
        find_policy_walls(draft)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 0.95),
        "words": len(DRAFT.split()),
    }


def throughput(lines: int = 10_000) -> dict[str, float]:
    """score-messages and score-replies over `lines` JSONL lines, end to end."""
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        messages = Path(folder) / "messages.jsonl"
        replies = Path(folder) / "replies.jsonl"
        with messages.open("w") as sink_messages, replies.open("w") as sink_replies:
            for index in range(lines):
                customer = f"{CUSTOMER} (ticket {index})"
                sink_messages.write(json.dumps({"id": str(index), "text": customer}) + "\n")
                sink_replies.write(
                    json.dumps(
                        {"id": str(index), "customer": customer, "reply": f"{DRAFT} {index}"}
                    )
                    + "\n"
                )
        out = Path(folder) / "out.jsonl"
        started = time.perf_counter()
        batch.score_messages_file(messages, out)
        figures["messages_per_s"] = lines / (time.perf_counter() - started)
        started = time.perf_counter()
        batch.score_replies_file(replies, out)
        figures["replies_per_s"] = lines / (time.perf_counter() - started)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--lines", type=int, default=10_000)
    arguments = parser.parse_args()

    started = time.perf_counter()
    get_heads()
    print(f"load static heads: {(time.perf_counter() - started) * 1000:.0f} ms")
    started = time.perf_counter()
    contextual = get_pair_model()
    print(
        f"load pair model: {(time.perf_counter() - started) * 1000:.0f} ms"
        if contextual
        else "no pair model in models/: static heads only"
    )
    model_bytes = sum(
        path.stat().st_size
        for path in MODELS_DIR.iterdir()
        if path.is_file() and not path.name.endswith(".float.onnx")  # a local training leftover
    )
    print(f"model files: {model_bytes / 1e6:.1f} MB (limit 100 MB)")

    data_dir = arguments.data or training.default_data_dir()
    if (data_dir / "epitome").is_dir():
        figures = training.evaluate(data_dir)
        for mechanism in training.MECHANISMS:
            row = figures["epitome"][mechanism]
            low, high = row["macro_f1_95"]
            print(
                f"EPITOME {mechanism:<20} acc {row['accuracy']:.3f}  macro-F1 {row['macro_f1']:.3f}"
                f" (95 % {low:.3f}-{high:.3f})  (paper {row['paper_macro_f1']:.3f})"
            )
        goemotions = figures["goemotions"]
        low, high = goemotions["macro_f1_95"]
        print(
            f"GoEmotions macro-F1 (28 labels, test half of dev) {goemotions['macro_f1']:.3f}"
            f" (95 % {low:.3f}-{high:.3f})  (paper {goemotions['paper_macro_f1']:.2f})"
        )
    else:
        print(f"no data at {data_dir}: quality figures skipped", file=sys.stderr)

    latency = live_coach_latency()
    print(
        f"live coach, {latency['words']:.0f}-word draft: p50 {latency['p50_ms']:.1f} ms, "
        f"p95 {latency['p95_ms']:.1f} ms (target p95 < 100 ms)"
    )
    rates = throughput(arguments.lines)
    print(
        f"batch: score-messages {rates['messages_per_s']:.0f} messages/s, "
        f"score-replies {rates['replies_per_s']:.0f} pairs/s "
        "(contract: 10 000 lines within a minute, >= 167/s)"
    )


if __name__ == "__main__":
    main()
