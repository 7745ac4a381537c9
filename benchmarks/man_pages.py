"""Manual pages saved as text, as a user saves them (`man PAGE > PAGE.txt`): their sections.

    python -m benchmarks.man_pages [--json] [PAGE ...]

Each page is formatted by the machine's `man` (MANWIDTH=80) into a temporary folder and read
by cited's loader and cleaner; nothing is embedded. Per page: passages, and how many stand
under a section that is page furniture (the header line "SYSTEMCTL(1) systemctl
SYSTEMCTL(1)"), a row of a drawn table ("│ … │"), or a section or option name as `man`
sets it (a line left of the body text, or one with its text indented under it, no blank
line between: "OPTIONS", "-f, --follow", "Restart="), judged from the page's raw lines,
never by the reader's rules. Pages `man` cannot format are reported as missing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

PAGES = (
    "systemctl",
    "journalctl",
    "5:systemd.unit",
    "5:systemd.service",
    "man",
    "apropos",
    "5:manpath",
    "ls",
    "tar",
    "grep",
    "ssh",
    "git-commit",
)
_HEADER = re.compile(r"\S+\(\w+\)\s{2,}.*")


def render(page: str, folder: Path) -> Path | None:
    """`man [SECTION] NAME` as text in `folder`, or None when man has no such page."""
    section, _, name = page.rpartition(":")
    env = {**os.environ, "MANWIDTH": "80", "MAN_KEEP_FORMATTING": ""}
    command = ["man", *([section] if section else []), name]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        return None
    path = folder / f"{name}.{section or '1'}.txt"
    path.write_text(done.stdout, encoding="utf-8")
    return path


def layout_names(text: str) -> set[str]:
    """The names `man` set as section, sub-section or option names: lines indented less
    than the body text, or followed at once by a more indented line, words folded."""
    lines = text.splitlines()
    names = set()
    for line, after in zip(lines, [*lines[1:], ""], strict=True):
        indent = len(line) - len(line.lstrip())
        next_indent = len(after) - len(after.lstrip())
        if not line.strip() or _HEADER.fullmatch(line.strip()):
            continue
        if indent < 7 or (after.strip() and next_indent > indent):
            names.add(" ".join(line.split()))
            tag = line[:next_indent]  # "-c     with -lt: …": the name before the text
            if next_indent > indent and tag.endswith("  ") and line[next_indent:][:1].strip():
                names.add(" ".join(tag.split()))
    return names


def measure(path: Path) -> dict[str, object]:
    from ingest.analyze import analyze, read_file
    from ingest.inspect import TokenCounter

    loaded = read_file(path, path.parent)
    text = loaded.document.text
    passages = analyze(loaded, TokenCounter().span_counter(text)).passages
    names = layout_names(text)
    header = " ".join(text.strip().splitlines()[0].split())
    return {
        "page": path.name,
        "passages": len(passages),
        "sections": len({p.section for p in passages}),
        "under_header_line": sum(p.section == header for p in passages),
        "under_table_row": sum(bool(re.search("[\u2500-\u257f]", p.section)) for p in passages),
        "under_a_man_name": sum(p.section in names for p in passages),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", default=list(PAGES))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for page in args.pages:
            path = render(page, Path(folder))
            rows.append(measure(path) if path else {"page": page, "missing": True})
    if args.json:
        print(json.dumps(rows))
        return 0
    keys = ("passages", "sections", "under_header_line", "under_table_row", "under_a_man_name")
    print(f"{'page':24}" + "".join(f"{k:>20}" for k in keys))
    for row in rows:
        if row.get("missing"):
            print(f"{row['page']:24} missing")
            continue
        print(f"{row['page']:24}" + "".join(f"{row[k]:>20}" for k in keys))
    found = [r for r in rows if not r.get("missing")]
    totals = {k: sum(int(r[k]) for r in found) for k in keys}  # type: ignore[call-overload]
    print(f"{'all':24}" + "".join(f"{totals[k]:>20}" for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
