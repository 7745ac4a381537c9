"""Fold text for word search: what a PDF prints differently from what a reader types.

PDFs set ligatures as single characters ("proﬁle" holds U+FB01) and break words at line
ends ("sim-\\nilar"). BM25 would see "proﬁle" and "sim" + "ilar" and never match a query
for "profile" or "similar". `fold` gives the form both the indexed passages and the
query are tokenized from; quotes are never folded, they stay verbatim slices.
"""

from __future__ import annotations

import re
import unicodedata

#: A word broken at a line end: a letter, a hyphen, the line break, a lowercase letter.
#: The hyphen may be U+2010, as groff sets it in man pages ("De‐\npending"), or a soft one.
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])[-\u2010\u00ad][ \t]*\r?\n[ \t]*(?=[a-zß-ÿ])")


def fold(text: str) -> str:
    """NFKC (ligatures and compatibility forms spelled out), hyphenated line ends joined."""
    return _LINE_END_HYPHEN.sub("", unicodedata.normalize("NFKC", text))
