"""The HTML coverage benchmark on a real page: its main content, block by block, and
whether each block reached cited's text."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.html_coverage import PageBlock, _Found, coverage, fold, main, page_blocks

ZIPFILE = Path(__file__).resolve().parents[1] / "data" / "html" / "library-zipfile.html"


def test_the_main_content_is_the_pages_blocks_without_navigation() -> None:
    blocks = page_blocks(ZIPFILE.read_bytes())
    texts = {(b.kind, b.text) for b in blocks}
    assert ("dt", "--list <zipfile>") in texts
    assert ("p", "List files in a zipfile.") in texts
    assert ("h3", "Command-line options") in texts  # its "¶" permalink is not a word
    joined = " ".join(b.text for b in blocks)
    for chrome in ("¶", "Previous topic", "Quick search", "Report a Bug", "Show Source"):
        assert chrome not in joined


def test_a_block_is_kept_in_a_row_or_by_most_of_its_five_word_runs() -> None:
    sentence = "Open a ZIP file, where file can be a path to a file (a string), a file-like object"
    block = PageBlock("p", fold(sentence))
    assert _Found("Intro.\n\n" + sentence.replace(" ", "\n  ", 3) + " more").keeps(block)
    assert not _Found(sentence.replace("ZIP file,", "archive,")).keeps(
        block
    )  # 4 of its 14 runs lost
    long = " ".join(f"w{i}" for i in range(60))
    assert _Found(long.replace("w30", "x30")).keeps(PageBlock("p", fold(long)))  # 5 of 56 runs lost
    assert not _Found(" ".join(reversed(long.split()))).keeps(PageBlock("p", fold(long)))


def test_the_zipfile_page_reaches_the_text_whole() -> None:
    page = coverage(ZIPFILE)
    assert page.error is None
    assert page.kinds["dt"].words_kept == page.kinds["dt"].words
    assert page.total.word_share >= 0.99
    assert ("p", "List files in a zipfile.") not in page.lost
    # the indexed text is the main content: words outside it are under 1 % of it
    assert page.indexed_words > 3000 and page.extra_words < 0.01 * page.indexed_words


def test_the_report_and_its_json(capsys) -> None:
    assert main([str(ZIPFILE), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pages"][0]["file"] == str(ZIPFILE) and "dt" in out["kinds"]
    assert main([str(ZIPFILE)]) == 0
    assert "| element | blocks kept | words kept | pages losing words |" in capsys.readouterr().out


def test_no_matching_file_is_one_line_of_error(capsys, tmp_path) -> None:
    assert main([str(tmp_path / "none" / "*.html")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: no HTML files match") and "\n" not in err
