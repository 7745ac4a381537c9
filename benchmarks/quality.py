"""Answer-quality benchmark: retrieval modes side by side, abstention calibration, latency.

Builds (or opens) an index of the corpus, loads the model once, and runs the question set
through the assistant under each retrieval mode of MODES. Prints a Markdown table (the one
in docs/quality.md) with tune and heldout figures, the distributions the abstention
threshold is chosen from, and the median time per answer of the shipped settings.

    HF_HUB_OFFLINE=1 python -m benchmarks.quality [--index DIR] [--target-tokens N] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

#: No abstention: retrieval rows compare ranking only, each mode having its own score scale.
NEVER_ABSTAIN = -1.0

#: (label, settings changes) in table order; the last row is the shipped default.
MODES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("dense (passage cosine)", {"fusion": "dense", "sentence_weight": 0.0}),
    ("BM25 (section + text)", {"fusion": "bm25"}),
    ("hybrid, passages only (before)", {"fusion": "weighted", "sentence_weight": 0.0}),
    ("dense + sentences", {"fusion": "dense"}),
    ("hybrid RRF + sentences", {"fusion": "rrf"}),
    ("hybrid + sentences", {"fusion": "weighted"}),
    ("hybrid + sentences + diversity", {"fusion": "weighted", "diversity": True}),
)
SHIPPED = "shipped (+ abstention)"
CONSIDERED = 20  # hits the assistant weighs for k=5: max(4 * k, 20)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args = _parser().parse_args(argv)
    from assistant.evaluate import load_questions
    from index.embed import Embedder

    embedder = Embedder()
    questions = load_questions(args.questions)
    with tempfile.TemporaryDirectory(prefix="cited-quality-") as scratch:
        index_dir = args.index or Path(scratch) / "index"
        if args.index is None or args.target_tokens:
            _build(args.corpus, index_dir, embedder, args.target_tokens)
        result = run(index_dir, embedder, questions, args.k)
    print(json.dumps(result, indent=2) if args.json else format_result(result))
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__)
    p.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="articles folder")
    p.add_argument("--index", type=Path, help="an index of the corpus (default: build one)")
    p.add_argument("--questions", type=Path, default=ROOT / "tests" / "data" / "questions.jsonl")
    p.add_argument("--target-tokens", type=int, help="build with this passage target size")
    p.add_argument("-k", type=int, default=5, help="quotes per answer (default 5)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    return p


def _build(corpus: Path, index_dir: Path, embedder: Any, target_tokens: int | None) -> None:
    from index.records import ChunkSettings
    from ingest.pipeline import build_index

    settings = None
    if target_tokens:
        window = getattr(embedder, "max_tokens", ChunkSettings().max_tokens)
        settings = ChunkSettings(max_tokens=window, target_tokens=target_tokens)
    print(f"building the index of {corpus} in {index_dir} ...", file=sys.stderr)
    build_index(corpus, index_dir, embedder, full=True, settings=settings)


class TimedEncoder:
    """The embedder, encoding each question once (modes share the work) and timing it.

    `last` is the time the latest `encode_query` call spent in the model (0 when the
    question was already encoded), so a caller can tell model time from the rest."""

    def __init__(self, embedder: Any) -> None:
        self._embedder = embedder
        self.model_name = embedder.model_name
        self.dimension = embedder.dimension
        self._memo: dict[str, np.ndarray] = {}
        self.encode_seconds: list[float] = []
        self.last = 0.0

    def encode_query(self, text: str) -> np.ndarray:
        self.last = 0.0
        if text not in self._memo:
            started = time.perf_counter()
            self._memo[text] = self._embedder.encode_query(text)
            self.last = time.perf_counter() - started
            self.encode_seconds.append(self.last)
        return self._memo[text]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._embedder.encode(texts)


def run(index_dir: Path, embedder: Any, questions: Sequence[Any], k: int = 5) -> dict[str, Any]:
    """Every mode's metrics per split, the abstention calibration and the latency."""
    from assistant.answer import AnswerSettings, Assistant

    embedder = TimedEncoder(embedder)
    rows = {}
    for label, changes in MODES:
        settings = AnswerSettings(**{"diversity": False, "abstain_below": NEVER_ABSTAIN, **changes})
        rows[label] = _evaluate(Assistant(index_dir, embedder, settings=settings), questions, k)
    shipped = Assistant(index_dir, embedder)
    rows[SHIPPED] = _evaluate(shipped, questions, k)
    loaded = shipped.index()
    return {
        "index": {"passages": loaded.passage_count, **loaded.manifest.chunk_settings},
        "modes": rows,
        "abstention": calibrate(shipped, questions),
        "encode_query_median_ms": round(1000 * statistics.median(embedder.encode_seconds), 1),
        "settings": dataclasses.asdict(shipped.settings),
    }


def _evaluate(assistant: Any, questions: Sequence[Any], k: int) -> dict[str, Any]:
    """The eval metrics per split, quote counts, and the median time per answer spent
    outside the model (the question's vector is computed once, see TimedEncoder)."""
    from assistant.evaluate import boilerplate_checker, evaluate

    seconds: list[float] = []
    documents: list[int] = []

    def answer(question: str) -> dict[str, Any]:
        started = time.perf_counter()
        data = assistant.answer(question, k=k).to_dict()
        seconds.append(time.perf_counter() - started - assistant.embedder.last)
        documents.append(len({q["source"]["doc_id"] for q in data["quotes"]}))
        return data

    assistant.answer("warm up", k=k)
    report = evaluate(questions, answer, boilerplate_checker(assistant.index()))
    return {
        "splits": {name: dataclasses.asdict(m) for name, m in report.splits.items()},
        "median_ms": round(1000 * statistics.median(seconds), 1),
        "documents_per_answer": round(statistics.mean(d for d in documents if d), 2),
    }


def calibrate(assistant: Any, questions: Sequence[Any]) -> dict[str, Any]:
    """Best meaning score per question, by kind and split, and the threshold they give.

    The score is the one the assistant abstains on: the best meaning score among the hits
    it considers. The threshold is the midpoint between the lowest answerable and the
    highest out-of-domain score of the tune split; its margin is half that gap."""
    loaded = assistant.index()
    searcher = assistant.searcher(loaded)
    best: dict[str, dict[str, list[float]]] = {}
    for q in questions:
        hits = searcher.search(q.q, k=CONSIDERED)
        score = float(hits.semantic.max()) if len(hits) else 0.0
        best.setdefault(q.split, {}).setdefault(q.kind, []).append(score)
    tune = best["tune"]
    low, high = min(tune["answerable"]), max(tune["out_of_domain"])
    summary = {
        split: {
            "answerable_min": round(min(kinds["answerable"]), 3),
            "answerable_p5": round(float(np.percentile(kinds["answerable"], 5)), 3),
            "out_of_domain_max": round(max(kinds["out_of_domain"]), 3),
            "manipulative_min": round(min(kinds.get("manipulative", [np.nan])), 3),
        }
        for split, kinds in best.items()
    }
    return {
        "per_split": summary,
        "midpoint": round((low + high) / 2, 3),
        "margin": round((low - high) / 2, 3),
        "shipped_threshold": assistant.settings.abstain_below,
    }


def format_result(result: dict[str, Any]) -> str:
    """The Markdown tables and lines of docs/quality.md."""
    head = (
        "| mode | split | hit@1 | hit@5 | MRR@5 | highlight@5 | articles | ms excl. model |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    lines = [f"index: {json.dumps(result['index'])}", "", head]
    for label, row in result["modes"].items():
        for split in ("tune", "heldout"):
            m = row["splits"][split]
            lines.append(
                f"| {label} | {split} | {m['hit_at_1']:.3f} | {m['hit_at_5']:.3f} | "
                f"{m['mrr_at_5']:.3f} | {m['highlight_at_5']:.3f} | "
                f"{row['documents_per_answer']:.2f} | {row['median_ms']:.0f} |"
            )
    shipped = result["modes"][SHIPPED]["splits"]
    lines += ["", "| shipped, whole pipeline | tune | heldout | all |", "| --- | --- | --- | --- |"]
    for key in (
        "abstention_accuracy",
        "wrongly_abstained",
        "correctly_abstained",
        "manipulative_notice",
        "manipulative_caveat_hit",
        "false_notices",
        "boilerplate_quotes",
    ):
        cells = [_cell(shipped[s][key]) for s in ("tune", "heldout", "all")]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    lines += ["", f"question encoding (model), median: {result['encode_query_median_ms']} ms"]
    a = result["abstention"]
    lines += ["", "abstention (best meaning score per question):"]
    for split, d in a["per_split"].items():
        lines.append(f"  {split}: {json.dumps(d)}")
    lines.append(
        f"  tune midpoint {a['midpoint']} (margin ±{a['margin']}); "
        f"shipped threshold {a['shipped_threshold']}"
    )
    return "\n".join(lines)


def _cell(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    sys.exit(main())
