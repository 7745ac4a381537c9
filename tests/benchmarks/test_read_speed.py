"""Issue #13's speed measure in the harness: reading rates and the web pages' target."""

from __future__ import annotations

from benchmarks import run
from benchmarks.read_speed import REPO, files_under, main, read_speed
from ingest.inspect import TokenCounter, inspect_file


def test_reading_the_shipped_corpus_counts_its_files_and_passages() -> None:
    files = files_under([REPO / "corpus"])
    counter = TokenCounter()
    passages = sum(len(inspect_file(file, counter).passages) for file in files)
    figures = read_speed(files, passes=2)
    assert figures["files"] == len(files) == 5 and figures["passes"] == 2
    assert figures["passages"] == passages and figures["errors"] == 0
    # both rates divide by the same CPU time: their ratio is passages per file
    ratio = figures["passages_per_cpu_second"] / figures["files_per_cpu_second"]
    assert abs(ratio - passages / len(files)) < 0.05 * ratio


def test_a_missing_path_is_refused_in_one_line(capsys, tmp_path) -> None:
    assert main([str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.strip().endswith("nowhere")


def test_web_pages_are_judged_by_pages_per_cpu_second() -> None:
    figures = {"pages": 618, "cpu_seconds": 20.0, "f1": 0.94, "pages_per_cpu_second": 30.9}
    status = {r["target"]: r for r in run.check_targets({"webpages": figures})}
    assert status["web pages: pages per CPU-second (#13)"]["status"] == "PASS"
    slow = figures | {"cpu_seconds": 30.0, "pages_per_cpu_second": 20.6}
    status = {r["target"]: r for r in run.check_targets({"webpages": slow})}
    assert status["web pages: pages per CPU-second (#13)"]["status"] == "FAIL"
    assert (
        "pages per CPU-second"
        in dict(run.rows({"webpages": figures | _rest()}))["web pages (618 real pages)"]
    )


def _rest() -> dict[str, float]:
    return {"precision": 0.9, "recall": 0.95, "passages_per_cpu_second": 300.0}
