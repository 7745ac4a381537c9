"""Abstention: whether anything in this corpus answers the question closely enough to quote.

Four checks, all against the corpus at hand: the best meaning score against the
threshold calibrated for this index version (`ingest.calibrate`); the question's key
words, since a question about a dog is not answered by passages about a husband however
close their meaning ("These articles never mention: dog"), while one about a holiday is
answered by quotes about a vacation (`synonyms`); the quotes' own words, since
a weakly matched question about a manager is not answered by quotes about partners
even though the corpus names a manager somewhere ("The nearest passages do not address:
manager"); and the quotes themselves: a quote far below the best one, or below the
threshold, is not shown. A fifth, whether a weakly answered question reads like an
everyday question on another subject, is `other_subject`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from assistant import other_subject, synonyms
from index.lexical import LexicalIndex, kept_words
from index.loaded import LoadedIndex
from index.records import Passage
from index.search import Hits, HybridSearcher
from ingest.language import english_function_words

#: A quote is shown only within this distance of the best quote's meaning score.
QUOTE_GAP = 0.25
#: ...and no further below the abstention threshold than this.
QUOTE_FLOOR_BELOW = 0.1
#: A question with a key word the corpus never mentions is answered only when its best
#: score clears the threshold by this much (the rest of it is strongly answered).
STRONG_MARGIN = 0.30
#: The unknown words matter when dropping them moves the question's vector this far
#: (1 - cosine): "dog" in "make my dog miss me" does (0.29); "kill" in "Why does routine
#: kill the spark?" does not (0.07). Tuned on the tune splits (docs/quality.md).
IMPORTANCE = 0.22
#: A missing word this close in meaning (cosine of the word to its nearest passage) to
#: something the corpus says is covered by a synonym, not unknown.
COVERED = 0.34
#: A question whose best sentence among the quotes clears the threshold by less than this
#: is weakly answered: it is answered only if the quotes address each of its content words
#: (near-miss questions, on subjects beside the corpus's, sit in this band). Tuned on the
#: tune splits (docs/quality.md).
WEAK_BAND = 0.14
#: A content word the quotes lack is addressed by a synonym when some word of the quotes
#: is this close in meaning: "spouse" by "husband" (0.87), "chat" by "conversation"
#: (0.70); "manager" is not by "training" (0.44).
ADDRESSED = 0.5
#: The quotes checked: those an answer shows by default.
QUOTES_CHECKED = 5
#: Verbs of a question that name no subject, each with its irregular forms; their regular
#: inflections ("making", "turned", "getting") are generic too. Besides say/tell/know and
#: the like, the verbs that link a subject to what it becomes or seems: "has turned into
#: something unhealthy" asks what "has become unhealthy" asks.
_GENERIC_VERBS = {
    "say": ("said",),
    "tell": ("told",),
    "know": ("knew", "known"),
    "make": ("made",),
    "get": ("got", "gotten"),
    "want": (),
    "need": (),
    "do": ("does", "did", "done"),
    "mean": ("meant",),
    "think": ("thought",),
    "feel": ("felt",),
    "like": (),
    "become": ("became",),
    "turn": (),
    "seem": (),
}
#: Other words of a question that name no subject.
_GENERIC_WORDS = frozenset(
    [
        "way",
        "ways",
        "thing",
        "things",
        "best",
        "good",
        "better",
        "should",
        "would",
        "could",
        "really",
        "also",
        "much",
        "many",
        "lot",
        "lots",
        "someone",
        "something",
        "anything",
        "everything",
        "people",
        "person",
    ]
)
#: A word as BM25 reads one, in any alphabet and with its digits: "IPv6", "Tru64",
#: "résumé" and "Pokémon" are one word each (read as "ipv", "tru", "sum" and "Pok, mon"
#: they were words no index holds, and the notice named them).
_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]")
#: A line of a list of sources: "Gottman, John M., and Nan Silver. The Seven ... Books, 2015."
_CITATION = re.compile(
    r"^\s*(?:[-•*]\s*)?[A-Z][\w'’-]+,\s+[A-Z][\w.]*[^\n]*"
    r"(?:\b(?:19|20)\d\d\b|\bPress\b|\bBooks\b|\bPublish\w*|\bJournal\b|\bpp\.)"
)


def shown(semantic: np.ndarray, threshold: float) -> np.ndarray:
    """Rows of the ranked hits whose quotes are shown: within QUOTE_GAP of the best and
    no more than QUOTE_FLOOR_BELOW under the threshold (the best passes whenever the
    answer does), so an answer may have a single quote."""
    if len(semantic) == 0:
        return np.zeros(0, dtype=np.int64)
    floor = max(threshold - QUOTE_FLOOR_BELOW, float(semantic.max()) - QUOTE_GAP)
    return np.flatnonzero(semantic >= floor)


def unaddressed(
    question: str, hits: Hits, threshold: float, loaded: LoadedIndex, embedder: Any
) -> list[str]:
    """The words of a weakly answered question that its quotes (the best QUOTES_CHECKED
    of those shown) do not address; empty when it is not weakly answered."""
    checked = checked_hits(hits, threshold)
    if not weak(checked.sentence, threshold):
        return []
    passages = loaded.passages([int(i) for i in checked.ids])
    return not_addressed(question, [addressed_text(p, loaded) for p in passages], embedder)


def addressed_text(passage: Passage, loaded: LoadedIndex) -> str:
    """What a quote addresses: its own words, the headings it stands under and its
    document's title ("Drag the app to Applications" under "Install › On Mac" addresses
    a question about installing on a Mac)."""
    info = loaded.info(passage.doc_id)
    return "\n".join([info.title if info else "", *passage.headings, passage.text])


def weak(sentence_scores: np.ndarray, threshold: float) -> bool:
    """Whether the best sentence of the quotes only just clears the threshold."""
    best = float(sentence_scores.max()) if len(sentence_scores) else 0.0
    return best < threshold + WEAK_BAND


def not_addressed(question: str, quotes: Sequence[str], embedder: Any) -> list[str]:
    """The content words of `question` that none of `quotes` contains (as BM25 stems
    them) and no word of the quotes comes near in meaning (below ADDRESSED)."""
    quoted = set().union(*LexicalIndex.tokenize(list(quotes))) if quotes else set()
    absent = [
        word
        for word in content_terms(question)
        if not quoted.intersection(LexicalIndex.tokenize([word])[0])
    ]
    return not_near(absent, quotes, embedder)


def not_near(absent: Sequence[str], quotes: Sequence[str], embedder: Any) -> list[str]:
    """Those of `absent` that no word of `quotes` comes near in meaning (below ADDRESSED):
    "PC" has "computers" (0.74), "Mac" has "macOS"; "JavaScript" has nothing (0.44)."""
    if not absent:
        return []
    words = sorted({w.lower() for text in quotes for w in _WORD.findall(text)})
    if not words:
        return list(absent)
    vectors = np.asarray(embedder.encode([*absent, *words]), dtype=np.float32)
    closest = (vectors[: len(absent)] @ vectors[len(absent) :].T).max(axis=1)
    return [w for w, c in zip(absent, closest, strict=True) if c < ADDRESSED]


def content_terms(question: str) -> list[str]:
    """The key terms of `question` that are not function words ("how", "my", "when")."""
    return named(key_terms(question))


def named(words: Sequence[str]) -> list[str]:
    """Those of `words` that name something: a notice that the articles "never mention:
    how, my, husband, me" (a manual's words) names only "husband"."""
    return [w for w in words if w not in english_function_words()]


def key_terms(question: str) -> list[str]:
    """The words of `question` that name its subject (no stopwords, no generic verbs); a
    name joined by underscores ("SYSTEMD_PAGER", "dirs_exist_ok") is one term, as BM25
    reads it, and kept as written: a corpus that says "systemd" and "pager" apart does
    not name the variable."""
    names = [m.group() for m in _SNAKE_NAME.finditer(question)]
    rest = _SNAKE_NAME.sub(" ", question)
    words = dict.fromkeys([*names, *(w.lower().strip("'’") for w in _WORD.findall(rest))])
    return [w for w in words if _indexed(w) and not _generic(w)]


#: A name of a variable, option or function written with underscores.
_SNAKE_NAME = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")
#: A word as `key_terms` reads one, or a name joined by underscores.
_NAME_LIKE = re.compile(rf"{_SNAKE_NAME.pattern}|{_WORD.pattern}")


def written_as_names(question: str, words: Sequence[str]) -> list[str]:
    """Those of `words` (key terms as `key_terms` gives them) that `question` writes as a
    name, spelled as it writes them: in capitals ("MAC", "DNS"), with a capital inside
    ("JavaScript"), or with a capital that does not open a sentence ("Excel", "Ubuntu").
    A question written in capitals or in title case names nothing by its case."""
    if not _case_tells(question):
        return []
    wanted = set(words)
    names: dict[str, None] = {}
    for match in _NAME_LIKE.finditer(question):
        word = match.group()
        if _key_form(word) not in wanted:
            continue
        in_capitals = len(word) >= 2 and word.isupper()
        opens = _opens_sentence(question, match.start())
        if in_capitals or any(c.isupper() for c in word[1:]) or (word[0].isupper() and not opens):
            names[word] = None
    return list(names)


def _case_tells(question: str) -> bool:
    """Whether `question` writes at least half the words that do not open a sentence in
    lower case, so that a capital stands out: "What is DNS?" does; "HOW DO I MAKE HIM
    MISS ME?" and "How Do I Make Him Miss Me?" do not."""
    words = _NAME_LIKE.finditer(question)
    inside = [m.group() for m in words if not _opens_sentence(question, m.start())]
    return sum(word[0].islower() for word in inside) * 2 >= len(inside) > 0


def _opens_sentence(question: str, start: int) -> bool:
    """Whether the word at `start` opens a sentence of `question` (past quotes, brackets)."""
    before = question[:start].rstrip(" \t\"“‘'([¿¡")
    return not before or before[-1] in ".!?:"


def as_written(question: str, words: Sequence[str]) -> list[str]:
    """`words`, each spelled as `question` writes it when it writes it as a name: "These
    articles never mention: JavaScript", not "javascript"."""
    spelled = {_key_form(name): name for name in written_as_names(question, words)}
    return [spelled.get(word, word) for word in words]


def _key_form(word: str) -> str:
    """A word of the question as `key_terms` gives it."""
    return word if _SNAKE_NAME.fullmatch(word) else word.lower().strip("'’")


def _indexed(word: str) -> bool:
    """Whether BM25 keeps `word` (it drops stopwords)."""
    return word in kept_words([word])


def _generic(word: str) -> bool:
    """Whether `word` names no subject: a generic word, or a form of a generic verb."""
    return word in _GENERIC_WORDS or word in _generic_verb_forms()


@lru_cache(maxsize=1)
def _generic_verb_forms() -> frozenset[str]:
    """Every form of the generic verbs: "make", "makes", "making", "made"; "get",
    "getting"; "turn", "turned". (Stemming would reach too far: Snowball stems
    "personal" to "person".)"""
    forms: set[str] = set()
    for verb, irregular in _GENERIC_VERBS.items():
        stem = verb[:-1] if verb.endswith("e") else verb
        if re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwy]", verb):  # get -> getting
            stem = verb + verb[-1]
        third = verb + "es" if verb.endswith(("o", "s", "sh", "ch")) else verb + "s"
        past = () if irregular else (stem + "ed",)
        forms.update([verb, third, stem + "ing", *past, *irregular])
    return frozenset(forms)


def unknown_terms(
    question: str, loaded: LoadedIndex, within: np.ndarray | None = None
) -> tuple[list[str], list[str]]:
    """The key words the corpus (its passages `within`, a mask over passage ids, when
    given: the subject answering) never mentions, and those it mentions only in lists of
    sources (a bibliography line says nothing about what its author says)."""
    lexical = loaded.lexical
    never, sources_only = [], []
    for word in key_terms(question):
        rows = lexical.rows_with(word)
        if within is not None:
            rows = rows[within[rows]]
        if rows.size == 0:
            never.append(word)
        elif _only_in_citations(word, loaded, rows):
            sources_only.append(word)
    return never, sources_only


def unused(words: Sequence[str], loaded: LoadedIndex) -> list[str]:
    """Those of `words` that no passage of the whole folder holds."""
    return [word for word in words if not loaded.lexical.rows_with(word).size]


def uncovered(
    words: Sequence[str],
    searcher: HybridSearcher,
    embedder: Any,
    quotes: Sequence[str] = (),
    thesaurus: synonyms.Thesaurus | None = None,
    within: np.ndarray | None = None,
) -> list[str]:
    """Those of `words` that the quotes do not say in other words (a synonym: "holiday"
    by "vacation", "read" by "interpret") and that no passage comes near in meaning:
    "spouse" is missing from a corpus about husbands but covered (0.41); "dog" is not
    (0.14). Only the words no synonym covers are encoded. A name joined by underscores
    is never covered: a variable the corpus does not name has no synonym, and its vector
    is near every passage about its neighbours ("systemd_pager" beside SYSTEMD_LOG_LEVEL).
    With `within` (a mask over passage ids), only those passages are searched."""
    names = [w for w in words if "_" in w.strip("_")]
    thesaurus = synonyms.load() if thesaurus is None else thesaurus
    quoted = set().union(*LexicalIndex.tokenize(list(quotes))) if quotes else set()
    words = [w for w in words if w not in names and synonym_quoted(w, quoted, thesaurus) is None]
    if not words:
        return names
    vectors = np.asarray(embedder.encode(list(words)), dtype=np.float32)
    subset = None if within is None else np.flatnonzero(within)
    closest = [_nearest_cosine(searcher, vector, subset) for vector in vectors]
    return [*names, *(w for w, c in zip(words, closest, strict=True) if c < COVERED)]


def synonym_quoted(word: str, quoted: set[str], thesaurus: synonyms.Thesaurus) -> str | None:
    """The first synonym of `word` (in its most frequent sense) among the `quoted` BM25
    stems ("interpret" for "read", from "interpretations"), or None. The quotes, not the
    whole corpus: a synonym standing in some passage the question does not reach (a
    "Related Posts" line) says nothing about what answers it."""
    return next((s for s in thesaurus.of(word) if quoted.intersection(_stems(s))), None)


def _stems(word: str) -> list[str]:
    return LexicalIndex.tokenize([word])[0]


#: A word in at most this many passages is one of the corpus's own specific words.
SPECIFIC_PASSAGES = 2
#: A subject of at least this many passages speaks for itself: the words of a question it
#: answers are looked for in its passages, not the folder's (the shipped articles hold 90;
#: a single HOWTO 20-40, whose words a question may take from its neighbours).
SUBJECT_PASSAGES = 50


def names_its_subject(
    question: str, best: float, hits: Hits, threshold: float, loaded: LoadedIndex
) -> bool:
    """Whether a question that reads like an everyday one on another subject, clearing the
    threshold by `other_subject.STRONG` at least (the bar of an everyday question the corpus
    answers itself), is still on what the corpus says: every word
    of it that few passages use (at most SPECIFIC_PASSAGES) is in its quotes. "How often
    should I feed a sourdough starter?" reads like "How often should I feed my cat?", and
    a page on sourdough says "Feed the sourdough starter … every day"."""
    if best < threshold + other_subject.STRONG:
        return False
    lexical = loaded.lexical
    specific = [
        w for w in content_terms(question) if 0 < lexical.rows_with(w).size <= SPECIFIC_PASSAGES
    ]
    if not specific:
        return False
    texts = checked_texts(hits, threshold, loaded)
    quoted = set().union(*LexicalIndex.tokenize(texts)) if texts else set()
    return all(quoted.intersection(_stems(word)) for word in specific)


def checked_hits(hits: Hits, threshold: float) -> Hits:
    """The quotes the word checks read: the best QUOTES_CHECKED (by meaning) of those
    shown."""
    checked = hits.take(shown(hits.semantic, threshold))
    return checked.take(np.argsort(-checked.semantic)[:QUOTES_CHECKED])


def checked_texts(hits: Hits, threshold: float, loaded: LoadedIndex) -> list[str]:
    """The texts of `checked_hits`."""
    ids = checked_hits(hits, threshold).ids
    return [p.text for p in loaded.passages([int(i) for i in ids])]


def _nearest_cosine(
    searcher: HybridSearcher, vector: np.ndarray, within: np.ndarray | None = None
) -> float:
    """The cosine of the passage nearest to `vector` (through the index, not a scan; among
    the passages `within` only, when given)."""
    _, cosines = searcher.dense_search(vector, 1, within)
    return float(np.max(cosines)) if len(cosines) else 0.0


def importance(question: str, words: Sequence[str], query: np.ndarray, embedder: Any) -> float:
    """How much `words` carry of the question's meaning: 1 - cosine between the question
    and the question without them."""
    if not words:
        return 0.0
    rest = question
    for word in words:
        rest = re.sub(rf"\b{re.escape(word)}\b", " ", rest, flags=re.IGNORECASE)
    if not rest.strip(" ?.!,'’"):
        return 1.0
    return 1.0 - float(np.asarray(embedder.encode_query(rest)) @ np.asarray(query))


def _only_in_citations(word: str, loaded: LoadedIndex, rows: np.ndarray) -> bool:
    if rows.size > 20:  # a word in many passages is not one author's name
        return False
    pattern = re.compile(rf"\b{re.escape(word[: max(4, len(word) - 2)])}", re.IGNORECASE)
    cited = False
    for passage in loaded.passages([int(r) for r in rows]):
        citations, other = _citation_lines(passage.text)
        if pattern.search(other):  # a line that is not a citation holds the word
            return False
        cited = cited or bool(pattern.search(citations))
    return cited


@lru_cache(maxsize=2048)
def _citation_lines(text: str) -> tuple[str, str]:
    """The lines of `text` that are citations, and the other lines, each joined by newlines
    (the word pattern never spans one): a passage's lines are judged once, not per word."""
    lines = text.splitlines()
    cited = [_CITATION.match(line) is not None for line in lines]
    return (
        "\n".join(line for line, c in zip(lines, cited, strict=True) if c),
        "\n".join(line for line, c in zip(lines, cited, strict=True) if not c),
    )


def never_mentioned_notice(
    never: Sequence[str],
    sources_only: Sequence[str],
    unaddressed: Sequence[str] = (),
    other_subject: tuple[str, str] | None = None,
) -> str:
    """The sentence that tells the user which of their words the articles lack, or which
    (subject, everyday question) on another subject theirs reads like."""
    parts = []
    if never:
        parts.append("These articles never mention: " + ", ".join(never) + ".")
    if sources_only:
        names = ", ".join(w.capitalize() for w in sources_only)
        parts.append(
            f"These articles name {names} only in a list of sources, and quote nothing of "
            "what that source says."
        )
    if unaddressed:
        parts.append("The nearest passages do not address: " + ", ".join(unaddressed) + ".")
    if other_subject:
        subject, question = other_subject
        parts.append(
            f"It reads like a question about {subject} (“{question}”), which these "
            "articles only touch on."
        )
    return " ".join(parts)
