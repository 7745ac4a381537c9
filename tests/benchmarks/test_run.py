"""The benchmark harness on tiny sizes: it measures what it says and judges targets right."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks import measure, run, scale

QUESTIONS = measure.QUESTIONS


@pytest.fixture
def few_questions(tmp_path: Path) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("".join(QUESTIONS.read_text(encoding="utf-8").splitlines(True)[:3]))
    return path


class TestTargets:
    def test_pass_fail_and_not_run(self) -> None:
        results = {
            "latency": {"p50_vs_floor": 1.2},
            "cold": {"ask": {"median_s": 5.0}},
            "throughput": {"ingest_vs_raw": 0.95, "articles": 200, "one_article_rebuild_s": 1.0},
            "rebuild": {"articles": 1000, "edit_one_article_s": 1.0},
        }
        status = {row["target"]: row for row in run.check_targets(results)}
        assert status["warm answer p50 / floor p50"]["status"] == "PASS"
        assert status["cold start to first answer"]["status"] == "FAIL"
        assert status["ingest / raw encode throughput"]["status"] == "PASS"
        rebuild = status["one-article rebuild at 10,000 articles"]
        assert rebuild["status"] == "NOT RUN" and "--rebuild-articles 10000" in rebuild["note"]
        at_target = {"rebuild": {"articles": 10_000, "edit_one_article_s": 3.5}}
        [judged] = [r for r in run.check_targets(at_target) if "rebuild" in r["target"]]
        assert judged["status"] == "FAIL" and judged["value"] == 3.5
        assert status["recall@5 of the approximate index"]["note"] == "run --scale 100000"

    def test_full_scale_is_judged(self) -> None:
        results = {
            "scale": {
                "passages": 100_000,
                "recall_at_5": 0.97,
                "answer": {"p50_ms": 30.0},
                "serve": {"rss_mb": 700.0},
            }
        }
        status = {row["target"]: row["status"] for row in run.check_targets(results)}
        assert status["recall@5 of the approximate index"] == "FAIL"
        assert status["answer p50 at 100,000 passages"] == "PASS"
        assert status["cited serve RSS at 100,000 passages"] == "PASS"

    def test_table_shows_every_target_with_its_status(self) -> None:
        results = {"latency": None, "targets": run.check_targets({})}
        table = run.format_table(results)
        assert table.count("NOT RUN") == len(run.TARGETS)
        assert "<= 4.000 s" in table and ">= 0.980" in table


class TestMachine:
    def test_facts_name_cores_cpu_and_versions(self) -> None:
        facts = run.machine_facts()
        assert facts["nproc"] >= 1 and facts["cpu_model"]
        assert {"torch", "faiss-cpu", "numpy"} <= set(facts["versions"])
        assert facts["versions"]["numpy"] == np.__version__

    def test_percentiles(self) -> None:
        stats = measure.percentiles(list(range(1, 101)))
        assert stats["n"] == 100 and stats["p50_ms"] == pytest.approx(50.5)
        assert stats["p95_ms"] <= stats["p99_ms"] <= 100


class TestScale:
    def test_generated_documents_hold_their_passages_verbatim(self) -> None:
        texts = [f"passage number {i} about distance and missing someone" for i in range(45)]
        documents, passages = scale.synthetic_records(texts)
        assert len(documents) == 3 and len(passages) == 45
        by_id = {d.doc_id: d for d in documents}
        for passage, text in zip(passages, texts, strict=True):
            assert by_id[passage.doc_id].text[passage.start : passage.end] == text

    def test_recall_counts_shared_ids(self) -> None:
        truth = np.array([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]])
        found = np.array([[5, 4, 3, 2, 1], [6, 7, 8, 9, 99]])
        assert scale.recall(found, truth) == pytest.approx(0.9)

    def test_vectors_are_cached_by_part_and_reused(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        class Counting:
            model_name = "fake/model"
            encoded = 0

            def encode(self, texts: list[str]) -> np.ndarray:
                self.encoded += len(texts)
                return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

        monkeypatch.setattr(scale, "PART_ROWS", 4)
        texts = [f"text {i}" * (i + 1) for i in range(10)]
        first = Counting()
        vectors = scale.passage_vectors(texts, first, seed=0, out=tmp_path, report=lambda s: None)
        assert first.encoded == 10 and vectors.shape == (10, 2)
        assert scale.cached_rows(scale.vector_dir("fake/model", 0, tmp_path)) == 8
        again = Counting()
        same = scale.passage_vectors(texts[:9], again, seed=0, out=tmp_path, report=lambda s: None)
        assert again.encoded == 1  # only the uncached tail
        assert np.array_equal(same, vectors[:9])


class TestMeasurements:
    def test_a_sample_spreads_over_the_items_and_zero_takes_all(self) -> None:
        items = [str(i) for i in range(10)]
        assert measure.sample(items, 5) == ["0", "2", "4", "6", "8"]
        assert measure.sample(items, 0) == items == measure.sample(items, 50)

    def test_throughput_and_one_article_rebuild(self, embedder, tmp_path: Path) -> None:
        result = measure.throughput(embedder, tmp_path, articles=2, raw_sample=10, report=print)
        assert result["passages"] > 10 and result["full_build_s"] > 0
        assert result["raw_encode"]["passages"] == 10
        assert 0 < result["ingest_vs_raw"] < 5
        # the model saw the passages and more (caveat candidates, sentence units)
        assert result["model_texts"] > result["passages"]
        assert result["model_tokens"] > result["tokens"]
        assert 0 < result["passages_vs_raw"] < 5
        assert result["index_bytes"] > 0 and "faiss.index" in result["index_files"]
        rebuilt = result["one_article_rebuild"]
        assert rebuilt["embedded"] >= 1 and rebuilt["reused"] > 0

    def test_cold_start_never_imports_torch(self, shipped_index: Path) -> None:
        question = "What is productive distance?"
        cold = measure.cold_start(shipped_index, question, runs=1)
        assert cold["median_s"] > 0
        stages = measure.cold_stages(shipped_index, question)
        assert stages["torch_imported"] is False
        assert stages["model_s"] > 0 and stages["first_answer_s"] > 0

    def test_run_writes_results_and_table(
        self,
        embedder,
        shipped_index: Path,
        few_questions: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture,
    ) -> None:
        import index.embed

        monkeypatch.setattr(index.embed, "Embedder", lambda: embedder)  # one model per test run
        out = tmp_path / "results.json"
        argv = ["--only", "latency", "--questions", str(few_questions), "--repeats", "1"]
        assert run.main([*argv, "--work", str(tmp_path), "--out", str(out)]) == 0
        results = json.loads(out.read_text())
        assert results["latency"]["questions"] == 3 and results["latency"]["p50_vs_floor"] > 0
        assert results["machine"]["embed_backend"] == "OnnxEncoder"
        printed = capsys.readouterr().out
        assert "warm answer p50 / floor p50" in printed and "cores (" in printed

    def test_rebuild_from_a_seeded_base_embeds_only_the_change(
        self, embedder, tmp_path: Path
    ) -> None:
        from benchmarks import rebuild

        result = rebuild.run(
            4, seed=0, work=tmp_path, profile=False, seeded_base=True, embedder=embedder
        )
        cases = {row["case"]: row for row in result["rows"]}
        assert result["seeded_base"] and result["segments"] >= 1
        assert cases["full build"]["embedded"] == cases["full build"]["total"]  # stand-ins
        edit = cases["edit one article"]
        assert edit["changed"] == 1 and 1 <= edit["embedded"] < edit["total"]
        assert result["edit_one_article_s"] == edit["seconds"]
        assert cases["nothing changed"]["embedded"] == 0

    def test_scale_index_has_sentence_units_and_real_search(self, embedder, tmp_path: Path) -> None:
        from index.loaded import LoadedIndex
        from index.search import HybridSearcher

        texts = scale.generate_passages(40, seed=0)
        vectors = embedder.encode(texts)
        scale.publish_scale_index(tmp_path / "index", texts, vectors, embedder)
        with LoadedIndex.load(tmp_path / "index") as loaded:
            assert loaded.passage_count == 40 and loaded.has_sentences
            ids, scores = HybridSearcher(loaded, embedder).dense_search(vectors[7], 3)
            assert ids[0] == 7 and scores[0] == pytest.approx(1.0, abs=1e-5)

    def test_keep_merges_sections_of_an_earlier_run(self, tmp_path: Path) -> None:
        out = tmp_path / "results.json"
        out.write_text(json.dumps({"started_at": "then", "latency": {"p50_vs_floor": 1.1}}))
        merged = run.kept_sections(out, {"started_at": "now", "cold": {"ask": {"median_s": 2}}})
        assert merged["latency"] == {"p50_vs_floor": 1.1, "from_run": "then"}
        assert merged["cold"] == {"ask": {"median_s": 2}}
        status = {r["target"]: r["status"] for r in run.check_targets(merged)}
        assert status["warm answer p50 / floor p50"] == "PASS"
        assert run.kept_sections(tmp_path / "missing.json", {"a": 1}) == {"a": 1}
