"""The disk fills up during a rebuild: a clear error, the previous index untouched and
answering, nothing left behind, and the next build after space is freed succeeds
(issue #6, item 8b).

Two ways to run out of space, both real: a 4 MB tmpfs mounted for the test (needs root
and CAP_SYS_ADMIN; where mounting is not permitted, the test says so and falls back to the
second way), and a file-size limit (RLIMIT_FSIZE) on the `cited ingest` process, under
which every write past the limit fails with EFBIG as a full disk fails with ENOSPC.
"""

from __future__ import annotations

import contextlib
import resource
import shutil
import signal
import subprocess
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reliability_kit import cited

from index.loaded import LoadedIndex
from index.versions import current_version, list_versions

NEW_ARTICLE = (
    "Patience After a Breakup\n\n"
    "Long evening walks taught her patience: the urge to send one more message faded "
    "after a week, and with it the fear of losing him.\n"
)
FILE_SIZE_LIMIT = 150 * 1024


@contextlib.contextmanager
def _tmpfs(folder: Path, size: str) -> Iterator[bool]:
    """Mount a tmpfs of `size` on `folder`; yields False when mounting is not permitted."""
    folder.mkdir()
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mount.returncode != 0:
        reason = mount.stderr.strip()
        warnings.warn(f"cannot mount a tmpfs ({reason}); using RLIMIT_FSIZE", stacklevel=3)
        yield False
        return
    try:
        yield True
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=False)


def _fill(folder: Path, leave_bytes: int) -> Path:
    """A file that takes all the free space of `folder`'s filesystem but `leave_bytes`."""
    filler = folder / "filler"
    free = shutil.disk_usage(folder).free - leave_bytes
    with filler.open("wb") as handle:
        while free > 0:
            free -= handle.write(b"\0" * min(free, 1 << 20))
    return filler


def _file_size_limit(limit: int) -> Callable[[], None]:
    """For the child process: writes beyond `limit` bytes fail with EFBIG, not SIGXFSZ."""

    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_writes


@pytest.fixture
def corpus(tmp_path: Path, shipped_corpus: Path) -> Path:
    """The shipped articles plus one new one, so a rebuild has something to write."""
    folder = tmp_path / "corpus"
    shutil.copytree(shipped_corpus, folder)
    (folder / "patience.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    return folder


@pytest.mark.parametrize("how", ["small filesystem", "file size limit"])
def test_a_rebuild_that_runs_out_of_space(
    tmp_path: Path, corpus: Path, shipped_index: Path, embedder, how
):
    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    with contextlib.ExitStack() as stack:
        mounted = how == "small filesystem" and stack.enter_context(
            _tmpfs(tmp_path / "small", "16m")
        )
        if mounted:
            index = tmp_path / "small" / "index"
            shutil.copytree(shipped_index, index)
            freeing: Callable[[], object] = _fill(tmp_path / "small", 400 * 1024).unlink
            limit = None
            expected: tuple[str, ...] = ("no space left on device",)
        else:
            index = tmp_path / "index"
            shutil.copytree(shipped_index, index)
            freeing, limit = (lambda: None), _file_size_limit(FILE_SIZE_LIMIT)
            # SQLite (the cache is written first) reports EFBIG in one of these ways.
            expected = ("database or disk is full", "disk i/o error", "file too large")
        before = current_version(index)

        result = cited("ingest", "--corpus", str(corpus), "--index", str(index), preexec_fn=limit)

        assert result.returncode == 2, (result.stdout, result.stderr)
        assert result.stderr.startswith(f"cited: error: cannot write the new index in {index}: ")
        assert any(f"{index}: {cause};" in result.stderr for cause in expected), result.stderr
        assert "the previous index is unchanged and still answers" in result.stderr
        assert "Traceback" not in result.stderr
        assert current_version(index) == before
        assert list_versions(index) == [before]
        assert not list((index / "versions").glob("*.tmp"))
        LoadedIndex.load(index).close()  # every checksum still matches
        answer = Assistant(index, embedder=embedder).answer("What is the peak-end rule?")
        assert "peak" in answer.quotes[0].text.lower()

        freeing()
        summary = build_index(corpus, index, embedder).to_dict()
        assert summary["documents"]["added"] == 1 and summary["documents"]["unchanged"] == 5
        assert current_version(index) != before
        answer = Assistant(index, embedder=embedder).answer("How did long walks teach patience?")
        assert answer.quotes[0].source.file == "patience.txt"
        del answer
