"""The versions of an index folder: CURRENT names the published one; a flip publishes.

Layout (see docs/architecture.md, "The index folder"):

    <index>/CURRENT                  name of the published version
    <index>/versions/<version>/      manifest.json and segments/<segment>/ (index/segment.py)
    <index>/cache/embeddings.sqlite  see index/cache.py
    <index>/build.lock               see index/lock.py

A build writes `versions/<version>.tmp/`, renames it into place and then replaces CURRENT
(`flip`), so readers only ever see complete versions. `cleanup_leftovers` removes what
interrupted builds left and the versions no longer kept; it first repairs a damaged or
empty CURRENT by pointing it at the newest complete, verified version.

Test hook: `pause_point(stage)` stops the process (SIGSTOP) when the environment variable
CITED_TEST_PAUSE_AT, read once at import, names that stage, after printing
`cited: test pause at STAGE` to stderr, so a test can kill it there or resume it.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from index.errors import CitedError, IndexCorruptError, IndexMissingError
from index.files import TMP_SUFFIX, fsync_path, write_atomically
from index.manifest import FULL_REBUILD, read_manifest, verify_files
from index.segment import SEGMENTS_DIR

log = logging.getLogger(__name__)

CURRENT_NAME = "CURRENT"
VERSIONS_DIR = "versions"
KEEP_VERSIONS = 2  # the new version and the one it replaced

PAUSE_ENV = "CITED_TEST_PAUSE_AT"
_PAUSE_AT = os.environ.get(PAUSE_ENV)


def pause_point(stage: str) -> None:
    """Test hook: stop this process at `stage` when CITED_TEST_PAUSE_AT names it."""
    if stage == _PAUSE_AT:
        print(f"cited: test pause at {stage}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGSTOP)


def versions_dir(index_dir: Path) -> Path:
    return Path(index_dir) / VERSIONS_DIR


def new_version_name(after: str | None = None) -> str:
    """A unique version name, sorting after `after`: UTC time plus a short random suffix."""
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"
    if after is not None and name <= after:  # the clock went back: still sort after it
        name = f"{after}+{secrets.token_hex(3)}"
    return name


def current_version(index_dir: Path) -> str | None:
    """The version CURRENT names, or None when nothing has been published (or CURRENT
    is empty or unreadable)."""
    try:
        name = (Path(index_dir) / CURRENT_NAME).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        log.warning("cannot read %s: %s", Path(index_dir) / CURRENT_NAME, error)
        return None
    return name or None


def list_versions(index_dir: Path) -> list[str]:
    """Complete versions in the folder, oldest first."""
    root = versions_dir(index_dir)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.endswith(TMP_SUFFIX))


def resolve_version(index_dir: Path) -> tuple[str, Path]:
    """(name, folder) of the published version; IndexMissingError when there is none."""
    version = current_version(index_dir)
    if version is None:
        raise IndexMissingError(f"no index in {index_dir}; run `cited ingest`")
    version_dir = versions_dir(index_dir) / version
    if not _is_version_name(version) or not version_dir.is_dir():
        raise IndexCorruptError(
            f"{Path(index_dir) / CURRENT_NAME} names version {version[:80]!r} but "
            f"{version_dir if _is_version_name(version) else 'that folder'} is missing; "
            f"{FULL_REBUILD}"
        )
    return version, version_dir


def _is_version_name(name: str) -> bool:
    return bool(name) and "/" not in name and name not in (".", "..") and len(name) < 200


def segment_dirs(version_dir: Path) -> list[Path]:
    """The segment folders of a version, in order (for tools and tests)."""
    manifest = read_manifest(Path(version_dir))
    return [Path(version_dir) / SEGMENTS_DIR / s.name for s in manifest.segment_infos()]


def flip(index_dir: Path, version: str) -> None:
    """Make CURRENT name `version`, atomically and durably."""
    write_atomically(Path(index_dir) / CURRENT_NAME, (version + "\n").encode("utf-8"))


def publish_folder(index_dir: Path, tmp: Path, version: str) -> Path:
    """Rename a finished `<version>.tmp` folder into place, durably; returns its path."""
    fsync_path(tmp)
    final = versions_dir(index_dir) / version
    os.rename(tmp, final)
    fsync_path(final.parent)
    return final


def recover_current(index_dir: Path) -> str | None:
    """When CURRENT exists but is empty or names no version, point it at the newest
    complete version whose files pass their checksums; returns the version it names then."""
    index_dir = Path(index_dir)
    if not (index_dir / CURRENT_NAME).exists():
        return None
    try:
        return resolve_version(index_dir)[0]
    except CitedError:
        pass
    for version in reversed(list_versions(index_dir)):
        folder = versions_dir(index_dir) / version
        try:
            verify_files(folder, read_manifest(folder))
        except CitedError as error:
            log.info("not recovering version %s: %s", version, error)
            continue
        flip(index_dir, version)
        log.warning("%s was damaged; it names version %s again", index_dir / CURRENT_NAME, version)
        return version
    return None


def cleanup_leftovers(index_dir: Path) -> list[str]:
    """Delete what interrupted builds left and versions no longer kept; returns their names.

    That is every `*.tmp` folder or file, every complete version newer than the one
    CURRENT names (a build killed between renaming its folder and replacing CURRENT),
    and all but the KEEP_VERSIONS - 1 newest versions older than it (a build killed
    before it pruned). A damaged CURRENT is repaired first (`recover_current`); then, and
    while it names nothing usable, no version is deleted. Call it only while holding the build
    lock: a server still reading a deleted version keeps its open files.
    """
    index_dir = Path(index_dir)
    named = current_version(index_dir)
    current = recover_current(index_dir) or named
    leftovers = list(versions_dir(index_dir).glob(f"*{TMP_SUFFIX}"))
    leftovers.append(index_dir / f"{CURRENT_NAME}{TMP_SUFFIX}")
    if current != named:  # just repaired: leave every version for the user to look at
        keep = set(list_versions(index_dir))
    elif current is not None and (versions_dir(index_dir) / current).is_dir():
        keep = _kept(index_dir, current)
    elif (index_dir / CURRENT_NAME).exists():  # damaged beyond repair: delete nothing
        keep = set(list_versions(index_dir))
    else:  # nothing was ever published: any version is a build's unpublished leftover
        keep = set()
    leftovers += [versions_dir(index_dir) / n for n in list_versions(index_dir) if n not in keep]
    return _remove(leftovers)


def prune_old_versions(index_dir: Path, current: str) -> list[str]:
    """After a flip to `current`: delete the versions older than the KEEP_VERSIONS kept."""
    keep = _kept(index_dir, current)
    return _remove([versions_dir(index_dir) / n for n in list_versions(index_dir) if n not in keep])


def _kept(index_dir: Path, current: str) -> set[str]:
    """`current` and the KEEP_VERSIONS - 1 newest versions before it."""
    older = [name for name in list_versions(index_dir) if name < current]
    return {current, *older[len(older) - (KEEP_VERSIONS - 1) :]}


def _remove(leftovers: list[Path]) -> list[str]:
    removed = []
    for path in leftovers:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink(missing_ok=True)
        else:
            continue
        log.info("removed %s (left by an interrupted build, or no longer kept)", path)
        removed.append(path.name)
    return removed
