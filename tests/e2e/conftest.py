"""A real `cited serve` on loopback, started once per module as a user would start it."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    corpus: Path
    index: Path
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"cited serve exited: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/config", timeout=2) as response:
                if response.status == 200:
                    return
        except urllib.error.HTTPError:
            return  # it answers; with --auth, /config asks for a login first
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"cited serve did not answer within {timeout}s: {log.read_text()}")


def start_server(
    root: Path, corpus_source: Path, *extra: str, index_source: Path | None = None
) -> Server:
    """Copy the corpus, build its index (or copy `index_source`, an index already built
    from the same files), then run `cited serve` on a free loopback port."""
    corpus, index = root / "corpus", root / "index"
    shutil.copytree(corpus_source, corpus)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "assistant"]
    folders = ["--corpus", str(corpus), "--index", str(index)]
    if index_source is not None:
        shutil.copytree(index_source, index, ignore=shutil.ignore_patterns("build.lock"))
    else:
        subprocess.run([*command, "ingest", *folders], cwd=REPO, env=env, check=True, timeout=300)
    port = free_port()
    log = root / "serve.log"
    process = subprocess.Popen(
        [*command, "serve", *folders, "--port", str(port), *extra],
        cwd=REPO,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
    except Exception:
        process.kill()
        raise
    return Server(url, corpus, index, process, log)


def plain_call(url: str, name: str, data: list) -> tuple[int, str]:
    """POST /gradio_api/call/NAME as curl would, then read its result stream."""
    request = urllib.request.Request(
        f"{url}/gradio_api/call/{name}",
        data=json.dumps({"data": data}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            event = json.load(response)["event_id"]
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    with urllib.request.urlopen(f"{url}/gradio_api/call/{name}/{event}", timeout=120) as result:
        return 200, result.read().decode()


def plain_answer(url: str, question: str) -> dict:
    """The Answer object of `/ask` over plain HTTP, with only the question."""
    status, stream = plain_call(url, "ask", [question])
    assert status == 200 and "event: complete" in stream, stream
    return json.loads(stream.split("data: ", 1)[1])[0]


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shipped_corpus: Path) -> Iterator[Server]:
    running = start_server(tmp_path_factory.mktemp("serve"), shipped_corpus)
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def prebuilt_server(
    tmp_path_factory: pytest.TempPathFactory, shipped_corpus: Path, shipped_index: Path
) -> Iterator[Server]:
    """Like `server`, over a copy of the session's shipped index instead of a new build."""
    root = tmp_path_factory.mktemp("serve-prebuilt")
    running = start_server(root, shipped_corpus, index_source=shipped_index)
    yield running
    stop_server(running)


#: The user and password of `auth_server`.
AUTH = ("reader", "correct horse battery")


@pytest.fixture(scope="module")
def auth_server(
    tmp_path_factory: pytest.TempPathFactory, shipped_corpus: Path, shipped_index: Path
) -> Iterator[Server]:
    """Like `server`, with --auth reader:correct horse battery, over a copy of the session's
    shipped index (the model is loaded in this process anyway; no second build)."""
    root = tmp_path_factory.mktemp("serve-auth")
    running = start_server(
        root, shipped_corpus, "--auth", ":".join(AUTH), index_source=shipped_index
    )
    yield running
    stop_server(running)
