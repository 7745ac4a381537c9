"""Which of a document's spans overlap a range, found by bisection instead of a full scan.

Cutting blocks around boilerplate and finding boilerplate between two blocks asked every
boilerplate span about every block: blocks × spans, 26 million checks for one 8 MB page
of Node.js's documentation. `SpanIndex` answers in log time for spans sorted by start (as
`Document.boilerplate` always is: `ingest.clean` sorts and merges it) and falls back to the
full scan for spans in any other order, so every answer is the scan's.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence

Span = tuple[int, int]


class SpanIndex:
    """Half-open spans, asked which of them overlap a range, in their given order."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self._spans = tuple(spans)
        self._by_start = all(a[0] <= b[0] for a, b in itertools.pairwise(self._spans))
        self._starts = [start for start, _ in self._spans]
        #: The furthest end among the first i + 1 spans: the spans before the first
        #: reach past `start` all end at or before it (overlapping spans included).
        self._reach = list(itertools.accumulate((end for _, end in self._spans), max))

    def overlapping(self, start: int, end: int) -> list[Span]:
        """The spans with `s < end and start < e`, in their given order."""
        if not self._by_start:
            return [(s, e) for s, e in self._spans if s < end and start < e]
        last = bisect.bisect_left(self._starts, end)
        first = bisect.bisect_right(self._reach, start, 0, last)
        return [(s, e) for s, e in self._spans[first:last] if start < e]

    def overlaps(self, start: int, end: int) -> bool:
        """Does any span overlap [start, end)?"""
        return bool(self.overlapping(start, end))
