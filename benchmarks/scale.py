"""The index at scale: real vectors of generated passages, approximate vs exact search.

Embedding 100,000 passages takes about an hour on two cores, so vectors are kept under
benchmarks/out/ in parts of PART_ROWS rows, computed once per (model, seed) and reused by
every later run; an interrupted run resumes where it stopped. `generate_passages` is
prefix-stable, so the first n rows serve any smaller count.

`python -m benchmarks.scale --embed 100000` only fills the cache (e.g. in the background
before `make bench SCALE=100000`).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.generate import generate_passages

log = logging.getLogger(__name__)

OUT = Path(__file__).resolve().parent / "out"
PART_ROWS = 2_000
DOC_PASSAGES = 20  # passages per synthetic document in a scale index

Report = Callable[[str], None]


def vector_dir(model_name: str, seed: int, out: Path = OUT) -> Path:
    """Where the cached vectors of generate_passages(seed) live for one model."""
    return out / "scale-vectors" / f"{model_name.replace('/', '_')}-seed{seed}"


def cached_rows(folder: Path) -> int:
    """How many leading rows the complete parts in `folder` hold."""
    rows = 0
    while (folder / _part_name(rows)).is_file():
        rows += PART_ROWS
    return rows


def _part_name(start: int) -> str:
    return f"part-{start:07d}.npy"


def passage_vectors(
    texts: Sequence[str],
    embedder: Any,
    seed: int,
    out: Path = OUT,
    report: Report = print,
) -> np.ndarray:
    """Vectors of `texts` (= generate_passages(len(texts), seed)), embedding only the rows
    not cached yet, part by part."""
    folder = vector_dir(embedder.model_name, seed, out)
    folder.mkdir(parents=True, exist_ok=True)
    count = len(texts)
    parts = []
    started, embedded = time.perf_counter(), 0
    for start in range(0, count, PART_ROWS):
        path = folder / _part_name(start)
        if not path.is_file():
            chunk = texts[start : start + PART_ROWS]
            if len(chunk) < PART_ROWS:  # a partial tail is embedded but never cached
                parts.append(embedder.encode(chunk))
                break
            vectors = np.asarray(embedder.encode(chunk), dtype=np.float32)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vectors, allow_pickle=False)
            tmp.replace(path)
            embedded += len(chunk)
            rate = embedded / (time.perf_counter() - started)
            report(f"  embedded {start + len(chunk):,}/{count:,} passages ({rate:.1f}/s)")
        parts.append(np.load(path, mmap_mode="r")[: count - start])
    return np.ascontiguousarray(np.concatenate(parts)[:count], dtype=np.float32)


# --- approximate vs exact ----------------------------------------------------------------


@dataclass(frozen=True)
class AnnResult:
    """One approximate-index setting measured against exact search."""

    kind: str
    setting: str
    recall_at_5: float
    p50_ms: float
    p95_ms: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "setting": self.setting,
            "recall_at_5": round(self.recall_at_5, 4),
            "p50_ms": round(self.p50_ms, 3),
            "p95_ms": round(self.p95_ms, 3),
        }


def exact_top(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Exact top-k ids per query (inner product), with FAISS's flat index."""
    import faiss

    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    return flat.search(queries, k)[1]


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of each query's true top-k found in its approximate top-k."""
    hits = [
        len(set(f.tolist()) & set(t.tolist())) / len(t) for f, t in zip(found, truth, strict=True)
    ]
    return float(np.mean(hits))


Search = Callable[[np.ndarray, int, int], tuple[np.ndarray, np.ndarray]]


def timed_searches(search: Search, queries: np.ndarray, k: int, ef: int) -> tuple:
    """(ids of every query's top k, per-query latencies in ms), one query at a time;
    `search(query, k, ef_search)` gives (scores, ids)."""
    ids, times = [], []
    for query in queries:
        t0 = time.perf_counter()
        _, found = search(query, k, ef)
        times.append((time.perf_counter() - t0) * 1000)
        ids.append(found[:k])
    return np.stack(ids), np.asarray(times)


def single_index_search(index: Any) -> Search:
    """`search` over one FAISS HNSW index."""
    import faiss

    def search(query: np.ndarray, k: int, ef: int) -> tuple[np.ndarray, np.ndarray]:
        params = faiss.SearchParametersHNSW(efSearch=ef)
        scores, ids = index.search(query[None, :], k, params=params)
        return scores[0], ids[0]

    return search


def sweep_hnsw(
    search: Search,
    queries: np.ndarray,
    truth: np.ndarray,
    ef_values: Sequence[int],
    label: str,
    pool: int = 50,
) -> list[AnnResult]:
    """Recall@5 and latency of HNSW search for each efSearch, searching `pool` like
    HybridSearcher does (max(efSearch, pool) candidates, top 5 compared)."""
    results = []
    for ef in ef_values:
        ids, ms = timed_searches(search, queries, pool, max(ef, pool))
        results.append(
            AnnResult(
                "hnsw",
                f"{label}, efSearch={max(ef, pool)}",
                recall(ids[:, :5], truth[:, :5]),
                float(np.percentile(ms, 50)),
                float(np.percentile(ms, 95)),
            )
        )
    return results


# --- a published index of generated passages ---------------------------------------------


def synthetic_records(texts: Sequence[str]) -> tuple[list, list]:
    """Documents of DOC_PASSAGES passages each, whose text holds the passages verbatim."""
    from index.records import Document, Passage

    documents, passages = [], []
    for number, first in enumerate(range(0, len(texts), DOC_PASSAGES)):
        doc_id = f"scale-{number:05d}"
        chunk = texts[first : first + DOC_PASSAGES]
        title = f"Generated article {number}"
        body, offset = [], len(title) + 2
        for ordinal, text in enumerate(chunk):
            passages.append(Passage(doc_id, ordinal, title, offset, offset + len(text), text))
            body.append(text)
            offset += len(text) + 2
        full = "\n\n".join([title, *body])
        documents.append(Document(doc_id, f"{doc_id}.txt", title, full, doc_id))
    return documents, passages


def scale_documents(
    documents: Sequence[Any], passages: Sequence[Any], vectors: np.ndarray
) -> list[Any]:
    """The StoredDocuments of the generated records. Each sentence unit carries its
    passage's vector as a stand-in: embedding the ~7 units of 100,000 passages would take
    hours, and what the scale run measures (reading and scoring the units of each
    candidate) does not depend on the values."""
    from index.records import StoredDocument
    from ingest.sentences import sentence_units

    result, first = [], 0
    empty = np.zeros((0, vectors.shape[1]), dtype=np.float32)
    by_doc = {doc_id: list(group) for doc_id, group in groupby(passages, lambda p: p.doc_id)}
    for document in documents:
        mine = by_doc[document.doc_id]
        rows = [(i, s, e) for i, p in enumerate(mine) for s, e in sentence_units(p.text)]
        spans = np.asarray(rows, dtype=np.int64).reshape(-1, 3)
        own = vectors[first : first + len(mine)]
        result.append(
            StoredDocument(document, tuple(mine), (), own, empty, spans, own[spans[:, 0]])
        )
        first += len(mine)
    return result


def publish_scale_index(
    index_dir: Path, texts: Sequence[str], vectors: np.ndarray, embedder: Any
) -> float:
    """Publish a real index folder over `texts`; returns the seconds it took."""
    from index.writer import IndexWriter

    documents, passages = synthetic_records(texts)
    started = time.perf_counter()
    settings = {"max_tokens": embedder.max_tokens, "target_tokens": 160}
    writer = IndexWriter(index_dir, embedder.model_name, embedder.dimension, settings)
    writer.update(None, scale_documents(documents, passages, vectors))
    return time.perf_counter() - started


EF_SEARCH_SWEEP = (50, 64, 96, 128, 192, 256)


def run_scale(
    embedder: Any,
    work: Path,
    count: int,
    questions: Sequence[str],
    seed: int = 0,
    held_out: int = 100,
    serve_asks: int = 5,
    report: Report = print,
) -> dict[str, Any]:
    """Index `count` generated passages for real, then measure approximate vs exact search,
    the warm answer latency and the resident memory of `cited serve` over it."""
    from assistant.answer import Assistant
    from benchmarks.measure import folder_bytes, percentiles, serve_memory
    from index.loaded import LoadedIndex
    from index.search import HybridSearcher
    from index.segment import HNSW_EF_SEARCH, HNSW_M
    from index.segment_write import build_faiss

    report(f"  vectors of {count:,} generated passages (cached in {OUT.name}/) ...")
    texts = generate_passages(count, seed)
    vectors = passage_vectors(texts, embedder, seed, report=report)
    index_dir = work / f"index-scale-{count}"
    shutil.rmtree(index_dir, ignore_errors=True)
    report("  publishing the index (records, FAISS, BM25) ...")
    publish_seconds = publish_scale_index(index_dir, texts, vectors, embedder)
    del vectors
    queries = np.concatenate(
        [embedder.encode(list(questions)), embedder.encode(generate_passages(held_out, seed + 1))]
    )
    loaded = LoadedIndex.load(index_dir)
    truth = exact_top(np.ascontiguousarray(loaded.vectors, dtype=np.float32), queries, 50)
    kind = loaded.manifest.faiss_kind
    report(f"  {kind} index: recall@5 against exact search over {len(queries)} queries ...")
    segments = len(loaded.segments)
    if "hnsw" in kind:
        label = f"{segments} segments, M={HNSW_M}"
        sweep = sweep_hnsw(loaded.faiss_index.search, queries, truth, EF_SEARCH_SWEEP, label)
    else:  # below the threshold the index is exact; still show what HNSW would give
        report("  (exact below the HNSW threshold; building one HNSW index for the sweep)")
        hnsw = build_faiss(np.ascontiguousarray(loaded.vectors, dtype=np.float32), "hnsw")
        label = f"one graph, M={HNSW_M}"
        sweep = sweep_hnsw(single_index_search(hnsw), queries, truth, EF_SEARCH_SWEEP, label)
    searcher = HybridSearcher(loaded, embedder)
    ids = np.stack([searcher.dense_search(q, 50)[0][:5] for q in queries])
    assistant = Assistant(index_dir, embedder=embedder, check_interval=3600)
    for question in questions[:5]:
        assistant.answer(question)
    answer_ms, dense_ms = [], []
    for question in [*questions, *questions]:  # the second pass: highlights already seen
        embedder.forget()
        t0 = time.perf_counter()
        assistant.answer(question)
        t1 = time.perf_counter()
        embedder.forget()
        searcher.dense_search(embedder.encode_query(question), 50)
        answer_ms.append((t1 - t0) * 1000)
        dense_ms.append((time.perf_counter() - t1) * 1000)
    version = index_dir / "versions" / loaded.version
    result = {
        "passages": count,
        "faiss_kind": kind,
        "segments": segments,
        "ef_search": HNSW_EF_SEARCH if "hnsw" in kind else None,
        "recall_at_5": round(recall(ids, truth[:, :5]), 4),
        "queries": len(queries),
        "publish_s": round(publish_seconds, 1),
        "index_bytes": folder_bytes(version),
        "answer": percentiles(answer_ms[: len(questions)]),
        "answer_repeat": percentiles(answer_ms[len(questions) :]),
        "encode_and_dense_search": percentiles(dense_ms),
        "sweep": [r.to_dict() for r in sweep],
    }
    loaded.close()
    report("  cited serve over it ...")
    result["serve"] = serve_memory(index_dir, questions, asks=serve_asks)
    return result


def main(argv: list[str] | None = None) -> None:
    """CLI: fill the vector cache for `--embed N` passages."""
    parser = argparse.ArgumentParser(description="Embed generated passages for the scale run.")
    parser.add_argument("--embed", type=int, required=True, metavar="N")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from index.embed import Embedder

    embedder = Embedder()
    texts = generate_passages(args.embed, args.seed)
    vectors = passage_vectors(texts, embedder, args.seed, report=lambda s: print(s, flush=True))
    print(f"{len(vectors):,} vectors cached in {vector_dir(embedder.model_name, args.seed)}")


if __name__ == "__main__":
    main()
