"""Caveats the rules find in real technical manuals, by kind: none should limit harm done
to a person.

    python -m benchmarks.caveat_scan [PATTERN ...]

By default Python's library and HOWTO pages (Debian's python3.11-doc) and R's manuals
(r-doc-pdf), read through cited's own readers with the caveat rules alone (no model).
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
    from ingest.caveats import PERSONAL_KINDS, find_caveats
    from ingest.formats.base import Limits
    from ingest.load import load_document

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("patterns", nargs="*", default=list(DEFAULT))
    args = parser.parse_args(argv)
    limits = Limits(seconds=900, memory_mb=8192)  # R's reference manual is 3,700 pages
    kinds: Counter[str] = Counter()
    personal: list[tuple[str, str, str]] = []
    documents = 0
    for path in sorted(Path(p) for pattern in args.patterns for p in glob.glob(pattern)):
        try:
            document = load_document(path, path.parent, limits)
        except Exception as error:  # a file the readers refuse is reported, not counted
            print(f"skipped {path}: {error}", file=sys.stderr)
            continue
        documents += 1
        for caveat in find_caveats(document):
            kinds[caveat.kind] += 1
            if caveat.kind in PERSONAL_KINDS:
                personal.append((path.name, caveat.kind, " ".join(caveat.text.split())))
    print(f"{documents} documents; caveats by kind: {dict(sorted(kinds.items()))}")
    for name, kind, text in personal:
        print(f"  {kind:12} {name}: {text[:120]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
