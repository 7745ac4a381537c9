"""Rows of a 2-D float32 .npy file read with pread: vectors without a memory map."""

from __future__ import annotations

import os
import weakref
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import IndexCorruptError


class RowFile:
    """Rows of a 2-D float32 .npy file, read with pread.

    A question reads a few hundred scattered rows of the passage and sentence vectors (1.3
    GB at 100,000 passages). Through a memory map every page once read stays in the
    server's resident memory, which then grows with each new question towards the size of
    the index; read this way, rows are copied out of the page cache and freed with the
    answer. Thread-safe (pread has no file position); the file stays readable after it is
    deleted, like a map.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as f:
            self.shape, self._offset = _npy_header(f, path)
        self._row_bytes = self.shape[1] * 4
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """Rows `ids` (in range, any order, repeats allowed) as a new (len(ids), width) array.

        Consecutive ids are read with one pread (a passage's sentences are consecutive
        rows), straight into the result."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        out = np.empty((ids.size, self.shape[1]), dtype=np.float32)
        if out.size == 0:
            return out
        target = out.data.cast("B")
        for position, first, count in _runs(ids):
            start = position * self._row_bytes
            self._pread_into(target[start : start + count * self._row_bytes], first)
        return out

    def all(self) -> np.ndarray:
        """Every row, in order."""
        data = bytearray(self._pread(0, self.shape[0]))  # writable, like the rows above
        return np.frombuffer(data, dtype=np.float32).reshape(self.shape)

    def _pread(self, first: int, count: int) -> bytes:
        size = count * self._row_bytes
        data = os.pread(self._fd, size, self._offset + first * self._row_bytes)
        if len(data) != size:
            raise self._short()
        return data

    def _pread_into(self, target: memoryview, first: int) -> None:
        if os.preadv(self._fd, [target], self._offset + first * self._row_bytes) != len(target):
            raise self._short()

    def _short(self) -> IndexCorruptError:
        return IndexCorruptError(
            f"{self.path} is shorter than its header says (damaged?); run `cited ingest --full`"
        )


def _runs(ids: np.ndarray) -> list[tuple[int, int, int]]:
    """(position in `ids`, first id, count) of each run of consecutive ids. A handful of ids
    (a question reads a few rows per segment) is cheaper to walk in plain Python than
    through numpy calls; hundreds (the sentences of fifty passages) the other way round."""
    if ids.size <= 16:
        runs: list[list[int]] = []
        for position, row in enumerate(ids.tolist()):
            if runs and row == runs[-1][1] + runs[-1][2]:
                runs[-1][2] += 1
            else:
                runs.append([position, row, 1])
        return [(p, f, c) for p, f, c in runs]
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1] + 1])
    counts = np.diff(np.r_[starts, ids.size])
    return list(zip(starts.tolist(), ids[starts].tolist(), counts.tolist(), strict=True))


def _npy_header(f: Any, path: Path) -> tuple[tuple[int, int], int]:
    """(shape, offset of the data) of a 2-D little-endian float32 .npy file."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(f)
        read = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
        shape, fortran_order, dtype = read(f)
    except ValueError as e:
        raise IndexCorruptError(f"cannot read {path} ({e}); run `cited ingest --full`") from e
    if len(shape) != 2 or fortran_order or dtype != np.dtype("<f4"):
        raise IndexCorruptError(
            f"{path} holds {dtype} {shape}, not float32 rows; run `cited ingest --full`"
        )
    return (int(shape[0]), int(shape[1])), f.tell()
