"""How well cited reads real PDF manuals, measured against the same manual's other edition.

    python -m benchmarks.pdf_editions [--json]

Debian ships R's manuals as PDF (`r-doc-pdf`) and as HTML (`r-doc-html`), and the Debian
FAQ as PDF, HTML and text (`debian-faq`). For each PDF, through cited's own reader,
cleaner and chunker (tokens counted by the packaged model's tokenizer; nothing embedded):

- recall: of the other edition's paragraphs whose first 8 words are in the text cited
  extracted, the share whose first 8 words are inside one passage (target >= 0.98);
- mid-sentence: the share of passages that start in the middle of a sentence (<= 5%);
- furniture: lines inside passages that are a running header or footer, a page number or a
  dot-leader table-of-contents line (target 0).

Words are compared without case, spaces or punctuation, so an extractor that runs words
together and one that does not are held to the same test. A manual that is not installed
is reported as missing, not as a failure.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from index.records import Passage

if TYPE_CHECKING:
    from ingest.analyze import Analysis

R_MANUALS = Path("/usr/share/R/doc/manual")
DEBIAN_FAQ = Path("/usr/share/doc/debian/FAQ")
OPENING_WORDS = 8
TARGETS = {"recall": 0.98, "mid_sentence": 0.05, "furniture": 0}


@dataclass(frozen=True)
class Edition:
    """A PDF manual and the paragraphs of its other edition."""

    name: str
    pdf: Path
    other: tuple[Path, ...]
    kind: str  # "html" or "text"


@dataclass(frozen=True)
class Score:
    name: str
    pages: int
    passages: int
    openings_in_text: int
    openings_in_passages: int
    recall: float
    mid_sentence: float
    furniture: int
    furniture_examples: tuple[str, ...]
    notes: tuple[str, ...]


def editions() -> list[Edition]:
    faq_html = tuple(sorted(DEBIAN_FAQ.glob("*.en.html")))
    return [
        Edition("R-FAQ", R_MANUALS / "R-FAQ.pdf", (R_MANUALS / "R-FAQ.html",), "html"),
        Edition("R-admin", R_MANUALS / "R-admin.pdf", (R_MANUALS / "R-admin.html",), "html"),
        Edition("R-intro", R_MANUALS / "R-intro.pdf", (R_MANUALS / "R-intro.html",), "html"),
        Edition("R-data", R_MANUALS / "R-data.pdf", (R_MANUALS / "R-data.html",), "html"),
        Edition("debian-faq/html", DEBIAN_FAQ / "debian-faq.en.pdf.gz", faq_html, "html"),
        Edition(
            "debian-faq/text",
            DEBIAN_FAQ / "debian-faq.en.pdf.gz",
            (DEBIAN_FAQ / "debian-faq.en.txt.gz",),
            "text",
        ),
    ]


def squash(text: str) -> str:
    """Lowercase letters and digits only: the form in which editions are compared."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text)).lower()


def _read(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def paragraphs(edition: Edition) -> list[str]:
    """The other edition's paragraphs of at least OPENING_WORDS words."""
    found: list[str] = []
    for path in edition.other:
        text = _read(path).decode("utf-8", errors="replace")
        if edition.kind == "html":
            from bs4 import BeautifulSoup

            soup = BeautifulSoup(text, "html.parser")
            found += [p.get_text(" ") for p in soup.find_all("p")]
        else:  # numbered headings ("1.3. OK, now I know...") are sections, not paragraphs
            found += [p for p in re.split(r"\n[ \t]*\n", text) if not _TEXT_HEADING.match(p)]
    return [p for p in (" ".join(p.split()) for p in found) if len(p.split()) >= OPENING_WORDS]


_TEXT_HEADING = re.compile(r"\s*(?:Chapter\s+\d+\.|(?:\d+\.)+)\s+\S")


def opening(paragraph: str) -> str:
    return squash(" ".join(paragraph.split()[:OPENING_WORDS]))


def read(edition: Edition, tmp: Path) -> Analysis:
    """The PDF read, cleaned and cut into passages as a build does (`ingest.analyze`: the
    format's own blocks, then passages), tokens counted with the packaged model's tokenizer;
    a .gz edition is unpacked first."""
    from tokenizers import Tokenizer

    from index.embed import default_model_path
    from index.tokens import SpanCounter
    from ingest.analyze import analyze, read_file

    name = edition.pdf.name.removesuffix(".gz")
    target = tmp / name
    target.write_bytes(_read(edition.pdf))
    loaded = read_file(target, tmp)
    tokenizer = Tokenizer.from_file(str(default_model_path() / "tokenizer.json"))
    tokenizer.no_truncation()

    def count(text: str) -> int:
        return len(tokenizer.encode(text, add_special_tokens=False).ids)

    text = loaded.document.text
    encoding = tokenizer.encode(text, add_special_tokens=False)
    return analyze(loaded, SpanCounter(text, encoding, count))


_DOT_LEADER = re.compile(r"(?:\.\s?){4,}\s*[\divxlc]+\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Furniture:
    """Page furniture as pypdf prints it, found independently of cited's reader: the first
    and last lines of pages whose shape (digits aside) recurs on three or more pages."""

    lines: frozenset[str]  # squashed lines with letters ("chapter2rbasics7")
    numbers: frozenset[tuple[int, str]]  # (0-based page, the lone number printed on it)


def page_furniture(pdf: bytes) -> Furniture:
    import io
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(io.BytesIO(pdf))
    edges: list[tuple[int, str]] = []
    for n, page in enumerate(reader.pages):
        lines = [line.strip() for line in (page.extract_text() or "").splitlines()]
        lines = [line for line in lines if line]
        edges += [(n, line) for line in {*lines[:1], *lines[-1:]}]
    counts = Counter(_shape(line) for _, line in edges)
    repeated = [(n, line) for n, line in edges if counts[_shape(line)] >= 3 and _shape(line)]
    return Furniture(
        lines=frozenset(squash(line) for _, line in repeated if re.search(r"[^\W\d_]", line)),
        numbers=frozenset((n, line) for n, line in repeated if line.isdigit()),
    )


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", squash(line))


def furniture_in(passages: list[Passage], furniture: Furniture) -> list[str]:
    """Passage lines that are page furniture: a repeated page edge, the lone number printed
    on the passage's own page or the next, or a dot-leader line."""
    found: list[str] = []
    for passage in passages:
        page = (passage.page or 1) - 1
        for line in (line.strip() for line in passage.text.splitlines()):
            number = line.isdigit() and {(page, line), (page + 1, line)} & furniture.numbers
            if line and (squash(line) in furniture.lines or number or _DOT_LEADER.search(line)):
                found.append(line)
    return found


def starts_mid_sentence(text: str) -> bool:
    """A passage that starts with a lowercase word or closing punctuation."""
    first = text.lstrip()[:1]
    return bool(first) and (first.islower() or first in ",;:)]}.")


def score(edition: Edition, tmp: Path) -> Score:
    analysis = read(edition, tmp)
    doc, passages = analysis.document, list(analysis.passages)
    text = squash(doc.text)
    joined = "|".join(squash(p.text) for p in passages)
    openings = {opening(p) for p in paragraphs(edition)}
    in_text = {o for o in openings if o in text}
    in_passages = {o for o in in_text if o in joined}
    furniture = furniture_in(passages, page_furniture(_read(edition.pdf)))
    mid = sum(starts_mid_sentence(p.text) for p in passages)
    return Score(
        name=edition.name,
        pages=len(doc.page_starts),
        passages=len(passages),
        openings_in_text=len(in_text),
        openings_in_passages=len(in_passages),
        recall=round(len(in_passages) / max(1, len(in_text)), 3),
        mid_sentence=round(mid / max(1, len(passages)), 3),
        furniture=len(furniture),
        furniture_examples=tuple(furniture[:5]),
        notes=analysis.notes,
    )


def measure() -> dict:
    """Scores of every installed edition pair, with PASS/FAIL against the targets."""
    import tempfile

    results: dict = {"targets": TARGETS, "manuals": [], "missing": []}
    with tempfile.TemporaryDirectory() as tmp:
        for edition in editions():
            if not edition.pdf.is_file() or not all(p.is_file() for p in edition.other):
                results["missing"].append(edition.name)
                continue
            results["manuals"].append(asdict(score(edition, Path(tmp))))
    manuals = results["manuals"]
    results["passed"] = bool(manuals) and all(_passes(m) for m in manuals)
    if manuals:
        results["worst_recall"] = min(m["recall"] for m in manuals)
        results["worst_mid_sentence"] = max(m["mid_sentence"] for m in manuals)
        results["furniture_total"] = sum(m["furniture"] for m in manuals)
    return results


def _passes(manual: dict) -> bool:
    return (
        manual["recall"] >= TARGETS["recall"]
        and manual["mid_sentence"] <= TARGETS["mid_sentence"]
        and manual["furniture"] <= TARGETS["furniture"]
    )


def table(results: dict) -> str:
    lines = [
        f"{'manual':<18}{'pages':>6}{'passages':>9}{'in text':>8}{'in pass.':>9}"
        f"{'recall':>8}{'mid-sent':>9}{'furniture':>10}  result"
    ]
    for m in results["manuals"]:
        lines.append(
            f"{m['name']:<18}{m['pages']:>6}{m['passages']:>9}{m['openings_in_text']:>8}"
            f"{m['openings_in_passages']:>9}{m['recall']:>8.3f}{m['mid_sentence']:>9.3f}"
            f"{m['furniture']:>10}  {'PASS' if _passes(m) else 'FAIL'}"
        )
    lines += [
        f"{name:<18}not installed (apt-get install r-doc-pdf r-doc-html debian-faq)"
        for name in results["missing"]
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = measure()
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
