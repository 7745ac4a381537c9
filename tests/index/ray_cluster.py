"""A real two-node Ray cluster on 127.0.0.1 for tests and benchmarks, stopped by pid.

`ray stop` kills every Ray process of the user on the machine, other people's clusters
too; so every process of this cluster carries a marker in its environment
(CITED_RAY_CLUSTER=<id>, inherited from `ray start` by every daemon and worker it
spawns) and `stop()` kills exactly the processes that carry it. Every port is chosen
free and the temp dir is private, so several clusters can run side by side.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

MARKER = "CITED_RAY_CLUSTER"
RAY = Path(sys.executable).with_name("ray")
REPO = Path(__file__).resolve().parents[2]
_PORT_FLAGS = (
    "--node-manager-port",
    "--object-manager-port",
    "--dashboard-agent-listen-port",
    "--dashboard-agent-grpc-port",
    "--runtime-env-agent-port",
    "--metrics-export-port",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalCluster:
    """A head and `nodes - 1` more node processes, each with `cpus` CPUs."""

    def __init__(self, nodes: int = 2, cpus: int = 1, extra_env: dict | None = None) -> None:
        self.extra_env = dict(extra_env or {})
        self.id = uuid.uuid4().hex[:12]
        # Short: Ray's unix sockets live under it, and a socket path has 107 bytes.
        self.temp_dir = Path(tempfile.mkdtemp(prefix="cr", dir="/tmp"))
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.nodes = nodes
        self.cpus = cpus

    def env(self) -> dict[str, str]:
        """The environment of the cluster's processes (and of a driver that joins it)."""
        return {
            **os.environ,
            MARKER: self.id,
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
            "RAY_USAGE_STATS_ENABLED": "0",
            "RAY_AUTH_MODE": "disabled",  # loopback only; no token file in the home folder
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            **self.extra_env,
        }

    def start(self) -> LocalCluster:
        head = ["--head", "--port", str(self.port), "--include-dashboard=false"]
        head += ["--temp-dir", str(self.temp_dir)]
        self._ray_start(head)
        for _ in range(self.nodes - 1):
            self._ray_start(["--address", self.address])
        return self

    def _ray_start(self, role: list[str]) -> None:
        ports = [arg for flag in _PORT_FLAGS for arg in (flag, str(free_port()))]
        command = [str(RAY), "start", *role, "--node-ip-address", "127.0.0.1"]
        command += ["--num-cpus", str(self.cpus), "--disable-usage-stats", *ports]
        done = subprocess.run(command, env=self.env(), capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"ray start failed: {done.stderr[-2000:]}")

    def processes(self) -> Iterator[int]:
        """The pid of every live process of this cluster (the marker in its environment)."""
        marker = f"{MARKER}={self.id}".encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    yield int(entry.name)
            except OSError:  # gone, or not ours
                continue

    def workers(self, name: str) -> list[int]:
        """This cluster's processes whose title names `name` (e.g. an actor class)."""
        found = []
        for pid in self.processes():
            try:
                title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if name.encode() in title:
                found.append(pid)
        return found

    def stop(self) -> None:
        """Kill this cluster's processes only: SIGTERM, then SIGKILL what is left."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in list(self.processes()):
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    continue
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and next(self.processes(), None) is not None:
                time.sleep(0.2)
        shutil.rmtree(self.temp_dir, ignore_errors=True)

    def __enter__(self) -> LocalCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()
