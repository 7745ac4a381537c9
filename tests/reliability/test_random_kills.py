"""`kill -9` of `cited ingest` at random moments (issue #15): after each kill the previous
index still answers with the articles' own words, and the next build is clean.

The suite kills CITED_TEST_KILLS times (default 2); docs/reliability.md reports a run with
CITED_TEST_KILLS=30. Figures go to var/test-output/kills.json.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

from reliability_kit import REPO, cited

KILLS = int(os.environ.get("CITED_TEST_KILLS", "2"))
SEED = int(os.environ.get("CITED_TEST_SEED", "15"))
QUESTION = "What is the peak-end rule?"


def _new_article(n: int) -> str:
    words = f"heliotrope{n} lantern{n} quartz{n}"
    body = f"Article {n} on {words}. " + (
        "A calm evening walk by the river clears the mind and steadies the breath. " * 30
    )
    return f"Evening walks number {n}\n\n{body}\n\nThe keyword of this article is {words}.\n"


def _assert_answers(corpus, index) -> dict:
    result = cited("ask", QUESTION, "--corpus", str(corpus), "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["quotes"], answer
    for quote in answer["quotes"]:
        path = corpus / quote["source"]["file"]
        if path.exists():  # an article added after the index was built may be missing
            assert quote["text"] in path.read_text(encoding="utf-8")
    return answer


def _kill_at(corpus, index, seconds: float) -> str:
    """Start `cited ingest`, SIGKILL it after `seconds`; how it ended."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "assistant",
            "ingest",
            "--corpus",
            str(corpus),
            "--index",
            str(index),
        ],
        cwd=REPO,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(seconds)
    if process.poll() is not None:
        return "finished before the kill"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return "killed"


def test_random_kills_never_lose_the_index(tmp_path, shipped_corpus, shipped_index):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(shipped_corpus, corpus)
    shutil.copytree(shipped_index, index)
    (corpus / "walks-0.txt").write_text(_new_article(0), encoding="utf-8")
    started = time.monotonic()
    first = cited("ingest", "--corpus", str(corpus), "--index", str(index))
    build_seconds = time.monotonic() - started
    assert first.returncode == 0, first.stderr
    rng = random.Random(SEED)
    rows = []
    for n in range(1, KILLS + 1):
        (corpus / f"walks-{n}.txt").write_text(_new_article(n), encoding="utf-8")
        if n % 3 == 0:  # a change and a removal too, so builds also rewrite segments
            (corpus / f"walks-{n - 1}.txt").unlink()
        moment = rng.uniform(0.2, build_seconds)  # up to the last clean build's length
        ended = _kill_at(corpus, index, moment)
        left = sorted(p.name for p in (index / "versions").iterdir() if p.suffix == ".tmp")
        _assert_answers(corpus, index)  # the previous index still answers
        started = time.monotonic()
        clean = cited("ingest", "--corpus", str(corpus), "--index", str(index), "--json")
        build_seconds = time.monotonic() - started
        assert clean.returncode == 0, (n, moment, clean.stderr)
        summary = json.loads(clean.stdout)
        assert not summary["errors"], summary
        leftovers = [p.name for p in (index / "versions").iterdir() if p.name.endswith(".tmp")]
        assert not leftovers, leftovers
        listed = cited("docs", "--index", str(index), "--json")
        files = {doc["file"] for doc in json.loads(listed.stdout)}
        assert f"walks-{n}.txt" in files and files <= {p.name for p in corpus.iterdir()}
        row = {"kill": n, "after_seconds": round(moment, 2), "ingest": ended}
        rows.append({**row, "half_written_version_left": bool(left)})
    _save_figures(rows, build_seconds)


def _save_figures(rows: list[dict], build_seconds: float) -> None:
    out = REPO / "var" / "test-output"
    out.mkdir(parents=True, exist_ok=True)
    killed = sum(row["ingest"] == "killed" for row in rows)
    figures = {
        "kills_tried": len(rows),
        "killed_mid_build": killed,
        "killed_while_writing": sum(row["half_written_version_left"] for row in rows),
        "survived": len(rows),  # every row passed every assertion above
        "build_seconds": round(build_seconds, 1),
        "seed": SEED,
        "rows": rows,
    }
    (out / "kills.json").write_text(json.dumps(figures, indent=1))
