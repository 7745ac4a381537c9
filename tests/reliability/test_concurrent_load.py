"""Fault 12: 50 questions at once through the API while a rebuild runs and swaps the index.

A bounded load on loopback that stops by itself: 50 clients each ask one question, all
released together, while `cited ingest` adds an article and publishes a new version that
the server swaps in. Every question must be answered, every quote must be the corpus text
at its span, and the latencies are written to var/test-output/load.json for the docs.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from gradio_client import Client
from reliability_kit import REPO, e2e

pytestmark = pytest.mark.e2e

CLIENTS = 50
QUESTIONS = [
    "Why does being less available make someone value you more?",
    "What is the peak-end rule?",
    "How long should no contact last?",
    "What does neutral warmth mean?",
    "Why do boundaries help a relationship?",
]
NEW_ARTICLE = (
    "Patience In The Orchard\n\nOrchard keepers say a quince tree rewards a patient gardener "
    "who waits through three winters before the first harvest.\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shipped_corpus: Path, shipped_index):
    running = e2e.start_server(
        tmp_path_factory.mktemp("load"), shipped_corpus, index_source=shipped_index
    )
    yield running
    e2e.stop_server(running)


def rebuild(server) -> subprocess.CompletedProcess:
    (server.corpus / "patience-in-the-orchard.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    folders = ["--corpus", str(server.corpus), "--index", str(server.index)]
    return subprocess.run(
        [sys.executable, "-m", "assistant", "ingest", "--json", "--wait", *folders],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_fifty_concurrent_questions_during_a_rebuild_are_all_answered(server):
    start = threading.Barrier(CLIENTS + 1)

    def ask(number: int) -> tuple[float, dict]:
        # 50 requests at once on a loaded 2-core machine: httpx's 5 s default is too short
        client = Client(server.url, verbose=False, httpx_kwargs={"timeout": 120})
        start.wait(timeout=120)
        began = time.perf_counter()
        answer = client.predict(QUESTIONS[number % len(QUESTIONS)], 3, [], api_name="/ask")
        return time.perf_counter() - began, answer

    with ThreadPoolExecutor(max_workers=CLIENTS + 1) as pool:
        asked = [pool.submit(ask, n) for n in range(CLIENTS)]
        start.wait(timeout=120)
        built = pool.submit(rebuild, server)
        results = [future.result(timeout=600) for future in asked]
        build = built.result(timeout=600)

    assert build.returncode == 0, build.stderr
    assert json.loads(build.stdout)["documents"]["added"] == 1
    for _, answer in results:
        assert not answer["abstained"] and answer["quotes"], answer["question"]
        for quote in answer["quotes"]:
            text = (server.corpus / quote["source"]["file"]).read_text(encoding="utf-8")
            assert text[quote["source"]["start"] : quote["source"]["end"]] == quote["text"]
    _write_figures([seconds for seconds, _ in results])

    fresh = Client(server.url, verbose=False)
    deadline = time.monotonic() + 30
    while True:  # the server swaps to the new version by itself, within a few seconds
        answer = fresh.predict(
            "When does a quince tree give its first harvest?", 3, [], api_name="/ask"
        )
        files = {q["source"]["file"] for q in answer["quotes"]}
        if "patience-in-the-orchard.txt" in files:
            break
        assert time.monotonic() < deadline, f"new article not answered after the swap: {files}"
        time.sleep(1)


def _write_figures(latencies: list[float]) -> None:
    ordered = sorted(latencies)
    figures = {
        "clients": len(ordered),
        "p50_seconds": round(statistics.median(ordered), 3),
        "p95_seconds": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
        "max_seconds": round(ordered[-1], 3),
    }
    out = REPO / "var" / "test-output"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load.json").write_text(json.dumps(figures, indent=2))
    print("load under rebuild:", figures)
