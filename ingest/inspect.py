"""`cited inspect`: what cited reads from any file, without embedding anything.

Title, sections, passages (section, start, end, page, text), boilerplate spans with their
reason, the share of the text in some passage and warnings. Chunking counts tokens with
the model's tokenizer alone (no model weights are loaded, no text is embedded).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.errors import UnreadableFileError
from index.records import ChunkSettings, Passage
from ingest.analyze import analyze, code_spans, read_file
from ingest.clean import find_boilerplate
from ingest.formats import Limits
from ingest.headings import PATH_SEPARATOR, shown_path
from ingest.health import read_health
from ingest.load import DEFAULT_LIMITS, LoadedFile

#: How much of a passage's heading path a line of `cited inspect` shows.
INSPECT_PATH_CHARS = 50

CountSpan = Callable[[int, int], int]


class TokenCounter:
    """Span counters from the model's tokenizer (tokenizer.json) alone."""

    def __init__(self, model_path: Path | None = None) -> None:
        from tokenizers import Tokenizer

        from index.embed import default_model_path

        path = Path(model_path) if model_path is not None else default_model_path()
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self.max_tokens = _max_tokens(path)

    def count(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def span_counter(self, text: str) -> CountSpan:
        """`count(text[start:end])` from one tokenization of `text`."""
        from index.tokens import SpanCounter

        encoding = self._tokenizer.encode(text, add_special_tokens=False)
        return SpanCounter(text, encoding, self.count)


def _max_tokens(path: Path) -> int:
    """The model's window, as the build uses it (sentence-transformers' max_seq_length)."""
    config = path / "sentence_bert_config.json"
    if config.is_file():
        length = json.loads(config.read_text(encoding="utf-8")).get("max_seq_length")
        if length:
            return int(length)
    return ChunkSettings().max_tokens


@dataclass(frozen=True)
class FileReport:
    """What `inspect` found in one file; `to_dict` is one line of `cited inspect --json`."""

    file: str
    title: str | None = None
    passages: tuple[Passage, ...] = ()
    boilerplate: tuple[tuple[int, int, str], ...] = ()
    indexed_share: float | None = None
    warnings: tuple[str, ...] = ()
    error: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def sections(self) -> list[str]:
        """The distinct places passages stand under: heading paths, or sections."""
        return list(dict.fromkeys(_where(p) for p in self.passages))

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "title": self.title,
            "passages": [
                {
                    "section": p.section,
                    "headings": list(p.headings),
                    "start": p.start,
                    "end": p.end,
                    "page": p.page,
                    "text": p.text,
                }
                for p in self.passages
            ],
            "boilerplate": [{"start": s, "end": e, "reason": r} for s, e, r in self.boilerplate],
            "indexed_share": self.indexed_share,
            "warnings": [*self.notes, *self.warnings],
            "error": self.error,
        }


def inspect_file(path: Path, counter: TokenCounter, limits: Limits = DEFAULT_LIMITS) -> FileReport:
    """Read, clean and chunk one file as a build would; an unreadable file gives `error`."""
    path = Path(path)
    try:
        loaded = read_file(path.absolute(), path.absolute().parent, limits)
        settings = ChunkSettings(max_tokens=counter.max_tokens)
        analysis = analyze(loaded, counter.span_counter(loaded.document.text), settings)
    except UnreadableFileError as error:
        return FileReport(str(path), error=error.reason)
    except Exception as error:  # inspecting one bad file must not stop the others
        return FileReport(str(path), error=f"could not be read ({type(error).__name__}: {error})")
    health = read_health(analysis.document, analysis.passages)
    return FileReport(
        file=str(path),
        title=analysis.document.title,
        passages=analysis.passages,
        boilerplate=_boilerplate(loaded),
        indexed_share=health.indexed_share,
        warnings=health.warnings,
        notes=analysis.notes,
    )


def _boilerplate(loaded: LoadedFile) -> tuple[tuple[int, int, str], ...]:
    """The format's marked spans and the cleaner's, each with its reason, in text order."""
    marked = [(m.start, m.end, m.reason) for m in loaded.marked]
    found = find_boilerplate(loaded.document, code_spans(loaded))
    return tuple(sorted({*marked, *found}))


def report_as_text(report: FileReport) -> str:
    """A few lines a person reads: title, counts, warnings, then each passage's opening."""
    if report.error:
        return f"{report.file}: error: {report.error}"
    share = f"{100 * (report.indexed_share or 0):.0f}%"
    lines = [
        f"{report.file} — {report.title}",
        f"  {len(report.sections)} sections, {len(report.passages)} passages, "
        f"{len(report.boilerplate)} boilerplate spans, {share} of the text indexed",
    ]
    lines += [f"  note: {note}" for note in report.notes]
    lines += [f"  warning: {warning}" for warning in report.warnings]
    for start, end, reason in report.boilerplate:
        lines.append(f"  boilerplate {start}-{end} ({reason})")
    for p in report.passages:
        page = f" p.{p.page}" if p.page else ""
        opening = " ".join(p.text.split())[:70]
        where = shown_path(p.headings, INSPECT_PATH_CHARS) or p.section[:40]
        lines.append(f"  [{p.ordinal + 1}] {where} | {p.start}-{p.end}{page} | {opening}")
    return "\n".join(lines)


def _where(passage: Passage) -> str:
    return PATH_SEPARATOR.join(passage.headings) or passage.section
