"""Passages that are mostly link text (tables of contents quoted as answers), per HTML page.

    python -m benchmarks.link_passages PATH [PATH ...] [--share 0.8] [--examples N]

Every .html file under the PATHs is read, cleaned and chunked as `cited inspect` does;
a passage counts when at least `--share` of its text lies in blocks the HTML reader
measured as link text (`Part.linked`, weighted by each block's length). Prints the total,
the pages with most, and a few examples.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ingest.formats.html as html
from ingest.analyze import analyze, read_file
from ingest.formats.html_chrome import Part
from ingest.inspect import TokenCounter


def _with_link_shares(path: Path, counter: TokenCounter) -> tuple[list[tuple[str, float]], int]:
    """(text, link share) of each passage of the page, and how many passages it has."""
    seen: list[list[Part]] = []
    marked = html.chrome_parts

    def spy(parts: Sequence[Part]) -> list[tuple[int, str]]:
        seen.append(list(parts))
        return marked(parts)

    html.chrome_parts = spy  # the reader's parts, with their link shares, as it sees them
    try:
        loaded = read_file(path, path.parent)
    finally:
        html.chrome_parts = marked
    analysis = analyze(loaded, counter.span_counter(loaded.document.text))
    if not seen or loaded.blocks is None or len(seen[-1]) != len(loaded.blocks):
        return [], len(analysis.passages)
    pairs = list(zip(loaded.blocks, seen[-1], strict=True))
    shares = []
    for passage in analysis.passages:
        inside = [(b, p) for b, p in pairs if passage.start <= b.start and b.end <= passage.end]
        chars = sum(b.end - b.start for b, _ in inside)
        if chars:
            linked = sum(p.linked * (b.end - b.start) for b, p in inside) / chars
            shares.append((passage.text, linked))
    return shares, len(analysis.passages)


def count(paths: list[Path], share: float) -> dict[str, Any]:
    """Passages, link-only passages and the pages that have them."""
    counter = TokenCounter()
    files = sorted(f for p in paths for f in ([p] if p.is_file() else p.rglob("*.html")))
    total, per_page, examples = 0, Counter[str](), []
    for file in files:
        try:
            shares, passages = _with_link_shares(file, counter)
        except Exception as e:  # an unreadable page is skipped, as inspect reports it
            print(f"skipped {file}: {e}")
            continue
        total += passages
        for text, linked in shares:
            if linked >= share:
                per_page[str(file)] += 1
                examples.append((str(file), round(linked, 2), text[:150].replace("\n", " / ")))
    return {
        "files": len(files),
        "passages": total,
        "link_only_passages": sum(per_page.values()),
        "pages": per_page.most_common(),
        "examples": examples,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.link_passages")
    parser.add_argument("paths", type=Path, nargs="+", help="HTML files or folders")
    parser.add_argument("--share", type=float, default=0.8, help="link share that counts")
    parser.add_argument("--examples", type=int, default=10, help="examples to print")
    args = parser.parse_args(argv)
    found = count(args.paths, args.share)
    summary = {k: found[k] for k in ("files", "passages", "link_only_passages")}
    print(json.dumps(summary))
    for page, n in found["pages"][:20]:
        print(n, page)
    for example in found["examples"][: args.examples]:
        print(example)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
