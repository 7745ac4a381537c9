"""What the index holds, as plain dicts for `cited docs --json` and the Library tab."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant.answer import source_of
from index.records import Caveat, Document
from index.store import LoadedIndex


def list_documents(index_dir: Path, loaded: LoadedIndex | None = None) -> list[dict[str, Any]]:
    """Every indexed document with its passage count and the caveats found in it."""
    loaded = loaded or LoadedIndex.load(index_dir, verify=False)
    caveats_by_doc: dict[str, list[Caveat]] = {}
    for _, caveat in loaded.caveats(None):
        caveats_by_doc.setdefault(caveat.doc_id, []).append(caveat)
    return [
        _document_dict(doc, len(loaded.passages_of(doc.doc_id)), caveats_by_doc.get(doc.doc_id, []))
        for doc in loaded.documents()
    ]


def _document_dict(doc: Document, passages: int, caveats: list[Caveat]) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "file": doc.file,
        "passages": passages,
        "caveats": [{"text": c.text, "source": caveat_source(c, doc)} for c in caveats],
    }


def caveat_source(caveat: Caveat, doc: Document) -> dict[str, Any]:
    """The Answer JSON `source` object for a caveat."""
    return asdict(source_of(caveat, doc))
