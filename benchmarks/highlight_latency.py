"""Highlight latency: warm answer times with and without reading in context, interleaved.

Under a shared machine's load two runs of `benchmarks.run --only latency` differ more than
the read's effect, so this asks each question of the latency set once per arm in turn —
read_quotes on, off, and off again (how far two identical arms drift) — in one warm
process, the memo cleared before each answer, next to the floor (encode + exact search):

    python -m benchmarks.highlight_latency --index I [--repeats 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.answer import AnswerSettings, Assistant
from benchmarks import measure
from index.embed import Embedder
from index.embed_tokens import TokenStates
from index.loaded import LoadedIndex


def interleaved(index: Path, questions: Sequence[str], repeats: int) -> dict[str, np.ndarray]:
    """Answer ms per arm ("on", "off", "off again"), "floor" ms, and "read" (whether each
    "on" answer made the token pass)."""
    import faiss

    embedder = Embedder()
    arms = {
        name: Assistant(index, embedder=embedder, check_interval=3600, settings=settings)
        for name, settings in (
            ("on", AnswerSettings(read_quotes=True)),
            ("off", AnswerSettings(read_quotes=False)),
            ("off again", AnswerSettings(read_quotes=False)),
        )
    }
    with LoadedIndex.load(index, verify=False) as loaded:
        flat = faiss.IndexFlatIP(loaded.dimension)
        flat.add(np.ascontiguousarray(loaded.vectors, dtype=np.float32))
    for question in questions[:5]:  # warm caches and lazy imports
        for assistant in arms.values():
            assistant.answer(question)
    passes = [0]
    real = embedder.token_states

    def counting(texts: Sequence[str]) -> list[TokenStates]:
        passes[0] += 1
        return real(texts)

    embedder.token_states = counting  # type: ignore[method-assign]
    times: dict[str, list[float]] = {name: [] for name in (*arms, "floor")}
    read: list[bool] = []
    names = list(arms)
    for turn in range(repeats):
        for i, question in enumerate(questions):
            k = (i + turn) % len(names)  # each arm goes first as often
            for name in names[k:] + names[:k]:
                embedder.forget()
                before, start = passes[0], time.perf_counter()
                arms[name].answer(question)
                times[name].append((time.perf_counter() - start) * 1000)
                if name == "on":
                    read.append(passes[0] > before)
            embedder.forget()
            start = time.perf_counter()
            flat.search(embedder.encode_query(question)[None, :], 20)
            times["floor"].append((time.perf_counter() - start) * 1000)
    out = {name: np.asarray(ms) for name, ms in times.items()}
    out["read"] = np.asarray(read, dtype=bool)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="the shipped corpus indexed")
    parser.add_argument("--questions", type=Path, default=measure.QUESTIONS)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    ms = interleaved(args.index, measure.load_questions(args.questions), args.repeats)
    floor = float(np.median(ms["floor"]))
    for name in ("on", "off", "off again", "floor"):
        p50, p95 = np.percentile(ms[name], [50, 95])
        print(f"{name:9s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p50/floor {p50 / floor:.2f}x")
    read, off = ms["read"], (ms["off"] + ms["off again"]) / 2
    print(f"answers making the pass: {read.mean():.0%} of {read.size}")
    if read.any():
        added = float(np.median(ms["on"][read] - off[read]))
        print(f"  median added per reading answer: {added:.1f} ms")
    if (~read).any():
        print(
            f"  answers not reading: p50 {np.median(ms['on'][~read]):.1f} ms on, "
            f"{np.median(off[~read]):.1f} ms off"
        )


if __name__ == "__main__":
    main()
