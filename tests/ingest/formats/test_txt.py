"""Plain text decoding: UTF-8, legacy code pages, and now UTF-16/32 (before: 'binary data')."""

from __future__ import annotations

import pytest

from index.errors import UnreadableFileError
from ingest.formats import Limits
from ingest.formats.txt import decode, read

TEXT = "Crème Brûlée Lessons\n\nPatience: the custard only sets when you stop checking it.\n"


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
)
def test_utf16_and_utf32_are_read(encoding):
    reading = read(TEXT.encode(encoding), "lessons.txt", Limits())
    assert reading.text == TEXT
    assert reading.title == "Crème Brûlée Lessons"


def test_binary_is_still_refused():
    with pytest.raises(UnreadableFileError, match="binary data, not text"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "img.txt")
