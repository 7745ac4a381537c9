"""The one change detector: which corpus files there are, and each file's content hash.

The build, the Library's status column and the watcher all ask here, so they agree on
what a corpus file is: a regular file below the corpus folder whose path has no hidden
part (".git", ".swp", the upload's temporary ".name"), that is no editor backup or lock
file ("notes.txt~", "#notes.txt#", "notes.lock"), and that is not inside an index folder
cited writes (one holding CURRENT and versions/). A symbolic link is followed only
when its target resolves inside the corpus folder; a link that leads outside it (a
`passwd.txt -> /etc/passwd`), a link loop and a link to a folder are skipped and reported,
each as one file with its reason, and never stop the walk.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from index.files import file_sha256
from index.versions import CURRENT_NAME, versions_dir
from ingest.formats.names import is_backup

OUTSIDE = "a link to a file outside the corpus folder; cited reads only files inside it"
LOOP = "a symbolic link loop (the link leads back to itself); remove or fix the link"
FOLDER_LINK = "a link to a folder; cited does not follow folder links (they can loop)"
BROKEN = "a link to a file that does not exist"


@dataclass(frozen=True)
class CorpusFile:
    """One entry below the corpus folder: its posix name, its path, and why it is skipped
    (None for a file the build reads)."""

    name: str
    path: Path
    skipped: str | None = None


def is_hidden(name: str) -> bool:
    """Does the posix path `name` (relative to the corpus) have a hidden part?"""
    return any(part.startswith(".") for part in PurePosixPath(name).parts)


def is_ignored(name: str) -> bool:
    """Is the posix path `name` one the build never reads nor reports: hidden, an editor
    backup, or a lock file?"""
    base = PurePosixPath(name).name
    return is_hidden(name) or is_backup(base) or base.lower().endswith(".lock")


def is_corpus_name(corpus_dir: Path, name: str) -> bool:
    """Could the posix path `name` (relative to `corpus_dir`) be a file the build reads?
    (The watcher asks this of every change; `walk` applies the same rules.)"""
    if is_ignored(name):
        return False
    folder = Path(corpus_dir)
    for part in PurePosixPath(name).parts[:-1]:
        folder = folder / part
        if is_index_folder(folder):
            return False
    return True


def is_index_folder(folder: Path) -> bool:
    """Does `folder` hold an index cited wrote (an --index inside the corpus folder)?"""
    return (folder / CURRENT_NAME).is_file() and versions_dir(folder).is_dir()


def walk(corpus_dir: Path) -> list[CorpusFile]:
    """Every visible file below `corpus_dir`, sorted by name, skipped ones included."""
    root = Path(corpus_dir)
    return sorted(_walk(root, root.resolve(), ""), key=lambda f: f.name)


def corpus_files(corpus_dir: Path) -> list[tuple[str, Path]]:
    """(name, path) of the files a build reads: `walk` without the skipped entries."""
    if not Path(corpus_dir).is_dir():
        return []
    return [(f.name, f.path) for f in walk(corpus_dir) if f.skipped is None]


def _walk(folder: Path, resolved_root: Path, prefix: str) -> Iterator[CorpusFile]:
    if prefix and is_index_folder(folder):
        return
    with os.scandir(folder) as entries:
        for entry in entries:
            if is_ignored(entry.name):
                continue
            name, path = f"{prefix}{entry.name}", Path(entry.path)
            if entry.is_symlink():
                yield CorpusFile(name, path, _link_problem(path, resolved_root))
            elif entry.is_dir(follow_symlinks=False):
                yield from _walk(path, resolved_root, f"{name}/")
            elif entry.is_file(follow_symlinks=False):
                yield CorpusFile(name, path)


def _link_problem(path: Path, resolved_root: Path) -> str | None:
    """Why a symbolic link is not read, or None when it leads to a file inside the corpus."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return BROKEN
    except (OSError, RuntimeError):  # ELOOP (RuntimeError on older Pythons)
        return LOOP
    if not target.is_relative_to(resolved_root):
        return OUTSIDE
    if target.is_dir():
        return FOLDER_LINK
    return None if target.is_file() else OUTSIDE


_HASHES: dict[tuple[str, int, int], str] = {}


def cached_sha256(path: Path) -> str:
    """`file_sha256`, remembered while the file's size and modification time stay the same
    (the Library asks for every file's on each refresh)."""
    stat = Path(path).stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _HASHES:
        if len(_HASHES) > 50_000:
            _HASHES.clear()
        _HASHES[key] = file_sha256(path)
    return _HASHES[key]
