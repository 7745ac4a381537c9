"""Train the learned highlight score on the FAQ pages Debian installs, deterministically.

Each FAQ heading is a question written by a person and the section under it its answer.
The pages are copied (text FAQs turned into Markdown, so each numbered or "Q:" question
becomes a heading; R's texinfo HTML likewise) into a corpus, indexed by the real
pipeline, and each heading is asked against that index as a question is answered: its top
five passages, their stored sentence units. The label: a sentence of the heading's own
section is an answer (`--positives`: its first unit, first two, or all of them); every
other sentence of the shown quotes is not. A linear model over the features of
`assistant/highlight_learned.py` is fitted by a softmax over each question's sentences,
with the hand score as an offset, so it learns what to add to it.

Never trained on: tests/data/questions.jsonl, python_docs_questions.jsonl (the evaluation
sets), nor the Python FAQ pages in tests/data/python-docs (general, installed).

    apt-get install $PACKAGES    # the Debian packages holding the pages (PACKAGES below)
    python -m benchmarks.train_highlight            # writes assistant/data/highlight_model.json
    python -m benchmarks.train_highlight --check    # each third of the pages held out of a fit

Round 11 added the FAQs of Vim, zsh, git (gitfaq), fetchmail and SQLite (`--more-faqs`):
1236 questions then get their own section among the five passages shown (746 without;
the shipped model is fitted without them, see MORE_FAQS).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from assistant import highlight
from assistant.highlight_learned import FEATURES, MODEL_PATH, load_model
from index.embed import Embedder
from index.loaded import LoadedIndex
from index.records import Passage
from index.search import HybridSearcher

DOC = Path("/usr/share/doc")
#: Python's FAQ pages, less general.html and installed.html: tests/data/python-docs holds
#: those two as the second evaluation corpus.
PYTHON_FAQ = ("design", "extending", "gui", "library", "programming", "windows")
HTML_FAQS = (
    *(DOC / f"python3.11/html/faq/{name}.html" for name in PYTHON_FAQ),
    DOC / "valgrind/html/faq.html",
    DOC / "libxslt1-dev/html/FAQ.html",
)
#: Pages whose questions only markup tells apart (texinfo headings, valgrind's tables,
#: fetchmail's "G1." headings, SQLite's bold "(1)" paragraphs).
CONVERTED_HTML = (
    DOC / "r-doc-html/manual/R-FAQ.html",
    DOC / "valgrind/html/faq.html",
    DOC / "fetchmail/fetchmail-FAQ.html",
    DOC / "sqlite3/faq.html",
)
TEXT_FAQS = (
    DOC / "debian/FAQ/debian-faq.en.txt.gz",
    DOC / "sed/sedfaq.txt.gz",
    DOC / "lsof/00FAQ.gz",
    DOC / "zlib1g-dev/FAQ.gz",
    DOC / "xz-utils/faq.txt.gz",
    DOC / "base-files/FAQ",
    DOC / "procps/FAQ.gz",
    DOC / "man-db/FAQ",
    DOC / "ncurses-base/FAQ",
    DOC / "vim/FAQ.gz",
    DOC / "zsh-common/FAQ.gz",
    DOC / "git-doc/gitfaq.txt",
)
#: Round 11's pages (1236 questions with the rest, against 746): a fit on them generalizes
#: better to FAQ pages held out of it (`--check`) but moved no tune question and lost one
#: the shipped model finds (docs/quality.md, "Round 11"), so the shipped model is fitted
#: without them; `--more-faqs` adds them.
MORE_FAQS = frozenset(
    {
        DOC / "fetchmail/fetchmail-FAQ.html",
        DOC / "sqlite3/faq.html",
        DOC / "vim/FAQ.gz",
        DOC / "zsh-common/FAQ.gz",
        DOC / "git-doc/gitfaq.txt",
    }
)
#: The Debian packages that hold the pages above and are not installed by default
#: (`apt-get install` them before training; a page that is missing is left out).
PACKAGES = (
    "python3.11-doc r-doc-html valgrind libxslt1-dev debian-faq sed lsof zlib1g-dev"
    " xz-utils procps man-db ncurses-base base-files vim-doc zsh-common git-doc fetchmail"
    " sqlite3-doc"
)
SEED = 14
#: Trees and their depth (the first size tried; 50-200 trees, depth 2-3 measured alike).
TREES = 100
DEPTH = 3
#: Weight of the log-odds beside the hand score: chosen on the tune splits of both
#: evaluation corpora (`benchmarks/highlight_lab.py`, its learned-weight table), as the
#: hand score's weights were; FAQ questions held out of the fit could not tell 0.05-1.0
#: apart (docs/quality.md, "Highlight").
WEIGHT = 0.15
_NUMBERED = re.compile(
    r"^ {0,2}(?:Q[:.]\s*|\d+(?:\.\d+)*[.:]?\s+)(?P<q>\S.*)$|^(?P<term>\S.*\?)::$"
)
#: A heading's number: "5.13.", "G1.", "(1)".
_HEADING_NUMBER = re.compile(r"^\s*(?:\(\d+\)|[A-Z]?\d+(?:\.\d+)*[.:]?)\s+")


@dataclass(frozen=True)
class Example:
    """One question's candidate sentences (the units of its shown quotes)."""

    question: str
    features: np.ndarray  # (n, len(FEATURES)), as `highlight.learned_features` gives them
    hand: np.ndarray  # (n,) the hand score
    rank: np.ndarray  # (n,) the unit's place in the heading's own answer, -1: not in it
    quote: np.ndarray  # (n,) which shown quote the unit is of (0: the first)
    doc: str = ""  # the FAQ page the question heads (folds are drawn by page)


def build_corpus(folder: Path, more: bool = False) -> list[str]:
    """Copy the FAQ pages into `folder`, text ones as Markdown (`MORE_FAQS` too if `more`);
    the names of those present."""
    written = []
    for path in HTML_FAQS:
        if path.exists() and path not in CONVERTED_HTML:
            name = f"{path.parts[4]}-{path.parent.name}-{path.name}"
            shutil.copy(path, folder / name)
            written.append(name)
    for path in CONVERTED_HTML:
        if path.exists() and (more or path not in MORE_FAQS):
            name = f"{path.parts[4]}-{path.stem}.md"
            (folder / name).write_text(_html_as_markdown(path), encoding="utf-8")
            written.append(name)
    for path in TEXT_FAQS:
        if path.exists() and (more or path not in MORE_FAQS):
            data = path.read_bytes()
            text = (gzip.decompress(data) if path.suffix == ".gz" else data).decode(
                "utf-8", errors="replace"
            )
            name = f"{path.parts[4]}-{path.name.removesuffix('.gz').removesuffix('.txt')}.md"
            (folder / name).write_text(_text_as_markdown(text), encoding="utf-8")
            written.append(name)
    return sorted(written)


def _text_as_markdown(text: str) -> str:
    """A text FAQ with each numbered or "Q:" question (wrapped lines joined) a heading and
    every paragraph on one line, dedented (so indented answers are prose, not code, and a
    wrapped line is not taken for a heading)."""
    lines = text.splitlines()
    out: list[str] = [""]
    i = 0
    while i < len(lines):
        match = _NUMBERED.match(lines[i])
        if match and match.group("term"):  # asciidoc's "What does X do?::" (gitfaq)
            out += ["", f"## {match.group('term').strip()}", ""]
            i += 1
            continue
        if match:
            joined, j = match.group("q").strip(), i
            while not joined.endswith("?") and j + 1 < len(lines) and j - i < 2:
                j += 1
                joined += " " + lines[j].strip()
            if joined.endswith("?") and lines[i].strip()[0].isalnum():
                out += ["", f"## {joined}", ""]
                i = j + 1
                continue
        line = re.sub(r"^A[:.]\s+|^\+$", "", lines[i].strip())  # "+": asciidoc's joiner
        if line and out[-1] and not out[-1].startswith("## "):
            out[-1] += " " + line
        else:
            out.append(line)
        i += 1
    return "\n".join(out) + "\n"


def _html_as_markdown(path: Path) -> str:
    """An HTML FAQ whose questions are texinfo headings or valgrind's question rows."""
    from lxml import html as lxml_html

    root = lxml_html.parse(str(path)).getroot()
    out: list[str] = []
    for kind, text in _html_blocks(root):
        text = " ".join(text.split())
        if text:
            out += [f"## {text}" if kind == "heading" else text, ""]
    return "\n".join(out)


def _html_blocks(element: object) -> Iterator[tuple[str, str]]:
    tag = getattr(element, "tag", None)
    if not isinstance(tag, str):
        return
    classes = (element.get("class") or "").split()  # type: ignore[attr-defined]
    if tag in {"script", "style", "nav"} or {"nav-panel", "header", "menu"} & set(classes):
        return
    text = element.text_content()  # type: ignore[attr-defined]
    if tag in {"h2", "h3", "h4"} or (tag == "tr" and "question" in classes):
        yield "heading", _HEADING_NUMBER.sub("", re.sub(r"^\s*[\d.]+\s*", "", text))
    elif tag == "p" and len(element) and element[0].tag == "b" and _SQLITE_QUESTION.match(text):  # type: ignore[arg-type]
        yield "heading", _HEADING_NUMBER.sub("", text)
    elif tag in {"p", "pre", "li", "dd", "dt"}:
        yield "text", text
    else:
        for child in element:  # type: ignore[attr-defined]
            yield from _html_blocks(child)


#: SQLite's FAQ asks each question as a bold paragraph: "(1) How do I create an
#: AUTOINCREMENT field?".
_SQLITE_QUESTION = re.compile(r"^\s*\(\d+\)\s+\S.*\?\s*$", re.DOTALL)


def question_of(section: str) -> str | None:
    """A heading as a question ("5.13. Where is VoIP software?" -> "Where is VoIP
    software?"), or None for a heading that asks nothing."""
    text = _HEADING_NUMBER.sub("", re.sub(r"^[\s\d.]+", "", section.replace("\xa0", " "))).strip()
    return text if text.endswith("?") and len(text.split()) >= 3 else None


def collect(loaded: LoadedIndex, embedder: Embedder) -> list[Example]:
    """Every question heading asked against `loaded`: its top five passages' sentences."""
    passages = loaded.passages(list(range(loaded.passage_count)))
    order: dict[tuple[str, str], list[int]] = {}
    for pid, passage in enumerate(passages):
        order.setdefault((passage.doc_id, passage.section), []).append(pid)
    searcher = HybridSearcher(loaded, embedder)
    examples = []
    for (doc_id, section), own in order.items():
        question = question_of(section)
        if question is None:
            continue
        example = _example(loaded, embedder, searcher, passages, question, (doc_id, section), own)
        if example is not None:
            examples.append(example)
    return examples


def _example(
    loaded: LoadedIndex,
    embedder: Embedder,
    searcher: HybridSearcher,
    passages: Sequence[Passage],
    question: str,
    heading: tuple[str, str],
    own: Sequence[int],
) -> Example | None:
    """One question's candidates, or None when its own section is not among the quotes."""
    query = embedder.encode_query(question)
    hits = searcher.search(question, k=5, query_vector=query)
    shown = [int(i) for i in hits.ids[:5]]
    if not set(shown) & set(own):
        return None
    weights = highlight._term_weights(loaded, question)
    term = highlight._asked_term(question)
    before = _units_before(loaded, passages, own)
    parts = []
    for number, pid in enumerate(shown):
        passage = passages[pid]
        spans, vectors = highlight.stored_sentences(loaded, pid, passage)
        if not spans:
            continue
        texts = [passage.text[s:e] for s, e in spans]
        hand = highlight.hand_scores(texts, vectors @ query, term, weights)
        features = highlight.learned_features(question, texts, hand)
        in_own = (passage.doc_id, passage.section) == heading
        rank = np.arange(len(spans)) + before.get(pid, 0) if in_own else np.full(len(spans), -1)
        parts.append((features, hand.total, rank, np.full(len(spans), number)))
    features, hand, rank, quote = (np.concatenate(p) for p in zip(*parts, strict=True))
    return Example(question, features, hand.astype(np.float32), rank, quote, heading[0])


def _units_before(
    loaded: LoadedIndex, passages: Sequence[Passage], own: Sequence[int]
) -> dict[int, int]:
    """For each passage of a section, how many of the section's units come before it."""
    before, count = {}, 0
    for pid in own:
        before[pid] = count
        count += len(highlight.stored_sentences(loaded, pid, passages[pid])[0])
    return before


def positives(example: Example, labelling: str) -> np.ndarray:
    """Which candidates count as the answer: the own section's first unit ("first"), first
    two ("first2") or all of its units ("section")."""
    limit = {"first": 1, "first2": 2, "section": 10**9}[labelling]
    return (example.rank >= 0) & (example.rank < limit)


def fit(examples: Sequence[Example], labelling: str) -> HistGradientBoostingClassifier:
    """Boosted trees on every candidate: does it open its question's answer?"""
    features = np.concatenate([e.features for e in examples])
    labels = np.concatenate([positives(e, labelling) for e in examples])
    model = HistGradientBoostingClassifier(
        max_depth=DEPTH, max_iter=TREES, learning_rate=0.05, early_stopping=False, random_state=SEED
    )
    return model.fit(features, labels)


#: Folds of the check by page: each page's questions are held out of one fit.
FOLDS = 3


def held_out_by_page(
    examples: Sequence[Example], labelling: str, weight: float = WEIGHT
) -> dict[str, tuple[int, int]]:
    """Each fold of pages held out of a fit on the others: of its questions, how many the
    hand score alone and the hand score + `weight` × log-odds give their best candidate in
    the heading's own answer ("own") and at its opening unit ("opens"). Questions of the
    same page share words and layout, so a split by question would flatter the trees."""
    pages = sorted({e.doc for e in examples})
    fold_of = {page: i % FOLDS for i, page in enumerate(pages)}
    counts = {f"{arm} {what}": 0 for arm in ("hand", "learned") for what in ("own", "opens")}
    for fold in range(FOLDS):
        held = [e for e in examples if fold_of[e.doc] == fold]
        model = fit([e for e in examples if fold_of[e.doc] != fold], labelling)
        for e in held:
            learned = e.hand + weight * model.decision_function(e.features)
            for arm, score in (("hand", e.hand), ("learned", learned)):
                best = int(np.argmax(score))
                counts[f"{arm} own"] += int(e.rank[best] >= 0)
                counts[f"{arm} opens"] += int(e.rank[best] == 0)
    return {name: (count, len(examples)) for name, count in counts.items()}


def exported(model: HistGradientBoostingClassifier, weight: float) -> dict[str, object]:
    """The trees as the flat arrays `highlight_learned.HighlightModel` walks."""
    roots, feature, threshold, left, right, value = [], [], [], [], [], []
    for [tree] in model._predictors:
        offset = len(feature)
        roots.append(offset)
        for node in tree.nodes:
            leaf = bool(node["is_leaf"])
            feature.append(-1 if leaf else int(node["feature_idx"]))
            threshold.append(0.0 if leaf else float(node["num_threshold"]))
            left.append(offset + int(node["left"]) if not leaf else offset)
            right.append(offset + int(node["right"]) if not leaf else offset)
            value.append(float(node["value"]) if leaf else 0.0)
    return {
        "features": list(FEATURES),
        "baseline": float(np.ravel(model._baseline_prediction)[0]),
        "depth": DEPTH,
        "roots": roots,
        "feature": feature,
        "threshold": threshold,
        "left": left,
        "right": right,
        "value": value,
        "weight": weight,
    }


def training_examples(
    index: Path | None = None, more: bool = False
) -> tuple[list[Example], list[str]]:
    """The examples and the files they come from, from `index` if given (built by an
    earlier run, which keeps it there) or from a fresh build of the FAQ pages (with
    `MORE_FAQS` if `more`)."""
    embedder = Embedder()
    if index is None or not index.exists():
        from ingest.pipeline import build_index

        with tempfile.TemporaryDirectory() as tmp:
            corpus, built = Path(tmp) / "corpus", index or Path(tmp) / "index"
            corpus.mkdir()
            build_corpus(corpus, more)
            build_index(corpus, built, embedder)
            return _examples_of(built, embedder)
    return _examples_of(index, embedder)


def _examples_of(index: Path, embedder: Embedder) -> tuple[list[Example], list[str]]:
    loaded = LoadedIndex.load(index, verify=False)
    return collect(loaded, embedder), sorted(info.file for info in loaded.infos())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--index", type=Path, help="reuse (or keep) the FAQ index here")
    parser.add_argument("--positives", default="first", choices=("first", "first2", "section"))
    parser.add_argument("--weight", type=float, default=WEIGHT)
    parser.add_argument("--more-faqs", action="store_true", help="add round 11's pages")
    parser.add_argument(
        "--check", action="store_true", help="only report the check by page held out"
    )
    args = parser.parse_args(argv)
    examples, names = training_examples(args.index, args.more_faqs)
    if args.check:
        for name, (count, total) in held_out_by_page(examples, args.positives).items():
            print(f"{name:14s} {count}/{total} = {count / total:.3f}")
        return
    model = fit(examples, args.positives)
    data = exported(model, args.weight)
    data.update(labelling=args.positives, questions=len(examples), sources=names)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data) + "\n", encoding="utf-8")
    _check_export(model, examples, args.out)
    print(f"{len(examples)} FAQ questions; wrote {args.out}")


def _check_export(
    model: HistGradientBoostingClassifier, examples: Sequence[Example], path: Path
) -> None:
    """The exported trees give the fitted model's log-odds."""
    features = np.concatenate([e.features for e in examples])
    load_model.cache_clear()
    walked = load_model(path).log_odds(features)
    if not np.allclose(walked, model.decision_function(features), atol=1e-6):
        raise SystemExit(f"the trees written to {path} do not give the fitted log-odds")


if __name__ == "__main__":
    main()
