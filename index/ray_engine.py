"""The embedding stage on Ray Data: texts the cache lacks, embedded by a pool of actors.

`RayEngine` has the encode contract of `Embedder.encode` (float32 unit vectors, in input
order) and is handed to the build in place of the local model only for encoding: span
counting, the model name and the dimension stay with the local `Embedder` it wraps
(`RayEmbedder`). Each actor builds `Embedder(model_path)` once, when Ray starts it, so
the model loads once per worker for one pass over the texts (Ray Data's batch-inference
pattern: `from_items(...).map_batches(Actor, compute=ActorPoolStrategy(...))`).

With no address, `ray.init()` starts a one-node cluster on 127.0.0.1 for this process;
with an address (`--ray-address` / CITED_RAY_ADDRESS) it joins an existing cluster, where
every node needs cited installed (same Python, same model package). Ray stays local and
quiet: no dashboard, no usage statistics, no driver logs. An unreachable address fails
within CONNECT_TIMEOUT seconds with one line. A worker that dies is restarted by Ray Data
and its batch sent again (Ray Data's defaults for actor pools: restarts without limit,
a worker whose constructor fails — no model on that node — counted against
`DataContext.max_consecutive_actor_init_deaths`); if the pass still fails, the build
fails before publishing, so the previous index keeps serving.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.embed import Embedder  # the one import of the model (index/embedding/ after the merge)
from index.errors import CitedError

log = logging.getLogger(__name__)

#: Seconds to wait for a cluster's address to answer before saying it cannot be reached.
CONNECT_TIMEOUT = 10.0
#: Texts per actor call: large enough that Ray's per-batch cost (~ms) is small beside
#: the model's (~1 s at 25 texts/s), small enough to spread a few thousand texts.
RAY_BATCH_SIZE = 256
ENGINES = ("local", "ray")


class EngineError(CitedError):
    """The Ray engine is not installed, its cluster cannot be reached, or its pass failed."""


@dataclass(frozen=True)
class EngineSettings:
    """Which engine embeds a build's new texts, read once from flags and environment."""

    engine: str = "local"
    ray_address: str | None = None

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise EngineError(
                f"unknown engine {self.engine!r} (--engine or CITED_ENGINE); "
                f"use one of {', '.join(ENGINES)}"
            )


def build_embedder(
    local: Embedder, settings: EngineSettings, model_path: Path | None = None
) -> Any:
    """The embedder a build uses: `local` itself, or `local` with encoding done on Ray.
    `model_path` is the folder the user named, if any: without one, each worker loads its
    own installed package's model (its path may differ from this machine's)."""
    if settings.engine == "local":
        return local
    return RayEmbedder(local, RayEngine(local.batch_size, settings.ray_address, model_path))


class _EmbedActor:
    """One Ray Data actor: loads the embedder once, then embeds batches of texts."""

    def __init__(self, model_path: str | None, batch_size: int) -> None:
        self.embedder = Embedder(Path(model_path) if model_path else None, batch_size)
        self.embedder.encode(["warm up"])  # load now: the first batch is not charged for it

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts = [str(t) for t in batch["text"]]
        return {"row": batch["row"], "vector": self.embedder.encode(texts)}


class RayEngine:
    """Embeds texts on a Ray cluster, joined (or started locally) on first use."""

    def __init__(
        self,
        batch_size: int,
        address: str | None = None,
        model_path: Path | None = None,
        workers: int | None = None,
    ) -> None:
        self.batch_size = batch_size
        self.address = address
        self.model_path = model_path
        self.workers = workers
        self.ray: Any = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors of `texts`, in order: `Embedder.encode`'s contract."""
        parts = list(self.encode_chunks([list(texts)]))
        return parts[0] if parts else np.zeros((0, 0), np.float32)

    def encode_chunks(self, chunks: Sequence[Sequence[str]]) -> Iterator[np.ndarray]:
        """The vectors of each chunk, in order, from one pass over all of them: one actor
        pool (one model load per worker) for the whole lot, each chunk yielded as soon as
        its rows are back, so the cache stores and reports as the pass goes."""
        texts = [t for chunk in chunks for t in chunk]
        if not texts:
            yield from (np.zeros((0, 0), np.float32) for _ in chunks)
            return
        ray = self._connect()
        try:
            yield from _in_chunks(self._batches(ray, texts), [len(c) for c in chunks])
        except Exception as error:  # Ray's and Ray Data's errors share no base class
            raise EngineError(
                f"the Ray pass over {len(texts)} texts failed ({_cause(error)}); nothing was "
                "published, the previous index still serves; fix that and run the build again"
            ) from error

    def _batches(self, ray: Any, texts: list[str]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        dataset = ray.data.from_items([{"row": i, "text": t} for i, t in enumerate(texts)])
        vectors = dataset.map_batches(
            _EmbedActor,
            fn_constructor_kwargs={
                "model_path": str(self.model_path) if self.model_path else None,
                "batch_size": self.batch_size,
            },
            compute=ray.data.ActorPoolStrategy(min_size=1, max_size=self._pool_size(ray)),
            batch_size=RAY_BATCH_SIZE,
            batch_format="numpy",
        )
        for batch in vectors.iter_batches(batch_size=None, batch_format="numpy"):
            yield batch["row"], batch["vector"]

    def _pool_size(self, ray: Any) -> int:
        if self.workers:
            return self.workers
        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def _connect(self) -> Any:
        if self.ray is None:
            self.ray = connect(self.address, self.workers)
        return self.ray


def _in_chunks(
    batches: Iterator[tuple[np.ndarray, np.ndarray]], sizes: list[int]
) -> Iterator[np.ndarray]:
    """Rows arriving in any order, put in place and yielded chunk by chunk, in order."""
    total = sum(sizes)
    out: np.ndarray | None = None
    filled = np.zeros(total, dtype=bool)
    bounds = np.cumsum([0, *sizes])
    chunk = 0
    for rows, vectors in batches:
        if out is None:
            out = np.empty((total, vectors.shape[1]), dtype=np.float32)
        out[rows] = vectors
        filled[rows] = True
        while chunk < len(sizes) and filled[bounds[chunk] : bounds[chunk + 1]].all():
            yield out[bounds[chunk] : bounds[chunk + 1]]
            chunk += 1
    if chunk < len(sizes):
        raise RuntimeError(f"the pass returned {int(filled.sum())} of {total} vectors")


def connect(address: str | None, workers: int | None = None) -> Any:
    """The `ray` module, connected: to `address`, or to a new one-node local cluster."""
    try:
        import ray
        import ray.data
    except ImportError as error:
        raise EngineError(
            "the Ray engine needs Ray: pip install 'cited[ray]' (or use --engine local)"
        ) from error
    # Ray reads these from the environment only: no usage report leaves the machine, and
    # the driver's C++ core keeps its notes to the log files instead of the terminal.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    if ray.is_initialized():
        return ray
    if address:
        _check_reachable(address)
    started = time.perf_counter()
    options: dict[str, Any] = {
        "include_dashboard": False,
        "logging_level": logging.ERROR,
        "log_to_driver": False,
        "configure_logging": True,
    }
    if not address:
        options.update(num_cpus=workers, _node_ip_address="127.0.0.1")
    try:
        ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as error:
        raise EngineError(
            f"cannot join the Ray cluster at {address}: {_first_line(error)}; check "
            "--ray-address (or CITED_RAY_ADDRESS), or start one with `ray start --head`"
        ) from error
    _quiet_ray_data(ray)
    seconds = time.perf_counter() - started
    log.info("joined Ray at %s in %.1f s", address or "a new local cluster", seconds)
    return ray


def _check_reachable(address: str) -> None:
    """Fail fast, in one line, where `ray.init` would retry an unreachable address."""
    if address == "auto" or address.startswith("ray://"):
        return
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise EngineError(
            f"--ray-address must be HOST:PORT of a Ray head (e.g. 127.0.0.1:6379), got {address!r}"
        )
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT).close()
    except OSError as error:
        raise EngineError(
            f"cannot reach a Ray cluster at {address} ({error.strerror or error}); start one "
            "with `ray start --head --port PORT`, or fix --ray-address (or CITED_RAY_ADDRESS)"
        ) from error


def _quiet_ray_data(ray: Any) -> None:
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    context.execution_options.preserve_order = True
    # A worker killed while it loads the model is replaced, twice in a row at most: a
    # node that cannot load it at all fails the pass instead of looping.
    context.max_consecutive_actor_init_deaths = 2
    logging.getLogger("ray.data").setLevel(logging.CRITICAL)  # its errors reach us raised


def _cause(error: BaseException) -> str:
    """The worker's own error (`ValueError: ...`), the last one Ray's report names."""
    causes = re.findall(r"^\s*([A-Za-z_.]*(?:Error|Exception): .+)$", str(error), re.MULTILINE)
    return causes[-1].strip() if causes else f"{type(error).__name__}: {_first_line(error)}"


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class RayEmbedder:
    """A local `Embedder` whose `encode` (what the cache calls for missing texts) runs on
    Ray; everything else — tokens, span counts, model name and dimension — stays local."""

    def __init__(self, local: Embedder, engine: RayEngine) -> None:
        self.local = local
        self.engine = engine

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.engine.encode(texts)
        return vectors if len(texts) else np.zeros((0, self.dimension), np.float32)

    def encode_chunks(self, chunks: Sequence[Sequence[str]]) -> Iterator[np.ndarray]:
        return self.engine.encode_chunks(chunks)

    def __getattr__(self, name: str) -> Any:  # model_name, dimension, span_counters, ...
        return getattr(self.local, name)
