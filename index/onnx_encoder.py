"""BERT sentence encoders on onnxruntime: the packaged model without importing torch.

The model is exported to ONNX once, from the folder's own weights (torch, offline, ~10 s),
into a per-user cache ($XDG_CACHE_HOME/cited/onnx/<digest of the model files>/model.onnx,
default ~/.cache). The export is written to a temporary file and renamed into place, and
its sha256 is stored beside it: a damaged or partial file is detected on load and exported
again. Later processes load it in about a second, where torch and sentence-transformers
take several, which is most of `cited ask`'s start-up time.

Tokenization is the folder's `tokenizer.json` through `tokenizers`; the graph returns the
last hidden states and pooling is sentence-transformers' mean pooling and L2 normalisation.
The session runs one intra-op thread (one query is fastest so, and leaves the other core
free); large inputs are split into batches of similar length run on one thread per core.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from index import tokens
from index.embed_tokens import TokenStates, token_states_of

log = logging.getLogger(__name__)

_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"
_MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json")
#: Bumped when the export itself changes, so old cached files are not used.
EXPORT_VERSION = 1
_OPSET = 17
_GRAPH_NAMES = ("input_ids", "attention_mask", "last_hidden_state")


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def unsupported_reason(model_path: Path) -> str | None:
    """Why this backend cannot run the model folder, or None when it can."""
    path = Path(model_path)
    for name in _MODEL_FILES:
        if not (path / name).is_file():
            return f"no {name}"
    try:
        config = _read_json(path / "config.json")
        modules = [m.get("type") for m in _read_json(path / "modules.json")]
        pooling = _read_json(path / "1_Pooling" / "config.json")
    except (OSError, ValueError, KeyError, AttributeError) as e:
        return f"unreadable model files ({e})"
    if modules not in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE]):
        return f"modules {modules}"
    if config.get("model_type") != "bert":
        return f"model type {config.get('model_type')!r}"
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
    if modes != ["pooling_mode_mean_tokens"]:
        return f"pooling {modes}"
    return None


def cache_root() -> Path:
    """$XDG_CACHE_HOME/cited/onnx, or ~/.cache/cited/onnx."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cited" / "onnx"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def model_digest(model_path: Path) -> str:
    """Names the export of this model folder: its files' names, sizes and modification
    times (hashing 90 MB of weights on every start would cost more than it guards)."""
    digest = hashlib.sha256(f"export {EXPORT_VERSION}\n".encode())
    for file in sorted(p for p in Path(model_path).rglob("*") if p.is_file()):
        stat = file.stat()
        relative = file.relative_to(model_path).as_posix()
        digest.update(f"{relative}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def export_onnx(model_path: Path, target: Path) -> None:
    """Write the BERT of `model_path` as an ONNX graph (ids, mask -> hidden states)."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # progress belongs to the CLI

    class HiddenStates(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(
                str(model_path), local_files_only=True, attn_implementation="eager"
            )

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.bert(input_ids=input_ids, attention_mask=attention_mask)[0]

    ids = torch.ones((2, 8), dtype=torch.int64)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on BERT's Python code
        torch.onnx.export(
            HiddenStates().eval(),
            (ids, torch.ones_like(ids)),
            str(target),
            input_names=list(_GRAPH_NAMES[:2]),
            output_names=list(_GRAPH_NAMES[2:]),
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in _GRAPH_NAMES},
            opset_version=_OPSET,
            dynamo=False,
        )


def cached_export(
    model_path: Path,
    root: Path | None = None,
    export: Callable[[Path, Path], None] = export_onnx,
) -> Path:
    """The ONNX file of `model_path`, exported into the cache first if it is missing or
    does not match its stored sha256."""
    folder = (root or cache_root()) / model_digest(model_path)
    onnx_file, checksum = folder / "model.onnx", folder / "model.onnx.sha256"
    if onnx_file.is_file() and checksum.is_file():
        if checksum.read_text(encoding="ascii").strip() == _sha256(onnx_file):
            return onnx_file
        log.warning("the cached ONNX export %s is damaged; exporting it again", onnx_file)
    log.info("exporting %s to ONNX (once) into %s", model_path, folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        scratch_dir = tempfile.TemporaryDirectory(dir=folder, prefix=".export-")
    except OSError as e:
        raise OSError(
            f"cannot write the ONNX export to {folder} ({e.strerror or e}); "
            "set XDG_CACHE_HOME to a writable folder"
        ) from e
    with scratch_dir as scratch:
        fresh = Path(scratch) / "model.onnx"
        export(Path(model_path), fresh)
        sha = _sha256(fresh)
        side = Path(scratch) / "model.onnx.sha256"
        side.write_text(sha + "\n", encoding="ascii")
        os.replace(fresh, onnx_file)
        os.replace(side, checksum)  # last: the file is only trusted once both are in place
    return onnx_file


#: Fewer tokens than this in all run as one batch on one core. A pass streams the whole
#: model through memory however short its input: a handful of words (the words of a
#: question an answer weighs) cost two passes' time when spread over two cores, and no less
#: wall time on a busy machine.
SPREAD_TOKENS = 64


class OnnxEncoder:
    """A BERT sentence encoder with mean pooling, on onnxruntime; see the module docstring."""

    def __init__(self, model_path: Path, threads: int | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        path = Path(model_path)
        reason = unsupported_reason(path)
        if reason is not None:
            raise ValueError(f"{path} cannot run on the onnx encoder: {reason}")
        config = _read_json(path / "config.json")
        st_config = path / "sentence_bert_config.json"
        max_length = _read_json(st_config).get("max_seq_length") if st_config.is_file() else None
        self.max_tokens = int(min(max_length or 512, config["max_position_embeddings"]))
        self.dimension = int(config["hidden_size"])
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self.max_tokens)
        self._counter = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._counter.no_padding()
        self._counter.no_truncation()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(cached_export(path)), options, providers=["CPUExecutionProvider"]
        )
        self.threads = max(1, threads or tokens.cpu_count())
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="cited-encode")

    def count_tokens(self, text: str) -> int:
        """Tokens in `text`, without special tokens, ignoring truncation."""
        return len(self._counter.encode(text, add_special_tokens=False).ids)

    def span_counters(self, texts: Sequence[str]) -> list[Callable[[int, int], int]]:
        """For each text, `count_tokens(text[start:end])` as a function of (start, end)."""
        return tokens.span_counters(self._counter, self.count_tokens, texts)

    def encode(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """Unit vectors of `texts`, (n, dimension) float32, in input order."""
        out = np.empty((len(texts), self.dimension), dtype=np.float32)

        def pooled(rows: np.ndarray, ids: np.ndarray, mask: np.ndarray) -> None:
            out[rows] = self.forward(ids, mask)

        self._run_batches(self._tokenizer.encode_batch(list(texts)), batch_size, pooled)
        return out

    def token_states(self, texts: Sequence[str], batch_size: int = 16) -> list[TokenStates]:
        """The last hidden state of every token of each text (special tokens dropped), with
        the character span of each token, in input order."""
        return self.encode_with_states(texts, batch_size)[1]

    def encode_with_states(
        self, texts: Sequence[str], batch_size: int = 16
    ) -> tuple[np.ndarray, list[TokenStates]]:
        """`encode` and `token_states` of `texts` from one forward pass (a question is
        embedded to search and later read against a quote: one pass serves both)."""
        encodings = self._tokenizer.encode_batch(list(texts))
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        out: list[TokenStates | None] = [None] * len(texts)

        def both(rows: np.ndarray, ids: np.ndarray, mask: np.ndarray) -> None:
            (hidden,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            vectors[rows] = _mean_pool(hidden, mask)
            for row, state in zip(rows, hidden, strict=True):
                out[row] = token_states_of(encodings[row].offsets, state)

        self._run_batches(encodings, batch_size, both)
        return vectors, [states for states in out if states is not None]

    def _run_batches(
        self,
        encodings: Sequence[Any],
        batch_size: int,
        run: Callable[[np.ndarray, np.ndarray, np.ndarray], None],
    ) -> None:
        """`run(rows, ids, mask)` over padded batches of similar length; a few texts are
        still spread over every core, the longest batches first, unless they hold fewer
        than SPREAD_TOKENS tokens in all."""
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(encodings))
        order = np.argsort(lengths, kind="stable")
        cores = self.threads if int(lengths.sum()) >= SPREAD_TOKENS else 1
        size = max(1, min(batch_size, -(-len(order) // cores)))
        batches = [order[i : i + size] for i in range(0, len(order), size)][::-1]

        def padded(rows: np.ndarray) -> None:
            ids, mask = _pad([encodings[i].ids for i in rows], int(lengths[rows].max()))
            run(rows, ids, mask)

        if len(batches) <= 1 or self.threads == 1:
            for rows in batches:
                padded(rows)
        else:
            list(self._pool.map(padded, batches))

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled, unit-length vectors of a padded batch of token ids."""
        (hidden,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
        return _mean_pool(hidden, mask)


def _pad(token_ids: Sequence[Sequence[int]], length: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-padded ids (pad id 0) and the attention mask."""
    ids = np.zeros((len(token_ids), length), dtype=np.int64)
    mask = np.zeros((len(token_ids), length), dtype=np.int64)
    for row, token_row in enumerate(token_ids):
        ids[row, : len(token_row)] = token_row
        mask[row, : len(token_row)] = 1
    return ids, mask


def _mean_pool(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Average of the unmasked token vectors, scaled to unit length (as sentence-transformers'
    Pooling and Normalize modules do)."""
    weights = mask[..., None].astype(np.float32)
    pooled = (x * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
