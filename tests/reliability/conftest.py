"""Fixtures of the reliability tests: one real `cited serve` on loopback for the session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_kit import REPO, e2e


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, shipped_corpus: Path, shipped_index):
    """`cited serve` over a copy of the shipped corpus and its index, on a free loopback port."""
    root = tmp_path_factory.mktemp("reliability-serve")
    corpus, index = root / "corpus", root / "index"
    shutil.copytree(shipped_corpus, corpus)
    shutil.copytree(shipped_index, index)
    port = e2e.free_port()
    log = root / "serve.log"
    folders = ["--corpus", str(corpus), "--index", str(index)]
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", *folders, "--port", str(port)],
        cwd=REPO,
        # Gradio's upload folder inside the test's folder, so tests can measure it
        env={**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_TEMP_DIR": str(root / "uploads")},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        e2e.wait_until_up(url, process, log)
    except Exception:
        process.kill()
        raise
    running = e2e.Server(url, corpus, index, process, log)
    running.uploads = root / "uploads"
    yield running
    e2e.stop_server(running)
