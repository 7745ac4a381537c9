"""Reading speed: files and passages per CPU-second of `cited inspect` (read, clean, chunk).

    python -m benchmarks.read_speed [PATH ...] [--passes N]

Issue #13's speed measure: every file under the PATHs (default: the shipped corpus/) goes
through `ingest.inspect.inspect_file` in this process, nothing embedded, `--passes` times
(a handful of small files is over in a blink, so several passes give a steadier figure).
CPU is this process's (`time.process_time`); a PDF is read in a child process whose CPU
is not counted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def files_under(paths: list[Path]) -> list[Path]:
    """The files of `paths` (each a file or a folder, walked), in a stable order."""
    found: list[Path] = []
    for path in paths:
        found += sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return found


def read_speed(files: list[Path], passes: int = 1) -> dict[str, Any]:
    """CPU seconds of inspecting `files` `passes` times; files and passages per CPU-second."""
    from ingest.inspect import TokenCounter, inspect_file

    counter = TokenCounter()
    passages = errors = 0
    started = time.process_time()
    for _ in range(passes):
        rows = [inspect_file(file, counter) for file in files]
        passages += sum(len(row.passages) for row in rows)
        errors += sum(row.error is not None for row in rows)
    cpu = time.process_time() - started
    return {
        "files": len(files),
        "passes": passes,
        "passages": passages // passes,
        "errors": errors // passes,
        "cpu_seconds": round(cpu, 2),
        "files_per_cpu_second": round(len(files) * passes / cpu, 1) if cpu else None,
        "passages_per_cpu_second": round(passages / cpu, 1) if cpu else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.read_speed")
    parser.add_argument("paths", type=Path, nargs="*", default=[REPO / "corpus"])
    parser.add_argument("--passes", type=int, default=1, help="read every file N times")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing or args.passes < 1:
        print(f"nothing to read: {', '.join(missing) or '--passes must be >= 1'}", file=sys.stderr)
        return 2
    print(json.dumps(read_speed(files_under(args.paths), args.passes)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
