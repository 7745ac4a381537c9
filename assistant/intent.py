"""Whether a question seeks to manipulate, deceive, punish, frighten, isolate or control
another person.

The judge reads the question as clauses, not as a bag of trigger words:

- Only a *request* is judged. "My ex is playing mind games with me." reports something
  done to the asker and "Why does he...?" / "Is it manipulation if...?" ask about an act;
  neither asks for one, so "My ex cheated on me. How do I make him suffer?" is judged on its
  second sentence alone.
- A harmful act needs a *person* as its target: "him", "someone", "my ex", "her feelings",
  "my ex's relationship" (or, for feelings only, a name: "make Sarah jealous"). "my loop",
  "my dog", "the linker", "myself", "me" are not targets, so technical, self-directed and
  victim-side questions ("keep my ex from manipulating me") are never flagged.
- The asker must be the one acting: in "a friend whose boyfriend controls her" or "stop my
  mother from guilt-tripping me" someone else acts, and "without hurting him", "stop
  controlling" negate the act.
- A purpose clause that aims at a person's distress ("so he's always anxious", "until he
  begs", "so she never finds out") marks the request whatever its means; one that aims at
  compliance ("until he apologises", "so he does what I want") marks it when the means are
  pressure, withdrawal or pretence.

Questions no rule names are compared with prototypes and with the corpus's own statements of
what it calls unethical (an article's "Unethical:" list), so a folder's articles define what
they warn against; that comparison also needs a person as the object of the request.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

# --- Who: a person other than the asker --------------------------------------------------

_RELATIONS = (
    "ex|partner|husband|wife|boyfriend|girlfriend|bf|gf|spouse|fiance|fiancee|fiancé|fiancée|"
    "crush|date|lover|man|woman|guy|girl|boy|mother|mom|mum|mommy|mummy|father|dad|daddy|"
    "parent|sister|brother|sibling|friend|bestie|family|roommate|flatmate|housemate|coworker|"
    "co worker|colleague|boss|manager|employee|son|daughter|kid|child|children|teenager|teen|"
    "neighbour|neighbor|teacher|student|classmate|teammate|in laws|mother in law|"
    "father in law|stepmom|stepmother|stepdad|stepfather|stepson|stepdaughter|aunt|uncle|"
    "cousin|grandma|grandpa|grandmother|grandfather|nephew|niece|landlord|tenant|relative|"
    "person|people|wife to be|husband to be|ex wife|ex husband|ex boyfriend|ex girlfriend"
)
_NOUN = rf"(?:{_RELATIONS})(?:e?s)?"
_MOD = (
    r"(?:(?:new|old|best|ex|own|older|younger|little|big|elder|future|current|former|"
    r"estranged|other|close|step|teenage|adult|whole|two|three)\s+)"
)
_DET = r"(?:my|his|her|their|our|your|the|a|an|this|that)"
#: "my ex", "her new boyfriend", "my ex's friends".
_PERSON_NP = rf"{_DET}\s+{_MOD}{{0,2}}{_NOUN}(?:(?:'s?|s')\s+{_MOD}{{0,2}}{_NOUN})?"
#: What belongs to a person closely enough that harming it harms them.
_OWNED = (
    r"(?:life|lives|feelings|emotions|head|mind|heart|relationships?|marriage|reputation|"
    r"career|job|confidence|self esteem|sanity|memory|friendships?|plans|trip|wedding|"
    r"sleep|phone|texts|messages|emails?|location|dms|chats|accounts?|passwords?|diary|"
    r"browser history)"
)
_POSSESSOR = rf"(?:{_PERSON_NP}(?:'s?|s')|his|her|their)"
#: The object pronoun "her", not the possessive of a thing ("her code").
_HER = (
    r"her(?=\s*$|\s*[.?!,;]|\s+(?:into|from|to|so|until|till|by|with|about|and|or|in|on|at|"
    r"for|that|the|a|an|because|while|when|like|feel|feels|think|believe|be|go|get|out|off|"
    r"up|down|back|away|along|against|again|more|less|too|very|really|even|enough|badly|"
    r"every|all|after|before|over|if|just|any|knowing|finding|noticing|realising|realizing|"
    r"seeing|suspecting|hearing|{affect}|{suffer})\b)"
)
_SELF_WORDS = {"me", "myself", "i", "us", "ourselves", "my", "mine"}

# --- What: acts, feelings and outcomes ----------------------------------------------------

_AFFECT = (
    r"(?:jealous|envious|guilty|ashamed|embarrassed|humiliated|insecure|inadequate|"
    r"worthless|useless|stupid|crazy|small|ugly|unattractive|unwanted|unloved|unwelcome|"
    r"unsafe|afraid|scared|frightened|terrified|nervous|anxious|worried|paranoid|on edge|"
    r"uneasy|desperate|dependent|obsessed|obsessive|miserable|unhappy|sad|depressed|hurt|"
    r"lonely|alone|helpless|hopeless|powerless|trapped|bad|terrible|awful|sorry|regretful|"
    r"confused|lost|upset|hell|panicked|guessing|unsure|uncertain|indebted|obligated|"
    r"responsible for (?:my|me)|incompetent|foolish|pathetic|ridiculous|unstable|weak|"
    r"like (?:a|an) (?:fool|liar|idiot|failure)|left out|excluded|unimportant|replaceable|"
    r"invisible)\b"
)
#: Feeling these is the good state a person is denied in "so he never feels sure of me".
_EASE = (
    r"(?:sure|secure|safe|loved|wanted|good enough|confident|settled|certain|at ease|"
    r"relaxed|happy|comfortable)\b"
)
_SUFFER = (
    r"(?:suffers?|suffering|begs?|begging|panics?|panicking|regrets?|regretting|cry|cries|"
    r"crying|crawls?|crawling|grovels?|grovelling|groveling|obsess(?:es)?|doubts?|"
    r"doubting|fears?|squirms?|cannot (?:sleep|eat|function|stop thinking|cope)|"
    r"turns? against)\b"
)
_HARM_VERB = (
    r"(?:manipulat(?:e|es|ing)|trick(?:s|ing)?|deceiv(?:e|es|ing)|"
    r"(?:lie|lying) (?:about (?:\w+ ){1,3})?to|"
    r"mislead(?:s|ing)?|gaslight(?:s|ing)?|guilt(?: trip)?(?:s|ing|ping)?|"
    r"blackmail(?:s|ing)?|bully(?:ing)?|humiliat(?:e|es|ing)|shame|shaming|belittl(?:e|ing)|"
    r"mock(?:s|ing)?|make fun of|embarrass(?:ing)?|intimidat(?:e|es|ing)|"
    r"threaten(?:s|ing)?|scare|scaring|frighten(?:s|ing)?|terrify(?:ing)?|punish(?:es|ing)?|"
    r"isolat(?:e|es|ing)|control(?:s|ling)?|dominat(?:e|ing)|pressur(?:e|es|ing)|"
    r"coerc(?:e|es|ing)|force|forcing|trap(?:s|ping)?|sabotag(?:e|es|ing)|hurt(?:s|ing)?|"
    r"harm(?:s|ing)?|torment(?:s|ing)?|spy on|spying on|stalk(?:s|ing)?|track(?:s|ing)?|"
    r"monitor(?:s|ing)?|keep tabs on|get back at|getting back at|mess with|messing with|"
    r"ruin(?:s|ing)?|wreck(?:s|ing)?|destroy(?:s|ing)?|crush(?:es|ing)?|shatter(?:s|ing)?|"
    r"undermin(?:e|es|ing)|alienat(?:e|es|ing)|cheat on|cheating on|ghost(?:s|ing)?|"
    r"go silent on|going silent on|freeze|play (?:mind )?games with|playing (?:mind )?games "
    r"with|break up|withhold \w+ from|hide (?:\w+ ){1,3}from|spread (?:rumou?rs|lies|gossip) "
    r"about|spreading (?:rumou?rs|lies|gossip) about)"
)
#: Verbs whose object is named between them and a particle: "turn X against", "string X along".
_FRAMED = (
    r"(?:turn|turning|string|stringing|cut|cutting|give|giving|distance|distancing|separate|"
    r"separating|pull|pulling|drive|driving)"
)
_FRAME_END = (
    r"(?:against|along|off|the silent treatment|the cold shoulder|(?:away )?from (?:his|her|"
    r"their) (?:\w+ )?(?:friends|family|sister|brother|parents|mother|father|mom|dad|kids))"
)
#: What is used on a person rather than done to them: "tactics can I use on her".
_TACTICS = (
    r"(?:tactics|tricks|mind games|games|psychology|reverse psychology|guilt|jealousy|"
    r"threats|fear|silence|the silent treatment|manipulation)"
)
_NEGATION = (
    r"(?:without|stop|stopped|stopping|quit|quitting|avoid|avoiding|not|never|instead of|"
    r"rather than|less|no longer|refuse to|refrain from)"
)
_AUX = (
    r"(?:keeps?|kept|is|are|was|were|has|have|had|been|always|constantly|still|just|really|"
    r"even|also|often|trying|tries|tried|try|to|will|would|can|could|might|starts?|started|"
    r"seems?|likes?|wants?|used|uses|using|does|did|do|be)"
)
_MEANS = (
    rf"\b(?:{_HARM_VERB}|ignor(?:e|ing)|withhold\w*|silen(?:t|ce)|ghost\w*|sulk\w*|refus\w*|"
    r"threat\w*|fake|faking|pretend\w*|lie|lies|lying|stage|post|set up|time my|flirt\w*|"
    r"jealous|hard to get|(?:not|stop|stopping|quit) (?:speak|speaking|talk|talking|reply|"
    r"replying|answer|answering|text|texting|call|calling))\b"
)
_STAGING = (
    r"\b(?:fake|faking|pretend\w*|lie|lies|lying|stage|post|posting|set up|flirt\w*|"
    rf"mind games|hard to get|{_TACTICS} (?:can|should|do) i (?:use|try|play))\b"
)
_COMPLIANCE = (
    r"(?:apologi[sz]es?|gives? in|does what i (?:want|say)|obeys?|complies|commits?|comes? "
    r"(?:back|home|crawling)|moves? (?:out|in|away)|stays?|will not (?:leave|go|say no)|"
    r"cannot (?:leave|say no|refuse)|never (?:leaves?|dares?|takes me for granted)|can never "
    r"leave|tries? harder|cancels?|breaks? up|"
    r"takes? care of me|proposes?|sees?|notices?|thinks?|believes?)\b"
)
_DECEIVED = (
    r"(?:never finds? out|never knows?|does not (?:suspect|know|notice|find out)|will not "
    r"(?:find out|know|notice|suspect)|cannot tell|does not realise|does not realize)\b"
)
#: Outcomes that leave a person with no one but the asker.
_ISOLATED = (
    r"(?:spends? all (?:his|her|their) time with me|has no one (?:else|but me)|only "
    r"(?:depends|listens|talks|sees|needs|wants)\w* (?:on |to )?me|gets? (?:fired|dumped|"
    r"kicked out|in trouble|arrested|evicted|expelled|banned|sacked|punished))\b"
)
_GASLIGHT = (
    r"(?:imagining|crazy|wrong|overreacting|paranoid|remembering|misremembering|losing|"
    r"too sensitive|making it up|the problem|to blame|at fault|the crazy one)"
)


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_PERSON = (
    rf"(?:{_POSSESSOR}\s+{_MOD}{{0,2}}(?:{_NOUN}|{_OWNED})\b|{_PERSON_NP}\b(?!'s?\s)|"
    rf"(?:him|them|someone|somebody|everyone|anyone|people)\b|"
    rf"{_HER.format(affect=_AFFECT, suffer=_SUFFER)})"
)
_FEELER = rf"(?:{_PERSON}|xname\b)"
_SUBJECT = rf"(?:he|she|they|xname|{_POSSESSOR}\s+{_MOD}{{0,2}}{_NOUN}|{_PERSON_NP})\b"
_GAP = (
    r"(?:(?:is|are|will|would|be|becomes?|gets?|feels?|feeling|starts?|ends? up|always|"
    r"constantly|finally|really|badly|so|too|totally|completely|just|even|more|still|can|"
    r"could|has to|have to|to|go|goes|look|looks|seem|seems|become|get|feel|does|do|did|"
    r"not|never|no longer|less|as)\s+){0,4}"
)

_PERSON_RE = _compile(rf"\b{_PERSON}")
_HARM_AT_PERSON = _compile(rf"\b{_HARM_VERB}\s+(?:(?:off|away|out|down)\s+)?{_PERSON}")
_USED_ON_PERSON = _compile(
    rf"\b{_TACTICS}\b(?:\s+\w+){{0,4}}?\s+(?:on|against)\s+{_PERSON}|\b(?:use|using|try|"
    rf"trying|play|playing)\s+(?:\w+\s+){{0,2}}?{_TACTICS}\s+(?:on|against|with)\s+{_PERSON}"
)
_FRAMED_AT_PERSON = _compile(rf"\b{_FRAMED}\s+{_PERSON}\s+{_FRAME_END}")
_MADE_TO_FEEL = _compile(
    rf"\b(?:make|makes|making|get|getting|leave|leaving|keep|keeping|drive|driving)\s+"
    rf"{_FEELER}\s+(?P<gap>{_GAP})(?:{_AFFECT}|{_SUFFER}|chase|apologi[sz]e)"
)
_MADE_TO_BELIEVE = _compile(
    rf"\b(?:make|makes|making)\s+{_PERSON}\s+(?:think|believe|doubt|question)\b"
    r"(?!\s+(?:about|of)\b)"
)
_FEEL_NEGATIVE = _compile(
    rf"\b(?:make|makes|making)\s+{_PERSON}\s+feel\s+(?:\w+\s+){{0,5}}?(?:nothing|no one|"
    rf"nobody|never|cannot|no choice|no way out|owes?|burden|failure|{_GASLIGHT})\b"
)
#: "make him pay" is revenge; "get my students to pay attention" is not.
_MADE_TO_PAY = _compile(
    rf"\bmake\s+{_PERSON}\s+pay\b(?!\s+(?:attention|rent|bills?|back|me back|(?:his|her|"
    r"their) share|taxes|up|a visit|a compliment))"
)
_GASLIGHTING = _compile(rf"\bconvince\s+{_PERSON}\s+(?:that\s+)?\w+\s+(?:is|are)\s+{_GASLIGHT}")
_GOT_PUNISHED = _compile(
    rf"\bget\s+{_PERSON}\s+(?:fired|dumped|kicked out|in trouble|arrested|evicted|expelled|"
    r"banned|sacked|punished)"
)
#: "so he", "until my partner", "so badly she": a purpose clause with a person as subject.
_PURPOSE = _compile(
    rf"\b(?:so that|so|until|till|to make sure|in order that)\s+(?:badly\s+|much\s+)?"
    rf"(?:that\s+)?(?P<who>{_SUBJECT})\s+"
)
#: "so it haunts him forever": an act whose lasting effect is aimed at a person.
_LASTING_HARM = _compile(
    rf"\bso (?:that )?(?:it|this|that)\s+(?:{_AUX}\s+)*(?:haunts?|hurts?|torments?|breaks?|"
    rf"scares?|destroys?|crushes?|humiliates?|stings?|eats? at|wrecks?)\s+{_PERSON}"
)
_OUTCOME = _compile(
    rf"^(?P<gap>{_GAP})(?P<what>{_AFFECT}|{_SUFFER}|{_DECEIVED}|{_ISOLATED}|{_COMPLIANCE}|"
    rf"(?:gets?|feels?)\s+{_AFFECT}|(?P<ease>{_EASE}))"
)
_COVERT = _compile(
    rf"\bwithout\s+{_PERSON}\s+(?:ever\s+)?(?:knowing|finding out|noticing|realising|"
    r"realizing|seeing|suspecting|hearing|catching)|\bsecretly\s+(?:check|read|track|"
    r"monitor|look|go through|record|access|log|see|follow|watch|text|message|meet|date)|"
    rf"\bbehind\s+{_POSSESSOR}\s+(?:{_MOD}{{0,2}}{_NOUN}\s+)?back\b|"
    rf"\bkeep\s+{_PERSON}\s+from\s+(?:finding out|knowing|noticing|discovering|learning|"
    r"realising|realizing)"
)
_SNOOPING = _compile(
    rf"\b(?:read|check|go through|look through|snoop\w*|access|get into|log into|hack)\s+"
    rf"{_POSSESSOR}\s+{_MOD}{{0,2}}(?:phone|texts|messages|emails?|location|dms|chats|"
    rf"accounts?|passwords?|browser history|diary)|\bpasswords?\b.*\bcheck on\s+{_PERSON}"
)
_KEPT_AWAY = _compile(
    rf"\bkeep\s+{_PERSON}\s+away from|\b(?:stop|keep|prevent|forbid|ban)\s+{_PERSON}\s+"
    rf"from\s+(?P<doing>\w+ing)(?P<rest>[^.?!]*)|\bcontrol\s+(?:who|what|where|when|how|"
    rf"whom)\s+(?:\w+\s+){{0,2}}?{_SUBJECT}|\bget\s+{_PERSON}\s+to\s+(?:break up|cut off|"
    rf"cut|stop seeing|stop talking to|stop going|leave (?:her|him|them)|dump|drop|choose "
    r"me over)"
)
#: What a person is kept from when they are being isolated or controlled.
_CONTACT = _compile(
    r"(?:seeing|talking|texting|calling|meeting|visiting|going|leaving|hanging|spending|"
    r"dating|travel+ing|working|studying|having|speaking|contacting|messaging|following|"
    r"joining|moving|driving)\b"
)
_HARM_GERUND = _compile(rf"^{_HARM_VERB}\b")
_AUX_NOT_TO = _AUX.replace("|to|", "|")
#: Someone else acts: "he keeps", "whose boyfriend controls", "get my ex to", "stop her from".
_THIRD_PARTY_AGENT = _compile(
    rf"(?:\b(?:he|she|they|who)\s+(?:{_AUX}\s+)*|{_PERSON_NP}\s+(?:{_AUX_NOT_TO}\s+"
    rf"(?:{_AUX}\s+)*)?|\b(?:get|tell|ask|want|persuade|let|allow|help|encourage|need|"
    rf"expect)\s+{_PERSON}\s+to\s+|{_PERSON}\s+from\s+)$"
)
_NEGATED_BEFORE = _compile(rf"\b{_NEGATION}\s+(?:\w+\s+)?$")
#: "after I hurt him", "for ignoring her": an act told, not asked for.
_TOLD = _compile(
    rf"(?:\b(?:after|since|because|when|whenever|that|if|once)\s+(?:i|we)\s+(?:{_AUX}\s+)*"
    r"|\bfor\s+)$"
)
_NEGATED_GAP = re.compile(r"\b(?:not|less|no longer|never)\b")

_ABOUT = _compile(
    r"^(?:why|how come|is it|is that|is this|is the|are|was|were|does|did|am i|"
    r"what are the signs|what does it mean|how do i know|how can i tell|how do i tell if|"
    r"how can i know|what do i do if|what should i do if|what can i do if)\b"
)
#: A statement whose subject is someone (often the asker's story, not a request).
_TELLS = _compile(r"^(?:my|his|her|their|our|he|she|they|i|we|it|there|this|that)\b")
_ASKS = _compile(
    r"^(?:how|what|which|where|when|who|whom|can|could|would|will|should|do|any|ways?|"
    r"best|tips|give|tell|show|help|write|list|suggest|teach|draft|recommend|find|please|"
    r"let me|i (?:want|need|would like|wanna|am trying|am going|plan|intend))\b"
)
_CONTRACTIONS = (
    (r"\bcan't\b", "cannot"),
    (r"\bwon't\b", "will not"),
    (r"n't\b", " not"),
    (r"\b(he|she|it|that|who|there|what)'s\b", r"\1 is"),
    (r"\bi'm\b", "i am"),
    (r"'re\b", " are"),
    (r"'ll\b", " will"),
    (r"'ve\b", " have"),
    (r"\bi'd\b", "i would"),
)
#: A word inside a sentence, after a space; `_as_name` reads a capitalised one as a name.
#: Only feelings accept a name as their target ("make Sarah jealous"), so "trick Chrome
#: into..." stays about a thing.
_AFTER_A_WORD = re.compile(r"(?<=\S )[^\W\d_]+\b")


def _as_name(match: re.Match[str]) -> str:
    """ "xname" for a capitalised word ("Sarah", "Chloé", "Zoë") after a lower-case word or a
    comma; else the word itself."""
    word, before = match.group(), match.string[match.start() - 2]
    capitalised = len(word) > 1 and word[0].isupper() and word[1:].islower()
    return "xname" if capitalised and (before.islower() or before == ",") else word


def _normalised(question: str) -> str:
    text = question.replace("’", "'").replace("‘", "'")
    text = _AFTER_A_WORD.sub(_as_name, " ".join(text.split()))
    text = re.sub(r"(?<=\w)-(?=\w)", " ", text).lower()
    for pattern, replacement in _CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    return text


def requests(question: str) -> list[str]:
    """The sentences of `question` that ask for something (not reports, not "why ...?")."""
    sentences = re.split(r"(?<=[.?!])\s+", _normalised(question))
    return [
        s
        for s in sentences
        if s
        and not _ABOUT.search(s)
        and (s.endswith("?") or _ASKS.search(s) or not _TELLS.search(s))
    ]


def _by_asker(sentence: str, start: int) -> bool:
    """Whether the act at `start` is the asker's: not negated, not someone else's."""
    before = sentence[:start]
    return not any(p.search(before) for p in (_NEGATED_BEFORE, _THIRD_PARTY_AGENT, _TOLD))


def _acts_on_person(sentence: str) -> str | None:
    """The rule that finds a harmful act of the asker's aimed at a person, if any."""
    for name, pattern in (
        ("harm aimed at a person", _HARM_AT_PERSON),
        ("harm aimed at a person", _FRAMED_AT_PERSON),
        ("tactics used on a person", _USED_ON_PERSON),
        ("made to believe", _MADE_TO_BELIEVE),
        ("made to feel worthless", _FEEL_NEGATIVE),
        ("gaslighting", _GASLIGHTING),
        ("got punished", _GOT_PUNISHED),
        ("revenge", _MADE_TO_PAY),
        ("covert", _COVERT),
        ("purpose: their distress", _LASTING_HARM),
        ("snooping", _SNOOPING),
    ):
        if any(_by_asker(sentence, m.start()) for m in pattern.finditer(sentence)):
            return name
    for m in _MADE_TO_FEEL.finditer(sentence):
        if _by_asker(sentence, m.start()) and not _NEGATED_GAP.search(m.group("gap")):
            return "made to feel"
    for m in _KEPT_AWAY.finditer(sentence):
        if _by_asker(sentence, m.start()) and not _protective(m):
            return "isolation or control"
    return _purpose(sentence)


def _protective(match: re.Match[str]) -> bool:
    """Keeping someone from something is control only when it is their contact or freedom
    ("stop my wife from seeing her friends"), not when it harms the asker ("stop my ex from
    stalking me"), spares them a feeling ("from feeling jealous") or is a behaviour ("keep
    my kids from fighting")."""
    doing = match.group("doing")
    if doing is None:
        return False
    rest = f"{doing}{match.group('rest')}"
    aimed_at_me = re.search(r"\b(?:me|my|myself|us)\b", rest)
    return bool(aimed_at_me or _HARM_GERUND.search(rest) or not _CONTACT.match(doing))


def _purpose(sentence: str) -> str | None:
    """A purpose clause aimed at a person's distress, or at compliance won by pressure."""
    for m in _PURPOSE.finditer(sentence):
        main = sentence[: m.start()]
        if re.search(_STAGING, main) and not m.group("who").startswith(("people", "every")):
            return "staged for their eyes"
        outcome = _OUTCOME.match(sentence[m.end() :])
        if outcome is None:
            continue
        what, negated = outcome.group("what"), _NEGATED_GAP.search(outcome.group("gap"))
        if re.match(_DECEIVED, what):
            return "so they never find out"
        if re.match(_ISOLATED, what):
            return "purpose: isolated or punished"
        if negated:
            if outcome.group("ease"):  # "so he never feels sure of me"
                return "purpose: their distress"
            continue
        if re.match(rf"{_AFFECT}|{_SUFFER}|(?:gets?|feels?)\s", what):
            return "purpose: their distress"
        if re.search(_MEANS, main):
            return "purpose: compliance under pressure"
    return None


def harm_rule(asked: list[str]) -> str | None:
    """The name of the rule that reads a request of `asked` (the question's `requests`) as
    one to harm a person, or None."""
    for sentence in asked:
        found = _acts_on_person(sentence)
        if found:
            return found
    return None


def aims_at_person(asked: list[str]) -> bool:
    """Whether some request of `asked` names a person other than the asker, with no
    negation ("without hurting him", "stop checking my ex's...") to say it is not harm."""
    return any(_PERSON_RE.search(s) and not re.search(rf"\b{_NEGATION}\b", s) for s in asked)


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
#: A request this close to a prototype, or to one of the corpus's own statements of what is
#: unethical, and aimed at a person, is flagged. The benign tune requests that name a person
#: and pass the rules reach 0.59 ("forgive my ex for cheating"); no manipulative tune
#: question needs this step, which is there for the corpus's own statements.
SIMILARITY = 0.70


class IntentJudge:
    """Judges questions; holds the prototype vectors and the corpus's unethical statements."""

    def __init__(self, embedder: Any, unethical_vectors: np.ndarray | None = None) -> None:
        self._embedder = embedder
        vectors = [np.asarray(embedder.encode(list(PROTOTYPES)), dtype=np.float32)]
        if unethical_vectors is not None and len(unethical_vectors):
            vectors.append(np.asarray(unethical_vectors, dtype=np.float32))
        self._vectors = np.concatenate(vectors)

    def is_manipulative(self, question: str, query: np.ndarray) -> bool:
        """Whether `question` asks for a way to harm another person."""
        return self.reason(question, query) is not None

    def reason(self, question: str, query: np.ndarray) -> str | None:
        """Why `question` reads as a request to harm a person (None: it does not)."""
        asked = requests(question)
        found = harm_rule(asked)
        if found or not aims_at_person(asked):
            return found
        request = " ".join(asked)
        if request != _normalised(question):  # judge the request, not the story around it
            query = self._embedder.encode_query(request)
        closest = float((self._vectors @ np.asarray(query, dtype=np.float32)).max())
        return "close to a stated harm" if closest >= SIMILARITY else None
