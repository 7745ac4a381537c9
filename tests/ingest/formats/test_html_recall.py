"""jusText's paragraphs are placed in the extracted text by an index of word openings; it
must find exactly what `str.find` finds, on real pages (the web-page benchmark's)."""

from __future__ import annotations

import random

import pytest

from benchmarks.webpages import BENCHMARK
from ingest.analyze import read_file
from ingest.formats.html_recall import _Text
from ingest.text import squash

PAGES = BENCHMARK / "pages"
needs_benchmark = pytest.mark.skipif(
    not PAGES.is_dir(), reason="../shared/benchmarks/webpages not present"
)


def _pieces(text: str, rng: random.Random) -> list[str]:
    """Pieces of `text` cut anywhere (inside words too, as a drop cap cuts one), pieces
    that occur twice, and pieces that are not in it."""
    pieces = []
    for _ in range(300):
        start = rng.randrange(len(text) - 40)
        pieces.append(text[start : start + rng.randrange(30, 200)])
    pieces += [p[:-1] + "§" for p in pieces[:50]]  # altered last character: absent
    pieces += [p.replace(" ", "  ", 1) for p in pieces[:20]]  # two spaces: absent
    pieces += ["no such sentence is on this page at all, anywhere"]
    return pieces


@needs_benchmark
def test_the_index_finds_what_str_find_finds():
    rng = random.Random(7)
    pages = sorted(PAGES.glob("*.html"))[:40]
    for page in pages:
        text = squash(read_file(page, PAGES).document.text)
        if len(text) < 500:
            continue
        text = f"{text} {text[:300]}"  # the opening twice: the first place must win
        indexed = _Text(text)
        for piece in _pieces(text, rng):
            assert indexed.find(piece) == text.find(piece), (page.name, piece)
            assert (piece in indexed) == (piece in text)


def test_a_piece_glued_to_the_word_before_is_found():
    text = "Erster Akt. Z" + "weiter Akt: Der Verein lässt eine Umfrage durchführen, dann eine."
    indexed = _Text(text)
    piece = "weiter Akt: Der Verein lässt eine Umfrage durchführen"
    assert indexed.find(piece) == text.find(piece) == 13
