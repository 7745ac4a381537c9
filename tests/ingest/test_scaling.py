"""Every text stage is linear: 4x the text costs about 4x the work, never 16x.

Before: `ingest/text.py` copied the rest of the text at every sentence end and soft-wrapped
line (1 MB of one paragraph took 3.6 s, a 171 KB poem of lowercase lines 56 s). Timing is
compared between sizes of the same text in one process, with a generous ratio, in this
process's CPU time (other processes on a busy machine do not count; wall time made this
test flaky under load); absolute speed is for the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.analyze import analyze, read_file


def _paragraph(n: int) -> str:
    return " ".join(f"Sentence number {i} is here. And more words follow it" for i in range(n))


def _poem(n: int) -> str:
    return "\n".join(f"the river and the stone and line {i}" for i in range(n))


def _cpu_seconds(small: Callable[[], object], large: Callable[[], object]) -> tuple[float, float]:
    """The best of three CPU times of each, run in turns so a slow moment hits both."""
    best = [float("inf"), float("inf")]
    for _ in range(3):
        for i, run in enumerate((small, large)):
            started = time.process_time()
            run()
            best[i] = min(best[i], time.process_time() - started)
    return best[0], best[1]


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("one-paragraph.txt", _paragraph),
        ("poem.txt", _poem),
        (
            "one-paragraph.html",
            lambda n: f"<html><body><article><p>{_paragraph(n)}</p></article></body></html>",
        ),
    ],
)
def test_reading_four_times_the_text_takes_at_most_eight_times_as_long(
    name, make, tmp_path: Path, embedder
):
    def read(n: int) -> Callable[[], object]:
        folder = tmp_path / str(n)
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(make(n), encoding="utf-8")

        def run() -> object:
            loaded = read_file(folder / name, folder)
            return analyze(loaded, embedder.span_counter(loaded.document.text))

        return run

    small, large = _cpu_seconds(read(1500), read(6000))
    assert large < 8 * small + 0.05, (small, large)
