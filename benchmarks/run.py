"""`make bench`: how fast cited is, measured for real, with PASS/FAIL per target.

    python -m benchmarks.run [--articles N] [--scale N] [--only SECTIONS] ...

Sections (all by default; `--scale` adds the last):
  throughput  full build of N generated articles (ingest passages/s and tokens/s) next to
              the raw encode rate of the same passages, index size, one-article rebuild
  latency     warm Assistant.answer p50/p95/p99 over the question set on the shipped
              corpus, next to the floor (query encode + exact FAISS search) in the same loop
  cold        `python -m assistant ask` wall time in fresh processes, and where it goes
  serve       resident memory of a real `cited serve` on 127.0.0.1 after a few questions
  scale       an index of N generated passages: recall@5 of the approximate index against
              exact search, warm p50, `cited serve` resident memory

Prints a table and writes benchmarks/results.json. Builds go to benchmarks/out/ (ignored
by git), where scale vectors are cached between runs. Figures from a busy machine are
noisy: the load average before and after is recorded with them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from benchmarks import measure

HERE = Path(__file__).resolve().parent
SECTIONS = (
    *("throughput", "latency", "cold", "serve", "rebuild", "scale", "pdf", "webpages"),
    *("reading", "ray"),
)
DEFAULT_ARTICLES = 200
FULL_SCALE = 100_000
REBUILD_TARGET_ARTICLES = 10_000
#: The shipped corpus is five text files: read 20 times for a steadier CPU figure.
READING_PASSES = 20


# --- machine -----------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (how busy the machine was)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine_facts() -> dict[str, Any]:
    """What the figures were measured on; versions without importing the packages."""
    packages = (
        "numpy",
        "torch",
        "sentence-transformers",
        "transformers",
        "tokenizers",
        "faiss-cpu",
        "bm25s",
        "gradio",
    )
    return {
        "nproc": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": _cpu_model(),
        "ram_gb": _ram_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {p: _version(p) for p in packages},
    }


# --- targets -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One target of issue #7: a value from results, compared with a limit."""

    name: str
    path: tuple[str, ...]
    limit: float
    higher_is_better: bool
    unit: str
    applies: Callable[[dict[str, Any]], str | None] = lambda results: None

    def check(self, results: dict[str, Any]) -> dict[str, Any]:
        """{'target', 'value', 'limit', 'status', 'note'}: status PASS, FAIL or NOT RUN."""
        value: Any = results
        for key in self.path:
            value = value.get(key) if isinstance(value, dict) else None
        row = {"target": self.name, "value": value, "limit": self.limit, "unit": self.unit}
        row["at_least"] = self.higher_is_better
        note = self.applies(results)
        if value is None:
            return row | {"status": "NOT RUN", "note": note or "section not run"}
        ok = value >= self.limit if self.higher_is_better else value <= self.limit
        if note:
            return row | {"status": "NOT RUN", "note": note}
        return row | {"status": "PASS" if ok else "FAIL", "note": ""}


def _needs_articles(results: dict[str, Any]) -> str | None:
    if "rebuild" not in results:
        return f"run --rebuild-articles {REBUILD_TARGET_ARTICLES}"
    articles = results["rebuild"]["articles"]
    if articles < REBUILD_TARGET_ARTICLES:
        return (
            f"measured at {articles:,} articles; run --rebuild-articles {REBUILD_TARGET_ARTICLES}"
        )
    return None


def _needs_full_scale(results: dict[str, Any]) -> str | None:
    if "scale" not in results:
        return f"run --scale {FULL_SCALE}"
    passages = results["scale"]["passages"]
    if passages < FULL_SCALE:
        return f"measured at {passages:,} passages; run --scale {FULL_SCALE}"
    return None


TARGETS = (
    Target("web pages: main-text F1 (#13)", ("webpages", "f1"), 0.95, True, ""),
    # #13: reading no slower than before it (round 3: 26.3 pages, 278 passages per CPU-s)
    Target(
        "web pages: pages per CPU-second (#13)",
        ("webpages", "pages_per_cpu_second"),
        26.3,
        True,
        "",
    ),
    Target("warm answer p50 / floor p50", ("latency", "p50_vs_floor"), 1.5, False, "x"),
    Target("cold start to first answer", ("cold", "ask", "median_s"), 4.0, False, "s"),
    Target("ingest / raw encode throughput", ("throughput", "ingest_vs_raw"), 0.9, True, "x"),
    Target(
        "one-article rebuild at 10,000 articles",
        ("rebuild", "edit_one_article_s"),
        3.0,
        False,
        "s",
        _needs_articles,
    ),
    Target(
        "answer p50 at 100,000 passages",
        ("scale", "answer", "p50_ms"),
        40.0,
        False,
        "ms",
        _needs_full_scale,
    ),
    Target(
        "cited serve RSS at 100,000 passages",
        ("scale", "serve", "rss_mb"),
        1024.0,
        False,
        "MB",
        _needs_full_scale,
    ),
    Target(
        "recall@5 of the approximate index",
        ("scale", "recall_at_5"),
        0.98,
        True,
        "",
        _needs_full_scale,
    ),
)


def _needs_manuals(results: dict[str, Any]) -> str | None:
    if results.get("pdf") and not results["pdf"]["manuals"]:
        return "apt-get install r-doc-pdf r-doc-html debian-faq"
    return None


TARGETS += (
    Target(
        "PDF: paragraph openings in passages",
        ("pdf", "worst_recall"),
        0.98,
        True,
        "",
        _needs_manuals,
    ),
    Target(
        "PDF: passages starting mid-sentence",
        ("pdf", "worst_mid_sentence"),
        0.05,
        False,
        "",
        _needs_manuals,
    ),
    Target(
        "PDF: furniture lines in passages", ("pdf", "furniture_total"), 0, False, "", _needs_manuals
    ),
)


def check_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [target.check(results) for target in TARGETS]


# --- table -------------------------------------------------------------------------------


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return f"{text} {unit}".strip()


def _get(results: dict[str, Any], *path: str) -> Any:
    value: Any = results
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def rows(results: dict[str, Any]) -> list[tuple[str, str]]:
    """(measure, value) rows of the summary table, for the sections that ran."""
    g = lambda *p: _get(results, *p)  # noqa: E731
    out: list[tuple[str, str]] = []
    t = results.get("throughput")
    if t:
        out += [
            (f"corpus ({t['articles']:,} generated articles)", f"{t['passages']:,} passages"),
            ("full build", _fmt(t["full_build_s"], "s")),
            (
                "ingest throughput",
                f"{t['ingest_passages_per_s']:,.1f} corpus passages/s; the model encoded "
                f"{t['model_texts']:,} texts, {t['ingest_model_tokens_per_s']:,.0f} tokens/s",
            ),
            (
                "raw encode, sample of the same texts",
                f"{g('throughput', 'raw_encode', 'tokens_per_s'):,.0f} tokens/s",
            ),
            (
                "ingest / raw, model tokens per second",
                f"{t['ingest_vs_raw']:.3f} (by CPU time: {t['ingest_vs_raw_cpu']:.3f})",
            ),
            (
                "corpus passages/s / raw encode of passages alone",
                f"{t['passages_vs_raw']:.3f} (sentence units: about twice the model work)",
            ),
            ("one-article rebuild", _fmt(t["one_article_rebuild_s"], "s")),
            ("index on disk", f"{t['index_bytes'] / 1e6:,.1f} MB ({t['faiss_kind']})"),
        ]
        if "torch_raw_encode" in t:
            out.append(
                (
                    "encode, numpy vs torch (same sample)",
                    f"{g('throughput', 'numpy_raw_encode_same_sample', 'passages_per_s'):,.1f} vs "
                    f"{g('throughput', 'torch_raw_encode', 'passages_per_s'):,.1f} passages/s",
                )
            )
    if results.get("batch_sizes"):
        sizes = ", ".join(f"{k}: {v:,.1f}" for k, v in results["batch_sizes"].items())
        out.append(("encode passages/s by batch size", sizes))
    lat = results.get("latency")
    if lat:
        a, f = lat["answer"], lat["floor"]
        out += [
            (
                f"warm answer ({lat['passages']} passages)",
                f"p50 {a['p50_ms']:.1f} / p95 {a['p95_ms']:.1f} / p99 {a['p99_ms']:.1f} ms",
            ),
            (
                "floor: encode + exact search",
                f"p50 {f['p50_ms']:.1f} / p95 {f['p95_ms']:.1f} / p99 {f['p99_ms']:.1f} ms",
            ),
        ]
    cold = results.get("cold")
    if cold:
        out.append(("cold start to first answer", _fmt(cold["ask"]["median_s"], "s (median)")))
        if "ask_torch" in cold:
            out.append(("  same with the torch backend", _fmt(cold["ask_torch"]["median_s"], "s")))
        out.append(("cited --help", _fmt(cold["help_s"], "s")))
    serve = results.get("serve")
    if serve:
        out.append(("cited serve RSS (shipped corpus)", _fmt(serve["rss_mb"], "MB")))
    rebuild = results.get("rebuild")
    if rebuild:
        n = f"{rebuild['articles']:,} articles"
        for row in rebuild["rows"]:
            embedded = f"{row['embedded']:,} of {row['total']:,} passages embedded"
            out.append((f"rebuild at {n}: {row['case']}", f"{row['seconds']:,.2f} s ({embedded})"))
    scale = results.get("scale")
    if scale:
        n = f"{scale['passages']:,}"
        out += [
            (f"scale: {n} passages, index on disk", f"{scale['index_bytes'] / 1e6:,.0f} MB"),
            (f"scale: recall@5 ({scale['faiss_kind']} vs exact)", _fmt(scale["recall_at_5"])),
            ("scale: warm answer p50", _fmt(g("scale", "answer", "p50_ms"), "ms")),
            ("scale: same questions again, p50", _fmt(g("scale", "answer_repeat", "p50_ms"), "ms")),
            (
                "scale: encode + dense search p50",
                _fmt(g("scale", "encode_and_dense_search", "p50_ms"), "ms"),
            ),
            ("scale: cited serve RSS", _fmt(g("scale", "serve", "rss_mb"), "MB")),
            (
                "scale: of which private / mapped index files",
                f"{_fmt(g('scale', 'serve', 'rss_anon_mb'), 'MB')} / "
                f"{_fmt(g('scale', 'serve', 'rss_file_mb'), 'MB')}",
            ),
        ]
    w = results.get("webpages")
    if w:
        out.append(
            (
                f"web pages ({w['pages']} real pages)",
                f"F1 {w['f1']:.3f} (precision {w['precision']:.3f}, recall {w['recall']:.3f}), "
                f"{w['passages_per_cpu_second']:,.0f} passages and "
                f"{w['pages_per_cpu_second']:,.1f} pages per CPU-second",
            )
        )
    r = results.get("reading")
    if r:
        out.append(
            (
                f"reading the shipped corpus ({r['files']} files, {r['passes']} passes)",
                f"{r['passages_per_cpu_second']:,.0f} passages and "
                f"{r['files_per_cpu_second']:,.1f} files per CPU-second",
            )
        )
    if results.get("ray"):
        from benchmarks.ray_bench import rows as ray_rows

        out += ray_rows(results["ray"])
    return out


def format_table(results: dict[str, Any]) -> str:
    """The measures and the targets as two aligned plain-text tables."""
    measures = rows(results)
    width = max([len(m) for m, _ in measures] + [10])
    lines = [f"{'measure':<{width}}  value", f"{'-' * width}  {'-' * 40}"]
    lines += [f"{m:<{width}}  {v}" for m, v in measures]
    lines += ["", f"{'target':<40}  {'value':>14}  {'limit':>12}  status"]
    lines.append(f"{'-' * 40}  {'-' * 14}  {'-' * 12}  {'-' * 7}")
    for row in results.get("targets", []):
        sign = ">=" if row["at_least"] else "<="
        limit = f"{sign} {_fmt(row['limit'], row['unit'])}"
        note = f"  ({row['note']})" if row["note"] else ""
        lines.append(
            f"{row['target']:<40}  {_fmt(row['value'], row['unit']):>14}  {limit:>12}  "
            f"{row['status']}{note}"
        )
    return "\n".join(lines)


# --- running -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description="Measure cited's speed against its targets."
    )
    parser.add_argument(
        "--articles",
        type=int,
        default=DEFAULT_ARTICLES,
        help=f"generated articles for the build and rebuild (default {DEFAULT_ARTICLES}; "
        "1000 takes about 15 min on 2 cores, 10000 hours)",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        metavar="N",
        help=f"also index N generated passages (use {FULL_SCALE} for the target; embedding them "
        "takes about an hour once, then the vectors are cached in benchmarks/out/)",
    )
    parser.add_argument(
        "--rebuild-articles",
        type=int,
        default=0,
        metavar="N",
        help=f"also time rebuilds of an N-article index (use {REBUILD_TARGET_ARTICLES} for the "
        "target; its starting index is built from stand-in vectors, see benchmarks/rebuild.py)",
    )
    parser.add_argument(
        "--only",
        default="throughput,latency,cold,serve,pdf,webpages,reading,ray",
        help="sections to run",
    )
    parser.add_argument("--questions", type=Path, default=measure.QUESTIONS)
    parser.add_argument("--repeats", type=int, default=3, help="passes over the questions")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes to time")
    parser.add_argument(
        "--raw-sample",
        type=int,
        default=0,
        help="texts the build encoded to encode again alone for the raw rate (default 0: all)",
    )
    parser.add_argument(
        "--torch-sample",
        type=int,
        default=256,
        help="passages to encode with sentence-transformers too, and cold start with the "
        "torch backend (0: skip)",
    )
    parser.add_argument(
        "--read-quotes",
        action="store_true",
        help="latency with AnswerSettings(read_quotes=True) (off by default; docs/quality.md)",
    )
    parser.add_argument(
        "--batch-sizes", default="", help="comma-separated batch sizes to compare (e.g. 8,16,32,64)"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the sections of the existing --out file that this run does not measure, "
        "and judge the targets over all of them (re-run one section without the others)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=HERE / "out")
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.only.split(",") if s.strip()]
    if args.scale and "scale" not in args.sections:
        args.sections.append("scale")
    if args.rebuild_articles and "rebuild" not in args.sections:
        args.sections.append("rebuild")
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    return args


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the chosen sections; returns the results dict (targets included)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from index.embed import Embedder

    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "command": " ".join(["python -m benchmarks.run", *sys.argv[1:]]),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_facts(),
        "load_average_start": load_average(),
    }
    started = time.perf_counter()
    embedder = Embedder()
    embedder.encode_query("warm up")
    results["machine"]["embed_backend"] = type(embedder.model).__name__
    questions = measure.load_questions(args.questions)
    shipped: Path | None = None
    if "throughput" in args.sections:
        _say(f"throughput: {args.articles:,} generated articles")
        results["throughput"] = measure.throughput(
            embedder,
            args.work,
            args.articles,
            args.seed,
            raw_sample=args.raw_sample,
            torch_sample=args.torch_sample,
            report=_say,
        )
    if args.batch_sizes:
        from benchmarks.generate import generate_passages

        sizes = [int(s) for s in args.batch_sizes.split(",")]
        _say(f"batch sizes {sizes}")
        texts = generate_passages(min(args.raw_sample or 512, 512), args.seed + 7)
        results["batch_sizes"] = measure.batch_sizes(embedder, texts, sizes)
    if {"latency", "cold", "serve"} & set(args.sections):
        _say("building the shipped corpus index")
        shipped = measure.build_shipped(embedder, args.work)
    if "latency" in args.sections:
        _say(f"latency: {len(questions)} questions x {args.repeats}")
        results["latency"] = measure.warm_latency(
            embedder, shipped, questions, args.repeats, read_quotes=args.read_quotes
        )
    if "cold" in args.sections:
        _say(f"cold start: {args.cold_runs} fresh processes")
        question = questions[0]
        results["cold"] = {
            "question": question,
            "ask": measure.cold_start(shipped, question, args.cold_runs),
            "stages": measure.cold_stages(shipped, question),
            "help_s": measure.help_seconds(),
        }
        if args.torch_sample:
            torch_env = {"CITED_EMBED_BACKEND": "sentence-transformers"}
            results["cold"]["ask_torch"] = measure.cold_start(
                shipped, question, args.cold_runs, torch_env
            )
            results["cold"]["stages_torch"] = measure.cold_stages(shipped, question, torch_env)
    if "serve" in args.sections:
        _say("serve: resident memory of cited serve")
        results["serve"] = measure.serve_memory(shipped, questions)
    if "rebuild" in args.sections and args.rebuild_articles:
        from benchmarks import rebuild

        _say(f"rebuild: {args.rebuild_articles:,} generated articles (stand-in base vectors)")
        work = args.work / f"rebuild-{args.rebuild_articles}"
        shutil.rmtree(work, ignore_errors=True)
        results["rebuild"] = rebuild.run(
            args.rebuild_articles,
            args.seed,
            work,
            profile=False,
            seeded_base=True,
            embedder=embedder,
        )
        shutil.rmtree(work, ignore_errors=True)
    if "scale" in args.sections and args.scale:
        from benchmarks.scale import run_scale

        _say(f"scale: {args.scale:,} passages")
        results["scale"] = run_scale(
            embedder, args.work, args.scale, questions, args.seed, report=_say
        )
    if "pdf" in args.sections:  # PDF manuals against their HTML/text editions
        from benchmarks import pdf_editions

        _say("pdf: Debian's PDF manuals against their other editions")
        results["pdf"] = pdf_editions.measure()
    if "webpages" in args.sections:
        from benchmarks.webpages import BENCHMARK, run_webpages

        _say(f"webpages: cited inspect over {BENCHMARK}")
        results["webpages"] = run_webpages() if BENCHMARK.is_dir() else None
    if "reading" in args.sections:
        from benchmarks.read_speed import REPO, files_under, read_speed

        _say("reading: cited inspect of the shipped corpus")
        results["reading"] = read_speed(files_under([REPO / "corpus"]), READING_PASSES)
    if "ray" in args.sections:
        from benchmarks import ray_bench
        from benchmarks.generate import generate_passages

        _say("ray: embedding in-process vs Ray Data with 1 and 2 workers")
        texts = generate_passages(ray_bench.TEXTS, args.seed + 11)
        results["ray"] = ray_bench.run(embedder, texts, report=_say)
    results["seconds"] = round(time.perf_counter() - started, 1)
    results["load_average_end"] = load_average()
    if args.keep:
        results = kept_sections(args.out, results)
    results["targets"] = check_targets(results)
    return results


def kept_sections(path: Path, results: dict[str, Any]) -> dict[str, Any]:
    """`results` plus the sections of the results file at `path` it did not measure, each
    kept section stamped with the run it came from."""
    try:
        earlier = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return results
    merged = dict(results)
    for section in SECTIONS:
        if section in earlier and section not in results:
            merged[section] = earlier[section] | {"from_run": earlier.get("started_at")}
    return merged


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    machine = results["machine"]
    print(
        f"cited benchmark on {machine['nproc']} cores ({machine['cpu_model']}), "
        f"{machine['ram_gb']} GB RAM; load average {results['load_average_start']} -> "
        f"{results['load_average_end']}; {results['seconds']:.0f} s\n"
    )
    print(format_table(results))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
