"""The shipped articles read exactly as before the format registry (same passages and
sections, same boilerplate): tests/ingest/shipped_reading.json was written by the reader
as it stood at commit 51fc855."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.analyze import analyze, read_file

SNAPSHOT = Path(__file__).with_name("shipped_reading.json")


def test_every_shipped_article_reads_as_before(corpus_dir: Path, embedder):
    before = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(before) == sorted(p.name for p in corpus_dir.glob("*.txt"))
    for name, expected in before.items():
        loaded = read_file(corpus_dir / name, corpus_dir)
        analysis = analyze(loaded, embedder.span_counter(loaded.document.text))
        assert analysis.document.title == expected["title"]
        assert [list(span) for span in analysis.document.boilerplate] == expected["boilerplate"]
        passages = [[p.section, p.start, p.end] for p in analysis.passages]
        assert passages == expected["passages"], name
