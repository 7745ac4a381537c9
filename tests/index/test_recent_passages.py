"""What a loaded version remembers of its records: the passages it read last, within a bound.

An answer reads the same few dozen candidate passages in search, abstention, diversity and
its quotes; `LoadedIndex.passages` keeps the RECENT_PASSAGES it read last in memory. A
version never changes, so they are never stale; a rebuild is a new `LoadedIndex`."""

from __future__ import annotations

import pytest

from index import loaded as loaded_module
from index.errors import IndexCorruptError
from index.loaded import LoadedIndex


def test_the_passages_read_last_come_from_memory_and_no_more(
    tmp_path, publish_small, records, monkeypatch
) -> None:
    _, passages, _ = records
    publish_small(tmp_path)
    monkeypatch.setattr(loaded_module, "RECENT_PASSAGES", 2)
    with LoadedIndex.load(tmp_path) as loaded:
        assert loaded.passages([5, 0, 3, 0]) == [passages[i] for i in (5, 0, 3, 0)]
        assert loaded.passages([1, 2, 1]) == [passages[1], passages[2], passages[1]]
        for segment in loaded.segments:
            segment.close()  # from here on, only what is remembered can be read
        assert loaded.passages([2, 1]) == [passages[2], passages[1]]
        with pytest.raises(IndexCorruptError, match=r"records\.sqlite"):
            loaded.passages([3])  # read before, then pushed out by 1 and 2


def test_an_unknown_passage_is_still_named(tmp_path, publish_small) -> None:
    publish_small(tmp_path)
    with LoadedIndex.load(tmp_path) as loaded:
        loaded.passages([0, 1])
        with pytest.raises(KeyError, match="no passage with id 6"):
            loaded.passages([1, 6])
