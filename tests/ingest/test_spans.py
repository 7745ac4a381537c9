"""SpanIndex gives the full scan's answer, in the full scan's order, for any spans."""

from __future__ import annotations

import random

import pytest

from ingest.spans import SpanIndex


def _scan(spans, start, end):
    return [(s, e) for s, e in spans if s < end and start < e]


def _random_spans(rng: random.Random, merged: bool) -> list[tuple[int, int]]:
    spans = []
    for _ in range(rng.randint(0, 40)):
        start = rng.randint(0, 500)
        spans.append((start, start + rng.randint(1, 60)))
    if merged:  # as ingest.clean leaves Document.boilerplate: sorted, disjoint
        spans.sort()
        kept: list[tuple[int, int]] = []
        for s, e in spans:
            if kept and s <= kept[-1][1]:
                kept[-1] = (kept[-1][0], max(e, kept[-1][1]))
            else:
                kept.append((s, e))
        return kept
    return spans


@pytest.mark.parametrize("kind", ["merged", "sorted, overlapping", "any order"])
def test_overlapping_spans_are_the_scans(kind):
    rng = random.Random(13)
    for _ in range(300):
        spans = _random_spans(rng, merged=kind == "merged")
        if kind == "sorted, overlapping":
            spans.sort(key=lambda span: span[0])
        index = SpanIndex(spans)
        for _ in range(20):
            start = rng.randint(-10, 560)
            end = start + rng.randint(-20, 80)  # an empty or inverted range too
            assert index.overlapping(start, end) == _scan(spans, start, end)
            assert index.overlaps(start, end) == bool(_scan(spans, start, end))


def test_no_spans_overlap_nothing():
    assert SpanIndex([]).overlapping(0, 10) == [] and not SpanIndex([]).overlaps(0, 10)
