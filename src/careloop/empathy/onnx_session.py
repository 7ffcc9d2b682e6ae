"""onnxruntime sessions, set up one way for every model the engine runs on the CPU."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def cpu_session(model_path: Path, threads: int | None = None) -> Any:
    """An onnxruntime session on the CPU: `threads` for one call's operators
    (CARELOOP_EMPATHY_THREADS, else every core), one call at a time, graph fully optimised."""
    # Imported on first use: a process that never runs a model doesn't pay for loading it.
    import onnxruntime  # type: ignore[import-untyped]

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or int(os.environ.get("CARELOOP_EMPATHY_THREADS", 0))
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(
        str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
    )
