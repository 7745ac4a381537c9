"""Files on disk: the one file hash, fsync, atomic writes and walking a folder.

Every other module that hashes, flushes or lists the files of an index (or of a corpus)
comes here, so that a file's sha256 is computed one way everywhere.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

TMP_SUFFIX = ".tmp"


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks of 1 MB."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_path(path: Path) -> None:
    """Flush a file or a directory entry to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes) -> None:
    """Write `data` to `path` and fsync it (the caller renames or fsyncs the folder)."""
    with Path(path).open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one rename, durably: a reader sees the old bytes or
    the new ones, never a part."""
    path = Path(path)
    tmp = path.with_name(path.name + TMP_SUFFIX)
    write_durably(tmp, data)
    os.replace(tmp, path)
    fsync_path(path.parent)


def file_stat(path: Path) -> list[int]:
    """[size, mtime_ns] of a file, as manifests record them."""
    info = Path(path).stat()
    return [info.st_size, info.st_mtime_ns]


def relative_files(folder: Path) -> Iterator[str]:
    """Posix paths, relative to `folder`, of the files below it (os.walk: a version
    holds ~1,000 files at 10,000 articles and pathlib's rglob is several times slower)."""
    for root, _, names in os.walk(folder):
        prefix = Path(root).relative_to(folder).as_posix()
        for name in names:
            yield name if prefix == "." else f"{prefix}/{name}"


def folders(folder: Path) -> Iterator[Path]:
    """`folder` and every folder below it."""
    for root, _, _ in os.walk(folder):
        yield Path(root)


def link_tree(source: Path, target: Path) -> None:
    """Hard-link every file below `source` into the same place below `target` (copies
    where links fail, on a filesystem without them)."""
    for path in sorted(Path(source).rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, destination)
        except OSError:
            shutil.copy2(path, destination)


#: sha256 already checked in this process, by (device, inode, size, mtime): a version that
#: reuses segments by hard link is verified only for the files it wrote.
_VERIFIED: dict[tuple[int, int, int, int], str] = {}
_VERIFIED_LOCK = threading.Lock()


def matches_checksum(path: Path, expected: str) -> bool:
    """Whether the file's sha256 is `expected` (remembered per inode once it was)."""
    info = Path(path).stat()
    key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    with _VERIFIED_LOCK:
        if _VERIFIED.get(key) == expected:
            return True
    if file_sha256(path) != expected:
        return False
    with _VERIFIED_LOCK:
        _VERIFIED[key] = expected
    return True
