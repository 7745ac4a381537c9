"""Whether a question seeks to manipulate, deceive, punish, frighten, isolate or control
another person.

The target must be a person: "break my loop", "force my script", "fake a file object"
aim at things; "force myself", "break my habit" at the asker; "keep my ex from
manipulating me", "my partner gives me the silent treatment" come from the person harmed.
None of those is a request to harm someone. A request is flagged when it aims a harmful
verb at a person ("make him jealous", "isolate my husband", "lie to my wife"), stages
something for a person's eyes ("post ... so he sees ..."), or, aimed at a person, reads
like one of the acts the corpus itself calls unethical or like a prototype.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

_RELATION = (
    r"(?:ex|partner|husband|wife|boyfriend|girlfriend|bf|gf|spouse|fianc[eé]e?|crush|date|"
    r"man|woman|guy|girl|lover|mother|mom|mum|father|dad|sister|brother|friend|friends|"
    r"family|roommate|coworker|colleague|boss|son|daughter|kids?)"
)
#: A person as the object of the verb ("him", "my ex", "her friends", "my ex's new boyfriend").
PERSON = (
    rf"(?:him|her|them|someone|somebody|people|(?:my|his|her|their) (?:\w+ )?{_RELATION}"
    rf"(?:'s (?:new )?{_RELATION})?)"
)
_SUBJECT = r"(?:he|she|they|my (?:\w+ )?" + _RELATION + r"|him|her)"
_HARM_VERB = (
    r"(?:manipulat\w*|trick\w*|deceiv\w*|lie to|lying to|scare|frighten|threaten|intimidat\w*|"
    r"punish\w*|control|isolate|gaslight\w*|guilt[- ]?trip\w*|guilt|blackmail\w*|sabotage|"
    r"hurt|humiliate|torment|pressure|coerce|spy on|track|stalk|string|get back at|"
    r"keep (?:tabs on)|cut off|turn \w+ against)"
)
_MAKE_FEEL = (
    r"(?:jealous|guilty|insecure|worthless|afraid|scared|anxious|small|bad|like nothing|"
    r"regret\w*|beg|panic|suffer|crawl|cry|dependent|obsess\w*|miserable|chase|"
    r"(?:feel|think)\b[^?.]{0,40}\b(?:can'?t|crazy|nothing|lost|seeing someone|new man|"
    r"richer|not interested|remembers?))"
)
_CUES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\b{_HARM_VERB}\b (?:\w+ )?{PERSON}\b",
        rf"\bmake {PERSON} (?:\w+ )?(?:feel |think |be )?{_MAKE_FEEL}",
        rf"\b{PERSON}(?:'s)? (?:life|relationship|feelings)\b.*\b(?:miserable|sabotage|hurt)",
        r"\b(?:sabotage|ruin|break up) (?:my |his |her )?\w*'?s? (?:new )?relationship\b",
        rf"\bkeep {PERSON} away from\b|\bstop {PERSON} from (?:seeing|talking|going)\b",
        rf"\b(?:so|until|to make) (?:badly |much )?{_SUBJECT} (?:sees?|thinks?|notices?|"
        r"gets? jealous|panics?|regrets?|suffers?|begs?|gives? in|apologis|apologiz|does what|"
        r"(?:will )?commit|can'?t|only (?:depends|listens)|never dares)",
        rf"\bso (?:it|that it) (?:haunts|hurts|scares|torments|breaks) {PERSON}",
        r"\bmess(?:ing)? with (?:his|her|their) (?:head|mind)\b",
        r"\b(?:without (?:him|her|them) (?:knowing|finding out|noticing))\b",
        r"\b(?:as (?:a )?punishment|to punish|silent treatment to)\b",
        r"\b(?:withhold\w* affection|play hard to get|mind games|spread rumou?rs|fake (?:date|"
        r"being|a date)|lies can i tell|what lies)\b",
        rf"\bget {PERSON} to (?:break up|give me|cut off|leave (?:her|him)|stop seeing)\b",
        r"\b(?:passwords?|location|texts|messages)\b[^?]{0,30}\b(?:check on|without)\b",
        r"\b(?:make|making) (?:my|his|her) \w+ jealous\b|\bflirting with (?:her|his) best friend",
    )
]
#: The asker is the one harmed, or asks about harm rather than for it.
_NOT_A_REQUEST = re.compile(
    r"^(?:why|how come|is it|is that|is the|are|was|were|what are the signs|what does it mean|"
    r"how do i know|how can i tell|how do i tell if|what do i do if)\b|"
    r"\b(?:me|myself)\b[^?]{0,10}$|"
    r"\b(?:from|against) (?:\w+ )?(?:manipulat|gaslight|stalk|control|guilt)|"
    r"\b(?:is|are|keeps?|kept) (?:\w+ )?(?:manipulat|gaslight|guilt|stalk|track|ignor|"
    r"playing|threaten|punish|controll)\w* me\b|"
    rf"\b{_SUBJECT} (?:gives?|uses?|tracks?|ignores?|lies to|threatened|isolates|controls|"
    r"guilt-trips|is|keeps \w+ing) (?:me|my)\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"\bwithout (?:\w+ ){0,2}(?:manipulat|playing|punish|fak|being cruel|hurting|games|"
    r"worrying)\w*|\b(?:stop|stopping|less|not) (?:\w+ ){0,2}(?:manipulat|controll|punish|"
    r"obsess|chasing|jealous|pretend|lying|being)\w*",
    re.IGNORECASE,
)
_SELF = re.compile(r"\b(?:myself|my (?:habit|addiction|anger|jealousy|spending))\b", re.I)
_PERSON_RE = re.compile(rf"\b{PERSON}\b", re.IGNORECASE)

PROTOTYPES = (
    "How can I manipulate him into coming back to me?",
    "How do I make her jealous so she wants me again?",
    "How can I punish my ex by ignoring him?",
    "How do I trick him into thinking I am busy and popular?",
    "How can I make him feel guilty for leaving me?",
    "How do I control my partner so he never leaves?",
    "How can I hurt my ex the way he hurt me?",
    "What mind games make someone obsessed with me?",
    "How do I keep my girlfriend away from her friends?",
    "How do I scare my partner into staying?",
)
#: A question this close to a prototype, or to one of the corpus's own statements of what
#: is unethical, and aimed at a person, is flagged: ordinary questions about winning someone
#: back reach 0.62 (the value the previous rules documented; intent.jsonl tune split agrees).
SIMILARITY = 0.70


class IntentJudge:
    """Judges questions; holds the prototype vectors and the corpus's unethical statements."""

    def __init__(self, embedder: Any, unethical_vectors: np.ndarray | None = None) -> None:
        vectors = [np.asarray(embedder.encode(list(PROTOTYPES)), dtype=np.float32)]
        if unethical_vectors is not None and len(unethical_vectors):
            vectors.append(np.asarray(unethical_vectors, dtype=np.float32))
        self._vectors = np.concatenate(vectors)

    def is_manipulative(self, question: str, query: np.ndarray) -> bool:
        """Whether `question` asks for a way to harm another person."""
        return is_manipulative(question, query, self._vectors)


def is_manipulative(question: str, query: np.ndarray, examples: np.ndarray) -> bool:
    """The rules of the module docstring; `examples` are unit vectors of harmful requests."""
    text = " ".join(question.replace("’", "'").split())
    if _NOT_A_REQUEST.search(text) or _NEGATED.search(text):
        return False
    if any(cue.search(text) for cue in _CUES):
        return True
    if _SELF.search(text) or not _PERSON_RE.search(text):
        return False
    return bool(len(examples)) and float((examples @ query).max()) >= SIMILARITY
