"""The embedder: unit vectors in input order, stable, with a machine-independent name."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import index.tokens as tokens_module
from index.cache import EmbeddingCache, embed_with_cache
from index.embed import Embedder, SentenceTransformerBackend, default_model_path
from index.errors import ModelLoadError
from index.onnx_encoder import OnnxEncoder, cache_root, cached_export, unsupported_reason
from index.tokens import SpanCounter, tokenizes_words_alone

REPO = Path(__file__).resolve().parents[2]


class TestEmbedder:
    def test_vectors_are_unit_length_float32(self, embedder: Embedder) -> None:
        vectors = embedder.encode(["a short one", "a second, slightly longer sentence"])
        assert vectors.dtype == np.float32
        assert vectors.shape == (2, embedder.dimension)
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)

    def test_same_text_gives_same_vector(self, embedder: Embedder) -> None:
        first = embedder.encode(["Water the plants at the base."])
        again = embedder.encode(["Water the plants at the base."])
        assert np.allclose(first, again, atol=1e-6)

    def test_order_is_kept_with_mixed_lengths(self, embedder: Embedder) -> None:
        texts = ["long " * 60 + "text about gardens", "hi", "a medium sized sentence here"]
        together = embedder.encode(texts)
        alone = np.stack([embedder.encode([t])[0] for t in texts])
        assert np.allclose(together, alone, atol=1e-5)

    def test_empty_list_gives_empty_matrix(self, embedder: Embedder) -> None:
        assert embedder.encode([]).shape == (0, embedder.dimension)

    def test_query_vector_matches_encode(self, embedder: Embedder) -> None:
        query = embedder.encode_query("how long should adults sleep")
        assert query.shape == (embedder.dimension,)
        assert np.allclose(query, embedder.encode(["how long should adults sleep"])[0], atol=1e-5)

    def test_count_tokens_excludes_special_tokens(self, embedder: Embedder) -> None:
        assert embedder.count_tokens("hello world") == 2
        assert embedder.count_tokens("") == 0
        assert embedder.count_tokens("word " * 400) == 400  # not truncated

    def test_span_counts_equal_counting_the_slice(self, embedder: Embedder) -> None:
        # every span of a text with accents, CJK, a joiner, a control character, an emoji,
        # punctuation inside words and a word too long for WordPiece: both paths of the counter
        text = (
            "Héllo, unbelievable don't 中文x a\u200db naïve e\u0301 ok\x07! 🙂 "
            + "z" * 120
            + " end."
        )
        count = embedder.span_counter(text)
        for start in range(len(text) + 1):
            for end in range(start, len(text) + 1):
                assert count(start, end) == embedder.count_tokens(text[start:end]), (start, end)

    def test_texts_without_tokens_count_zero(self, embedder: Embedder) -> None:
        empty, blank = embedder.span_counters(["", " \n\t "])
        assert empty(0, 0) == 0 and blank(0, 4) == 0 and blank(1, 3) == 0

    def test_texts_are_tokenized_in_batches_of_bounded_size(self) -> None:
        texts = ["a" * 5, "b" * 5, "c" * 20, "d" * 3, "e" * 9]
        assert tokens_module._batches_by_size(texts, longest=10, budget=10) == [[0, 1], [3], [4]]
        assert tokens_module._batches_by_size(texts, longest=50, budget=1) == [
            [i] for i in range(5)
        ]

    def test_spans_between_words_are_counted_without_tokenizing(self, embedder: Embedder) -> None:
        text = "Giving someone space is an act of respect, not a tactic."
        tokenized: list[str] = []

        def count_tokens(piece: str) -> int:
            tokenized.append(piece)
            return embedder.count_tokens(piece)

        tokenizer = embedder.model._counter
        assert tokenizes_words_alone(tokenizer)
        count = SpanCounter(text, tokenizer.encode(text, add_special_tokens=False), count_tokens)
        assert count(0, len(text)) == 13 and count(7, 20) == 2 and count(41, 56) == 5
        assert tokenized == []
        assert count(2, 20) == embedder.count_tokens(text[2:20])  # cuts "Giving"
        assert tokenized == [text[2:20]]

    def test_a_very_long_text_is_counted_span_by_span(
        self, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        text = "Giving someone space is an act of respect, not a tactic."
        monkeypatch.setattr(tokens_module, "SPAN_COUNTER_MAX_CHARS", len(text) - 1)
        long, short = embedder.span_counters([text, text[:-1]])
        assert not isinstance(long, SpanCounter) and isinstance(short, SpanCounter)
        assert long(0, len(text)) == short(0, len(text) - 1) + 1 == 13

    def test_other_tokenizers_count_each_span_alone(self) -> None:
        from tokenizers import Tokenizer, models, pre_tokenizers

        tokenizer = Tokenizer(models.BPE())
        tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel()
        assert not tokenizes_words_alone(tokenizer)

    def test_settings_and_stable_name(self, embedder: Embedder) -> None:
        assert embedder.model_name == "all-MiniLM-L6-v2"
        assert embedder.dimension == 384
        assert embedder.max_tokens == 256
        assert default_model_path().is_dir()

    def test_missing_model_folder_says_what_to_do(self, tmp_path: Path) -> None:
        broken = Embedder(tmp_path / "no-such-model")
        with pytest.raises(ModelLoadError, match=r"no-such-model.*--model"):
            broken.encode(["x"])

    def test_unknown_backend_is_refused(self) -> None:
        with pytest.raises(ValueError, match="must be one of auto, onnx, sentence-transformers"):
            Embedder(backend="numpy")  # the hand-written encoder onnx replaced


#: Texts that exercise padding, truncation past 256 tokens, accents, emoji and empty input.
MIXED_TEXTS = [
    "What is productive distance?",
    "",
    "  leading and trailing spaces  ",
    "Ünïcödé — “curly quotes”, an emoji 😀 and a café.",
    "word " * 400,
    "x",
    "?!",
    "\n\n\t",
    "中文的句子，还有日本語の文。",
    "def f(x):\n    return x ** 2  # a line of code",
    "Productive distance means time apart that both people use to reflect. " * 30,
    "Supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopic",
    *[
        f"Sentence number {i} about missing someone after a breakup, " * (1 + i % 7)
        for i in range(70)
    ],
]


class TestOnnxEncoder:
    """The packaged model runs on onnxruntime; it must give sentence-transformers' own vectors."""

    @pytest.fixture(scope="class")
    def reference(self) -> SentenceTransformerBackend:
        """The same model through sentence-transformers and torch (the only second copy)."""
        return SentenceTransformerBackend(default_model_path())

    def test_packaged_model_uses_onnx(self, embedder: Embedder) -> None:
        assert isinstance(embedder.model, OnnxEncoder)
        assert unsupported_reason(embedder.model_path) is None

    def test_same_vectors_as_sentence_transformers(
        self, embedder: Embedder, reference: SentenceTransformerBackend
    ) -> None:
        ours = embedder.encode(MIXED_TEXTS)
        theirs = reference.encode(MIXED_TEXTS, batch_size=16)
        assert ours.shape == theirs.shape == (len(MIXED_TEXTS), 384)
        assert np.abs(ours - theirs).max() < 1e-6

    def test_same_token_counts_as_sentence_transformers(
        self, embedder: Embedder, reference: SentenceTransformerBackend
    ) -> None:
        for text in MIXED_TEXTS[:6]:
            assert embedder.count_tokens(text) == reference.count_tokens(text), text
        assert reference.max_tokens == embedder.max_tokens

    def test_batches_on_threads_give_the_single_batch_vectors(self, embedder: Embedder) -> None:
        encoder = embedder.model
        whole = encoder.encode(MIXED_TEXTS, batch_size=len(MIXED_TEXTS))
        split = encoder.encode(MIXED_TEXTS, batch_size=4)
        assert encoder.threads >= 1
        assert np.abs(whole - split).max() < 1e-5

    def test_a_few_words_make_one_pass_and_many_texts_are_spread(
        self, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A pass streams the whole model: a question's few words in one pass on one core
        cost half of two passes on two (`SPREAD_TOKENS`)."""
        encoder = embedder.model
        passes: list[int] = []
        session = encoder._session

        class Counting:
            def run(self, names, feeds):
                passes.append(feeds["input_ids"].shape[0])
                return session.run(names, feeds)

        words = ["holiday", "awful", "sourdough"]
        alone = np.stack([encoder.encode([w])[0] for w in words])
        monkeypatch.setattr(encoder, "threads", 2)
        monkeypatch.setattr(encoder, "_session", Counting())
        assert np.abs(encoder.encode(words) - alone).max() < 1e-6
        assert passes == [3]
        passes.clear()
        encoder.encode(MIXED_TEXTS)
        assert len(passes) >= 2

    def test_same_token_states_as_sentence_transformers(
        self, embedder: Embedder, reference: SentenceTransformerBackend
    ) -> None:
        texts = MIXED_TEXTS[:8]
        ours = embedder.model.token_states(texts, batch_size=3)
        theirs = reference.token_states(texts, batch_size=16)
        for mine, other, text in zip(ours, theirs, texts, strict=True):
            assert np.array_equal(mine.spans, other.spans), text
            assert np.allclose(mine.states, other.states, atol=1e-5), text

    @pytest.mark.parametrize("backend", ["onnx", "sentence-transformers"])
    def test_one_pass_gives_the_vectors_and_the_token_states(
        self, embedder: Embedder, reference: SentenceTransformerBackend, backend: str
    ) -> None:
        model = embedder.model if backend == "onnx" else reference
        texts = MIXED_TEXTS[:8]
        vectors, states = model.encode_with_states(texts, 3)
        assert np.abs(vectors - model.encode(texts, 16)).max() < 1e-6
        for mine, alone, text in zip(states, model.token_states(texts, 16), texts, strict=True):
            assert np.array_equal(mine.spans, alone.spans), text
            assert np.allclose(mine.states, alone.states, atol=1e-5), text

    def test_other_pooling_is_left_to_sentence_transformers(self, tmp_path: Path) -> None:
        source = default_model_path()
        shutil.copytree(source, tmp_path / "m", ignore=shutil.ignore_patterns("*.safetensors"))
        (tmp_path / "m" / "model.safetensors").symlink_to(source / "model.safetensors")
        pooling = tmp_path / "m" / "1_Pooling" / "config.json"
        config = json.loads(pooling.read_text()) | {
            "pooling_mode_mean_tokens": False,
            "pooling_mode_cls_token": True,
        }
        pooling.write_text(json.dumps(config))
        assert "pooling" in unsupported_reason(tmp_path / "m")
        with pytest.raises(ValueError, match="cannot run on the onnx encoder"):
            OnnxEncoder(tmp_path / "m")

    def test_answering_a_query_never_imports_torch(self, embedder: Embedder) -> None:
        # the export exists (the embedder fixture made it): loading it needs no torch
        probe = (
            "import sys; from index.embed import Embedder; "
            "v = Embedder().encode_query('how long should no contact last'); "
            "assert v.shape == (384,), v.shape; "
            "assert 'torch' not in sys.modules, 'torch imported'"
        )
        result = subprocess.run(
            [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr


class CountingEncoder:
    """Wraps the real embedder and counts the texts sent to the model."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.texts = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.embedder.encode(texts)


class TestEmbeddingCache:
    def test_second_run_embeds_nothing(self, embedder: Embedder, tmp_path: Path) -> None:
        texts = ["first passage", "second passage", "third passage"]
        path = tmp_path / "cache" / "embeddings.sqlite"
        with EmbeddingCache(path, embedder.model_name, embedder.dimension) as cache:
            vectors, embedded, reused = embed_with_cache(embedder, cache, texts)
        assert (embedded, reused) == (3, 0)
        counter = CountingEncoder(embedder)
        with EmbeddingCache(path, embedder.model_name, embedder.dimension) as cache:
            again, embedded, reused = embed_with_cache(counter, cache, texts)
        assert (embedded, reused, counter.texts) == (0, 3, 0)
        assert np.array_equal(vectors, again)

    def test_changed_text_embeds_only_it(self, embedder: Embedder, tmp_path: Path) -> None:
        path = tmp_path / "embeddings.sqlite"
        with EmbeddingCache(path, embedder.model_name, embedder.dimension) as cache:
            embed_with_cache(embedder, cache, ["one", "two", "three"])
            counter = CountingEncoder(embedder)
            vectors, embedded, reused = embed_with_cache(counter, cache, ["one", "TWO", "three"])
        assert (embedded, reused, counter.texts) == (1, 2, 1)
        assert np.allclose(vectors[1], embedder.encode(["TWO"])[0], atol=1e-6)

    def test_other_model_does_not_share_vectors(self, embedder: Embedder, tmp_path: Path) -> None:
        path = tmp_path / "embeddings.sqlite"
        with EmbeddingCache(path, embedder.model_name, embedder.dimension) as cache:
            embed_with_cache(embedder, cache, ["shared text"])
        with EmbeddingCache(path, "another-model", embedder.dimension) as cache:
            _, missing = cache.lookup(["shared text"])
        assert missing == [0]

    def test_progress_reports_embedded_texts(self, embedder: Embedder, tmp_path: Path) -> None:
        calls = []
        with EmbeddingCache(tmp_path / "e.sqlite", embedder.model_name, 384) as cache:
            embed_with_cache(embedder, cache, ["a", "b", "a"], progress=lambda *c: calls.append(c))
        assert calls[-1] == ("embed", 2, 2)


class TestOnnxExportCache:
    """The ONNX file is exported once per model into the user's cache, and re-exported when
    it is missing, partial or damaged."""

    @pytest.fixture
    def exports(self, embedder: Embedder) -> tuple[list[Path], object]:
        """An exporter that copies the real export (made once by the embedder fixture) and
        records each call: the cache's checks are the subject, not torch's exporter."""
        real = cached_export(embedder.model_path)
        calls: list[Path] = []

        def export(model_path: Path, target: Path) -> None:
            calls.append(target)
            shutil.copyfile(real, target)

        return calls, export

    def test_cache_folder_follows_xdg_cache_home(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
        assert cache_root() == tmp_path / "cited" / "onnx"
        monkeypatch.delenv("XDG_CACHE_HOME")
        assert cache_root() == Path.home() / ".cache" / "cited" / "onnx"

    def test_exported_once_then_reused(self, exports, tmp_path: Path) -> None:
        calls, export = exports
        first = cached_export(default_model_path(), tmp_path, export)
        again = cached_export(default_model_path(), tmp_path, export)
        assert first == again and first.name == "model.onnx" and len(calls) == 1
        assert sorted(p.name for p in first.parent.iterdir()) == ["model.onnx", "model.onnx.sha256"]

    @pytest.mark.parametrize("damage", ["truncate", "flip", "no-checksum"])
    def test_damaged_export_is_redone(self, exports, tmp_path: Path, damage: str) -> None:
        calls, export = exports
        onnx_file = cached_export(default_model_path(), tmp_path, export)
        good = onnx_file.read_bytes()
        if damage == "truncate":
            onnx_file.write_bytes(good[: len(good) // 2])
        elif damage == "flip":
            onnx_file.write_bytes(good[:1000] + bytes([good[1000] ^ 1]) + good[1001:])
        else:
            (onnx_file.parent / "model.onnx.sha256").unlink()
        assert cached_export(default_model_path(), tmp_path, export) == onnx_file
        assert len(calls) == 2 and onnx_file.read_bytes() == good

    def test_an_interrupted_export_leaves_nothing_trusted(self, exports, tmp_path: Path) -> None:
        calls, export = exports

        def dies_halfway(model_path: Path, target: Path) -> None:
            target.write_bytes(b"partial")
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            cached_export(default_model_path(), tmp_path, dies_halfway)
        folder = next((tmp_path).iterdir())
        assert list(folder.iterdir()) == []
        onnx_file = cached_export(default_model_path(), tmp_path, export)
        assert len(calls) == 1 and onnx_file.stat().st_size > 1_000_000

    def test_an_unwritable_cache_says_what_to_do(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        (tmp_path / "file").write_text("not a folder")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
        with pytest.raises(ModelLoadError, match=r"cannot write the ONNX export .*XDG_CACHE_HOME"):
            Embedder().encode(["x"])

    def test_a_fresh_cache_is_exported_from_the_weights(
        self, embedder: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # what a fresh clone (CI) does on first use: torch exports the packaged weights
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
        fresh = OnnxEncoder(default_model_path())
        assert next((tmp_path / "cited" / "onnx").iterdir()).joinpath("model.onnx").is_file()
        texts = MIXED_TEXTS[:8]
        assert np.abs(fresh.encode(texts) - embedder.encode(texts)).max() < 1e-6
