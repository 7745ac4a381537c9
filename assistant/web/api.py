"""The web API as plain methods: ask, documents, upload, delete, rebuild, read.

`Api` holds what every endpoint shares (the assistant with its model loaded once, the two
folders, what the last build skipped) and checks every argument where it enters, so a bad
one is an `ApiError` naming the argument and what to send, never a traceback. Nothing here
imports Gradio: `assistant.web.app` wires these methods to the page and the Gradio API,
and tests call them directly.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answer import MAX_K, Assistant
from assistant.examples import Examples
from assistant.web import catalog, uploads
from index.errors import CitedError
from index.loaded import LoadedIndex

log = logging.getLogger(__name__)

DEFAULT_K = 5
#: A build's progress(stage, done, total) callback (the page adapts it to a progress bar).
Progress = Callable[[str, int, int], None]


class ApiError(CitedError):
    """An argument an endpoint cannot use: which one, what it was, and what to send."""


@dataclass
class Api:
    """The six endpoints over one assistant, corpus folder and index folder."""

    assistant: Assistant
    corpus_dir: Path
    index_dir: Path
    errors: dict[str, str] = field(default_factory=dict)  # file -> why the last build skipped it
    times: dict[str, tuple[str, str]] = field(default_factory=dict)  # file -> (sha256, when)
    _paragraphs: dict[tuple[str, str], list] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    builder: Any = None  # the embedder Rebuild and the watcher build with (--engine)
    _examples: Examples | None = None

    def example_questions(self) -> tuple[str, ...]:
        """Questions to try that the index answers now (none when there is no index)."""
        if self._examples is None:
            self._examples = Examples(self.assistant)
        try:
            return self._examples.current()
        except CitedError:
            return ()

    @property
    def build_embedder(self) -> Any:
        return self.builder or self.assistant.embedder

    # --- the endpoints -------------------------------------------------------------------

    def ask(self, question: str, k: int = DEFAULT_K, doc_ids: list[str] | None = None) -> dict:
        """Answer a question with the articles' own words: the Answer JSON object."""
        text = question_argument(question)
        count = k_argument(k)
        ids = doc_ids_argument(doc_ids)
        if ids:
            known = {doc.doc_id for doc in self.loaded().documents()}
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise ApiError(
                    f"no article with id {unknown[0]!r} in the index; pick articles "
                    "from /documents (or leave doc_ids empty to search all)"
                )
        return self.assistant.answer(text, k=count, doc_ids=ids or None).to_dict()

    def documents(self) -> list[dict]:
        """The Library: every indexed article and every corpus file, with status and error."""
        loaded = self.loaded()
        with self._lock:
            self.times = catalog.indexed_times(loaded, self.times)
            times = dict(self.times)
            errors = {**catalog.build_errors(loaded), **self.errors}
        return catalog.library_rows(self.corpus_dir, loaded, errors, times)

    def upload(self, files: list[str] | str | None) -> dict:
        """Add articles to the corpus folder: {"saved": [names], "rejected": [{file, error}]}."""
        paths = [files] if isinstance(files, str) else list(files or [])
        if not all(isinstance(p, str | Path) for p in paths):
            raise ApiError("files must be a list of uploaded files")
        pairs = [(Path(str(p)).name, Path(str(p))) for p in paths]
        result = uploads.save_uploads(self.corpus_dir, pairs)
        for _, path in pairs:
            _discard_upload(path)
        log.info("upload: saved %s, rejected %s", result.saved, result.rejected)
        return result.to_dict()

    def delete(self, file: str) -> dict:
        """Delete one article file from the corpus folder (Rebuild drops it from answers)."""
        deleted = uploads.delete_article(self.corpus_dir, file)
        log.info("deleted %s from %s", deleted, self.corpus_dir)
        return {"deleted": deleted}

    def rebuild(self, progress: Progress | None = None) -> dict:
        """Rebuild the index from the corpus folder: the `cited ingest --json` summary."""
        from ingest.pipeline import build_index

        summary = build_index(
            self.corpus_dir,
            self.index_dir,
            self.build_embedder,
            wait=True,  # a watcher's build may be running: queue behind it
            progress=progress,
        )
        self.assistant.handle.reload_now()
        self.remember_build(summary)
        return summary.to_dict()

    def read(self, doc_id: str) -> dict:
        """One article for the Read view: its text, blocks (with ¶ numbers) and caveats."""
        if not isinstance(doc_id, str) or not doc_id.strip():
            raise ApiError("doc_id must be an article id from /documents")
        return catalog.read_document(self.loaded(), doc_id)

    # --- what the page needs besides -----------------------------------------------------

    def remember_build(self, summary: Any) -> None:
        """Keep the files a build skipped, with why, for the Library."""
        with self._lock:
            self.errors = {e.file: e.error for e in summary.errors}

    def loaded(self) -> LoadedIndex:
        return self.assistant.index()

    def version(self) -> str | None:
        """The version of the index answers come from now (None when there is none)."""
        try:
            return self.loaded().version
        except CitedError:
            return None

    def document_choices(self) -> list[tuple[str, str]]:
        """(title, doc_id) of every indexed article, for the page's pickers."""
        try:
            return [(doc.title, doc.doc_id) for doc in self.loaded().documents()]
        except CitedError:
            return []

    def paragraphs(self, answer: dict) -> dict[tuple[str, int], int]:
        """The ¶ number of each quote in its article (and of an abstention's nearest
        passage), for the quote cards."""
        loaded = self.loaded()
        found = {}
        nearest = (answer.get("abstention") or {}).get("nearest")
        quoted = [*answer.get("quotes", []), *([nearest] if nearest else [])]
        for quote in quoted:
            doc_id, start = quote["source"]["doc_id"], int(quote["source"]["start"])
            key = (loaded.version, doc_id)
            if key not in self._paragraphs:
                if any(version != loaded.version for version, _ in list(self._paragraphs)):
                    self._paragraphs.clear()  # a new index: numbers may have moved
                doc = loaded.document(doc_id)
                blocks = catalog.stored_blocks(loaded, doc) if doc else []
                self._paragraphs[key] = catalog.paragraph_numbers(blocks)
            number = catalog.paragraph_at(self._paragraphs[key], start)
            if number:
                found[(doc_id, start)] = number
        return found


# --- arguments, checked where they enter ----------------------------------------------------


def question_argument(question: Any) -> str:
    if not isinstance(question, str):
        raise ApiError(f"question must be text, got {type(question).__name__}")
    return question


def k_argument(k: Any) -> int:
    """`k` as an int from 1 to MAX_K (None or "": the default); anything else is refused."""
    if k is None or k == "":
        return DEFAULT_K
    try:
        number = float(k)
    except (TypeError, ValueError):
        raise ApiError(f"k must be a whole number from 1 to {MAX_K}, got {k!r}") from None
    if isinstance(k, bool) or not number.is_integer() or not 1 <= number <= MAX_K:
        raise ApiError(f"k must be a whole number from 1 to {MAX_K}, got {k!r}")
    return int(number)


def doc_ids_argument(doc_ids: Any) -> list[str]:
    """A list of article ids (one id, None or []: as given); anything else is refused."""
    if doc_ids is None or doc_ids == "":
        return []
    ids = [doc_ids] if isinstance(doc_ids, str) else doc_ids
    if not isinstance(ids, list | tuple) or not all(isinstance(i, str) for i in ids):
        raise ApiError("doc_ids must be a list of article ids from /documents (or empty)")
    return list(ids)


def _discard_upload(path: Path) -> None:
    """Remove Gradio's temporary copy of an upload once it is saved (or refused)."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.debug("could not remove temporary upload %s", path)
