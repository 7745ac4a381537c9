"""Global ids split over segments: the one-id and one-segment shortcuts give what the
general sort gives (ids in any order, repeated, at segment edges)."""

from __future__ import annotations

import numpy as np
import pytest

from index.segmented import Numbering


def _by_sorting(numbering: Numbering, ids: np.ndarray) -> list[tuple[int, list[int], list[int]]]:
    """The split worked out the slow way: each segment's positions, in order."""
    offsets = numbering.offsets
    owners = np.searchsorted(offsets[:-1], ids, side="right") - 1
    return [
        (int(n), np.flatnonzero(owners == n).tolist(), (ids[owners == n] - offsets[n]).tolist())
        for n in sorted(set(owners.tolist()))
    ]


def _split(numbering: Numbering, ids: np.ndarray) -> list[tuple[int, list[int], list[int]]]:
    return [(n, p.tolist(), local.tolist()) for n, p, local in numbering.split(ids)]


@pytest.mark.parametrize("counts", [[7], [3, 4], [1, 5, 0, 2]])
def test_the_split_is_the_same_for_one_id_many_ids_and_one_segment(counts) -> None:
    numbering = Numbering(counts)
    rng = np.random.default_rng(0)
    for ids in [
        *(np.asarray([i], dtype=np.int64) for i in range(numbering.total)),
        rng.integers(0, numbering.total, size=12).astype(np.int64),
        np.arange(numbering.total, dtype=np.int64)[::-1],
    ]:
        assert _split(numbering, ids) == _by_sorting(numbering, ids)


def test_an_id_outside_every_segment_is_refused() -> None:
    with pytest.raises(KeyError, match=r"outside 0\.\.6"):
        list(Numbering([3, 4]).split(np.asarray([7], dtype=np.int64)))
