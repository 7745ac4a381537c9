"""A numpy forward pass of BERT sentence encoders: the packaged model without torch.

It reads the files sentence-transformers reads (`model.safetensors`, memory-mapped, and
`tokenizer.json` through the `tokenizers` library) and gives the same unit vectors as
`SentenceTransformer.encode(..., normalize_embeddings=True)` to within 1e-6, for folders
whose modules are Transformer (BERT) -> mean Pooling [-> Normalize]. Importing numpy and
tokenizers takes a fraction of a second where torch and sentence-transformers take
several, which is most of `cited ask`'s start-up time.

Large inputs are split into batches of similar length that run on one thread per core,
and BLAS runs one thread per call: its own threads spend more time synchronising on the
many small products of a forward pass than they save, and on a busy machine a one-query
forward pass took 0.8 s with two BLAS threads against 0.05 s with one.
"""

from __future__ import annotations

import functools
import json
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}
_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"
#: Rows of one batch whose attention scores are computed at once (bounds its memory).
_ATTENTION_ROWS = 4
#: Rows of the feed-forward activation processed at once (keeps them in cache).
_GELU_ROWS = 64
# Abramowitz & Stegun 7.1.26: erf to within 1.5e-7, in float32 numpy operations.
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(
    np.float32(a) for a in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
)
_INV_SQRT2 = np.float32(1.0 / math.sqrt(2.0))
#: Longer texts are counted span by span: a tokenization of a whole text holds about a
#: hundred bytes per token until it is turned into a SpanCounter.
SPAN_COUNTER_MAX_CHARS = 1 << 20
#: Characters tokenized at once by `span_counters`.
SPAN_BATCH_CHARS = 4 << 20


def cpu_count() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_blas_limited = False


def _one_blas_thread() -> None:
    """Hold the process's BLAS libraries to one thread each (see the module docstring)."""
    global _blas_limited
    if not _blas_limited:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
        _blas_limited = True


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a .safetensors file as a read-only array over a memory map."""
    with Path(path).open("rb") as f:
        header_size = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(header_size))
    data = np.memmap(path, dtype=np.uint8, mode="r")
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = np.dtype(_DTYPES[info["dtype"]])
        start, end = info["data_offsets"]
        count = (end - start) // dtype.itemsize
        flat = np.frombuffer(data, dtype=dtype, count=count, offset=8 + header_size + start)
        tensors[name] = flat.reshape(info["shape"])
    return tensors


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def unsupported_reason(model_path: Path) -> str | None:
    """Why the numpy encoder cannot run this model folder, or None when it can."""
    path = Path(model_path)
    for name in ("config.json", "model.safetensors", "tokenizer.json", "modules.json"):
        if not (path / name).is_file():
            return f"no {name}"
    try:
        config = _read_json(path / "config.json")
        modules = [m.get("type") for m in _read_json(path / "modules.json")]
        pooling = _read_json(path / "1_Pooling" / "config.json")
        header = json.loads(_header_bytes(path / "model.safetensors"))
    except (OSError, ValueError, KeyError, AttributeError) as e:
        return f"unreadable model files ({e})"
    if modules not in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE]):
        return f"modules {modules}"
    if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
        return f"model type {config.get('model_type')!r} with {config.get('hidden_act')!r}"
    if config.get("position_embedding_type", "absolute") != "absolute":
        return f"position embeddings {config.get('position_embedding_type')!r}"
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
    if modes != ["pooling_mode_mean_tokens"]:
        return f"pooling {modes}"
    dtypes = {v["dtype"] for k, v in header.items() if k != "__metadata__"}
    if not dtypes <= set(_DTYPES):
        return f"weights of type {sorted(dtypes - set(_DTYPES))}"
    return None


def _header_bytes(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(int.from_bytes(f.read(8), "little"))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    """LayerNorm over the last axis, in place."""
    x -= x.mean(axis=-1, keepdims=True)
    variance = np.square(x).mean(axis=-1, keepdims=True)
    variance += eps
    x /= np.sqrt(variance)
    x *= weight
    x += bias
    return x


def _gelu_rows(x: np.ndarray) -> None:
    """x <- x * Phi(x) (exact, erf-based GELU as BERT uses), in place."""
    z = np.abs(x)
    z *= _INV_SQRT2
    t = z * _ERF_P
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * _ERF_A[4]
    for a in reversed(_ERF_A[:4]):
        poly += a
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # = erfc(|x| / sqrt 2)
    poly *= x
    poly *= 0.5  # 0.5 x erfc(|x|/sqrt2): gelu(x) for x < 0, x - gelu(x) for x >= 0
    negative = x < 0
    x -= poly
    np.copyto(x, poly, where=negative)


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU of a 2-D array, in place, a few rows at a time so they stay in cache."""
    for start in range(0, x.shape[0], _GELU_ROWS):
        _gelu_rows(x[start : start + _GELU_ROWS])
    return x


class _Layer:
    """One transformer layer's weights, laid out for `x @ weight`."""

    def __init__(self, w: dict[str, np.ndarray], prefix: str) -> None:
        def get(name: str) -> np.ndarray:
            return np.asarray(w[prefix + name], dtype=np.float32)

        names = ("query", "key", "value")
        self.qkv = np.ascontiguousarray(
            np.concatenate([get(f"attention.self.{n}.weight") for n in names]).T
        )
        self.qkv_bias = np.concatenate([get(f"attention.self.{n}.bias") for n in names])
        self.out, self.out_bias = (
            get("attention.output.dense.weight").T,
            get("attention.output.dense.bias"),
        )
        self.norm1 = (
            get("attention.output.LayerNorm.weight"),
            get("attention.output.LayerNorm.bias"),
        )
        self.up, self.up_bias = get("intermediate.dense.weight").T, get("intermediate.dense.bias")
        self.down, self.down_bias = get("output.dense.weight").T, get("output.dense.bias")
        self.norm2 = (get("output.LayerNorm.weight"), get("output.LayerNorm.bias"))


class NumpyEncoder:
    """A BERT sentence encoder with mean pooling, run on numpy; see the module docstring."""

    def __init__(self, model_path: Path, threads: int | None = None) -> None:
        from tokenizers import Tokenizer

        path = Path(model_path)
        reason = unsupported_reason(path)
        if reason is not None:
            raise ValueError(f"{path} cannot run on the numpy encoder: {reason}")
        config = _read_json(path / "config.json")
        st_config = path / "sentence_bert_config.json"
        max_length = _read_json(st_config).get("max_seq_length") if st_config.is_file() else None
        self.max_tokens = int(min(max_length or 512, config["max_position_embeddings"]))
        self.dimension = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        self._load_weights(read_safetensors(path / "model.safetensors"), config)
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.max_tokens)
        self._counter = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._counter.no_padding()
        self._counter.no_truncation()
        self._words_tokenized_alone = tokenizes_words_alone(self._counter)
        self.threads = max(1, threads or cpu_count())
        _one_blas_thread()
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="cited-encode")

    def _load_weights(self, w: dict[str, np.ndarray], config: dict[str, Any]) -> None:
        prefix = "" if "embeddings.word_embeddings.weight" in w else "bert."

        def get(name: str) -> np.ndarray:
            return np.asarray(w[f"{prefix}embeddings.{name}"], dtype=np.float32)

        self._words = get("word_embeddings.weight")
        self._positions = get("position_embeddings.weight")
        self._token_type = get("token_type_embeddings.weight")[0]
        self._norm = (get("LayerNorm.weight"), get("LayerNorm.bias"))
        count = int(config["num_hidden_layers"])
        self._layers = [_Layer(w, f"{prefix}encoder.layer.{i}.") for i in range(count)]

    def count_tokens(self, text: str) -> int:
        """Tokens in `text`, without special tokens, ignoring truncation."""
        return len(self._counter.encode(text, add_special_tokens=False).ids)

    def span_counters(self, texts: Sequence[str]) -> list[Callable[[int, int], int]]:
        """For each text, `count_tokens(text[start:end])` as a function of (start, end): the
        chunker weighs many spans of one text. See `SpanCounter`; the texts are tokenized
        together, on every core, in batches of at most SPAN_BATCH_CHARS characters."""
        counters: list[Callable[[int, int], int]]
        counters = slice_counters(self.count_tokens, texts)
        if not self._words_tokenized_alone:
            return counters
        for rows in _batches_by_size(texts, SPAN_COUNTER_MAX_CHARS, SPAN_BATCH_CHARS):
            batch = [texts[row] for row in rows]
            encodings = self._counter.encode_batch(batch, add_special_tokens=False)
            for row, encoding in zip(rows, encodings, strict=True):
                counters[row] = SpanCounter(texts[row], encoding, self.count_tokens)
        return counters

    def encode(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """Unit vectors of `texts`, (n, dimension) float32, in input order."""
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(texts))
        order = np.argsort(lengths, kind="stable")
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        # A few texts are still spread over every core; the longest batches go first.
        size = max(1, min(batch_size, -(-len(order) // self.threads)))
        batches = [order[i : i + size] for i in range(0, len(order), size)][::-1]

        def run(rows: np.ndarray) -> None:
            ids, mask = _pad([encodings[i].ids for i in rows], int(lengths[rows].max()))
            out[rows] = self.forward(ids, mask)

        if len(batches) <= 1 or self.threads == 1:
            for rows in batches:
                run(rows)
        else:
            list(self._pool.map(run, batches))
        return out

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled, unit-length vectors of a padded batch of token ids."""
        rows, length = ids.shape
        x = self._words[ids]
        x += self._positions[:length]
        x += self._token_type
        x = _layer_norm(x.reshape(rows * length, -1), *self._norm, self._eps)
        bias = None
        if not mask.all():
            bias = np.where(mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min)
            bias = bias.astype(np.float32)
        for layer in self._layers:
            x = self._layer(x, layer, rows, length, bias)
        return _mean_pool(x.reshape(rows, length, -1), mask)

    def _layer(
        self, x: np.ndarray, layer: _Layer, rows: int, length: int, bias: np.ndarray | None
    ) -> np.ndarray:
        qkv = x @ layer.qkv
        qkv += layer.qkv_bias
        context = self._attention(qkv.reshape(rows, length, 3, self._heads, -1), bias)
        h = context @ layer.out
        h += layer.out_bias
        h += x
        x = _layer_norm(h, *layer.norm1, self._eps)
        h = x @ layer.up
        h += layer.up_bias
        h = gelu(h) @ layer.down
        h += layer.down_bias
        h += x
        return _layer_norm(h, *layer.norm2, self._eps)

    def _attention(self, qkv: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
        """Scaled dot-product attention of (rows, length, 3, heads, head_dim) projections."""
        rows, length, _, heads, head_dim = qkv.shape
        scale = np.float32(1.0 / math.sqrt(head_dim))
        context = np.empty((rows, length, heads, head_dim), dtype=np.float32)
        for start in range(0, rows, _ATTENTION_ROWS):
            part = qkv[start : start + _ATTENTION_ROWS]
            q = np.ascontiguousarray(part[:, :, 0].transpose(0, 2, 1, 3))
            q *= scale
            k = np.ascontiguousarray(part[:, :, 1].transpose(0, 2, 3, 1))
            v = np.ascontiguousarray(part[:, :, 2].transpose(0, 2, 1, 3))
            scores = np.matmul(q, k)
            if bias is not None:
                scores += bias[start : start + _ATTENTION_ROWS]
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context[start : start + _ATTENTION_ROWS] = np.matmul(scores, v).transpose(0, 2, 1, 3)
        return context.reshape(rows * length, heads * head_dim)


def _batches_by_size(texts: Sequence[str], longest: int, budget: int) -> list[list[int]]:
    """Rows of the texts no longer than `longest`, in batches of at most `budget`
    characters (a batch holds at least one text)."""
    batches: list[list[int]] = [[]]
    size = 0
    for row, text in enumerate(texts):
        if len(text) > longest:
            continue
        if batches[-1] and size + len(text) > budget:
            batches.append([])
            size = 0
        batches[-1].append(row)
        size += len(text)
    return [batch for batch in batches if batch]


def slice_counters(
    count_tokens: Callable[[str], int], texts: Sequence[str]
) -> list[Callable[[int, int], int]]:
    """Span counters for any tokenizer: each span is tokenized alone."""
    return [functools.partial(_count_slice, count_tokens, text) for text in texts]


def _count_slice(count_tokens: Callable[[str], int], text: str, start: int, end: int) -> int:
    return count_tokens(text[start:end])


def tokenizes_words_alone(tokenizer: Any) -> bool:
    """Does `tokenizer` cut each word into tokens on its own? BERT's does: its normalizer
    works character by character, its pre-tokenizer splits at whitespace and punctuation,
    and WordPiece sees one word at a time."""
    parts = (tokenizer.normalizer, tokenizer.pre_tokenizer, tokenizer.model)
    kinds = tuple(type(part).__name__ for part in parts)
    return kinds == ("BertNormalizer", "BertPreTokenizer", "WordPiece")


class SpanCounter:
    """Tokens in `text[start:end]`, from one tokenization of the whole text.

    With a tokenizer that cuts each word on its own (`tokenizes_words_alone`), a span whose
    ends fall between words holds exactly the tokens inside it, so counting it is a few
    binary searches instead of a tokenization (the chunker weighs thousands of spans per
    article). A span that cuts a word is tokenized by itself. Offsets are kept as numpy
    arrays: 8 bytes a token.
    """

    def __init__(self, text: str, encoding: Any, count_tokens: Callable[[str], int]) -> None:
        self._text = text
        self._count_tokens = count_tokens
        offsets = np.asarray(encoding.offsets, dtype=np.int64).reshape(-1, 2)
        words = np.asarray(encoding.word_ids, dtype=np.int64)
        first = np.flatnonzero(np.diff(words, prepend=-1))  # a word's tokens are consecutive
        last = np.append(first[1:], len(words))[: first.size] - 1
        self._token_starts = np.ascontiguousarray(offsets[:, 0])
        self._word_starts = offsets[first, 0]
        self._word_ends = offsets[last, 1]

    def __call__(self, start: int, end: int) -> int:
        if self._between_words(start) and self._between_words(end):
            first, past = np.searchsorted(self._token_starts, (start, end))
            return int(past - first)
        return self._count_tokens(self._text[start:end])

    def _between_words(self, position: int) -> bool:
        """Is no word cut at `position`?"""
        before = int(np.searchsorted(self._word_starts, position)) - 1
        return before < 0 or bool(self._word_ends[before] <= position)


def _pad(token_ids: Sequence[Sequence[int]], length: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-padded ids (pad id 0) and the attention mask."""
    ids = np.zeros((len(token_ids), length), dtype=np.int64)
    mask = np.zeros((len(token_ids), length), dtype=np.int64)
    for row, tokens in enumerate(token_ids):
        ids[row, : len(tokens)] = tokens
        mask[row, : len(tokens)] = 1
    return ids, mask


def _mean_pool(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Average of the unmasked token vectors, scaled to unit length."""
    weights = mask[..., None].astype(np.float32)
    pooled = (x * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
