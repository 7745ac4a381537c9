"""Read PDFs in a child process with a time limit and a memory limit.

A PDF from the web can loop, decompress to gigabytes or crash its parser. The extractors
run in one child process (this file run alone, importing nothing of cited), reused from
file to file: the child caps its own address space (RLIMIT_AS) and, per request, its CPU time
(RLIMIT_CPU); the parent waits at most `limits.seconds` for each reply (more for a long
document: the child first says how many pages it has, `Limits.seconds_for`) and kills the
child when it runs over, when it dies, or when it ran out of memory, then starts a fresh one for
the next file. Whatever happens, the caller gets an `Extraction` or an
`UnreadableFileError` naming the file and the reason. Limits come from the caller; nothing
here reads the environment.

pypdf reads every file; where its text runs words together (share of over-long words),
pypdfium2 reads it too and the text with fewer run-together words is kept, with a note.

Only the standard library is imported at module level, so the child starts quickly and
the extractors are imported in the child alone.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import io
import json
import logging
import os
import re
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the child runs this file alone: it imports nothing of cited's (numpy's
    # thread buffers alone would eat the child's address-space limit)
    from ingest.formats.base import Limits

log = logging.getLogger(__name__)

#: The child exits after this long without work; the parent starts a new one sooner.
IDLE_SECONDS = 60.0
_CPU_MARGIN = 5  # seconds of CPU the child may use beyond the parent's wall-clock limit
_REQUEST = struct.Struct(">QId")  # PDF length, CPU seconds allowed for it, pages per budget
_HEADER = struct.Struct(">Q")
#: Words longer than this are words run together (or a URL); see `run_together_share`.
LONG_WORD = 25
#: Above this share of long words pypdf's text is taken as broken and a second
#: extractor is tried (R's manuals: 0.0; the Debian FAQ from dblatex: 0.17).
RUN_TOGETHER_LIMIT = 0.02
MAX_OUTLINE_ENTRIES = 5000
#: Text this much larger than the body text's size is a heading (texinfo: 14.3 / 10.9).
LARGE_TEXT = 1.15


@dataclass(frozen=True)
class OutlineEntry:
    """One bookmark: its title, its 0-based page and its depth (0 = top level)."""

    title: str
    page: int
    level: int


@dataclass(frozen=True)
class Extraction:
    """What the child read from one PDF."""

    pages: tuple[str, ...]
    outline: tuple[OutlineEntry, ...] = ()
    title: str | None = None
    extractor: str = "pypdf"
    notes: tuple[str, ...] = ()
    #: (page, text) of short lines set larger than the body, when there is no outline
    large_lines: tuple[tuple[int, str], ...] = ()


def run_together_share(text: str) -> float:
    """Share of the words in `text` longer than LONG_WORD letters."""
    words = re.findall(r"[^\W\d_]+", text)
    return sum(len(w) > LONG_WORD for w in words) / len(words) if words else 0.0


class _WorkerStopped(Exception):
    """The child stopped answering: it died, or it ran over the time limit and was killed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PdfWorker:
    """One child process that reads PDFs one at a time; replaced after any failure.

    The child's memory cap is fixed when it starts (`limits.memory_mb`); the time limit
    can be given per file."""

    def __init__(self, limits: Limits | None = None) -> None:
        from ingest.formats.base import Limits

        self.limits = limits or Limits()
        self._process: subprocess.Popen | None = None
        self._last_used = 0.0
        self._lock = threading.Lock()

    def pages(self, raw: bytes, file: str) -> list[str]:
        """The text of every page of the PDF `raw`, or UnreadableFileError(file, reason)."""
        return list(self.read(raw, file).pages)

    def read(self, raw: bytes, file: str, seconds: float | None = None) -> Extraction:
        """Pages, outline and title of the PDF `raw`, or UnreadableFileError(file, reason)."""
        from index.errors import UnreadableFileError

        seconds = seconds or self.limits.seconds
        with self._lock:
            try:
                reply = self._ask(raw, seconds)
            except _WorkerStopped as stopped:
                self._stop()
                raise UnreadableFileError(file, stopped.reason) from None
            if "error" in reply:
                if reply.get("restart"):
                    self._stop()
                raise UnreadableFileError(file, str(reply["error"]))
            return _extraction(reply)

    def close(self) -> None:
        """Stop the child process, if one is running."""
        with self._lock:
            self._stop()

    def _ask(self, raw: bytes, seconds: float) -> dict:
        """Send one PDF, wait for the reply; a dead idle child is replaced once."""
        from ingest.formats.base import PAGES_PER_BUDGET

        for attempt in (1, 2):
            process = self._ready_process()
            assert process.stdin is not None  # started with stdin=PIPE
            try:
                request = _REQUEST.pack(len(raw), int(seconds) + _CPU_MARGIN, PAGES_PER_BUDGET)
                process.stdin.write(request + raw)
                process.stdin.flush()
            except (BrokenPipeError, OSError):
                self._stop()
                if attempt == 2:
                    raise _WorkerStopped(_crash_reason(self.limits)) from None
                continue
            reply = self._read_reply(process, seconds)
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

    def _read_reply(self, process: subprocess.Popen, seconds: float) -> dict:
        """The reply, within `seconds` or, once the child has counted the pages, within the
        budget of that many pages (`Limits.seconds_for`)."""
        started = time.monotonic()
        reply = self._read_message(process, started + seconds, seconds)
        if set(reply) == {"counted_pages"}:
            seconds = replace(self.limits, seconds=seconds).seconds_for(reply["counted_pages"])
            reply = self._read_message(process, started + seconds, seconds)
        return reply

    def _read_message(self, process: subprocess.Popen, deadline: float, seconds: float) -> dict:
        header = _read_exactly(process, _HEADER.size, deadline, seconds, self.limits)
        (length,) = _HEADER.unpack(header)
        payload = _read_exactly(process, length, deadline, seconds, self.limits)
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
                if stream is not None:
                    stream.close()


def _extraction(reply: dict) -> Extraction:
    outline = tuple(OutlineEntry(str(t), int(p), int(n)) for t, p, n in reply.get("outline", ()))
    return Extraction(
        pages=tuple(str(page) for page in reply["pages"]),
        outline=outline,
        title=reply.get("title") or None,
        extractor=str(reply.get("extractor", "pypdf")),
        notes=tuple(str(n) for n in reply.get("notes", ())),
        large_lines=tuple((int(p), str(t)) for p, t in reply.get("large", ())),
    )


def _start_child(limits: Limits) -> subprocess.Popen:
    """`python .../pdf_sandbox.py`: this file alone, not the package it sits in."""
    env = dict(os.environ)
    command = [sys.executable, str(Path(__file__).resolve()), str(limits.memory_mb)]
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


def _read_exactly(
    process: subprocess.Popen, size: int, deadline: float, seconds: float, limits: Limits
) -> bytes:
    """`size` bytes from the child's stdout before `deadline`, or _WorkerStopped."""
    assert process.stdout is not None  # started with stdout=PIPE
    fd = process.stdout.fileno()
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        wait = deadline - time.monotonic()
        if wait <= 0 or not select.select([fd], [], [], wait)[0]:
            raise _WorkerStopped(
                f"reading it took longer than {seconds:g} s, so it was stopped "
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


def extract(raw: bytes, file: str, limits: Limits) -> Extraction:
    """One PDF read by the process-wide worker (started on first use, restarted when the
    memory cap asked for changes)."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared.limits.memory_mb != limits.memory_mb:
            if _shared is not None:
                _shared.close()
            _shared = PdfWorker(limits)
        worker = _shared
    return worker.read(raw, file, limits.seconds)


@atexit.register
def _close_shared() -> None:
    if _shared is not None:
        _shared.close()


# --- the child ---------------------------------------------------------------------------


def _child_main(argv: list[str]) -> int:
    """Serve PDF requests on stdin until EOF or IDLE_SECONDS without one."""
    memory_mb = int(argv[0])
    reply_stream = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the replies
    _limit_memory(memory_mb)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    requests = sys.stdin.buffer
    while select.select([requests], [], [], IDLE_SECONDS)[0]:
        header = requests.read(_REQUEST.size)
        if len(header) < _REQUEST.size:
            return 0
        length, cpu_seconds, pages_per_budget = _REQUEST.unpack(header)
        raw = requests.read(length)
        _limit_cpu(cpu_seconds)
        counted = functools.partial(_counted, reply_stream, cpu_seconds, pages_per_budget)
        _send(reply_stream, _extract(raw, memory_mb, counted))
    return 0


def _counted(stream, cpu_seconds: int, pages_per_budget: float, pages: int) -> None:
    """Tell the parent the page count, which then waits for the pages' budget, and allow
    the CPU time of that budget."""
    _limit_cpu(int(cpu_seconds * max(1.0, pages / pages_per_budget)))
    _send(stream, {"counted_pages": pages})


def _send(stream, message: dict) -> None:
    payload = json.dumps(message).encode("utf-8")
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


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


def _extract(raw: bytes, memory_mb: int, counted: Callable[[int], None]) -> dict:
    """The reply to one request: the extraction as a dict, or {"error", "restart"}.
    `counted` is told the number of pages before they are read."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            locked = _locked_reason(reader)
            if locked:
                return {"error": locked}
        counted(len(reader.pages))
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        outline = _outline(reader)
        reply = {"pages": pages, "outline": outline, "title": _metadata_title(reader)}
        if not outline:  # headings are then found by their size
            reply["large"] = _large_lines(reader)
        return reply | _better_extraction(raw, pages)
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


def _locked_reason(reader) -> str | None:
    """None when an empty user password opens the PDF (locked only against editing, as
    most "encrypted" PDFs are, AES included); else why it cannot be read."""
    try:
        opened = bool(reader.decrypt(""))
    except Exception as e:  # pypdf.errors.DependencyError without `cryptography`
        return f"encrypted PDF that cannot be opened here: {_short(e)}"
    if opened:
        return None
    return "encrypted PDF; remove the password and add it again"


def _better_extraction(raw: bytes, pages: list[str]) -> dict:
    """pypdfium2's pages instead of pypdf's when pypdf ran words together and pdfium did not."""
    share = run_together_share("\n".join(pages))
    if share <= RUN_TOGETHER_LIMIT:
        return {"extractor": "pypdf"}
    try:
        other = _pdfium_pages(raw)
    except Exception as e:  # pdfium refuses some files pypdf reads; keep pypdf's text
        return {"notes": [f"pypdf ran words together ({share:.0%} of words); pdfium: {_short(e)}"]}
    other_share = run_together_share("\n".join(other))
    note = (
        f"pypdf ran words together ({share:.0%} of words over {LONG_WORD} letters; "
        f"pypdfium2 {other_share:.1%})"
    )
    if len(other) != len(pages) or other_share >= share / 2:
        return {"extractor": "pypdf", "notes": [f"kept pypdf: {note}"]}
    return {"pages": other, "extractor": "pypdfium2", "notes": [f"read with pypdfium2: {note}"]}


def _pdfium_pages(raw: bytes) -> list[str]:
    """Page texts by pypdfium2, with pdfium's line ends and soft-hyphen mark made plain."""
    import pypdfium2

    document = pypdfium2.PdfDocument(raw, password="")
    try:
        texts = []
        for index in range(len(document)):
            page = document[index]
            text = page.get_textpage().get_text_range()
            texts.append(text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-"))
            page.close()
        return [text.strip() for text in texts]
    finally:
        document.close()


def _outline(reader) -> list[list]:
    """The bookmarks as [title, 0-based page, depth], in document order; [] when unreadable."""
    entries: list[list] = []

    def walk(items, depth: int) -> None:
        for item in items:
            if len(entries) >= MAX_OUTLINE_ENTRIES:
                return
            if isinstance(item, list):
                walk(item, depth + 1)
                continue
            page = reader.get_destination_page_number(item)
            title = " ".join(str(item.title or "").split())
            if title and page is not None and page >= 0:
                entries.append([title, page, depth])

    try:
        walk(reader.outline, 0)
    except Exception:  # a damaged outline costs the headings, not the text
        return []
    return entries


def _large_lines(reader) -> list[list]:
    """[0-based page, text] of the short lines set larger than the body text (headings)."""
    sized: list[tuple[int, str, float]] = []
    weight: dict[float, int] = {}

    def visit(page: int):
        def visitor(text, cm, tm, font_dict, font_size) -> None:
            # the rendered size: the font size scaled by the text and page matrices
            c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
            size = round(float(font_size or 0) * (c * c + d * d) ** 0.5, 1)
            sized.append((page, text, size))
            weight[size] = weight.get(size, 0) + len(text.strip())

        return visitor

    for number, page in enumerate(reader.pages):
        page.extract_text(visitor_text=visit(number))
    if not weight:
        return []
    body = max(weight, key=weight.__getitem__)
    return [
        [page, line.strip()]
        for page, text, size in sized
        if size >= LARGE_TEXT * body
        for line in text.split("\n")
        if 3 <= len(line.strip()) <= 90 and re.search(r"[^\W\d_]", line)
    ]


def _metadata_title(reader) -> str | None:
    """The document information /Title, unless it is empty or a file name."""
    try:
        title = " ".join(str((reader.metadata or {}).get("/Title") or "").split())
    except Exception:
        return None
    if not title or re.search(r"\.(?:dvi|tex|docx?|pdf|indd)$|^untitled", title, re.I):
        return None
    return title


def _short(error: Exception) -> str:
    """A one-line, short description of a library error."""
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    return message[:120]


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
