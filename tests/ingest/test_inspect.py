"""`cited inspect`: what cited reads from a file, one JSON object a file a line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from index.records import Document, Passage
from ingest.health import read_health

REPO = Path(__file__).resolve().parents[2]
KEYS = ["file", "title", "passages", "boilerplate", "indexed_share", "warnings", "error"]


def _inspect(*paths: Path, env: dict[str, str] | None = None) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "inspect", "--json", *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        env=None if env is None else {**os.environ, **env},
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_json_lines_for_an_article_a_web_page_and_a_bad_file(tmp_path: Path, corpus_dir: Path):
    bad = tmp_path / "photo.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    article = corpus_dir / "make-him-miss-you-why-you-have-to-leave-to-get-him-to-stay.txt"
    page = REPO / "tests" / "data" / "html" / "faq-library.html"
    rows = _inspect(article, page, bad)
    assert [list(row) for row in rows] == [KEYS] * 3
    text_row, html_row, bad_row = rows
    assert text_row["error"] is None and text_row["indexed_share"] > 0.8
    reasons = {b["reason"] for b in text_row["boilerplate"]}
    assert "related-links tail" in reasons
    source = article.read_text(encoding="utf-8")
    for p in text_row["passages"]:
        assert list(p) == ["section", "headings", "start", "end", "page", "text"]
        assert source[p["start"] : p["end"]] == p["text"]
    assert html_row["title"] == "Library and Extension FAQ" and html_row["passages"]
    assert bad_row["error"] == "binary data, not text" and bad_row["passages"] == []


def test_inspect_reads_within_the_limits_a_build_would():
    """The message for a PDF that is slow to read says to raise CITED_PDF_SECONDS; inspect,
    where a user checks such a file, must honour it as the build does."""
    pdf = REPO / "tests" / "data" / "pdf" / "r-faq-pages-1-10.pdf"
    (row,) = _inspect(pdf, env={"CITED_PDF_SECONDS": "0.001"})
    assert "took longer than 0.001 s" in row["error"] and row["passages"] == []


def _doc(text: str) -> Document:
    return Document("d", "d.txt", "T", text, "0" * 64)


def test_health_warns_when_much_of_a_file_is_in_no_passage():
    text = "Kept sentence here. " * 10 + "Dropped words here. " * 30
    kept = Passage("d", 0, "T", 0, 200, text[:200])
    health = read_health(_doc(text), [kept])
    assert 0.2 < health.indexed_share < 0.3
    assert "75% of this file is in no passage" in health.warnings


def test_health_warns_when_words_run_together():
    text = "Debiansupportsbootingusingsysteminit fine " * 5 + "ordinary words here " * 10
    health = read_health(_doc(text), [Passage("d", 0, "T", 0, len(text), text)])
    assert health.indexed_share == 1.0
    assert any(
        w.startswith("words run together: 12% of tokens are over 25 letters")
        for w in health.warnings
    )


def test_the_boilerplate_inspect_reports_is_what_a_build_marks():
    """`cited inspect` shows the spans the build keeps out of passages, no more, no less
    (it once listed a manual's code and mailing-list lines the build rightly kept)."""
    from ingest.analyze import code_spans, read_file
    from ingest.clean import mark_boilerplate
    from ingest.inspect import _boilerplate

    for path in (REPO / "tests" / "data" / "pdf").glob("*.pdf"):
        loaded = read_file(path, path.parent)
        reported = sorted((s, e) for s, e, _ in _boilerplate(loaded))
        built = mark_boilerplate(loaded.document, code_spans(loaded)).boilerplate
        text = loaded.document.text
        assert reported, path.name
        assert _ink(text, reported) == _ink(text, built), path.name


def _ink(text: str, spans) -> set[int]:
    """The non-blank characters of `spans` (merging joins spans across blank lines)."""
    return {i for s, e in spans for i in range(s, e) if not text[i].isspace()}
