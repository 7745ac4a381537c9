"""The manifest of an index version: what it holds, how it was built, a checksum per file.

`read_manifest` is the one place a manifest is parsed and checked (format, its own
checksum, field types); `check_model` the one model check; `verify_files` checks the
version's files against it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Self

from index.errors import IndexCorruptError, ModelMismatchError
from index.files import file_stat, matches_checksum, relative_files
from index.segment import REQUIRED_FILES, SEGMENTS_DIR, SegmentInfo, known_fields

# 4: the manifest carries the sha256 of its own bytes (MANIFEST_CHECKSUM_KEY)
# 5: segments store each document's blocks; the manifest remembers failed files
# 6: passages and blocks store their heading path (and blocks a heading's level)
FORMAT_VERSION = 6
MANIFEST_NAME = "manifest.json"
#: the manifest's last key: the sha256 of the file's bytes with this key left out
MANIFEST_CHECKSUM_KEY = "manifest_sha256"
_MANIFEST_CHECKSUM = re.compile(rb',"manifest_sha256":"([0-9a-f]{64})"\}\Z')

FULL_REBUILD = "run `cited ingest --full`"


def package_version() -> str:
    """The installed cited version, stamped into each manifest."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cited")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class Manifest:
    """What one index version holds, how it was built, and the checksum of each file."""

    format_version: int
    package_version: str
    model_name: str
    dimension: int
    chunk_settings: dict[str, Any]
    built_at: str
    build_seconds: float
    counts: dict[str, int]
    files: dict[str, str]
    faiss_kind: str
    source_files: dict[str, str] = field(default_factory=dict)
    #: what this build changed: {"added": [files], "changed": [files], "removed": [files]}
    changes: dict[str, list[str]] = field(default_factory=dict)
    #: {"taken_ns": when, "files": {file: [size, mtime_ns]}}: a file with the same stats is
    #: not hashed again by the next build
    source_stats: dict[str, Any] = field(default_factory=dict)
    #: the segments, in file order (SegmentInfo.to_dict)
    segments: list[dict[str, Any]] = field(default_factory=list)
    #: [size, mtime_ns] of every file when it was written: a rebuild checks these instead of
    #: re-hashing segments it reuses; loading checks the sha256 in `files`
    stats: dict[str, list[int]] = field(default_factory=dict)
    #: corpus files that could not be read: [{"file", "sha256", "error"}]; the next build
    #: reads one again only when its content changed
    failures: list[dict[str, str]] = field(default_factory=list)
    #: the version of the reading code that built it (`ingest.version`): a build by other
    #: reading code reads every file again instead of copying what this one read
    reader: str = ""

    def to_dict(self) -> dict[str, Any]:
        # shallow: the fields are already JSON types, and asdict's deep copy of a
        # 10,000-file manifest took longer than writing it
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(**known_fields(cls, data))

    def segment_infos(self) -> list[SegmentInfo]:
        return [SegmentInfo.from_dict(s) for s in self.segments]


def manifest_bytes(data: dict[str, Any]) -> bytes:
    """The manifest file for `data`: one line of JSON whose last key holds the sha256 of
    the same line without that key, so that any damaged byte is caught on load, including
    one in a field no checksum of a data file covers (a segment's count, a key's name)."""
    # one line: only without indent does json use its C encoder (a 10,000-file manifest
    # took 0.3 s indented); `python -m json.tool` shows it indented
    body = json.dumps(data, sort_keys=True, separators=(",", ":")).encode("ascii")
    digest = hashlib.sha256(body).hexdigest()
    return body[:-1] + f',"{MANIFEST_CHECKSUM_KEY}":"{digest}"}}'.encode("ascii")


def _manifest_intact(raw: bytes) -> bool:
    """Whether `raw` ends with the checksum `manifest_bytes` wrote, and matches it."""
    found = _MANIFEST_CHECKSUM.search(raw)
    if found is None:
        return False
    body = raw[: found.start()] + b"}"
    return hashlib.sha256(body).hexdigest() == found[1].decode("ascii")


def read_manifest(version_dir: Path) -> Manifest:
    """The manifest of one version, checked; IndexCorruptError says what is wrong."""
    path = Path(version_dir) / MANIFEST_NAME
    try:
        raw = path.read_bytes()
        data = json.loads(raw)
    except (OSError, ValueError) as e:
        raise IndexCorruptError(f"cannot read {path} ({e}); {FULL_REBUILD}") from e
    found = data.get("format_version") if isinstance(data, dict) else None
    if found != FORMAT_VERSION:
        raise IndexCorruptError(
            f"{path} has index format {found!r} but this cited reads format {FORMAT_VERSION}; "
            f"{FULL_REBUILD}"
        )
    if not _manifest_intact(raw):
        raise IndexCorruptError(
            f"{path} does not match its own checksum (damaged?); {FULL_REBUILD}"
        )
    try:
        manifest = Manifest.from_dict(data)
        manifest.segment_infos()
    except (TypeError, AttributeError) as e:
        raise IndexCorruptError(f"{path} is incomplete ({e}); {FULL_REBUILD}") from e
    shapes = (
        (manifest.files, dict),
        (manifest.stats, dict),
        (manifest.source_stats, dict),
        (manifest.failures, list),
        (manifest.model_name, str),
        (manifest.dimension, int),
    )
    if not all(isinstance(value, kind) for value, kind in shapes):
        raise IndexCorruptError(f"{path} is damaged (a field has the wrong type); {FULL_REBUILD}")
    return manifest


def check_model(
    manifest: Manifest, index_dir: Path, expected_model: str | None, expected_dim: int | None
) -> None:
    """Raise ModelMismatchError when the index was built with another model or dimension."""
    model_ok = expected_model is None or expected_model == manifest.model_name
    dim_ok = expected_dim is None or int(expected_dim) == manifest.dimension
    if model_ok and dim_ok:
        return
    loaded_model = expected_model or manifest.model_name
    loaded_dim = expected_dim or manifest.dimension
    raise ModelMismatchError(
        f"the index in {index_dir} was built with model {manifest.model_name!r} "
        f"(dimension {manifest.dimension}) but the loaded model is {loaded_model!r} "
        f"(dimension {loaded_dim}); "
        f"rebuild with `cited ingest --full` or pass --model a folder holding "
        f"{manifest.model_name!r}"
    )


def _required_files(manifest: Manifest) -> set[str]:
    return {
        f"{SEGMENTS_DIR}/{info.name}/{name}"
        for info in manifest.segment_infos()
        for name in REQUIRED_FILES
    }


def verify_files(version_dir: Path, manifest: Manifest, checksums: bool = True) -> None:
    """Raise IndexCorruptError naming the first file that is missing, unlisted or fails its
    check: every file of the version must be covered by the manifest. With `checksums`
    each file's sha256 is checked; without, only its size and modification time."""
    listed = set(manifest.files)
    on_disk = {name for name in relative_files(version_dir) if name != MANIFEST_NAME}
    unchecked = sorted((on_disk | _required_files(manifest)) - listed)
    if unchecked:
        raise IndexCorruptError(
            f"{version_dir / MANIFEST_NAME} lists no checksum for {unchecked[0]} "
            f"(damaged?); {FULL_REBUILD}"
        )
    for name, expected in sorted(manifest.files.items()):
        path = version_dir / name
        if not path.is_file():
            raise IndexCorruptError(f"{name} is missing from {version_dir}; {FULL_REBUILD}")
        intact = (
            matches_checksum(path, expected)
            if checksums
            else file_stat(path) == manifest.stats.get(name)
        )
        if not intact:
            what = "its checksum" if checksums else "the size and time it was written with"
            raise IndexCorruptError(
                f"{name} in {version_dir} does not match {what} (damaged?); {FULL_REBUILD}"
            )


def verify_prefix(version_dir: Path, manifest: Manifest, prefix: str) -> None:
    """Check the sha256 of every file whose name starts with `prefix` (one segment)."""
    for name, expected in sorted(manifest.files.items()):
        if name.startswith(prefix) and not matches_checksum(version_dir / name, expected):
            raise IndexCorruptError(
                f"{name} in {version_dir} does not match its checksum (damaged?); {FULL_REBUILD}"
            )
