"""A rebuild killed at any moment, or two rebuilds at once, never break the index.

Each build here is a real `cited ingest` subprocess. CITED_TEST_PAUSE_AT=STAGE makes it
stop itself (SIGSTOP) at a named point of the build (see index/versions.py), so the SIGKILL
lands exactly there; the test then checks that the index still loads and answers, and
that the next build cleans up after the dead one.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.loaded import LoadedIndex
from index.versions import current_version, list_versions
from ingest.pipeline import build_index

REPO = Path(__file__).resolve().parents[2]
NEW_ARTICLE = """Why the Lighthouse Keeper Misses the Mainland

A lighthouse keeper spends months on a bare rock with the lamp, the foghorn and the gulls.
Keepers describe a slow ache for the mainland: the bakery, the market, the voices of friends.
"""


@pytest.fixture
def workspace(tmp_path, shipped_corpus, shipped_index) -> tuple[Path, Path]:
    """A copy of the indexed shipped corpus, plus one new article waiting to be indexed."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(shipped_corpus, corpus)
    shutil.copytree(shipped_index, index)
    (corpus / "lighthouse.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    return corpus, index


def start_ingest(corpus: Path, index: Path, log: Path, *extra: str, pause_at: str | None = None):
    """`cited ingest` in the background, its stderr in `log`."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("CITED_TEST_PAUSE_AT", None)
    if pause_at:
        env["CITED_TEST_PAUSE_AT"] = pause_at
    command = [sys.executable, "-m", "assistant", "ingest", "--corpus", str(corpus)]
    return subprocess.Popen(
        [*command, "--index", str(index), *extra],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )


def wait_for(condition, what: str, process: subprocess.Popen, log: Path, timeout: float = 300):
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"exited ({process.returncode}) before {what}: {log.read_text()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"no {what} within {timeout}s: {log.read_text()}")
        time.sleep(0.1)


def stopped(pid: int) -> bool:
    """Has the process stopped itself (state T in /proc)?"""
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2] == "T"


def pause(corpus: Path, index: Path, log: Path, stage: str) -> subprocess.Popen:
    """A build stopped at `stage`."""
    process = start_ingest(corpus, index, log, pause_at=stage)
    marker = f"cited: test pause at {stage}"
    wait_for(lambda: marker in log.read_text(), f"pause at {stage}", process, log)
    wait_for(lambda: stopped(process.pid), "SIGSTOP", process, log)
    return process


def answers(index: Path, embedder) -> list[str]:
    """The files the index quotes for a question, after a full checksum verification."""
    from assistant.answer import Assistant

    LoadedIndex.load(index).close()  # verifies every checksum
    answer = Assistant(index, embedder=embedder).answer("What is the peak-end rule?", k=3)
    assert answer.quotes and not answer.abstained
    return [q.source.file for q in answer.quotes]


STAGES = {
    # stage: (does CURRENT name the new version after the kill?, leftover it leaves)
    "embedded": (False, None),
    "written": (False, "tmp"),
    "renamed": (False, "unpublished"),
    "published": (True, None),
}


@pytest.mark.parametrize("stage", list(STAGES))
def test_kill_9_leaves_a_loadable_index_and_the_next_build_cleans_up(
    stage, workspace, embedder, tmp_path
):
    corpus, index = workspace
    old_version = current_version(index)
    process = pause(corpus, index, tmp_path / "ingest.log", stage)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    flipped, leftover = STAGES[stage]
    assert (current_version(index) != old_version) is flipped
    files = {d.file for d in LoadedIndex.load(index).documents()}
    assert ("lighthouse.txt" in files) is flipped
    assert answers(index, embedder)
    versions_dir = index / "versions"
    if leftover == "tmp":
        assert any(p.name.endswith(".tmp") for p in versions_dir.iterdir())
    if leftover == "unpublished":
        assert max(list_versions(index)) > current_version(index)

    summary = build_index(corpus, index, embedder)

    assert [p.name for p in versions_dir.iterdir() if p.name.endswith(".tmp")] == []
    assert current_version(index) == max(list_versions(index))
    assert len(list_versions(index)) == 2
    assert summary.added == (() if flipped else ("lighthouse.txt",))
    assert "lighthouse.txt" in {d.file for d in LoadedIndex.load(index).documents()}


def test_a_second_build_exits_with_one_line_or_waits_its_turn(workspace, tmp_path):
    corpus, index = workspace
    first = pause(corpus, index, tmp_path / "first.log", "embedded")
    try:
        folders = ["--corpus", str(corpus), "--index", str(index)]
        refused = subprocess.run(
            [sys.executable, "-m", "assistant", "ingest", *folders],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
        assert refused.returncode == 2
        assert refused.stderr.splitlines() == [
            f"cited: error: another build is running on {index} (pid {first.pid}); wait for it "
            "to finish, or use `cited ingest --wait` to start after it"
        ]
        waiting_log = tmp_path / "second.log"
        second = start_ingest(corpus, index, waiting_log, "--wait", "--json")
        waiting = lambda: "waiting for the build" in waiting_log.read_text()  # noqa: E731
        wait_for(waiting, "the second build to wait", second, waiting_log)
    finally:
        first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=300) == 0
    out, _ = second.communicate(timeout=300)
    assert second.returncode == 0, waiting_log.read_text()
    assert '"added": 0' in out and '"unchanged": 6' in out  # it saw the first build's result
    assert "lighthouse.txt" in {d.file for d in LoadedIndex.load(index).documents()}
    assert len(list_versions(index)) == 2


def test_a_version_pruned_while_a_request_reads_it_stays_readable(tmp_path, publish_small):
    from index.loaded import IndexHandle

    publish_small(tmp_path)
    handle = IndexHandle(tmp_path, check_interval=3600)
    held = handle.current()  # a request in flight holds this version
    publish_small(tmp_path)
    publish_small(tmp_path)
    assert not held.path.exists()  # two rebuilds later it has been pruned

    assert [d.doc_id for d in held.documents()] == ["garden", "money", "sleep"]
    assert held.passages([0])[0].text.startswith("Adults need seven")
    assert len(held.lexical.search("tomatoes sunlight", 3)[0]) > 0
    assert held.faiss_index.search(held.passage_vectors([2])[0], 1)[1][0] == 2
    assert held.caveats()[0][1].kind == "guarantee"
