"""Text formatted for a terminal: overstrikes and ANSI escapes removed before structure, on
real files (tests/data/terminal/README.md).

Before: man-db's manual.txt.gz kept `ESC[1m` ... `ESC[0m` inside its passages ("^[[1mman^[[22m"
as a word), and a man page saved with its bold overstrikes was refused as binary data (a
third of its characters are backspaces).
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from index.errors import UnreadableFileError
from ingest.analyze import analyze, read_file
from ingest.formats import Limits
from ingest.formats.terminal import strip_formatting
from ingest.formats.txt import read
from ingest.inspect import TokenCounter
from tests.command import cited

DATA = Path(__file__).resolve().parents[2] / "data" / "terminal"
MANUAL = DATA / "man-db" / "man-db-manual.txt.gz"
WHATIS = DATA / "man-db" / "whatis.1.txt"
_FORMATTING = re.compile(r"[\x08\x1b]")


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter()


@pytest.mark.parametrize(
    ("formatted", "plain"),
    [
        ("N\bNA\bAM\bME\bE", "NAME"),  # bold
        ("_\bf_\bi_\bl_\be", "file"),  # underline
        ("b\b_o\b_x\b_", "box"),  # underline struck after the letter (man-db's manual)
        ("+\bo item", "o item"),  # a bullet
        ("X\bX\bX", "X"),  # bold struck twice
        ("\x1b[1mman\x1b[22m and \x1b[4mpath\x1b[24m\x1b[0m", "man and path"),  # SGR
        ("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"),  # groff 1.23's hyperlinks
    ],
)
def test_formatting_is_removed_and_the_letters_stay(formatted, plain):
    text, removed = strip_formatting(formatted)
    assert text == plain and removed > 0


def test_escapes_that_are_no_formatting_stay_verbatim():
    """A screen clear or clipboard write is not formatting: kept in the text (quotes stay
    exact), and dropped only where text reaches a terminal (issue #15)."""
    hostile = "Tomatoes\x1b[2J\x1b[H grow\x1b]52;c;Y3VybA==\x07 best.\n"
    assert strip_formatting(hostile) == (hostile, 0)


def test_text_without_formatting_is_unchanged():
    text = "Plain words,\ttabs\fand a form feed.\n"
    assert strip_formatting(text) == (text, 0)


def test_the_man_db_manual_reads_without_escapes(counter):
    loaded = read_file(MANUAL, DATA)
    analysis = analyze(loaded, counter.span_counter(loaded.document.text))
    raw = gzip.decompress(MANUAL.read_bytes()).decode("utf-8")
    text = analysis.document.text
    assert _FORMATTING.search(raw) and not _FORMATTING.search(text)
    assert text == strip_formatting(raw)[0]
    assert "man-db - the database cached manual pager suite" in text
    assert "file names and paths in italic, e.g.  /usr/share/man." in text
    assert "a |box|, eg.  |man_foobar|." in text  # "|\b_b\b_o\b_x\b_|\b_"
    assert all(p.text == text[p.start : p.end] for p in analysis.passages)
    assert analysis.notes and "terminal formatting removed" in analysis.notes[0]


def test_a_man_page_in_bold_overstrike_is_read_not_refused_as_binary(counter):
    loaded = read_file(WHATIS, DATA)
    text = loaded.document.text
    assert WHATIS.read_bytes().count(b"\x08") > len(text) * 0.05  # past the binary bar
    assert "NAME\n       whatis - display one-line manual page descriptions" in text
    assert "whatis  [-dlv?V]  [-r|-w] [-s list]" in text
    assert not _FORMATTING.search(text)


def test_inspect_says_the_formatting_was_removed_and_quotes_the_cleaned_text():
    rows = [
        json.loads(line)
        for line in cited("inspect", "--json", str(MANUAL), str(WHATIS)).stdout.splitlines()
    ]
    assert [r["error"] for r in rows] == [None, None]
    for row in rows:
        assert any(w.startswith("terminal formatting removed") for w in row["warnings"])
        assert not any(_FORMATTING.search(p["text"]) for p in row["passages"])
        assert row["indexed_share"] > 0.9


def test_binary_is_still_refused():
    with pytest.raises(UnreadableFileError) as caught:
        read(b"\x1b[1m" + bytes(range(1, 32)) * 40, "x.txt", Limits())
    assert caught.value.reason == "binary data, not text"
