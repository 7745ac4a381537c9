"""Which file names are documents read by their content: README, copyright, changelog.Debian.

A name whose suffix names a format is read as that format. Packages also ship documents
with no suffix at all (`README`, `copyright`, `TODO`) or with a suffix that is no file type
but a qualifier (`README.Debian`, `changelog.Debian.amd64`, `NEWS.old`): those are read by
what their content is. Any other suffix (`.json`, `.py`, `.docx`) is a type cited does not
read. The same rule holds inside compression: `README.Debian.gz` reads as `README.Debian`
would. Editor backups (`notes~`, `#notes#`) are never documents.
"""

from __future__ import annotations

import re

#: The classic names of documents packages ship beside their code (compared lower-cased).
DOCUMENT_NAMES = frozenset(
    {
        *("readme", "faq", "todo", "news", "authors", "changes", "changelog", "install"),
        *("thanks", "bugs", "copying", "copyright", "license", "licence", "notice"),
        *("contributing", "contributors", "hacking", "history", "credits", "maintainers"),
        *("problems", "projects", "upgrading", "porting", "release-notes", "releasenotes"),
        *("known_bugs", "known-bugs", "relnotes", "announce", "features", "usage"),
    }
)


def is_backup(name: str) -> bool:
    """An editor's backup or autosave of a file (`notes.txt~`, `#notes.txt#`), not a file."""
    base = _base(name)
    return base.endswith("~") or (len(base) > 1 and base.startswith("#") and base.endswith("#"))


def reads_by_content(name: str) -> bool:
    """Is `name` (compression removed) a document whose content says how to read it?

    True for a name with no suffix ("README", "copyright", "Makefile") and for one whose
    first or last part is a classic document name ("README.Debian", "descore.README",
    "v2.38-ReleaseNotes");
    False for backups and hidden files."""
    base = _base(name)
    if not base or base.startswith(".") or is_backup(base):
        return False
    parts = base.lower().split(".")
    return len(parts) == 1 or parts[0] in DOCUMENT_NAMES or _ends_with_a_document(parts[-1])


def _ends_with_a_document(part: str) -> bool:
    """ "readme", or "38-releasenotes" of "v2.38-ReleaseNotes": a last part that is a
    document name or ends with one ("changelog_search.js" does not: its last part is js)."""
    return part in DOCUMENT_NAMES or re.split(r"[-_]", part)[-1] in DOCUMENT_NAMES


def _base(name: str) -> str:
    return name.rpartition("/")[2]
