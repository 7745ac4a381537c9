"""Read PDFs in a child process with a time limit and a memory limit.

A PDF from the web can loop, decompress to gigabytes or crash its parser. pypdf runs in
one child process (`python -m ingest.sandbox`), reused from file to file: the child caps
its own address space (RLIMIT_AS) and CPU time (RLIMIT_CPU); the parent waits at most
`seconds` for each reply and kills the child when it runs over, when it dies, or when it
ran out of memory, then starts a fresh one for the next file. Whatever happens, the
caller gets the page texts or an `UnreadableFileError` naming the file and the reason.

Only the standard library is imported at module level, so the child starts quickly and
pypdf is imported in the child alone.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import logging
import os
import select
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_SECONDS = 60.0
DEFAULT_MEMORY_MB = 1024
#: The child exits after this long without work; the parent starts a new one sooner.
IDLE_SECONDS = 60.0
_CPU_MARGIN = 5  # seconds of CPU the child may use beyond the parent's wall-clock limit
_HEADER = struct.Struct(">Q")
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Limits:
    """How long and how much memory reading one PDF may take."""

    seconds: float = DEFAULT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB

    @classmethod
    def from_env(cls) -> Limits:
        """Limits from CITED_PDF_SECONDS and CITED_PDF_MEMORY_MB, else the defaults."""
        return cls(
            seconds=_env_number("CITED_PDF_SECONDS", DEFAULT_SECONDS),
            memory_mb=int(_env_number("CITED_PDF_MEMORY_MB", DEFAULT_MEMORY_MB)),
        )


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        number = float(value) if value else default
    except ValueError:
        log.warning("ignoring %s=%r: not a number; using %s", name, value, default)
        return default
    return number if number > 0 else default


class _WorkerStopped(Exception):
    """The child stopped answering: it died, or it ran over the time limit and was killed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PdfWorker:
    """One child process that reads PDFs one at a time; replaced after any failure."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits.from_env()
        self._process: subprocess.Popen | None = None
        self._last_used = 0.0
        self._lock = threading.Lock()

    def pages(self, raw: bytes, file: str) -> list[str]:
        """The text of every page of the PDF `raw`, or UnreadableFileError(file, reason)."""
        from index.errors import UnreadableFileError

        with self._lock:
            try:
                reply = self._ask(raw)
            except _WorkerStopped as stopped:
                self._stop()
                raise UnreadableFileError(file, stopped.reason) from None
            if "error" in reply:
                if reply.get("restart"):
                    self._stop()
                raise UnreadableFileError(file, str(reply["error"]))
            return [str(page) for page in reply["pages"]]

    def close(self) -> None:
        """Stop the child process, if one is running."""
        with self._lock:
            self._stop()

    def _ask(self, raw: bytes) -> dict:
        """Send one PDF, wait for the reply; a dead idle child is replaced once."""
        for attempt in (1, 2):
            process = self._ready_process()
            try:
                process.stdin.write(_HEADER.pack(len(raw)) + raw)
                process.stdin.flush()
            except (BrokenPipeError, OSError):
                self._stop()
                if attempt == 2:
                    raise _WorkerStopped(_crash_reason(self.limits)) from None
                continue
            reply = self._read_reply(process)
            self._last_used = time.monotonic()
            return reply
        raise AssertionError("unreachable")

    def _ready_process(self) -> subprocess.Popen:
        """The running child, or a new one if there is none, it died, or it may be idling out."""
        process = self._process
        stale = time.monotonic() - self._last_used > IDLE_SECONDS / 2
        if process is None or process.poll() is not None or stale:
            self._stop()
            self._process = process = _start_child(self.limits)
            self._last_used = time.monotonic()
        return process

    def _read_reply(self, process: subprocess.Popen) -> dict:
        deadline = time.monotonic() + self.limits.seconds
        header = _read_exactly(process, _HEADER.size, deadline, self.limits)
        (length,) = _HEADER.unpack(header)
        payload = _read_exactly(process, length, deadline, self.limits)
        return json.loads(payload.decode("utf-8"))

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            log.warning("PDF reader process %d did not exit after kill", process.pid)
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                stream.close()


def _start_child(limits: Limits) -> subprocess.Popen:
    """`python -m ingest.sandbox` with this package first on its path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(_PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p
    )
    command = [
        sys.executable,
        "-m",
        "ingest.sandbox",
        str(limits.memory_mb),
        str(int(limits.seconds) + _CPU_MARGIN),
    ]
    debug = bool(os.environ.get("CITED_DEBUG"))
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=None if debug else subprocess.DEVNULL,
        env=env,
        close_fds=True,
    )
    log.debug("started PDF reader process %d", process.pid)
    return process


def _read_exactly(process: subprocess.Popen, size: int, deadline: float, limits: Limits) -> bytes:
    """`size` bytes from the child's stdout before `deadline`, or _WorkerStopped."""
    fd = process.stdout.fileno()
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([fd], [], [], wait)[0]:
            raise _WorkerStopped(
                f"reading it took longer than {limits.seconds:g} s, so it was stopped "
                "(a PDF that loops, or a very large one? set CITED_PDF_SECONDS to allow more)"
            )
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise _WorkerStopped(_crash_reason(limits))
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _crash_reason(limits: Limits) -> str:
    return (
        f"the PDF reader stopped while reading it (it needs more than {limits.memory_mb} MB "
        "of memory, or it crashed the parser; set CITED_PDF_MEMORY_MB to allow more)"
    )


_shared: PdfWorker | None = None
_shared_lock = threading.Lock()


def pdf_pages(raw: bytes, file: str) -> list[str]:
    """Page texts of a PDF, read by the process-wide worker (started on first use)."""
    global _shared
    with _shared_lock:
        limits = Limits.from_env()
        if _shared is None or _shared.limits != limits:
            if _shared is not None:
                _shared.close()
            _shared = PdfWorker(limits)
        worker = _shared
    return worker.pages(raw, file)


@atexit.register
def _close_shared() -> None:
    if _shared is not None:
        _shared.close()


# --- the child ---------------------------------------------------------------------------


def _child_main(argv: list[str]) -> int:
    """Serve PDF requests on stdin until EOF or IDLE_SECONDS without one."""
    memory_mb, cpu_seconds = int(argv[0]), int(argv[1])
    reply_stream = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the replies
    _limit_memory(memory_mb)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    requests = sys.stdin.buffer
    while select.select([requests], [], [], IDLE_SECONDS)[0]:
        header = requests.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return 0
        raw = requests.read(_HEADER.unpack(header)[0])
        _limit_cpu(cpu_seconds)
        payload = json.dumps(_extract(raw, memory_mb)).encode("utf-8")
        reply_stream.write(_HEADER.pack(len(payload)) + payload)
        reply_stream.flush()
    return 0


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the time limit still applies
        return
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _limit_cpu(seconds: int) -> None:
    """Allow `seconds` more CPU time from now: a backstop if the parent is gone."""
    try:
        import resource
    except ImportError:
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = spent + seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _extract(raw: bytes, memory_mb: int) -> dict:
    """The reply to one request: {"pages": [...]} or {"error": reason, "restart": bool}."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not _opens_without_password(reader):
            return {"error": "encrypted PDF; remove the password and add it again"}
        return {"pages": [(page.extract_text() or "").strip() for page in reader.pages]}
    except MemoryError:
        return {
            "error": f"reading it needs more than {memory_mb} MB of memory, so it was stopped "
            "(a decompression bomb? set CITED_PDF_MEMORY_MB to allow more)",
            "restart": True,
        }
    except RecursionError:
        return {"error": "not a readable PDF: its objects nest without end", "restart": True}
    except Exception as e:  # pypdf raises many kinds on damaged files
        return {"error": f"not a readable PDF: {_short(e)}"}


def _opens_without_password(reader) -> bool:
    """True for PDFs locked only against editing (an empty user password opens them)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # e.g. AES without the optional crypto library: treat as locked
        return False


def _short(error: Exception) -> str:
    """A one-line, short description of a library error."""
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    return message[:120]


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
