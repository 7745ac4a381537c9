"""Sentence units of real Markdown and hard-wrapped docs: how many hold markup or stop short.

    python -m benchmarks.sentence_units [FILE_OR_FOLDER ...]

Every file is read as a build reads it (`ingest.analyze`) and each passage is cut into the
sentence units that are embedded and highlighted (`ingest.sentences.sentence_units`).
Counted, per file suffix, over the units that do not open inside a code block:
- units that open or close on a code fence or hold a line of markup alone ("```",
  "```{pip-cli}", "---"): a highlight then starts or ends on markup;
- units that stop at a line end where the sentence runs on into a line opening with code,
  a bracket or a quote ("Do not specify API file systems such as" / "`/proc/` or ...").
Defaults: pip's and systemd's Markdown docs and man-db's wrapped-text manual, as Debian
installs them (python3-pip, systemd, man-db).
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

DEFAULTS = (
    Path("/usr/share/doc/python3-pip/html"),
    Path("/usr/share/doc/systemd"),
    Path("/usr/share/doc/man-db/man-db-manual.txt.gz"),
)
_MARKUP_LINE = re.compile(r"^\s*(?:(?:`{3,}|~{3,})[\w{}.+-]*|[\W_]+)\s*$", re.MULTILINE)
_RUNS_ON = re.compile(r"""\n[ \t]*(?:`(?!``)|[(\[</"'“‘{]|[$*_]\S)""")


def files(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in (".md", ".gz", ".txt"))
        elif path.exists():
            yield path


def readable(path: Path, folder: Path) -> Path:
    """`path`, or its gunzipped copy under `folder` (a build reads .gz too; the copy keeps
    the benchmark independent of which names the registry accepts)."""
    if path.suffix != ".gz":
        return path
    inner = folder / path.stem
    if not inner.suffix:
        inner = inner.with_suffix(".txt")
    inner.write_bytes(gzip.decompress(path.read_bytes()))
    return inner


def measure(path: Path, counter: Counter[str], embedder: object) -> None:
    from ingest.analyze import analyze, read_file
    from ingest.sentences import sentence_units

    loaded = read_file(path, path.parent)
    analysis = analyze(loaded, embedder.span_counter(loaded.document.text))  # type: ignore[attr-defined]
    kind = path.suffix.lstrip(".")
    code = [(b.start, b.end) for b in analysis.blocks if b.kind == "code"]
    for passage in analysis.passages:
        text = passage.text
        for start, end in sentence_units(text):
            at = passage.start + start
            if any(s <= at < e for s, e in code):  # a program's lines are not sentences
                continue
            unit = text[start:end]
            counter[f"{kind} units"] += 1
            if _MARKUP_LINE.search(unit):
                counter[f"{kind} units holding markup"] += 1
            following = text[end : end + 40]
            if not re.search(r"[.!?:;]$", unit) and _RUNS_ON.match(following):
                counter[f"{kind} units stopping before their sentence ends"] += 1


def main(argv: Sequence[str] | None = None) -> int:
    from index.embed import Embedder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=list(DEFAULTS))
    args = parser.parse_args(argv)
    found = list(files(args.paths))
    if not found:
        print("no files: install python3-pip, systemd and man-db docs", file=sys.stderr)
        return 0
    embedder = Embedder()
    counter: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for path in found:
            try:
                measure(readable(path, Path(tmp)), counter, embedder)
            except Exception as error:  # a file the build would skip: report, go on
                counter["files skipped"] += 1
                print(f"skipped {path}: {error}", file=sys.stderr)
    print(f"files: {len(found)}")
    for key in sorted(counter):
        print(f"{key}: {counter[key]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
