"""Rebuild benchmark: a full build of a synthetic corpus, then the incremental rebuilds after
editing one article, adding one and removing one, each with its ratio to the full build.

    python -m benchmarks.rebuild [--articles 1000] [--seed 0] [--out DIR] [--profile]
                                 [--seeded-base]

The model is loaded once before any timing; every build is `ingest.pipeline.build_index`,
as `cited ingest` runs it. Results go to benchmarks/rebuild-results.json.

`--seeded-base` builds the starting index with stand-in vectors (unit vectors drawn from
each text's hash, stored in the embedding cache under the real model's name) instead of the
model: 10,000 articles would otherwise take hours to embed. The rebuilds that follow run
the real model on whatever is not cached, exactly as after a real full build; the vectors'
values do not change what a rebuild reads, writes or searches.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.generate import edit_one_article, generate_corpus

RESULTS = Path(__file__).resolve().parent / "rebuild-results.json"


class SeededEmbedder:
    """The real embedder's name, window and tokenizer, with stand-in vectors: each text's
    vector is drawn from its sha256, so the cache it fills holds one vector per text."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.model_name = real.model_name
        self.dimension = real.dimension
        self.max_tokens = real.max_tokens

    def count_tokens(self, text: str) -> int:
        return self._real.count_tokens(text)

    def span_counters(self, texts: Sequence[str]) -> list[Callable[[int, int], int]]:
        return self._real.span_counters(texts)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            out[row] = np.random.default_rng(seed).standard_normal(self.dimension)
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]


def _timed_build(corpus: Path, index: Path, embedder: Any, profile: bool) -> dict[str, Any]:
    """One build_index call: wall seconds, its summary counts and (optionally) a profile."""
    from ingest.pipeline import build_index

    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    summary = build_index(corpus, index, embedder)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    data = summary.to_dict()
    row = {"seconds": round(seconds, 2), **data["documents"], **data["passages"]}
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        row["profile"] = out.getvalue()
    return row


def _one_new_article(corpus: Path, seed: int) -> Path:
    """A generated article not in the corpus, written into it."""
    with tempfile.TemporaryDirectory() as spare:
        source = generate_corpus(Path(spare), 1, seed=seed + 1)[0]
        target = corpus / f"added-{source.name}"
        shutil.copy2(source, target)
    return target


def run(
    articles: int,
    seed: int,
    work: Path,
    profile: bool,
    seeded_base: bool = False,
    embedder: Any = None,
) -> dict[str, Any]:
    """Build, then time each rebuild case; returns the results (see `main`)."""
    from index.embed import Embedder
    from index.loaded import LoadedIndex

    corpus, index = work / "corpus", work / "index"
    started = time.perf_counter()
    files = generate_corpus(corpus, articles, seed=seed)
    generated = time.perf_counter() - started
    if embedder is None:
        embedder = Embedder()
        embedder.encode_query("warm up")
    steps: list[tuple[str, Callable[[], object]]] = [
        ("full build", lambda: None),
        ("edit one article", lambda: edit_one_article(files[articles // 2], seed)),
        ("add one article", lambda: _one_new_article(corpus, seed)),
        ("remove one article", lambda: files[articles // 3].unlink()),
        ("nothing changed", lambda: None),
    ]
    rows = []
    for name, change in steps:
        change()
        first = name == "full build"
        builder = SeededEmbedder(embedder) if first and seeded_base else embedder
        row = _timed_build(corpus, index, builder, profile and not first)
        rows.append({"case": name, **row})
        print(f"{name}: {row['seconds']:.2f}s", flush=True)
    full = rows[0]["seconds"]
    for row in rows:
        row["ratio"] = round(row["seconds"] / full, 4)
    with LoadedIndex.load(index, verify=False, lazy=True) as loaded:
        segments = len(loaded.segments)
    return {
        "articles": articles,
        "seed": seed,
        "corpus_megabytes": round(sum(p.stat().st_size for p in corpus.iterdir()) / 1e6, 2),
        "generate_seconds": round(generated, 1),
        "model": embedder.model_name,
        "seeded_base": seeded_base,
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "segments": segments,
        "edit_one_article_s": rows[1]["seconds"],
        "rows": rows,
    }


def table(results: dict[str, Any]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| case | seconds | ratio to full | added | changed | removed | unchanged "
        "| embedded | reused | total passages |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results["rows"]:
        lines.append(
            f"| {r['case']} | {r['seconds']:.2f} | {r['ratio']:.3f} | {r['added']} "
            f"| {r['changed']} | {r['removed']} | {r['unchanged']} | {r['embedded']} "
            f"| {r['reused']} | {r['total']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: a temp one)")
    parser.add_argument("--profile", action="store_true", help="print cProfile of the rebuilds")
    parser.add_argument(
        "--seeded-base", action="store_true", help="build the starting index from stand-in vectors"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with tempfile.TemporaryDirectory(prefix="cited-rebuild-") as scratch:
        work = args.out or Path(scratch)
        if work.exists() and any(work.iterdir()):
            raise SystemExit(f"{work} is not empty; pass an empty or new folder")
        results = run(args.articles, args.seed, work, args.profile, args.seeded_base)
    for row in results["rows"]:
        if "profile" in row:
            print(f"\n--- profile: {row['case']} ---\n{row.pop('profile')}")
    print(table(results))
    args.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
