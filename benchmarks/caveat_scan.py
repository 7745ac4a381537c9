"""Caveats the rules find in real technical manuals, by kind: none should limit harm done
to a person.

    python -m benchmarks.caveat_scan [PATTERN ...]

By default Python's library and HOWTO pages (Debian's python3.11-doc) and R's manuals
(r-doc-pdf), read as a build reads them (each format's own blocks, so a code block is
code) with the caveat rules alone (no model). Real web pages about people:

    python -m benchmarks.caveat_scan '../shared/benchmarks/webpages/pages/*.html'

Prints the count of documents and of caveats per kind, then every caveat of a
person-harming kind (`ingest.caveats.PERSONAL_KINDS`) with its file: in these manuals
each of those is a false one ("Coercion drops all attributes.").
"""

from __future__ import annotations

import argparse
import glob
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

DEFAULT = (
    "/usr/share/doc/python3.11/html/library/*.html",
    "/usr/share/doc/python3.11/html/howto/*.html",
    "/usr/share/R/doc/manual/*.pdf",
)


def main(argv: Sequence[str] | None = None) -> int:
    from ingest.analyze import document_blocks, read_file
    from ingest.caveats import PERSONAL_KINDS, apply_rules, find_caveats
    from ingest.formats.base import Limits

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("patterns", nargs="*", default=list(DEFAULT))
    args = parser.parse_args(argv)
    limits = Limits(seconds=900, memory_mb=8192)  # R's reference manual is 3,700 pages
    kinds: Counter[str] = Counter()
    personal: list[tuple[str, str, str]] = []
    documents = 0
    for path in sorted(Path(p) for pattern in args.patterns for p in glob.glob(pattern)):
        try:
            loaded = read_file(path, path.parent, limits)
        except Exception as error:  # a file the readers refuse is reported, not counted
            print(f"skipped {path}: {error}", file=sys.stderr)
            continue
        documents += 1
        ruled = apply_rules(loaded.document, document_blocks(loaded))
        for caveat in find_caveats(loaded.document, None, ruled):
            kinds[caveat.kind] += 1
            if caveat.kind in PERSONAL_KINDS:
                personal.append((path.name, caveat.kind, " ".join(caveat.text.split())))
    print(f"{documents} documents; caveats by kind: {dict(sorted(kinds.items()))}")
    for name, kind, text in personal:
        print(f"  {kind:12} {name}: {text[:120]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
