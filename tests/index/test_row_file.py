"""RowFile: the rows a question reads from the vector files, by pread instead of a map, so
a server's resident memory does not grow with every page a question once touched."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from index.errors import IndexCorruptError
from index.rowfile import RowFile


@pytest.fixture
def vectors(tmp_path: Path) -> tuple[Path, np.ndarray]:
    array = np.random.default_rng(7).standard_normal((300, 8)).astype(np.float32)
    path = tmp_path / "vectors.npy"
    np.save(path, array)
    return path, array


@pytest.mark.parametrize(
    "ids",
    [
        [0],
        [299],
        [5, 6, 7, 8],  # one run, one read
        [9, 3, 3, 120, 4, 299, 0],  # any order, repeats
        [*range(40, 20, -1), 5, 5, 6, 7, 290, 291, 0],  # the same, past the few walked in Python
        list(range(300)),
        [],
    ],
)
def test_rows_are_those_of_the_array_in_the_order_asked(vectors, ids):
    path, array = vectors
    rows = RowFile(path).rows(np.asarray(ids, dtype=np.int64))
    assert rows.shape == (len(ids), 8) and rows.dtype == np.float32
    assert np.array_equal(rows, array[ids])
    rows[...] = 0  # a private, writable copy
    assert np.array_equal(RowFile(path).rows(np.asarray(ids)), array[ids])


def test_all_rows(vectors):
    path, array = vectors
    file = RowFile(path)
    assert file.shape == (300, 8)
    assert np.array_equal(file.all(), array)


def test_a_file_shorter_than_its_header_is_named(vectors):
    path, array = vectors
    file = RowFile(path)
    path.write_bytes(path.read_bytes()[:-100])  # same inode: the open descriptor sees it
    assert np.array_equal(file.rows(np.asarray([0])), array[:1])
    with pytest.raises(IndexCorruptError, match=r"vectors\.npy is shorter than its header"):
        file.rows(np.asarray([299]))


def test_an_array_of_another_type_is_refused(tmp_path: Path):
    path = tmp_path / "wide.npy"
    np.save(path, np.zeros((3, 4), dtype=np.float64))
    with pytest.raises(IndexCorruptError, match=r"float64 \(3, 4\), not float32 rows"):
        RowFile(path)
    path.write_bytes(b"not an array at all")
    with pytest.raises(IndexCorruptError, match=r"cannot read .*wide\.npy"):
        RowFile(path)


def test_rows_stay_readable_after_the_file_is_deleted(vectors):
    """A server keeps answering from a version a rebuild has just removed."""
    path, array = vectors
    file = RowFile(path)
    path.unlink()
    assert np.array_equal(file.rows(np.asarray([1, 2])), array[[1, 2]])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_reading_rows_maps_nothing(vectors):
    path, _ = vectors
    file = RowFile(path)
    file.rows(np.arange(300))
    assert str(path) not in Path("/proc/self/maps").read_text()
