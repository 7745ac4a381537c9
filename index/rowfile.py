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
        rows); the runs are found in plain Python, which for the handful of rows a question
        reads per segment costs less than the numpy calls would."""
        runs: list[list[int]] = []
        for row in np.asarray(ids, dtype=np.int64).reshape(-1).tolist():
            if runs and row == runs[-1][0] + runs[-1][1]:
                runs[-1][1] += 1
            else:
                runs.append([row, 1])
        data = bytearray(b"".join(self._pread(first, count) for first, count in runs))
        return np.frombuffer(data, dtype=np.float32).reshape(-1, self.shape[1])

    def all(self) -> np.ndarray:
        """Every row, in order."""
        data = bytearray(self._pread(0, self.shape[0]))  # writable, like the rows above
        return np.frombuffer(data, dtype=np.float32).reshape(self.shape)

    def _pread(self, first: int, count: int) -> bytes:
        size = count * self._row_bytes
        data = os.pread(self._fd, size, self._offset + first * self._row_bytes)
        if len(data) != size:
            raise IndexCorruptError(
                f"{self.path} is shorter than its header says (damaged?); run `cited ingest --full`"
            )
        return data


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
