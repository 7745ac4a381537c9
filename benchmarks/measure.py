"""The measurements of `benchmarks.run`, one function per section, each returning a dict.

Everything runs the real thing: the real model, real builds into folders under the work
directory, fresh `python -m assistant` processes for cold start and a real `cited serve`
on 127.0.0.1 for resident memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.generate import edit_one_article, generate_corpus

REPO = Path(__file__).resolve().parent.parent
SHIPPED_CORPUS = REPO / "corpus"
QUESTIONS = REPO / "tests" / "data" / "questions.jsonl"

CITED = (sys.executable, "-m", "assistant")

Report = Callable[[str], None]


def percentiles(values_ms: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 and mean of latencies in milliseconds, rounded to microseconds."""
    values = np.asarray(values_ms, dtype=np.float64)
    if values.size == 0:
        return {"n": 0}
    stats = {f"p{p}_ms": float(np.percentile(values, p)) for p in (50, 95, 99)}
    stats["mean_ms"] = float(values.mean())
    return {k: round(v, 3) for k, v in stats.items()} | {"n": int(values.size)}


def load_questions(path: Path = QUESTIONS) -> list[str]:
    """The question texts of a JSONL question set (field `q`)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["q"] for line in lines if line.strip()]


def folder_bytes(path: Path) -> int:
    """Total size of the files below `path`."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def files_by_kind(version: Path) -> dict[str, int]:
    """Bytes per kind of file in a version, over all its segments ("faiss.index", ...)."""
    sizes: dict[str, int] = {}
    for path in sorted(version.rglob("*")):
        if path.is_file():
            parts = path.relative_to(version).parts
            kind = "/".join(parts[2:] if parts[0] == "segments" else parts)
            sizes[kind] = sizes.get(kind, 0) + path.stat().st_size
    return sizes


def _published(index_dir: Path) -> Path:
    from index.versions import VERSIONS_DIR, current_version

    return Path(index_dir) / VERSIONS_DIR / str(current_version(index_dir))


# --- throughput and rebuild --------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process so far, all threads (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def raw_encode(embedder: Any, texts: Sequence[str]) -> dict[str, float]:
    """Passages/s and tokens/s of the embedder alone over `texts` (wall and CPU time)."""
    tokens = sum(embedder.count_tokens(t) for t in texts)
    embedder.forget()
    cpu, started = cpu_seconds(), time.perf_counter()
    embedder.encode(list(texts))
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {
        "passages": len(texts),
        "tokens": tokens,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "passages_per_s": round(len(texts) / seconds, 2),
        "tokens_per_s": round(tokens / seconds, 1),
        "passages_per_cpu_s": round(len(texts) / cpu, 2),
        "tokens_per_cpu_s": round(tokens / cpu, 1),
    }


@contextlib.contextmanager
def recording_model_input(embedder: Any) -> Iterator[list[str]]:
    """Inside the block, every text the embedder's model encodes (not those its memo or the
    embedding cache answered) is appended to the yielded list."""
    backend = embedder.model
    encode = backend.encode
    seen: list[str] = []

    def recording(texts: Sequence[str], *args: Any, **kwargs: Any) -> Any:
        seen.extend(texts)
        return encode(texts, *args, **kwargs)

    backend.encode = recording
    try:
        yield seen
    finally:
        del backend.encode  # the instance attribute; the class method shows through again


#: Passages encoded alone for the passages-per-second comparison.
PASSAGE_SAMPLE = 1000


def sample(items: Sequence[str], count: int) -> list[str]:
    """`count` items spread evenly over `items` (all of them when there are fewer, or when
    `count` is 0)."""
    if count <= 0 or len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def throughput(
    embedder: Any,
    work: Path,
    articles: int,
    seed: int = 0,
    raw_sample: int = 0,
    torch_sample: int = 0,
    report: Report = print,
) -> dict[str, Any]:
    """Full build of `articles` generated articles, the raw encode rate of the same texts
    in the same run, then the rebuild after one article changes.

    The raw rate is of every text the build's model encoded (`raw_sample` of them when
    given): the same work over as long a stretch as the build, where a 20-second sample
    moved with this machine's speed by ±12 % from run to run."""
    from index.loaded import LoadedIndex
    from ingest.pipeline import build_index

    corpus, index_dir = work / f"corpus-{articles}", work / f"index-{articles}"
    for folder in (corpus, index_dir):
        shutil.rmtree(folder, ignore_errors=True)
    paths = generate_corpus(corpus, articles, seed)
    report(f"  full build of {articles:,} articles ...")
    cpu, started = cpu_seconds(), time.perf_counter()
    with recording_model_input(embedder) as encoded:
        summary = build_index(corpus, index_dir, embedder, full=True)
    full_seconds, full_cpu = time.perf_counter() - started, cpu_seconds() - cpu
    with LoadedIndex.load(index_dir, verify=False) as loaded:
        texts = [p.text for p in loaded.passages(range(loaded.passage_count))]
    tokens = sum(embedder.count_tokens(t) for t in texts)
    model_tokens = sum(embedder.count_tokens(t) for t in encoded)
    again = sample(encoded, raw_sample)
    report(f"  raw encode of {len(again):,} of the {len(encoded):,} texts the build encoded ...")
    raw = raw_encode(embedder, again)
    passages = sample(texts, raw_sample or PASSAGE_SAMPLE)
    report(f"  raw encode of {len(passages):,} of its passages ...")
    raw_passages = raw_encode(embedder, passages)
    version = _published(index_dir)
    result: dict[str, Any] = {
        "articles": articles,
        "passages": summary.total,
        "tokens": tokens,
        "full_build_s": round(full_seconds, 3),
        "ingest_passages_per_s": round(summary.total / full_seconds, 2),
        "ingest_tokens_per_s": round(tokens / full_seconds, 1),
        # what the model encoded: passages, caveat candidates and sentence units
        "model_texts": len(encoded),
        "model_tokens": model_tokens,
        "ingest_model_tokens_per_s": round(model_tokens / full_seconds, 1),
        "raw_encode": raw,
        "ingest_vs_raw": round(model_tokens / full_seconds / raw["tokens_per_s"], 3),
        # On a busy machine wall times drift between the two runs; CPU time does not.
        "full_build_cpu_s": round(full_cpu, 3),
        "ingest_vs_raw_cpu": round(model_tokens / full_cpu / raw["tokens_per_cpu_s"], 3),
        "raw_encode_passages": raw_passages,
        "passages_vs_raw": round(summary.total / full_seconds / raw_passages["passages_per_s"], 3),
        "index_bytes": folder_bytes(version),
        "index_files": files_by_kind(version),
        "cache_bytes": folder_bytes(index_dir / "cache"),
        "corpus_bytes": folder_bytes(corpus),
        "faiss_kind": json.loads((version / "manifest.json").read_text())["faiss_kind"],
    }
    if torch_sample:
        result["torch_raw_encode"] = torch_reference(sample(texts, torch_sample), report)
        result["numpy_raw_encode_same_sample"] = raw_encode(embedder, sample(texts, torch_sample))
    edit_one_article(paths[len(paths) // 2], seed=seed + 1)
    report("  rebuild after one article changed ...")
    started = time.perf_counter()
    rebuilt = build_index(corpus, index_dir, embedder)
    result["one_article_rebuild_s"] = round(time.perf_counter() - started, 3)
    result["one_article_rebuild"] = rebuilt.to_dict()["passages"]
    return result


def torch_reference(texts: Sequence[str], report: Report = print) -> dict[str, float]:
    """The same model through sentence-transformers and torch, for comparison."""
    from index.embed import Embedder

    report(f"  sentence-transformers (torch) encode of {len(texts):,} passages ...")
    reference = Embedder(backend="sentence-transformers")
    reference.encode_query("warm up")
    return raw_encode(reference, texts)


def batch_sizes(embedder: Any, texts: Sequence[str], sizes: Sequence[int]) -> dict[str, float]:
    """Passages/s of the embedder for each batch size, over the same texts."""
    original, rates = embedder.batch_size, {}
    try:
        for size in sizes:
            embedder.forget()
            embedder.batch_size = size
            rates[str(size)] = raw_encode(embedder, texts)["passages_per_s"]
    finally:
        embedder.batch_size = original
    return rates


# --- warm latency ------------------------------------------------------------------------


def build_shipped(embedder: Any, work: Path) -> Path:
    """The shipped corpus indexed into the work folder (once per run)."""
    from ingest.pipeline import build_index

    index_dir = work / "index-shipped"
    shutil.rmtree(index_dir, ignore_errors=True)
    build_index(SHIPPED_CORPUS, index_dir, embedder, full=True)
    return index_dir


def warm_latency(
    embedder: Any,
    index_dir: Path,
    questions: Sequence[str],
    repeats: int = 3,
    read_quotes: bool = False,
) -> dict[str, Any]:
    """Assistant.answer per question in one warm process, next to the floor: the query
    encode plus an exact FAISS search of the same passages, timed in the same loop."""
    import faiss

    from assistant.answer import AnswerSettings, Assistant
    from index.loaded import LoadedIndex

    settings = AnswerSettings(read_quotes=read_quotes)
    assistant = Assistant(index_dir, embedder=embedder, check_interval=3600, settings=settings)
    with LoadedIndex.load(index_dir, verify=False) as loaded:
        flat = faiss.IndexFlatIP(loaded.dimension)
        flat.add(np.ascontiguousarray(loaded.vectors, dtype=np.float32))
        passages = loaded.passage_count
    for question in questions[:5]:  # warm caches and lazy imports
        assistant.answer(question)
    answer_ms, floor_ms = [], []
    for _ in range(repeats):
        for question in questions:
            embedder.forget()  # every question pays its own encodes, as a new question does
            t0 = time.perf_counter()
            assistant.answer(question)
            t1 = time.perf_counter()
            embedder.forget()
            query = embedder.encode_query(question)
            flat.search(query[None, :], 20)
            t2 = time.perf_counter()
            answer_ms.append((t1 - t0) * 1000)
            floor_ms.append((t2 - t1) * 1000)
    answer, floor = percentiles(answer_ms), percentiles(floor_ms)
    return {
        "passages": passages,
        "questions": len(questions),
        "repeats": repeats,
        "answer": answer,
        # The first pass meets every quoted passage for the first time in this process.
        "answer_first_pass": percentiles(answer_ms[: len(questions)]),
        "floor": floor,
        "p50_vs_floor": round(answer["p50_ms"] / floor["p50_ms"], 3),
        "read_quotes": read_quotes,
    }


# --- cold start --------------------------------------------------------------------------


def _python_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env | (extra or {})


def cold_start(
    index_dir: Path, question: str, runs: int = 3, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Wall time of `python -m assistant ask QUESTION --json` in fresh processes."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(
            [*CITED, "ask", question, "--index", str(index_dir), "--json"],
            cwd=REPO,
            capture_output=True,
            text=True,
            env=_python_env(env),
            timeout=600,
        )
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise RuntimeError(f"cited ask failed: {result.stderr.strip()[-500:]}")
        json.loads(result.stdout)  # a complete answer came back
    return {
        "runs": runs,
        "median_s": round(float(np.median(times)), 3),
        "min_s": round(min(times), 3),
        "all_s": [round(t, 3) for t in times],
    }


_STAGES_PROBE = """
import json, sys, time
t0 = time.perf_counter()
from assistant.answer import Assistant
from index.embed import Embedder
t1 = time.perf_counter()
embedder = Embedder(); embedder.encode_query("warm up")
t2 = time.perf_counter()
assistant = Assistant(sys.argv[1], embedder=embedder, check_interval=3600); assistant.index()
t3 = time.perf_counter()
assistant.answer(sys.argv[2])
t4 = time.perf_counter()
print(json.dumps({"imports_s": t1 - t0, "model_s": t2 - t1, "index_s": t3 - t2,
                  "first_answer_s": t4 - t3, "torch_imported": "torch" in sys.modules}))
"""


def cold_stages(
    index_dir: Path, question: str, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Where a fresh process spends its time before the first answer."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", _STAGES_PROBE, str(index_dir), question],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=_python_env(env),
        timeout=600,
    )
    total = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"cold-start probe failed: {result.stderr.strip()[-500:]}")
    stages = json.loads(result.stdout.strip().splitlines()[-1])
    timed = {k: round(v, 3) for k, v in stages.items() if k.endswith("_s")}
    timed["interpreter_and_exit_s"] = round(total - sum(timed.values()), 3)
    return timed | {"total_s": round(total, 3), "torch_imported": stages["torch_imported"]}


def help_seconds() -> float:
    """Wall time of `cited --help` in a fresh process."""
    started = time.perf_counter()
    subprocess.run(
        [*CITED, "--help"],
        cwd=REPO,
        capture_output=True,
        env=_python_env(),
        check=True,
        timeout=120,
    )
    return round(time.perf_counter() - started, 3)


# --- resident memory of `cited serve` ----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"cited serve exited with status {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise TimeoutError(f"cited serve did not listen on 127.0.0.1:{port} in {timeout:.0f}s")


def serve_memory(
    index_dir: Path, questions: Sequence[str], asks: int = 5, timeout: float = 300
) -> dict[str, Any]:
    """Start `cited serve` on loopback, ask a few questions through its API, read VmRSS."""
    from gradio_client import Client

    port = _free_port()
    log = (Path(index_dir).parent / f"serve-{port}.log").open("w")
    started = time.perf_counter()
    process = subprocess.Popen(
        [*CITED, "serve", "--index", str(index_dir), "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        env=_python_env({"GRADIO_ANALYTICS_ENABLED": "False"}),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_port(port, process, timeout)
        ready = time.perf_counter() - started
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        ms = []
        for question in list(questions)[:asks]:
            t0 = time.perf_counter()
            answer = client.predict(question, 5, [], api_name="/ask")
            ms.append((time.perf_counter() - t0) * 1000)
            if "quotes" not in answer:
                raise RuntimeError(f"unexpected answer from cited serve: {str(answer)[:200]}")
        return {
            "rss_mb": round(_status_kb(process.pid, "VmRSS") / 1024, 1),
            "peak_rss_mb": round(_status_kb(process.pid, "VmHWM") / 1024, 1),
            # private memory vs pages of memory-mapped index files (page cache, shared)
            "rss_anon_mb": round(_status_kb(process.pid, "RssAnon") / 1024, 1),
            "rss_file_mb": round(_status_kb(process.pid, "RssFile") / 1024, 1),
            "ready_s": round(ready, 3),
            "asks": len(ms),
            "api_round_trip": percentiles(ms),
        }
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
