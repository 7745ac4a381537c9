"""Deterministic synthetic corpus generator for benchmarks, built from the shipped articles.

Articles and passages are recombined sentence by sentence from the source paragraphs and
perturbed with a small synonym table, so they keep the style and length of the originals
while staying distinct. The same (count, seed) always gives byte-identical output.
"""

from __future__ import annotations

import argparse
import functools
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parent.parent / "corpus"

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "partner": ("partner", "significant other", "loved one"),
    "partners": ("partners", "significant others", "loved ones"),
    "relationship": ("relationship", "bond", "connection"),
    "relationships": ("relationships", "partnerships", "bonds"),
    "important": ("important", "essential", "vital", "crucial"),
    "often": ("often", "frequently", "regularly"),
    "create": ("create", "build", "foster", "cultivate"),
    "creates": ("creates", "builds", "fosters"),
    "creating": ("creating", "building", "fostering"),
    "deeply": ("deeply", "profoundly", "truly"),
    "genuine": ("genuine", "authentic", "sincere", "real"),
    "powerful": ("powerful", "potent", "strong"),
    "feelings": ("feelings", "emotions", "sentiments"),
    "simply": ("simply", "just", "merely"),
    "naturally": ("naturally", "instinctively"),
    "strong": ("strong", "solid", "robust"),
    "stronger": ("stronger", "deeper", "firmer"),
    "show": ("show", "demonstrate", "reveal"),
    "shows": ("shows", "demonstrates", "reveals"),
    "understand": ("understand", "grasp", "recognize"),
    "absence": ("absence", "distance", "time apart"),
    "longing": ("longing", "yearning", "desire"),
    "attraction": ("attraction", "desire", "chemistry"),
    "moments": ("moments", "instants", "times"),
    "quickly": ("quickly", "rapidly", "swiftly"),
    "suddenly": ("suddenly", "abruptly", "all at once"),
    "calm": ("calm", "steady", "composed"),
    "curiosity": ("curiosity", "intrigue", "interest"),
    "research": ("research", "evidence", "science"),
    "people": ("people", "individuals", "folks"),
    "small": ("small", "little", "minor"),
    "increase": ("increase", "boost", "raise"),
    "increases": ("increases", "boosts", "raises"),
    "begin": ("begin", "start"),
    "begins": ("begins", "starts"),
    "appreciate": ("appreciate", "value", "cherish"),
    "appreciation": ("appreciation", "gratitude", "recognition"),
    "brain": ("brain", "mind"),
    "growth": ("growth", "development", "progress"),
    "healthy": ("healthy", "balanced", "sound"),
    "meaningful": ("meaningful", "significant", "purposeful"),
    "strategy": ("strategy", "approach", "plan"),
    "strategies": ("strategies", "approaches", "methods"),
    "tactics": ("tactics", "tricks", "ploys"),
    "mystery": ("mystery", "intrigue", "unpredictability"),
    "truly": ("truly", "really", "genuinely"),
    "constant": ("constant", "continuous", "endless"),
    "constantly": ("constantly", "continually", "always"),
    "memories": ("memories", "recollections"),
    "anticipation": ("anticipation", "expectation", "suspense"),
}
_SYN_RE = re.compile(r"\b(" + "|".join(_SYNONYMS) + r")\b", re.IGNORECASE)
_SENTENCE_SPLIT = re.compile(
    r"(?:(?<=[.!?])(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)|(?<=[.!?][”\"’]))"
    r"\s+(?=[A-Z“\"‘])"
)
_LIST_MARKER = re.compile(r"^(?:\s+(?:•|\d+[.)])|\s*[-•])\s+")
_NUMBERED_HEADING = re.compile(r"^\d+\)\s*")
_PIVOTS = ("of", "in", "to", "for", "with", "through", "and", "is")
_BOILERPLATE_START = ("written by", "published date")
_TRAILER_HEADINGS = ("related", "similar", "authoritative sources", "sources", "references")
_SENTENCE_END = '.!?”"’)'
_MAX_HEADING_CHARS = 80
_MIN_PARAGRAPH_CHARS = 120
_BYTES_PER_WORD = 6.6


@dataclass(frozen=True)
class Source:
    """Parsed vocabulary of the shipped articles: headings, paragraphs and list items."""

    headings: tuple[str, ...]
    paragraphs: tuple[tuple[tuple[str, ...], ...], ...]
    sentences: tuple[tuple[str, ...], ...]
    items: tuple[tuple[str, ...], ...]


def _is_heading(line: str) -> bool:
    """Short line without closing sentence punctuation, as the source articles format headings."""
    text = line.strip()
    return (
        0 < len(text) <= _MAX_HEADING_CHARS
        and len(text.split()) <= 12
        and text[-1] not in '.,;:!”"’'
        and not _LIST_MARKER.match(line)
    )


def _clean_heading(line: str) -> str:
    """Drop numbering, leading emoji and glued footnote digits from a source heading."""
    text = _NUMBERED_HEADING.sub("", line.strip())
    text = re.sub(r"^[^\w“\"]+", "", text)
    text = re.sub(r"(?<=[a-z])\d+\b", "", text)
    return re.sub(r"\s+\?$", "?", text).strip()


def _is_boilerplate(line: str, repeated: Counter[str]) -> bool:
    """Bylines, sign-up prompts, short repeated lines and short "label:" lines."""
    text = line.strip()
    lower = text.lower()
    return (
        lower.startswith(_BOILERPLATE_START)
        or "credit card" in lower
        or (repeated[text] > 1 and len(text) < 160)
        or (text.endswith(":") and len(text.split()) <= 8)
    )


def _source_lines(source_dir: Path) -> list[list[str]]:
    """Non-blank lines of every source article, cut before any trailer section."""
    articles = []
    for path in sorted(source_dir.glob("*.txt")):
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if _is_heading(line) and line.strip().lower().startswith(_TRAILER_HEADINGS):
                break
            if line.strip():
                lines.append(line.rstrip())
        articles.append(lines)
    return articles


def _split_sentences(text: str) -> tuple[tuple[str, ...], ...]:
    """Sentences of a paragraph, each pre-split into text and synonym-candidate parts."""
    parts = (s.strip() for s in _SENTENCE_SPLIT.split(text))
    return tuple(
        tuple(_SYN_RE.split(s))
        for s in parts
        if 4 <= len(s.split()) <= 60 and s[-1] in _SENTENCE_END and not s[0].islower()
    )


@functools.lru_cache(maxsize=4)
def load_source(source_dir: Path = SOURCE_DIR) -> Source:
    """Read and split the shipped articles once per folder."""
    articles = _source_lines(source_dir)
    repeated = Counter(line.strip() for lines in articles for line in lines)
    headings, paragraphs, items = [], [], []
    for line in (line for lines in articles for line in lines):
        if _is_boilerplate(line, repeated):
            continue
        if _LIST_MARKER.match(line):
            items.append(tuple(_SYN_RE.split(_LIST_MARKER.sub("", line))))
        elif _is_heading(line):
            headings.append(_clean_heading(line))
        elif sentences := _split_sentences(line):
            paragraphs.append(sentences)
    if not paragraphs or not headings:
        raise ValueError(f"no articles to learn from in {source_dir}; expected *.txt files there")
    sentences = tuple(s for p in paragraphs for s in p)
    return Source(
        tuple(dict.fromkeys(h for h in headings if h)), tuple(paragraphs), sentences, tuple(items)
    )


def _perturb(parts: tuple[str, ...], rng: random.Random, rate: float = 0.35) -> str:
    """Join pre-split parts, swapping some synonym candidates for an alternative."""
    if len(parts) == 1:
        return parts[0]
    out = list(parts)
    for i in range(1, len(out), 2):
        if rng.random() < rate:
            word = rng.choice(_SYNONYMS[out[i].lower()])
            out[i] = word[0].upper() + word[1:] if out[i][0].isupper() else word
    return "".join(out)


def _compose(src: Source, rng: random.Random, min_words: int, max_words: int) -> str:
    """Paragraph of recombined source sentences with min_words..max_words words."""
    sentences: list[str] = []
    words = 0
    while words < min_words or len(sentences) < 2:
        for parts in rng.choice(src.paragraphs):
            if rng.random() < 0.45:
                parts = rng.choice(src.sentences)
            sentence = _perturb(parts, rng)
            count = len(sentence.split())
            if words + count <= max_words:
                sentences.append(sentence)
                words += count
            if words >= min_words and len(sentences) >= 2:
                break
    if len(sentences) > 2 and rng.random() < 0.2:
        rng.shuffle(sentences)
    return " ".join(sentences)


def _heading(src: Source, rng: random.Random) -> str:
    """Heading joining one source heading's start to another's tail at a linking word."""
    for _ in range(8):
        first, second = rng.choice(src.headings).split(), rng.choice(src.headings).split()
        cuts = [i for i, w in enumerate(first[2:-1], 2) if w.lower() in _PIVOTS]
        tails = [j for j, w in enumerate(second[1:-1], 1) if w.lower() in _PIVOTS]
        if cuts and tails:
            words = first[: rng.choice(cuts)] + second[rng.choice(tails) :]
            text = _perturb(tuple(_SYN_RE.split(" ".join(words))), rng, 0.2)
            if len(words) <= 12 and len(text) <= _MAX_HEADING_CHARS:
                return text
    return _perturb(tuple(_SYN_RE.split(rng.choice(src.headings))), rng)


def _title(src: Source, rng: random.Random) -> str:
    """Article title: one recombined heading, sometimes with a subtitle after a colon."""
    title = _heading(src, rng).rstrip("?")
    if rng.random() < 0.4:
        title = f"{title}: {_heading(src, rng)}"
    return title


def _list_block(src: Source, rng: random.Random) -> list[str]:
    """Three to six bullet lines drawn from the source list items."""
    return [f"  • {_perturb(rng.choice(src.items), rng)}" for _ in range(rng.randint(3, 6))]


def _section(src: Source, rng: random.Random, heading: str, paragraphs: int, words: int) -> str:
    """Heading line plus paragraphs of about `words` words each (sometimes a bullet list)."""
    lines = [heading]
    for _ in range(paragraphs):
        if src.items and rng.random() < 0.06:
            lines.extend(_list_block(src, rng))
            continue
        target = max(30, int(words * rng.uniform(0.7, 1.3)))
        lines.append(_compose(src, rng, target, target * 2))
    return "\n".join(lines)


def _article(src: Source, rng: random.Random) -> tuple[str, str]:
    """Title and full text of one article: 4-9 sections of 2-5 paragraphs, about 6-20 KB."""
    title = _title(src, rng)
    counts = [rng.randint(2, 5) for _ in range(rng.randint(4, 9))]
    size = min(max(sum(counts) * rng.uniform(300, 700), 6600), 16500)
    words = int(size / sum(counts) / _BYTES_PER_WORD)
    numbered = rng.random() < 0.3
    separator = "\n" if rng.random() < 0.3 else "\n\n"
    sections = []
    for number, count in enumerate(counts, 1):
        heading = f"{number}) {_heading(src, rng)}" if numbered else _heading(src, rng)
        sections.append(_section(src, rng, heading, count, words))
    body = separator.join(section.replace("\n", separator) for section in sections)
    return title, f"{title}\n\n{body}\n"


def _slug(title: str, limit: int = 60) -> str:
    """Kebab-case file name stem from a title, cut at a word boundary."""
    slug = re.sub(r"[^a-z0-9]+", "-", re.sub(r"[’'`]", "", title.lower())).strip("-")
    return slug[:limit].rsplit("-", 1)[0] if len(slug) > limit else slug or "article"


def generate_corpus(
    out_dir: Path, articles: int, seed: int = 0, source_dir: Path = SOURCE_DIR
) -> list[Path]:
    """Write `articles` synthetic .txt articles into out_dir and return their paths."""
    src = load_source(Path(source_dir))
    out_dir.mkdir(parents=True, exist_ok=True)
    width = max(4, len(str(articles - 1)))
    paths = []
    for index in range(articles):
        title, text = _article(src, random.Random(f"article:{seed}:{index}"))
        path = out_dir / f"{index:0{width}d}-{_slug(title)}.txt"
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def generate_passages(count: int, seed: int = 0, source_dir: Path = SOURCE_DIR) -> list[str]:
    """Return `count` synthetic passages of 60-200 words, for indexing without files."""
    src = load_source(Path(source_dir))
    rng = random.Random(f"passages:{seed}")
    return [_compose(src, rng, rng.randint(60, 180), 200) for _ in range(count)]


def _is_paragraph(line: str) -> bool:
    """Body paragraph line of a generated article (not title, heading, list item or blank)."""
    return len(line) >= _MIN_PARAGRAPH_CHARS and not line.startswith(" ")


def edit_one_article(path: Path, seed: int, source_dir: Path = SOURCE_DIR) -> None:
    """Rewrite one paragraph of a generated article in place, deterministically per seed."""
    src = load_source(Path(source_dir))
    rng = random.Random(f"edit:{seed}:{path.name}")
    lines = path.read_bytes().decode("utf-8").split("\n")
    candidates = [i for i, line in enumerate(lines) if i > 0 and _is_paragraph(line)]
    if not candidates:
        raise ValueError(f"{path} has no paragraph to edit; is it a generated article?")
    index = rng.choice(candidates)
    words = len(lines[index].split())
    replacement = lines[index]
    while replacement == lines[index] or not _is_paragraph(replacement):
        replacement = _compose(src, rng, max(30, words), max(60, words * 2))
    lines[index] = replacement
    path.write_bytes("\n".join(lines).encode("utf-8"))


def main(argv: list[str] | None = None) -> None:
    """CLI: python -m benchmarks.generate OUT_DIR --articles N [--seed S]."""
    parser = argparse.ArgumentParser(description="Write a synthetic corpus for benchmarks.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = generate_corpus(args.out_dir, args.articles, args.seed)
    size = sum(p.stat().st_size for p in paths) / 1_000_000
    print(f"wrote {len(paths)} articles ({size:.1f} MB) to {args.out_dir}")


if __name__ == "__main__":
    main()
