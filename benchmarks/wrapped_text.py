"""Hard-wrapped plain text: how many headings are a paragraph's first line, and how many
passages start mid-sentence, on real Debian text documents (issue #13).

    python -m benchmarks.wrapped_text [PATH ...]

Default PATHs: the Debian text documents below (those installed are read). A heading is a
"wrapped first line" when the next line follows it with no blank line between and carries
on in lower case; a passage "starts lower-case" when its first letter is (names such as
"man-db" or "libpng" do too, so 0 is not the goal).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ingest.analyze import analyze, read_file
from ingest.inspect import TokenCounter
from ingest.structure import blocks

DEBIAN_TEXTS = (
    "man-db/man-db-manual.txt.gz",
    "debian/FAQ/debian-faq.en.txt.gz",
    "libpng16-16/libpng-manual.txt.gz",
    "python3/python-policy.txt.gz",
    "fontconfig/fontconfig-user.txt.gz",
    "liblzma-dev/xz-file-format.txt.gz",
    "zlib1g-dev/algorithm.txt.gz",
    "dpkg/spec/triggers.txt",
    "dpkg/spec/frontend-api.txt",
    "base-passwd/users-and-groups.txt.gz",
    "libjpeg-dev/structure.txt.gz",
    "git/RelNotes/2.38.2.txt",
    "git/contrib/subtree/git-subtree.txt",
)


def measure(paths: list[Path]) -> dict[str, float]:
    counter = TokenCounter(None)
    headings = wrapped = passages = lower = 0
    for path in paths:
        loaded = read_file(path, path.parent)
        text = loaded.document.text
        for block in blocks(loaded.document):
            if block.kind == "heading":
                headings += 1
                rest = text[block.end :]
                wrapped += rest[:1] == "\n" and rest[1:].lstrip(" \t")[:1].islower()
        for passage in analyze(loaded, counter.span_counter(text)).passages:
            passages += 1
            lower += passage.text.lstrip()[:1].islower()
    return {
        "files": len(paths),
        "headings": headings,
        "wrapped_first_lines": wrapped,
        "passages": passages,
        "passages_starting_lower_case": round(lower / max(passages, 1), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args()
    paths = args.paths or [
        p for p in (Path("/usr/share/doc") / name for name in DEBIAN_TEXTS) if p.is_file()
    ]
    print(json.dumps(measure(paths)))


if __name__ == "__main__":
    main()
