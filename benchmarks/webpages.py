"""Main-text extraction on 618 real web pages: the benchmark's F1 of what cited indexes.

    python -m benchmarks.webpages [--pages DIR] [--jsonl OUT] [--limit N]

Each page goes through `cited inspect` (read, clean, chunk; nothing embedded) in this
process; `../shared/benchmarks/webpages/score.py` scores the title, section titles and
passages against the gold snippets (precision, recall, F1; for all pages and for each
half, A and B, split by a hash of the file name), and the pages and passages per CPU-second are
recorded beside them.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
#: ../shared beside the clone (CI), or beside the folder of worktrees (/work/wt/NAME).
BENCHMARK = next(
    (
        folder / "shared" / "benchmarks" / "webpages"
        for folder in (REPO.parent, REPO.parent.parent)
        if (folder / "shared" / "benchmarks" / "webpages").is_dir()
    ),
    REPO.parent / "shared" / "benchmarks" / "webpages",
)


def _scorer(folder: Path) -> ModuleType:
    """The benchmark's own score.py, loaded as a module."""
    spec = importlib.util.spec_from_file_location("webpage_score", folder / "score.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no score.py in {folder}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def inspect_pages(pages: list[Path]) -> tuple[list[dict[str, Any]], float]:
    """`cited inspect --json` rows of `pages`, and the CPU seconds they took."""
    from ingest.inspect import TokenCounter, inspect_file

    counter = TokenCounter()
    started = time.process_time()
    rows = [inspect_file(page, counter).to_dict() for page in pages]
    return rows, time.process_time() - started


def half_of(name: str) -> str:
    """ "A" or "B" by a stable hash of the page's file name: rules are designed on half A
    and checked on half B, so a rule fitted to a few pages shows as a gap between them."""
    return "A" if hashlib.sha256(name.encode()).digest()[0] % 2 == 0 else "B"


def score(
    rows: list[dict[str, Any]], folder: Path = BENCHMARK, half: str | None = None
) -> dict[str, float]:
    """Precision, recall and F1 over every gold snippet (of one `half` of the pages, if
    given), as score.py counts them."""
    scorer = _scorer(folder)
    data = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    texts = {Path(r.get("file", "")).name: scorer.indexed_text(r) for r in rows}
    tp = fp = fn = 0
    for item in data.values():
        if item["file"] not in texts or (half and half_of(item["file"]) != half):
            continue
        text = texts[item["file"]]
        kept = sum(scorer.norm(w) in text for w in item["with"])
        tp += kept
        fn += len(item["with"]) - kept
        fp += sum(scorer.norm(w) in text for w in item["without"])
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def run_webpages(
    folder: Path = BENCHMARK, limit: int | None = None, jsonl: Path | None = None
) -> dict[str, Any]:
    """The benchmark's figures: F1 and its parts, pages, errors, passages per CPU-second;
    with `jsonl`, the inspect rows are written there too (for score.py --misses)."""
    pages = sorted((folder / "pages").glob("*.html"))[:limit]
    rows, cpu = inspect_pages(pages)
    if jsonl is not None:
        jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    passages = sum(len(r["passages"]) for r in rows)
    halves = {
        f"{k}_{half}": round(v, 4) for half in "AB" for k, v in score(rows, folder, half).items()
    }
    return {
        **{k: round(v, 4) for k, v in score(rows, folder).items()},
        **halves,
        "pages": len(rows),
        "errors": sum(r["error"] is not None for r in rows),
        "cpu_seconds": round(cpu, 2),
        "pages_per_cpu_second": round(len(rows) / cpu, 1) if cpu else None,
        "passages_per_cpu_second": round(passages / cpu, 1) if cpu else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.webpages")
    parser.add_argument("--pages", type=Path, default=BENCHMARK, help="the benchmark folder")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--jsonl", type=Path, help="also write the inspect rows here")
    args = parser.parse_args(argv)
    if not (args.pages / "evaldata.json").is_file():
        print(f"no web-page benchmark in {args.pages}", file=sys.stderr)
        return 2
    print(json.dumps(run_webpages(args.pages, args.limit, args.jsonl)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
