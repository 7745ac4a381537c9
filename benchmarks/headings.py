"""Heading paths on real documentation: how deep they go, and a question set built on them.

    python -m benchmarks.headings folder DIR      # assemble the real folder the questions ask
    python -m benchmarks.headings depth DIR...    # passages by the depth of their heading path
    cited ingest --corpus DIR --index I && cited eval --index I \
        --questions benchmarks/data/heading_questions.jsonl

The folder is pip's command pages (reStructuredText) and topic guides (Markdown) from
python3-pip, and four Sphinx pages of Python's library (python3.11-doc): shutil, zipfile,
tarfile, venv. Each of the 40 questions was written from a sub-section heading ("Removing a
single package", "copytree example", "pip freeze › Examples"): its words are the heading's
and its parents' or title's, which the passage's text seldom repeats; the gold phrase is a
sentence of that sub-section (docs/quality.md, Headings).
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

PIP = Path("/usr/share/doc/python3-pip/html")
LIBRARY = Path("/usr/share/doc/python3.11/html/library")
PAGES = ("shutil", "zipfile", "tarfile", "venv")


def assemble(target: Path) -> int:
    """Copy (gunzipped) the folder's files into `target`; how many."""
    target.mkdir(parents=True, exist_ok=True)
    sources = [*sorted((PIP / "cli").glob("pip_*.rst*")), *sorted((PIP / "topics").glob("*.md*"))]
    sources += [LIBRARY / f"{page}.html" for page in PAGES]
    for source in sources:
        name = source.name.removesuffix(".gz")
        if source.suffix == ".gz":
            (target / name).write_bytes(gzip.decompress(source.read_bytes()))
        else:
            shutil.copy2(source, target / name)
    return len(sources)


def depths(folder: Path) -> tuple[int, Counter[int]]:
    """(files read, passages by the number of headings they stand under) of `folder`."""
    from index.errors import UnreadableFileError
    from ingest.analyze import analyze, read_file
    from ingest.changes import corpus_files
    from ingest.inspect import TokenCounter

    counter, found, files = TokenCounter(), Counter[int](), 0
    for _, path in corpus_files(folder):
        try:
            loaded = read_file(path, folder)
        except UnreadableFileError:
            continue
        files += 1
        analysis = analyze(loaded, counter.span_counter(loaded.document.text))
        found.update(len(p.headings) for p in analysis.passages)
    return files, found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.headings")
    parser.add_argument("command", choices=("folder", "depth"))
    parser.add_argument("dirs", nargs="+", type=Path)
    args = parser.parse_args(argv)
    if args.command == "folder":
        print(f"{assemble(args.dirs[0])} files in {args.dirs[0]}")
        return 0
    for folder in args.dirs:
        files, found = depths(folder)
        total = sum(found.values())
        deep = sum(n for depth, n in found.items() if depth >= 2)
        print(
            f"{folder}: {files} files, {total} passages, {deep} under two or more headings "
            f"({deep / max(total, 1):.1%}); by depth {dict(sorted(found.items()))}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
