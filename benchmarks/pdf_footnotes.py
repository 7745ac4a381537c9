"""How well cited keeps PDF footnotes out of the paragraphs they interrupt, on real manuals.

    python -m benchmarks.pdf_footnotes [--json]

The truth comes from the type, which cited's reader never looks at: a footnote opens with
its number set small (under 0.8 of the body size, pypdf's text visitor), on the lower half
of the page, followed on the same line by small text. Through cited's own reader
(`ingest.load.load_file`; a `.pdf.gz` is unpacked first, so older readers can be measured):

- found: notes whose opening line starts a block of its own on the note's page;
- inside: notes whose opening line is inside a block that begins elsewhere (a paragraph
  holding a note: the fault this guards against);
- reported: the count of notes the reader says it kept apart; `reported - found` is an
  upper bound on lines wrongly taken for notes.

A manual that is not installed is left out.
"""

from __future__ import annotations

import argparse
import gzip
import io
import itertools
import json
import logging
import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

R_MANUALS = Path("/usr/share/R/doc/manual")
MANUALS = (
    *(
        R_MANUALS / f"R-{name}.pdf"
        for name in ("FAQ", "admin", "data", "exts", "ints", "intro", "lang")
    ),
    Path("/usr/share/doc/debian/FAQ/debian-faq.en.pdf.gz"),
)
SMALL = 0.8
_REPORTED = re.compile(r"(\d+) footnotes kept apart")


@dataclass(frozen=True)
class Score:
    name: str
    notes: int  # by their type
    found: int
    inside: int
    reported: int


def typeset_notes(pdf: bytes) -> list[tuple[int, int]]:
    """(0-based page, number) of every footnote the type shows."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(io.BytesIO(pdf))
    pages: list[tuple[float, list[tuple[float, float, str]]]] = []
    weight: dict[float, int] = {}
    for page in reader.pages:
        fragments: list[tuple[float, float, str]] = []

        def visit(text, cm, tm, font, size, into=fragments) -> None:
            c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
            rendered = float(size or 0) * (c * c + d * d) ** 0.5
            if text.strip():
                into.append((rendered, tm[5] * cm[3] + cm[5], text))
                weight[round(rendered, 1)] = weight.get(round(rendered, 1), 0) + len(text)

        page.extract_text(visitor_text=visit)
        pages.append((float(page.mediabox.height), fragments))
    body = max(weight, key=weight.__getitem__) if weight else 0
    return [
        (n, int(text))
        for n, (height, fragments) in enumerate(pages)
        for (size, y, text), after in itertools.zip_longest(fragments, fragments[1:])
        if re.fullmatch(r"\s*\d{1,3}\s*", text)
        and 0 < size < SMALL * body
        and y < height / 2
        and after is not None
        and 0 < after[0] < 0.9 * body
        and abs(after[1] - y) < 6
    ]


def score(path: Path, tmp: Path) -> Score:
    from ingest.load import load_file

    raw = path.read_bytes()
    pdf = gzip.decompress(raw) if path.suffix == ".gz" else raw
    notes = typeset_notes(pdf)
    target = tmp / path.name.removesuffix(".gz")
    target.write_bytes(pdf)
    loaded = load_file(target, tmp)
    doc, text = loaded.document, loaded.document.text
    blocks = [b for b in loaded.blocks or () if b.kind != "heading"]
    found = inside = 0
    for page, number in notes:
        start, end = doc.page_starts[page], _page_end(doc.page_starts, page, len(text))
        at = [m.start() for m in re.finditer(rf"^{number}(?=\s|[A-Z])", text[start:end], re.M)]
        holders = [(b, start + a) for a in at for b in blocks if b.start <= start + a < b.end]
        if any(b.start == a for b, a in holders):
            found += 1
        elif holders:
            inside += 1
    reported = next((int(m.group(1)) for note in loaded.notes if (m := _REPORTED.search(note))), 0)
    return Score(path.name, len(notes), found, inside, reported)


def _page_end(starts: tuple[int, ...], page: int, length: int) -> int:
    return starts[page + 1] if page + 1 < len(starts) else length


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        scores = [score(path, Path(tmp)) for path in MANUALS if path.is_file()]
    if args.json:
        print(json.dumps([asdict(s) for s in scores]))
        return 0
    print(f"{'manual':24} {'notes':>6} {'found':>6} {'inside':>7} {'reported':>9}")
    for s in scores:
        print(f"{s.name:24} {s.notes:6} {s.found:6} {s.inside:7} {s.reported:9}")
    total = [sum(getattr(s, f) for s in scores) for f in ("notes", "found", "inside", "reported")]
    print(f"{'all':24} {total[0]:6} {total[1]:6} {total[2]:7} {total[3]:9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
