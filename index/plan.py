"""Which segments a change dirties, and how documents are cut into segments.

A version is split into segments of about SEGMENT_PASSAGES passages, each a run of whole
documents in file order; a rebuild rewrites only the segments whose documents changed and
hard-links the others from the version before, so its cost follows the change.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from index.records import StoredDocument
from index.segment import SegmentInfo

# Passages in the whole index from which new segments get an HNSW index instead of an exact
# (flat) one. Segments are built separately, so a graph costs about a second per segment
# when it is written; exact search reads every vector, which stays a few milliseconds a
# query only up to ~100,000 passages (docs/benchmarks.md, "Scale").
HNSW_THRESHOLD = 100_000
# Passages per segment a build aims for: small enough that rewriting one after an edit is
# quick (its HNSW graph and BM25), large enough that a query visits few of them; 2,048
# rewrites in about 1 s and searches in about 0.2 ms (docs/benchmarks.md, "Rebuild").
SEGMENT_PASSAGES = 2_048


def faiss_kind_for(count: int) -> str:
    """Which FAISS index new segments get in an index of `count` passages."""
    return "hnsw" if count >= HNSW_THRESHOLD else "flat"


def split_segments(
    docs: Sequence[StoredDocument], target: int | None = None
) -> list[list[StoredDocument]]:
    """`docs` (in file order) cut into runs of about `target` (SEGMENT_PASSAGES) passages,
    whole documents."""
    target = target or SEGMENT_PASSAGES
    runs: list[list[StoredDocument]] = [[]]
    size = 0
    for d in docs:
        if runs[-1] and size + len(d.passages) > target:
            runs.append([])
            size = 0
        runs[-1].append(d)
        size += len(d.passages)
    return [run for run in runs if run]


def merged_or_split(docs: Sequence[StoredDocument]) -> list[list[StoredDocument]]:
    """A dirty segment's documents as one new segment, or cut again once they have grown
    past twice the target (a segment shrinks only by its documents leaving)."""
    too_big = sum(len(d.passages) for d in docs) > 2 * SEGMENT_PASSAGES
    return split_segments(docs) if too_big else [list(docs)] if docs else []


def in_file_order(segments: Sequence[SegmentInfo]) -> bool:
    """Whether each segment's files all sort before the next segment's (as builds write
    them), which `plan_segments` needs."""
    bounds = [(s.first_file, s.last_file) for s in segments]
    return all(a <= b for a, b in bounds) and all(
        bounds[i][1] < bounds[i + 1][0] for i in range(len(bounds) - 1)
    )


def segment_of(firsts: Sequence[str], file: str) -> int:
    """Which of the segments starting at `firsts` (sorted) covers `file`."""
    return max(0, bisect.bisect_right(list(firsts), file) - 1)


def plan_segments(
    previous: Sequence[SegmentInfo], files: Sequence[str], touched: set[str]
) -> list[SegmentInfo | list[str]]:
    """The segments of the next version, in file order.

    `files` are the documents the next version holds; `touched` the files whose records
    change (added, changed, removed, renamed). Each previous segment is either reused as it
    is (its SegmentInfo) or, when a file it covers is touched, replaced by the list of files
    it now covers, to be written again. A new file joins the segment whose range it falls in.
    """
    if not previous:
        return [sorted(files)] if files else []
    firsts = [s.first_file for s in previous]
    covered: list[list[str]] = [[] for _ in previous]
    for file in sorted(files):
        covered[segment_of(firsts, file)].append(file)
    dirty = {segment_of(firsts, f) for f in touched}
    plan: list[SegmentInfo | list[str]] = []
    for number, info in enumerate(previous):
        if number not in dirty:
            plan.append(info)
        elif covered[number]:
            plan.append(covered[number])
    return plan
