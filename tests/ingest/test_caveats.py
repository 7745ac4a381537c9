"""Caveats: the sentences where each shipped article states its own ethical limits."""

from __future__ import annotations

import re
import re._parser as parser
from pathlib import Path

import pytest

import ingest.caveats as caveats_module
from index.records import Document
from ingest.analyze import document_blocks, read_file
from ingest.caveats import PERSONAL_KINDS, apply_rules, find_caveats, texts_to_embed
from ingest.load import load_document

EXPECTED = {
    "him": [
        "making someone miss you isn't about manipulation or playing games",
        "Creating space for someone to miss you should never feel like punishment or manipulation.",
        "using distance as a weapon",
        "without coercion or manipulation.",
    ],
    "someone": [
        "isn’t just about playing games or manipulation",
        "It’s not about manipulation but about enhancing the quality",
        "The strategies outlined here are not manipulative tactics",
    ],
    "husband": [
        "What makes someone miss a partner during separation isn’t manipulation",
        "not stonewalling, not the cold shoulder",
        "You’re allowing pockets of mystery, not to manipulate",
    ],
    "leave": [
        "This isn’t about manipulation but about balance.",
        "Absence is not a punishment",
        "This doesn’t mean playing games or manufacturing drama.",
    ],
    "ex": [
        "Understanding the psychology of how to make an ex miss you is not about manipulation.",
        "Do not fake a social life—build a real one.",
        "Weaponizing reactance by being cruel or threatening",
        "These are general patterns, not guarantees.",
    ],
}

NOT_CAVEATS = (
    "Distance has a peculiar way of revealing what truly matters.",
    "This doesn’t mean leaving permanently or creating unnecessary distance.",
    "You’re not cold, and you’re not eager.",
    "ethically leverage these principles",
    "How to apply it ethically:",
    "through various tactics",
    "Focusing on your own growth",
)


@pytest.fixture(scope="module")
def caveats(corpus_docs, embed):
    """Caveats of every shipped article, found with cues and the real model."""
    return {name: find_caveats(doc, embed) for name, doc in corpus_docs.items()}


def test_a_build_can_embed_beforehand_every_text_caveats_need(corpus_docs, embed):
    """The build embeds `texts_to_embed` of all documents as one batch; finding a
    document's caveats must then ask for nothing else (or it falls back to small batches)."""
    asked_somewhere = False
    for name, doc in corpus_docs.items():
        asked: list[str] = []

        def recording(texts, asked=asked):
            asked.extend(texts)
            return embed(texts)

        found = find_caveats(doc, recording)
        asked_somewhere = asked_somewhere or bool(asked)
        # and the build embeds each caveat found, for the caveats shown beside answers
        assert {*asked, *(c.text for c in found)} <= set(texts_to_embed(doc)), name
    assert asked_somewhere


class TestShippedArticles:
    @pytest.mark.parametrize("name", sorted(EXPECTED))
    def test_each_article_yields_its_own_caveats(self, caveats, corpus_docs, name):
        found = caveats[name]
        assert len(found) >= 3
        assert all(c.doc_id == corpus_docs[name].doc_id for c in found)
        for expected in EXPECTED[name]:
            assert any(expected in c.text for c in found), expected

    def test_caveats_are_verbatim_sentences_outside_boilerplate(self, caveats, corpus_docs):
        for name, found in caveats.items():
            doc = corpus_docs[name]
            assert [c.start for c in found] == sorted(c.start for c in found)
            for c in found:
                assert c.text == doc.text[c.start : c.end] == c.text.strip()
                assert "\n" not in c.text
                assert not any(s < c.end and c.start < e for s, e in doc.boilerplate)

    def test_no_plainly_neutral_sentence(self, caveats):
        texts = [c.text for found in caveats.values() for c in found]
        for neutral in NOT_CAVEATS:
            assert not any(neutral in text for text in texts), neutral

    def test_kinds_and_sections(self, caveats):
        by_text = {c.text: c for found in caveats.values() for c in found}
        weapon = next(c for t, c in by_text.items() if "using distance as a weapon" in t)
        assert (weapon.kind, weapon.section) == (
            "weaponising",
            "When Distance Becomes Disconnection",
        )
        listed = by_text["Manufacturing fake scarcity through mind games"]
        # an item of an "Unethical:" list is shown with its label, not as a bare bullet
        assert (listed.kind, listed.section) == ("unethical", "Ethical Considerations: Unethical")
        assert by_text["These are general patterns, not guarantees."].kind == "guarantee"
        assert by_text["Do not fake a social life—build a real one."].kind == "deception"
        absence = next(c for t, c in by_text.items() if t.startswith("Absence is not a punishment"))
        assert absence.kind == "punishment"
        kinds = {c.kind for c in by_text.values()}
        assert kinds <= {
            "manipulation",
            "games",
            "punishment",
            "deception",
            "weaponising",
            "unethical",
            "guarantee",
            "general",
        }, "the shipped articles state ethical limits, not warnings or disclaimers"

    def test_cues_alone_find_the_same_shipped_caveats(self, caveats, corpus_docs):
        for name, doc in corpus_docs.items():
            cue_only = {(c.start, c.end) for c in find_caveats(doc)}
            assert len(cue_only) >= 3
            assert cue_only <= {(c.start, c.end) for c in caveats[name]}


class TestSemantic:
    TEXT = (
        "Keep Your Distance\n\n"
        "Manipulating your partner's emotions to win them back is wrong.\n"
        "Using jealousy to control him will backfire and hurt you both.\n"
        "Go to the gym and see your friends more often.\n"
        "Time apart lets the tension in a relationship settle.\n"
        "Controlled breathing helps you stay calm before a hard talk.\n"
    )

    def test_model_finds_caveats_the_cues_miss(self, embed):
        doc = Document("d", "d.txt", "Keep Your Distance", self.TEXT, "0")
        assert find_caveats(doc) == []
        found = {c.text: c.kind for c in find_caveats(doc, embed)}
        assert found == {
            "Manipulating your partner's emotions to win them back is wrong.": "manipulation",
            "Using jealousy to control him will backfire and hurt you both.": "general",
        }

    def test_pdf_caveat_carries_its_page(self):
        text = "Intro Page\n\nSpace helps you.\n\nNever use silence as a weapon against him."
        doc = Document("p", "p.pdf", "Intro Page", text, "0", page_starts=(0, 30))
        (caveat,) = find_caveats(doc)
        assert (caveat.text, caveat.kind, caveat.page) == (
            "Never use silence as a weapon against him.",
            "weaponising",
            2,
        )


def _shortest_matches(items) -> list[str]:
    """The shortest string of every branch of a parsed pattern, with a space at each word
    boundary: one string per way through the pattern's alternatives."""
    results = [""]
    for op, arg in items:
        if op is parser.LITERAL:
            options = [chr(arg)]
        elif op is parser.IN:
            options = [_one_of(arg)]
        elif op is parser.AT:
            options = [" "]
        elif op in (parser.ASSERT, parser.ASSERT_NOT):
            options = [""]  # a look-around adds no character
        elif op in (parser.MAX_REPEAT, parser.MIN_REPEAT):
            low, _, sub = arg
            options = [s * low for s in _shortest_matches(sub)] if low else [""]
        elif op is parser.SUBPATTERN:
            options = _shortest_matches(arg[-1])
        elif op is parser.BRANCH:
            options = [s for branch in arg[1] for s in _shortest_matches(branch)]
        else:
            raise AssertionError(f"pattern element {op} not handled by this test")
        results = [r + o for r in results for o in options]
    return results


def _one_of(members) -> str:
    """A character of a character set (the sets in these patterns are never negated where
    they must match)."""
    op, arg = members[0]
    if op is parser.NEGATE:
        return "x"
    if op is parser.LITERAL:
        return chr(arg)
    if op is parser.RANGE:
        return chr(arg[0])
    return {parser.CATEGORY_SPACE: " ", parser.CATEGORY_WORD: "a"}[arg]


class TestStemPrefilter:
    """Sentences naming no stem of an ethical term skip the slow patterns: that must never
    change what the patterns would have found."""

    @pytest.mark.parametrize(
        ("pattern", "prefilter"),
        [
            (caveats_module._CUE, caveats_module._may_name_a_term),
            (caveats_module._ETHICS_WORDS, caveats_module._may_name_a_term),
            (caveats_module._WARNING, caveats_module._may_warn),
        ],
    )
    def test_every_way_through_the_patterns_holds_a_stem(self, pattern, prefilter):
        strings = _shortest_matches(parser.parse(pattern.pattern, pattern.flags))
        assert len(strings) > 20
        for text in strings:
            for variant in (text, text.upper(), text.title()):
                assert pattern.search(variant), variant  # the strings do match
                assert prefilter(variant), variant

    def test_odd_cases_are_every_character_lower_misses(self):
        everything = "".join(map(chr, range(0x80, 0x110000)))
        ascii_alike = re.findall("[a-z]", everything, re.IGNORECASE)
        odd = {c for c in ascii_alike if len(c.lower()) != 1 or not c.lower().isascii()}
        assert odd == caveats_module._ODD_CASES
        assert caveats_module._may_name_a_term("ſecret") and caveats_module._CUE.search(
            "not ſecretly"
        )

    def test_prefilter_changes_nothing_on_the_shipped_articles(self, corpus_docs, monkeypatch):
        with_prefilter = {name: apply_rules(doc) for name, doc in corpus_docs.items()}
        monkeypatch.setattr(caveats_module, "_may_name_a_term", lambda sentence: True)
        assert with_prefilter == {name: apply_rules(doc) for name, doc in corpus_docs.items()}
        assert sum(len(r.chosen) for r in with_prefilter.values()) > 20


class TestWarningsAndDisclaimers:
    """Caveats beyond ethical limits: warnings, admonitions, caution sections, disclaimers;
    and no caveat where the trigger words are merely used."""

    def _found(self, text: str, file: str = "a.txt", embed=None) -> dict[str, str]:
        doc = Document("a", file, "A", text, "0")
        return {c.text: c.kind for c in find_caveats(doc, embed)}

    def test_a_word_of_caution_section_is_all_caveat(self):
        text = (
            "Plants at Home\n\nWater them weekly.\n\nA word of caution\n"
            "Several of these plants are toxic to pets.\nKeep the sap off your hands.\n"
        )
        found = self._found(text)
        assert found == {
            "Several of these plants are toxic to pets.": "warning",
            "Keep the sap off your hands.": "warning",
        }

    def test_an_admonition_title_marks_the_paragraph_after_it_only(self):
        text = (
            "Module Docs\n\nIntro paragraph here.\n\nWarning\n\n"
            "Loading data from strangers can run their code.\n\n"
            "The dump function writes the value to a file.\n"
        )
        assert self._found(text) == {"Loading data from strangers can run their code.": "warning"}

    def test_markdown_warnings_and_production_cautions(self):
        text = (
            "# Server\n\nInstall it.\n\n> **Warning:** guest access has no password.\n\n"
            "Be careful when you open ports.\n\nSet the lid to do nothing.\n"
        )
        found = self._found(text, "a.md")
        assert set(found) == {
            "> **Warning:** guest access has no password.",
            "Be careful when you open ports.",
        }

    def test_a_program_or_its_output_is_no_caveat_but_its_comments_may_be(self, tmp_path):
        # Python's logging HOWTO shows log output in <pre>; its "WARNING:root:..." lines
        # were shown as caveats beside every logging answer
        (tmp_path / "a.md").write_text(
            "# Logging\n\nRun it and look at the output:\n\n"
            "```\nWARNING:root:Watch out!\nDo not edit this line\n"
            ">>> # Never do this -- insecure!\n```\n\n"
            "Never log passwords.\n",
            encoding="utf-8",
        )
        loaded = read_file(tmp_path / "a.md", tmp_path)
        ruled = apply_rules(loaded.document, document_blocks(loaded))
        found = find_caveats(loaded.document, None, ruled)
        # ...but a comment in it is the author's: sqlite3's "# Never do this -- insecure!"
        assert [c.text for c in found] == [
            ">>> # Never do this -- insecure!",
            "Never log passwords.",
        ]

    def test_a_warning_wrapped_before_code_is_one_sentence(self):
        # systemd's ENVIRONMENT.md: the caveat stopped at "such as"
        text = (
            "# Variables\n\n* `$HIERARCHIES` — the list of managed hierarchies. Do not"
            " specify API file systems such as\n  `/proc/` or `/sys/` here.\n"
        )
        assert self._found(text, "a.md") == {
            "Do not specify API file systems such as\n  `/proc/` or `/sys/` here.": "warning"
        }

    def test_disclaimers(self):
        text = (
            "Vitamins\n\nMost people need more in winter.\n\n"
            "This is not medical advice. Talk to your doctor first.\n\n"
            "Individual results vary.\n"
        )
        assert set(self._found(text).values()) == {"disclaimer"}
        assert len(self._found(text)) == 3

    def test_incidental_trigger_words_are_not_caveats(self, embed):
        text = (
            "Chess Openings\n\nA knight in the centre threatens eight squares.\n"
            "A pinned piece is coerced into a passive position, and the defender is ignored.\n"
            "No opening is guaranteed to win; the best players perform a few jobs early.\n"
            "Many club games are ignored by the players who never castled.\n"
            "The orchestra performed games of call and response.\n"
        )
        assert self._found(text, embed=embed) == {}


# --- ethical terms in technical documents --------------------------------------------------

DATA = Path(__file__).resolve().parents[1] / "data"
#: Real technical documents whose words the ethical cues used to fire on: R's "coercion"
#: functions and "ignored" arguments, the Python HOWTO's queens that "threaten" each other.
TECHNICAL = (DATA / "pdf" / "r-exts-pages-164-166.pdf", DATA / "html" / "howto-functional.html")


@pytest.mark.parametrize("path", TECHNICAL, ids=lambda p: p.name)
def test_a_technical_manual_is_not_about_people(path):
    assert not caveats_module.about_people(load_document(path, path.parent).text)


def test_every_shipped_article_is_about_people(corpus_docs):
    assert all(caveats_module.about_people(doc.text) for doc in corpus_docs.values())


@pytest.mark.parametrize("path", TECHNICAL, ids=lambda p: p.name)
def test_ethical_words_of_a_technical_manual_mark_no_ethical_caveat(path, embed, monkeypatch):
    doc = load_document(path, path.parent)
    found = find_caveats(doc, embed)
    assert not [c.text for c in found if c.kind in caveats_module.PERSONAL_KINDS]
    # The same words in advice about people would be caveats: the gate is what holds.
    monkeypatch.setattr(caveats_module, "about_people", lambda *_: True)
    monkeypatch.setattr(caveats_module, "addresses_reader", lambda *_: True)
    assert [c for c in find_caveats(doc, embed) if c.kind in caveats_module.PERSONAL_KINDS]


# --- ethical terms in texts about people that give no advice -------------------------------

WEB_PAGES = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "webpages" / "pages"
#: Real English pages about people (../shared/benchmarks/webpages) whose words the ethical
#: cues fired on: "not ... escalate its tactics" (games) and "no matter how badly they ...
#: threatened" (punishment) in an essay on polarization; "... manipulated" in a news report.
NARRATIVE = ("358c246d89179054.html", "89b0591fcc8db6db.html")


@pytest.mark.skipif(not WEB_PAGES.is_dir(), reason="../shared/benchmarks/webpages not present")
@pytest.mark.parametrize("name", NARRATIVE)
def test_a_text_about_people_that_gives_no_advice_states_no_ethical_caveat(name, monkeypatch):
    loaded = read_file(WEB_PAGES / name, WEB_PAGES)
    doc = loaded.document
    assert caveats_module.about_people(doc.text)
    assert not caveats_module.addresses_reader(doc.text)

    def personal() -> list[str]:
        ruled = apply_rules(doc, document_blocks(loaded))
        return [c.text for c in find_caveats(doc, None, ruled) if c.kind in PERSONAL_KINDS]

    assert personal() == []
    monkeypatch.setattr(caveats_module, "addresses_reader", lambda *_: True)
    assert personal()  # advice to a reader with the same words would state them


def test_every_shipped_article_addresses_its_reader(corpus_docs):
    assert all(caveats_module.addresses_reader(doc.text) for doc in corpus_docs.values())


def test_a_question_is_no_caveat_by_its_words():
    text = (
        "Jokes for you\n\nYou will laugh, and your friends will too, we promise you.\n\n"
        "Why do you never see elephants hiding in trees?\n\n"
        "Never use a joke as a weapon against your friend.\n"
    )
    found = {c.text for c in find_caveats(Document("j", "j.txt", "Jokes for you", text, "0"))}
    assert found == {"Never use a joke as a weapon against your friend."}


def test_a_warning_and_a_no_guarantee_count_in_any_document_as_warnings_of_their_place():
    text = (
        "Queues\n\nWarning: this queue is not thread-safe.\n\n"
        "There is no guarantee that the items are returned in order."
    )
    doc = Document("q", "q.txt", "Queues", text, "0")
    found = find_caveats(doc)
    assert [c.text for c in found] == [
        "Warning: this queue is not thread-safe.",
        "There is no guarantee that the items are returned in order.",
    ]
    assert {c.kind for c in found} == {"warning"}
    assert not any(caveats_module.applies_to_document(c) for c in found)


def test_an_option_named_warnings_is_no_caution_section():
    """man(1) saved as text (tests/data/manpage/man.1.txt): its option "--warnings[=warnings]"
    is a section since man pages are read by their layout, and "Enable warnings from
    groff." was a caveat, as was every block under it. A heading that names a caution in
    prose still makes one."""
    folder = Path(__file__).parents[1] / "data" / "manpage"
    loaded = read_file(folder / "man.1.txt", folder)
    blocks = document_blocks(loaded)
    assert any("--warnings" in b.section for b in blocks)
    found = find_caveats(loaded.document, ruled=apply_rules(loaded.document, blocks))
    assert not any("groff" in c.text for c in found), [c.text for c in found]
    for heading in ("Warnings", "A word of caution", "Safety first"):
        text = f"# Tool\n\n## {heading}\n\nThe tool deletes files it does not recognise."
        (caution,) = find_caveats(Document("t", "t.md", "Tool", text, "0"))
        assert caution.kind == "warning"


def test_what_limits_a_whole_document_is_told_from_a_local_warning(corpus_docs, embed):
    shipped = [c for doc in corpus_docs.values() for c in find_caveats(doc, embed)]
    assert all(caveats_module.applies_to_document(c) for c in shipped)
    text = "# Plants\n\n## A word of caution\n\nSome plants are toxic to pets."
    (caution,) = find_caveats(Document("p", "p.md", "Plants", text, "0"))
    assert caveats_module.applies_to_document(caution)


def test_an_ethical_limit_of_a_text_about_people_is_kept():
    text = "Talks\n\nWhen you negotiate with your boss or a colleague, do not use threats."
    doc = Document("t", "t.txt", "Talks", text, "0")
    assert [c.kind for c in find_caveats(doc)] == ["punishment"]
