"""Every format has a size and a time budget (`Limits`); past it the file is skipped by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import UnreadableFileError
from ingest.formats import Limits
from ingest.load import load_file

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
    assert "over the 0 s a file may take" in caught.value.reason


def test_within_budget_reads(tmp_path: Path):
    (tmp_path / "a.txt").write_bytes(PAGES["a.txt"])
    assert load_file(tmp_path / "a.txt", tmp_path, Limits()).document.text.startswith("Plain")
