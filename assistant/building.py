"""One build of the index as the command line runs it, with progress bars on a terminal.

Progress bars live here, at the edge: `ingest.pipeline.build_index` only reports
(stage, done, total) through its `progress` callback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def ingest_once(
    corpus: Path,
    index: Path,
    embedder: Any,
    *,
    full: bool,
    wait: bool = False,
    quiet: bool,
    retry_failed: bool = False,
) -> Any:
    """One build, with a progress bar when stderr is a terminal."""
    from ingest.pipeline import build_index

    with _ProgressBars(enabled=not quiet and sys.stderr.isatty()) as progress:
        summary = build_index(
            corpus,
            index,
            embedder,
            full=full,
            wait=wait,
            progress=progress,
            retry_failed=retry_failed,
        )
    return summary


class _ProgressBars:
    """tqdm bars for the build's stages, only on a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict[str, Any] = {}

    def __enter__(self) -> Callable[[str, int, int], None] | None:
        return self.update if self.enabled else None

    def update(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        label = {
            "read": "reading files",
            "embed": "embedding passages",
            "caveats": "finding caveats",
            "embed sentences": "embedding sentences",
        }.get(stage, stage)
        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(total=total, desc=label, unit="", leave=False)
        bar.total = total
        bar.n = done
        bar.refresh()

    def __exit__(self, *exc: object) -> None:
        for bar in self.bars.values():
            bar.close()
