"""Changing the corpus folder: uploads checked and saved under safe names, and deletes.

Uploads are checked by size, by extension *and* by content (a file with no extension, such
as a browser's bare Blob, is named by what its content is; a compressed one is unwrapped to
check what is inside), get a sanitised name, and are
linked into the corpus folder so that an existing file is never overwritten; deletes only
ever touch a regular, visible file inside the corpus folder.
"""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from assistant.web.catalog import LibraryError
from ingest import formats

#: The suffixes an upload may have: the readers ingest has, each also compressed (NEWS.md.gz);
#: a document name with none (README, README.Debian) is read by its content, as ingest does.
UPLOAD_SUFFIXES = formats.SUFFIXES + formats.COMPRESSED_SUFFIXES
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UPLOAD_FILES = 20
MAX_NAME_CHARS = 100

_UNSAFE_NAME = re.compile(r"[^\w.]+|_+")

# --- changing the corpus -----------------------------------------------------------------


@dataclass(frozen=True)
class UploadResult:
    """Which uploads were saved (under which names) and which were refused, and why."""

    saved: tuple[str, ...]
    rejected: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "saved": list(self.saved),
            "rejected": [{"file": f, "error": e} for f, e in self.rejected],
        }


def save_uploads(corpus_dir: Path, uploads: Sequence[tuple[str, Path]]) -> UploadResult:
    """Copy uploaded files (original name, temporary path) into the corpus folder.

    Each is checked alone: a bad file is refused with its reason, the others are saved.
    """
    corpus_dir = Path(corpus_dir)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    saved: list[str] = []
    rejected: list[tuple[str, str]] = []
    for position, (original, path) in enumerate(uploads):
        try:
            if position >= MAX_UPLOAD_FILES:
                raise LibraryError(f"more than {MAX_UPLOAD_FILES} files at once; add the rest next")
            name = safe_name(named_by_content(original, path))
            _link_into(corpus_dir, name, read_upload(path, name))
            saved.append(name)
        except LibraryError as error:
            rejected.append((PurePosixPath(str(original).replace("\\", "/")).name, str(error)))
    return UploadResult(tuple(saved), tuple(rejected))


def named_by_content(original: str, path: Path) -> str:
    """`original`, or with the extension its content shows when it has none (a bare Blob)."""
    base = PurePosixPath(str(original).replace("\\", "/")).name
    if "." in base.strip("."):
        return str(original)
    try:
        with Path(path).open("rb") as handle:
            head = handle.read(65536)
    except OSError:
        return str(original)
    suffix = sniff_suffix(head)
    return f"{base or 'article'}{suffix}" if suffix else str(original)


def sniff_suffix(head: bytes) -> str | None:
    """The extension the first bytes of a file show (the format registry's sniffing)."""
    return formats.suffix_for_content(head)


def safe_name(original: str) -> str:
    """A corpus file name for an upload: no folders, no hidden files, lower-case kebab-case.

    Raises LibraryError when ingest cannot read a file of that name (the registry's rule:
    a format suffix, or a document name such as README.Debian read by its content)."""
    base = PurePosixPath(str(original).replace("\\", "/")).name
    base = unicodedata.normalize("NFKC", base)
    suffix = formats.type_suffix(base).lower()
    stem = base[: len(base) - len(suffix)]
    stem = _UNSAFE_NAME.sub("-", stem.lower()).strip("-.")
    stem = re.sub(r"\.+", ".", stem)[:MAX_NAME_CHARS].strip("-.") or "article"
    if formats.format_for(base) is None or formats.format_for(stem + suffix) is None:
        raise LibraryError(
            f"{base or 'the file'}: type {suffix or '(no extension)'} is not supported; "
            f"add {formats.suffix_list()} files"
        )
    return stem + suffix


def read_upload(path: Path, name: str) -> bytes:
    """The bytes of an upload, or LibraryError when its size or content is wrong for `name`."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_UPLOAD_BYTES:
            raise LibraryError(
                f"{name}: {size / 1e6:.1f} MB is over the {MAX_UPLOAD_BYTES // 2**20} MB limit "
                "for one article"
            )
        data = Path(path).read_bytes()
    except OSError as error:
        raise LibraryError(f"{name}: the upload cannot be read ({error.strerror})") from None
    problem = content_problem(data, formats.type_suffix(name))
    if problem:
        raise LibraryError(f"{name}: {problem}")
    return data


def content_problem(data: bytes, suffix: str) -> str | None:
    """Why `data` is not a file of type `suffix` (".txt", ".pdf", ".md.gz", ...), or None."""
    return formats.content_problem(data, suffix)


def _link_into(corpus_dir: Path, name: str, data: bytes) -> None:
    """Write `data` to corpus_dir/name, refusing (never replacing) an existing file.

    The bytes go to a hidden temporary file first (builds skip hidden files), which is
    then hard-linked to its name: the link fails if the name exists, so two uploads of
    the same name cannot overwrite each other and a reader never sees half a file."""
    target = corpus_dir / name
    if target.exists() or target.is_symlink():
        raise LibraryError(f"{name} is already in the library; delete it first to replace it")
    tmp = corpus_dir / f".upload-{secrets.token_hex(6)}.part"
    try:
        with tmp.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, target)
    except FileExistsError:
        raise LibraryError(
            f"{name} is already in the library; delete it first to replace it"
        ) from None
    except OSError as error:
        raise LibraryError(
            f"{name}: cannot save it in the corpus folder ({error.strerror})"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)


def delete_article(corpus_dir: Path, file: str) -> str:
    """Delete one file of the corpus folder, named as the Library lists it; returns the name.

    Only a regular, visible file inside the corpus folder can be deleted."""
    if not isinstance(file, str) or not file.strip():
        raise LibraryError("name the file to delete, as the Library lists it")
    if len(file) > 4096 or any(len(p.encode()) > 255 for p in PurePosixPath(file).parts):
        raise LibraryError(
            f"that name is {len(file):,} characters long, longer than any file name can be "
            "(255 bytes a name); pick the file from the Library list"
        )
    relative = PurePosixPath(file.strip())
    parts = relative.parts
    if relative.is_absolute() or not parts or any(p in ("", ".", "..") for p in parts):
        raise LibraryError(f"{file!r} is not a file name inside the corpus folder")
    if any(p.startswith(".") for p in parts):
        raise LibraryError(f"{file!r} is a hidden file; the library only deletes articles")
    root = Path(corpus_dir).resolve()
    path = root.joinpath(*parts)
    if path.is_symlink() or not path.is_file() or not path.resolve().is_relative_to(root):
        raise LibraryError(f"{relative.as_posix()} is not in the library; nothing was deleted")
    try:
        path.unlink()
    except OSError as error:
        raise LibraryError(f"cannot delete {relative.as_posix()}: {error.strerror}") from None
    return relative.as_posix()
