"""Segment planning: which segments a change dirties, and how documents are cut into runs."""

from __future__ import annotations

import numpy as np

from index.plan import merged_or_split, plan_segments, split_segments
from index.records import Document, Passage, StoredDocument
from index.segment import SegmentInfo


def _doc(name: str, passages: int) -> StoredDocument:
    document = Document(name, f"{name}.txt", name, "x" * passages, "0" * 64)
    rows = tuple(Passage(name, i, "", i, i + 1, "x") for i in range(passages))
    return StoredDocument(document, rows, (), np.zeros((passages, 4), np.float32), np.zeros((0, 4)))


class TestPlan:
    def info(self, name: str, first: str, last: str) -> SegmentInfo:
        return SegmentInfo(name, first, last, 1, 10, 0, None, "flat")

    def test_untouched_segments_are_reused_and_touched_ones_listed(self):
        previous = [self.info("a", "a.txt", "c.txt"), self.info("b", "d.txt", "f.txt")]
        files = ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"]
        assert plan_segments(previous, files, {"e.txt"}) == [
            previous[0],
            ["d.txt", "e.txt", "f.txt"],
        ]

    def test_a_new_file_joins_the_segment_whose_range_it_falls_in(self):
        previous = [self.info("a", "b.txt", "c.txt"), self.info("b", "f.txt", "g.txt")]
        files = ["a.txt", "b.txt", "c.txt", "d.txt", "f.txt", "g.txt"]
        plan = plan_segments(previous, files, {"a.txt", "d.txt"})
        assert plan == [["a.txt", "b.txt", "c.txt", "d.txt"], previous[1]]

    def test_a_segment_left_empty_disappears(self):
        previous = [self.info("a", "a.txt", "a.txt"), self.info("b", "b.txt", "b.txt")]
        assert plan_segments(previous, ["b.txt"], {"a.txt"}) == [previous[1]]

    def test_without_segments_everything_is_one_list(self):
        assert plan_segments([], ["b.txt", "a.txt"], set()) == [["a.txt", "b.txt"]]


def test_documents_are_cut_into_runs_of_about_the_target_whole():
    docs = [_doc("a", 3), _doc("b", 3), _doc("c", 3)]
    runs = split_segments(docs, target=5)
    assert [[d.file for d in run] for run in runs] == [["a.txt"], ["b.txt"], ["c.txt"]]
    assert [[d.file for d in r] for r in split_segments(docs, target=6)] == [
        ["a.txt", "b.txt"],
        ["c.txt"],
    ]


def test_a_dirty_segment_stays_one_until_it_doubles(monkeypatch):
    from index import plan

    monkeypatch.setattr(plan, "SEGMENT_PASSAGES", 4)
    assert len(merged_or_split([_doc("a", 4), _doc("b", 4)])) == 1
    assert len(merged_or_split([_doc("a", 4), _doc("b", 4), _doc("c", 1)])) == 3
    assert merged_or_split([]) == []
