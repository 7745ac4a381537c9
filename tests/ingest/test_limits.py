"""Every format has a size and a time budget (`Limits`); past it the file is skipped by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import UnreadableFileError
from ingest.formats import Limits, base
from ingest.load import load_file

REPO = Path(__file__).resolve().parents[2]

PAGES = {
    "a.txt": b"Plain words. " * 200,
    "b.md": b"# Title\n\n" + b"Words here. " * 200,
    "c.html": b"<html><body><p>" + b"Words here. " * 200 + b"</p></body></html>",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_file_over_the_size_budget_is_skipped_by_name(tmp_path: Path, name: str):
    (tmp_path / name).write_bytes(PAGES[name])
    with pytest.raises(UnreadableFileError) as caught:
        load_file(tmp_path / name, tmp_path, Limits(max_bytes=1000))
    assert caught.value.file == name
    assert caught.value.reason.endswith("cited reads articles up to 1,000 bytes")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_file_over_the_time_budget_is_skipped_by_name(tmp_path: Path, name: str):
    (tmp_path / name).write_bytes(PAGES[name])
    with pytest.raises(UnreadableFileError) as caught:
        load_file(tmp_path / name, tmp_path, Limits(seconds=0.0))
    assert caught.value.file == name
    assert "over the 0 s this file may take" in caught.value.reason


def test_within_budget_reads(tmp_path: Path):
    (tmp_path / "a.txt").write_bytes(PAGES["a.txt"])
    assert load_file(tmp_path / "a.txt", tmp_path, Limits()).document.text.startswith("Plain")


def test_the_time_budget_grows_with_the_pages_past_pages_per_budget():
    limits = Limits(seconds=60.0)
    assert limits.seconds_for(0) == limits.seconds_for(500) == 60.0
    assert limits.seconds_for(2415) == pytest.approx(289.8)


def test_a_long_pdf_is_read_within_the_budget_of_its_pages(tmp_path: Path, monkeypatch):
    """R's 2,415-page reference manual took longer than the 60 s a file had and was
    skipped. The child counts the pages first and the parent then waits for their budget:
    here each page is given its own 100 s, so ten pages that overran 0.1 s are read. (The
    reader process is started and warm before each timed read: counting takes it a few ms,
    reading these pages about half a second.)"""
    pdf = tmp_path / "r-faq.pdf"
    pdf.write_bytes((REPO / "tests/data/pdf/r-faq-pages-1-10.pdf").read_bytes())
    quick = Limits(seconds=0.1)
    load_file(pdf, tmp_path, Limits())
    with pytest.raises(UnreadableFileError) as caught:
        load_file(pdf, tmp_path, quick)
    assert "took longer than 0.1 s" in caught.value.reason
    load_file(pdf, tmp_path, Limits())
    monkeypatch.setattr(base, "PAGES_PER_BUDGET", 0.001)
    assert len(load_file(pdf, tmp_path, quick).document.page_starts) == 10
