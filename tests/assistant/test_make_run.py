"""`make run`'s first minute: PORT and HOST reach the server, and a busy port is one line
naming the fix, said before the model or Gradio load."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cited_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "CITED_AUTH": ""}


def test_a_busy_port_is_one_line_that_names_the_fix(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        done = subprocess.run(
            [
                *(sys.executable, "-m", "assistant", "serve", "--port", str(port)),
                *("--index", str(tmp_path / "none"), "--corpus", str(tmp_path)),
            ],
            env=cited_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    line = done.stderr.strip()
    assert line.splitlines() == [line]
    assert line.startswith(f"cited: error: port {port} is in use on 127.0.0.1")
    assert "run `make run PORT=" in line and "`cited serve --port " in line
    assert time.monotonic() - started < 20  # said before any model or index was loaded


@pytest.mark.e2e
def test_make_run_port_serves_on_that_port_and_says_each_step(tmp_path, shipped_corpus):
    port = free_port()
    stamp = tmp_path / "installed"
    stamp.touch()  # already installed: the venv running these tests
    command = ["make", "--no-print-directory", "-C", str(REPO), "run", f"PORT={port}"]
    command += ["HOST=127.0.0.1", f"BIN={Path(sys.executable).parent}", f"STAMP={stamp}"]
    command += [f"INDEX={tmp_path / 'index'}", f"CORPUS={shipped_corpus}"]
    log = tmp_path / "make.log"
    with log.open("w") as out:
        make = subprocess.Popen(
            command, env=cited_env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 240
        while f"on {url[:-1]}" not in log.read_text() and make.poll() is None:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        text = log.read_text()
        assert make.poll() is None, text
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
        steps = [line for line in text.splitlines() if line.startswith("cited: [")]
        assert [s[:12] for s in steps] == ["cited: [2/3]", "cited: [3/3]"], text
        assert text.rstrip().endswith(f"on http://127.0.0.1:{port}"), text
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        try:
            make.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
