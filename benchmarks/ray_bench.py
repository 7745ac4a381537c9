"""Embedding throughput in-process against Ray Data with one and two worker processes.

    python -m benchmarks.run --only ray      (part of `make bench`)

On a local Ray started for the measurement (127.0.0.1, no dashboard), over the same
generated passages: texts/s of `Embedder.encode` in this process, and of `RayEngine`
with a pool of one and of two actors; the fixed cost of a build (starting Ray, then per
pass: an actor pool started and the model loaded in each actor, measured as a pass over
one text) and of a batch (a pass of an identity actor over the same rows in batches of
one against one batch). docs/scaling.md projects cluster build times from these.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

#: Passages encoded per measurement: ~10 s of model time on one core.
TEXTS = 256
#: Rows of the per-batch probe.
PROBE_ROWS = 256


class _Identity:
    """An actor that returns vectors of the model's shape without running a model."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vectors = np.zeros((len(batch["row"]), self.dimension), np.float32)
        return {"row": batch["row"], "vector": vectors}


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _per_batch_seconds(ray: Any, dimension: int) -> float:
    """Ray Data's cost of one batch: identity passes in PROBE_ROWS batches and in one."""

    def probe(batch_size: int) -> float:
        items = [{"row": i, "text": "x" * 400} for i in range(PROBE_ROWS)]
        dataset = ray.data.from_items(items).map_batches(
            _Identity,
            fn_constructor_kwargs={"dimension": dimension},
            compute=ray.data.ActorPoolStrategy(min_size=1, max_size=1),
            batch_size=batch_size,
            batch_format="numpy",
        )
        return _timed(lambda: sum(len(b["row"]) for b in dataset.iter_batches(batch_size=None)))[0]

    probe(PROBE_ROWS)  # warm: the identity actor's class shipped once
    many, one = probe(1), probe(PROBE_ROWS)
    return max(0.0, (many - one) / (PROBE_ROWS - 1))


def run(embedder: Any, texts: list[str], report: Callable[[str], None] = print) -> dict[str, Any]:
    """The measurements, as a results section."""
    from index.ray_engine import RayEngine, connect

    texts = texts[:TEXTS]
    embedder.forget()
    local_s, reference = _timed(lambda: embedder.encode(texts))
    report(f"ray: in-process {len(texts) / local_s:,.1f} texts/s; starting a local Ray")
    connect_s, ray = _timed(lambda: connect(None, workers=2))
    results: dict[str, Any] = {
        "texts": len(texts),
        "in_process_texts_per_s": round(len(texts) / local_s, 2),
        "ray_start_s": round(connect_s, 2),
        "workers": {},
    }
    for workers in (1, 2):
        engine = RayEngine(embedder.batch_size, None, None, workers=workers)
        pass_s, _ = _timed(lambda engine=engine: engine.encode(texts[:1]))
        full_s, vectors = _timed(lambda engine=engine: engine.encode(texts))
        rate = len(texts) / max(full_s - pass_s, 1e-9)
        results["workers"][str(workers)] = {
            "pass_overhead_s": round(pass_s, 2),
            "wall_s": round(full_s, 2),
            "texts_per_s": round(len(texts) / full_s, 2),
            "texts_per_s_after_overhead": round(rate, 2),
            "max_abs_diff": float(np.abs(vectors - reference).max()),
        }
        report(f"ray: {workers} worker(s) {len(texts) / full_s:,.1f} texts/s")
    results["batch_overhead_ms"] = round(1000 * _per_batch_seconds(ray, embedder.dimension), 2)
    ray.shutdown()
    return results


def rows(section: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Rows of `make bench`'s table."""
    if not section:
        return []
    out = [
        (
            f"embed {section['texts']} passages in-process",
            f"{section['in_process_texts_per_s']:,.1f} texts/s",
        ),
        ("ray: start a local Ray (once per build)", f"{section['ray_start_s']:.1f} s"),
    ]
    for workers, w in section["workers"].items():
        out.append(
            (
                f"ray: {workers} worker(s)",
                f"{w['texts_per_s']:,.1f} texts/s ({w['texts_per_s_after_overhead']:,.1f} past "
                f"the pass overhead of {w['pass_overhead_s']:.1f} s); max |diff| "
                f"{w['max_abs_diff']:.1e}",
            )
        )
    out.append(("ray: overhead per batch", f"{section['batch_overhead_ms']:.1f} ms"))
    return out
