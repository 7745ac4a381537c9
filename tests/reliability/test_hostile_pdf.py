"""PDFs that loop, explode or lock: read in a child process with time and memory limits, so
the file is reported by name and the build goes on (issue #6, item 2)."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from reliability_kit import (
    circular_xref_pdf,
    cyclic_page_tree_pdf,
    encrypted_pdf,
    huge_page_tree_pdf,
    memory_hungry_pdf,
    nested_bomb_pdf,
    repeated_stream_bomb_pdf,
    rss_kb,
    self_drawing_form_pdf,
    slow_pdf,
    text_pdf,
)

from index.errors import UnreadableFileError
from ingest.formats.base import Limits
from ingest.formats.pdf_sandbox import PdfWorker
from ingest.load import load_document

GOOD_ARTICLE = (
    "Quiet Evenings Alone\n\n"
    "Spending a quiet evening alone with a book helps you notice what you actually want "
    "from a relationship, instead of reacting to what the other person does.\n\n"
    "Solitude is not a strategy to win someone back; it is time that belongs to you.\n"
)


LOOPING_XREF_PAGES = (
    "Letters Kept in a Drawer",
    "Writing a letter you never send lets you say what you feel without asking anything of "
    "the other person.",
)


AES_PAGE = "Keeping a journal of small kindnesses makes them easier to notice."


def _aes_without_password(raw: bytes) -> bytes:
    """`raw` encrypted with AES-256 and an empty user password (opens in any viewer)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(raw)))
    writer.encrypt("", owner_password="owner", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


class TestChildProcess:
    def test_a_pdf_that_parses_for_minutes_is_stopped_and_the_next_one_reads(self):
        worker = PdfWorker(Limits(seconds=2, memory_mb=1024))
        try:
            assert worker.pages(text_pdf("warm up"), "first.pdf") == ["warm up"]
            child = worker._process.pid
            with pytest.raises(UnreadableFileError) as info:
                worker.pages(slow_pdf(), "slow.pdf")
            assert info.value.file == "slow.pdf"
            assert "longer than 2 s" in info.value.reason
            assert _process_gone(child), "the looping reader was left running"
            assert worker.pages(text_pdf("after the loop"), "next.pdf") == ["after the loop"]
        finally:
            worker.close()

    def test_a_pdf_that_needs_gigabytes_is_stopped_in_the_child_not_here(self):
        worker = PdfWorker(Limits(seconds=300, memory_mb=200))
        try:
            before = rss_kb(os.getpid())
            with pytest.raises(UnreadableFileError) as info:
                worker.pages(memory_hungry_pdf(), "hungry.pdf")
            assert "needs more than 200 MB of memory" in info.value.reason
            assert (rss_kb(os.getpid()) - before) / 1024 < 150
            assert worker.pages(text_pdf("still reading"), "next.pdf") == ["still reading"]
        finally:
            worker.close()

    def test_ordinary_pdfs_share_one_child(self):
        worker = PdfWorker(Limits(seconds=30, memory_mb=1024))
        try:
            children = set()
            for n in range(5):
                assert worker.pages(text_pdf(f"page {n}"), f"{n}.pdf") == [f"page {n}"]
                children.add(worker._process.pid)
            assert len(children) == 1
        finally:
            worker.close()

    def test_the_child_cannot_write_into_the_reply_channel(self, tmp_path: Path):
        """pypdf warnings (here: the looping xref) go to stderr, never into the protocol."""
        path = tmp_path / "loop.pdf"
        path.write_bytes(circular_xref_pdf("Circular but readable"))
        assert load_document(path, tmp_path).text == "Circular but readable"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("cyclic-page-tree.pdf", cyclic_page_tree_pdf, "not a readable PDF: "),
        ("nested-bomb.pdf", nested_bomb_pdf, None),
        ("repeated-stream-bomb.pdf", repeated_stream_bomb_pdf, "not a readable PDF: "),
        ("billion-pages.pdf", huge_page_tree_pdf, "not a readable PDF: "),
        ("locked.pdf", lambda: encrypted_pdf("Secret advice"), "encrypted PDF; remove the"),
    ],
)
def test_hostile_pdf_is_reported_with_a_reason(tmp_path: Path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data())
    with pytest.raises(UnreadableFileError) as info:
        load_document(path, tmp_path)
    assert info.value.file == name
    assert info.value.reason.startswith(reason or "")
    assert info.value.reason


def test_a_form_that_draws_itself_is_read_once(tmp_path: Path):
    path = tmp_path / "self-drawing.pdf"
    path.write_bytes(self_drawing_form_pdf())
    assert load_document(path, tmp_path).text.startswith("again")


def test_build_goes_on_past_every_hostile_pdf(tmp_path: Path, embedder, monkeypatch):
    """One real build over a folder of hostile PDFs and one good article."""
    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    monkeypatch.setenv("CITED_PDF_SECONDS", "4")
    monkeypatch.setenv("CITED_PDF_MEMORY_MB", "200")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    hostile = {
        "slow.pdf": slow_pdf(),
        "memory-hungry.pdf": memory_hungry_pdf(),
        "billion-pages.pdf": huge_page_tree_pdf(),
        "nested-bomb.pdf": nested_bomb_pdf(),
        "repeated-stream-bomb.pdf": repeated_stream_bomb_pdf(),
        "cyclic-page-tree.pdf": cyclic_page_tree_pdf(),
        "locked.pdf": encrypted_pdf("Secret advice"),
    }
    for name, data in hostile.items():
        (corpus / name).write_bytes(data)
    (corpus / "quiet-evenings.txt").write_text(GOOD_ARTICLE, encoding="utf-8")
    (corpus / "looping-xref.pdf").write_bytes(circular_xref_pdf(*LOOPING_XREF_PAGES))
    (corpus / "aes-open.pdf").write_bytes(_aes_without_password(text_pdf(AES_PAGE)))

    before = rss_kb(os.getpid())
    started = time.monotonic()
    summary = build_index(corpus, tmp_path / "index", embedder).to_dict()
    elapsed = time.monotonic() - started
    grown_mb = (rss_kb(os.getpid()) - before) / 1024

    reasons = {e["file"]: e["error"] for e in summary["errors"]}
    assert set(reasons) == set(hostile), reasons
    assert "longer than 4 s" in reasons["slow.pdf"]
    assert "stopped" in reasons["memory-hungry.pdf"]  # by its memory or its time limit
    assert reasons["locked.pdf"].startswith("encrypted PDF")
    assert summary["documents"]["added"] == 3  # the article, the looping PDF, the AES one
    assert grown_mb < 200, f"the build process itself grew by {grown_mb:.0f} MB"
    print(f"hostile build: {elapsed:.1f}s, parent RSS +{grown_mb:.0f} MB, errors {reasons}")

    answer = Assistant(tmp_path / "index", embedder=embedder).answer(
        "What does a quiet evening alone help you notice?"
    )
    assert not answer.abstained
    assert answer.quotes[0].source.file == "quiet-evenings.txt"
    letters = Assistant(tmp_path / "index", embedder=embedder).answer(
        "Why write a letter you never send?"
    )
    assert letters.quotes[0].source.file == "looping-xref.pdf"
    journal = Assistant(tmp_path / "index", embedder=embedder).answer(
        "What makes small kindnesses easier to notice?"
    )
    assert journal.quotes[0].source.file == "aes-open.pdf"
