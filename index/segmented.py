"""Global ids over a version's segments, and the dense search across all of them.

A version numbers its passages, caveats and sentences segment after segment (`Numbering`:
segment i holds ids offsets[i] .. offsets[i + 1] - 1); `SegmentedFaiss` searches every
segment's FAISS index under those global passage ids. `index.loaded.LoadedIndex` holds one
of each; a segment itself knows only its local ids (`index.segment`).
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from index.segment import Segment
from index.tokens import cpu_count


def _split_ids(offsets: np.ndarray, ids: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(segment number, positions in `ids`) for each segment that `ids` (global) touch;
    one sort, where a scan per segment cost a millisecond over 50 segments."""
    if ids.size == 0:
        return
    if offsets.size == 1 or ids.size == 1:  # one segment, or one id: nothing to sort
        owner = int(np.searchsorted(offsets, ids[0], side="right") - 1)
        yield owner, np.arange(ids.size)
        return
    owners = np.searchsorted(offsets, ids, side="right") - 1
    order = np.argsort(owners, kind="stable")
    sorted_owners = owners[order]
    starts = np.flatnonzero(np.r_[True, sorted_owners[1:] != sorted_owners[:-1]])
    ends = np.r_[starts[1:], ids.size]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        yield int(sorted_owners[start]), order[start:end]


class Numbering:
    """Global ids over segments: segment i holds ids offsets[i] .. offsets[i + 1] - 1."""

    def __init__(self, counts: Sequence[int]) -> None:
        self.offsets = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)]).astype(np.int64)

    @property
    def total(self) -> int:
        return int(self.offsets[-1])

    def split(self, ids: np.ndarray) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(segment number, positions in `ids`, local ids) per segment `ids` touch."""
        if ids.size and (ids.min() < 0 or ids.max() >= self.total):
            bad = ids[(ids < 0) | (ids >= self.total)][0]
            raise KeyError(f"id {int(bad)} is outside 0..{self.total - 1}")
        for number, positions in _split_ids(self.offsets[:-1], ids):
            yield number, positions, ids[positions] - self.offsets[number]


class SegmentedFaiss:
    """The dense search of a version over every segment's FAISS index; ids are global
    passage ids.

    The segments are searched as one `faiss.IndexShards` per core, each a contiguous run of
    segments, in parallel (FAISS releases the GIL): a Python loop over 50 segments cost as
    much as the searches themselves (docs/benchmarks.md, "Scale")."""

    def __init__(self, segments: Sequence[Segment], numbering: Numbering) -> None:
        self._segments = segments
        self._numbering = numbering
        self._groups: list[tuple[int, Any]] | None = None
        self._lock = threading.Lock()

    @property
    def ntotal(self) -> int:
        return self._numbering.total

    def search(self, query: np.ndarray, k: int, ef_search: int | None = None) -> tuple:
        """Cosines and global ids of the `k` nearest passages, best first; `ef_search`
        overrides the HNSW search depth (the benchmark's sweep)."""
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if ef_search is not None:
            found = [
                (scores, local + self._numbering.offsets[number])
                for number, segment in enumerate(self._segments)
                for scores, local in [segment.search(query, k, ef_search)]
            ]
        else:
            groups = self._shard_groups()
            if len(groups) == 1:
                found = [_search_group(groups[0], query, k)]
            else:
                found = list(_search_pool().map(lambda g: _search_group(g, query, k), groups))
        if not found:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        all_scores = np.concatenate([scores for scores, _ in found])
        all_ids = np.concatenate([ids for _, ids in found])
        order = np.lexsort((all_ids, -all_scores))[:k]
        return all_scores[order], all_ids[order]

    def _shard_groups(self) -> list[tuple[int, Any]]:
        """(first global id, IndexShards) per contiguous run of segments, made on first use."""
        with self._lock:
            if self._groups is None:
                count = len(self._segments)
                parts = min(count, cpu_count())
                bounds = [count * i // parts for i in range(parts + 1)]
                self._groups = [
                    (int(self._numbering.offsets[lo]), _shards(self._segments[lo:hi]))
                    for lo, hi in itertools.pairwise(bounds)
                ]
            return self._groups


def _shards(segments: Sequence[Segment]) -> Any:
    """One index over these segments' FAISS indexes; with successive ids, shard i's ids
    follow those of shards before it, as global passage ids do."""
    import faiss

    shards = faiss.IndexShards(segments[0].faiss_index.d, False, True)  # type: ignore[call-arg]
    for segment in segments:
        shards.add_shard(segment.faiss_index)
    return shards


def _search_group(group: tuple[int, Any], query: np.ndarray, k: int) -> tuple:
    first, shards = group
    scores, ids = shards.search(query, min(k, shards.ntotal))
    keep = ids[0] >= 0
    return scores[0][keep].astype(np.float32), ids[0][keep].astype(np.int64) + first


@functools.cache
def _search_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(cpu_count(), thread_name_prefix="cited-faiss")
