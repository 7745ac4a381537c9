"""The embed stage: the vectors of the documents a build read, through the embedding cache.

Passages, caveat candidates and sentence units all go through one content-addressed
cache (`index.cache`), so only text never embedded before costs model time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from index.cache import EmbeddingCache, embed_with_cache
from index.records import StoredDocument
from ingest.caveats import RuledSentences, apply_rules, find_caveats, texts_to_embed
from ingest.chunk import CountSpan
from ingest.sentences import embed_sentences

#: progress(stage, done, total): "read" and "caveats" count files; "embed" and
#: "embed sentences" count texts.
Progress = Callable[[str, int, int], None]
#: failed(file, error): a document a stage could not handle; the build skips it.
Failed = Callable[[str, Exception], None]


class EmbedderLike(Protocol):
    """What a build needs of `index.embed.Embedder`."""

    @property
    def model_name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...

    def span_counters(self, texts: Sequence[str]) -> list[CountSpan]: ...


def embed_documents(
    read: Sequence[StoredDocument],
    embedder: EmbedderLike,
    cache: EmbeddingCache,
    failed: Failed,
    progress: Progress | None = None,
) -> tuple[list[StoredDocument], set[str]]:
    """The documents with their passage, caveat and sentence vectors, and the passage
    texts the cache lacked (what this build embedded)."""
    read, new_texts = _embed_passages(read, embedder, cache, progress)
    read = _find_caveats(read, embedder, cache, failed, progress)
    return _embed_sentence_units(read, embedder, cache, progress), new_texts


def _embed_passages(
    read: Sequence[StoredDocument],
    embedder: EmbedderLike,
    cache: EmbeddingCache,
    progress: Progress | None,
) -> tuple[list[StoredDocument], set[str]]:
    texts = [p.text for item in read for p in item.passages]
    _, missing = cache.lookup(texts)
    vectors, _, _ = embed_with_cache(embedder, cache, texts, progress=progress)
    result, row = [], 0
    for item in read:
        count = len(item.passages)
        result.append(dataclasses.replace(item, passage_vectors=vectors[row : row + count]))
        row += count
    return result, {texts[i] for i in missing}


def _find_caveats(
    read: Sequence[StoredDocument],
    embedder: EmbedderLike,
    cache: EmbeddingCache,
    failed: Failed,
    progress: Progress | None,
) -> list[StoredDocument]:
    """The documents with their caveats and caveat vectors; sentences go through the cache.
    What every document will embed is embedded first, as one batch, and kept at hand: each
    document then asks again for its sentences and the same prototypes."""
    known: dict[str, np.ndarray] = {}

    def embed(texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            known.update(zip(missing, embed_with_cache(embedder, cache, missing)[0], strict=True))
        rows = [known[t] for t in texts]
        return np.stack(rows) if rows else np.zeros((0, embedder.dimension), np.float32)

    ruled = _ruled(read, failed)
    embed([text for item, rules in ruled for text in texts_to_embed(item.document, rules)])
    result: list[StoredDocument] = []
    for done, (item, rules) in enumerate(ruled, start=1):
        try:
            caveats = tuple(find_caveats(item.document, embed, rules))
        except Exception as error:  # a bad file must never stop the build
            failed(item.file, error)
            continue
        vectors = embed([c.text for c in caveats]).reshape(-1, embedder.dimension)
        result.append(dataclasses.replace(item, caveats=caveats, caveat_vectors=vectors))
        if progress:
            progress("caveats", done, len(ruled))
    return result


def _ruled(
    read: Sequence[StoredDocument], failed: Failed
) -> list[tuple[StoredDocument, RuledSentences]]:
    """Each document with the caveat rules' judgement of its sentences."""
    ruled = []
    for item in read:
        try:
            ruled.append((item, apply_rules(item.document, item.blocks)))
        except Exception as error:  # a bad file must never stop the build
            failed(item.file, error)
    return ruled


def _embed_sentence_units(
    read: Sequence[StoredDocument],
    embedder: EmbedderLike,
    cache: EmbeddingCache,
    progress: Progress | None,
) -> list[StoredDocument]:
    """The documents with their sentence units and vectors."""
    passages = [p for item in read for p in item.passages]
    sentences = embed_sentences(embedder, cache, passages, embedder.dimension, progress)
    owners = sentences.spans[:, 0]
    result, first = [], 0
    for item in read:
        last = first + len(item.passages)
        lo, hi = np.searchsorted(owners, [first, last], side="left")
        spans = sentences.spans[lo:hi].copy()
        spans[:, 0] -= first
        vectors = sentences.vectors[lo:hi]
        result.append(dataclasses.replace(item, sentence_spans=spans, sentence_vectors=vectors))
        first = last
    return result
