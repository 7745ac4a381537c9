"""Highlights that land on a bare cross-reference, over the R FAQ's own questions.

    python -m benchmarks.faq_pointers [--index DIR]

R's FAQ and installation manual (Debian's r-doc-pdf) are indexed by the real pipeline and
each question heading of the FAQ is asked as a question ("What is CRAN?"). Texinfo
manuals cite other sections by title ("see Section 2.10 [What is CRAN?], page 9"), so a
sentence that only points elsewhere echoes the question word for word. Counted: shown
quotes whose highlight is such a pointer (a cross-reference and at most four words).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

MANUALS = (Path("/usr/share/R/doc/manual/R-FAQ.pdf"), Path("/usr/share/R/doc/manual/R-admin.pdf"))
_REFERENCE = re.compile(
    r"(?:\bsee\s+)?\bsection\s+[\dA-Z][\d.]*\s*\[[^\]]{1,200}\],\s*page\s+\d+", re.IGNORECASE
)


def is_pointer(text: str) -> bool:
    """A cross-reference with at most four other words: the benchmark's own test."""
    rest = _REFERENCE.sub(" ", text)
    return bool(_REFERENCE.search(text)) and len(re.findall(r"[^\W\d_]{2,}", rest)) <= 4


def main(argv: Sequence[str] | None = None) -> int:
    from assistant.answer import Assistant
    from benchmarks.train_highlight import question_of
    from index.embed import Embedder
    from ingest.pipeline import build_index

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="build (or reuse) the index here")
    args = parser.parse_args(argv)
    if not all(m.exists() for m in MANUALS):
        print("missing: install r-doc-pdf", file=sys.stderr)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index or Path(tmp) / "index"
        if not index_dir.exists():
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            for manual in MANUALS:
                shutil.copy(manual, corpus / manual.name)
            build_index(corpus, index_dir, Embedder())
        assistant = Assistant(index_dir, check_interval=3600)
        loaded = assistant.index()
        sections = {p.section for p in loaded.passages(list(range(loaded.passage_count)))}
        questions = sorted({q for s in sections if (q := question_of(s))})
        quotes = pointers = 0
        for question in questions:
            for quote in assistant.answer(question).quotes:
                quotes += 1
                pointers += is_pointer(quote.text[quote.highlight[0] : quote.highlight[1]])
    print(f"{len(questions)} FAQ questions, {quotes} quotes, {pointers} highlighted a bare pointer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
