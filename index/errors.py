"""The error family every part of cited raises.

Messages name the file or value that was wrong and say what to do; the CLI prints them
as one line and the UI shows them in place.
"""


class CitedError(Exception):
    """Base of every error cited reports to a user."""


class UnreadableFileError(CitedError):
    """A corpus file could not be read; the build skips it and reports it."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class IndexMissingError(CitedError):
    """No index has been built in the index folder yet."""


class IndexCorruptError(CitedError):
    """An index file does not match the checksum its manifest recorded."""


class ModelMismatchError(CitedError):
    """The index was built with another model or dimension than the one loaded."""


class ModelLoadError(CitedError):
    """The embedding model could not be loaded from its local folder."""


class CorpusError(CitedError):
    """The corpus folder is missing, empty, or holds nothing readable."""


class IndexWriteError(CitedError):
    """A new index version could not be written (disk full, read-only folder); the
    previous version is untouched."""


class BuildLockedError(CitedError):
    """Another build holds the index lock."""


class QuestionError(CitedError):
    """A question is empty or too long to answer."""
