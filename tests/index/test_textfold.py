"""Word search folds what documents print differently from what a reader types."""

from __future__ import annotations

from pathlib import Path

from index.lexical import LexicalIndex
from index.textfold import fold

MANPAGE = Path(__file__).resolve().parents[1] / "data" / "manpage" / "apropos.1.txt"


def test_a_word_hyphenated_at_a_line_end_is_one_word_whatever_the_hyphen():
    assert fold("sim-\nilar") == fold("sim\u2010\nilar") == fold("sim\u00ad\nilar") == "similar"
    assert fold("well-\nKnown") == "well-\nKnown"  # a capital after the break: a real hyphen


def test_a_man_page_hyphenated_by_groff_is_found_by_its_words():
    """man-db's pages (saved with `man apropos > apropos.1.txt`) break words with U+2010:
    "De‐\\npending", "in‐\\nstalled"; BM25 saw "de" and "pending"."""
    tokens = set(LexicalIndex.tokenize([fold(MANPAGE.read_text(encoding="utf-8"))])[0])
    expected = LexicalIndex.tokenize(["depending installed"])[0]
    assert set(expected) <= tokens
