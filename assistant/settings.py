"""Settings read once: every CITED_* environment variable, in one place, passed down.

The CLI builds its flag defaults from `Settings.from_environment()`; after that, nothing in
cited reads `os.environ` for its own settings (the model loader's HF_*_OFFLINE switches are
set, not read, and Gradio's analytics switch is Gradio's).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CORPUS = Path("corpus")
DEFAULT_INDEX = Path("var/index")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7860


@dataclass(frozen=True)
class Settings:
    """What the environment says, before flags override it."""

    corpus: Path = DEFAULT_CORPUS
    index: Path = DEFAULT_INDEX
    model: Path | None = None
    auth: str | None = None
    debug: bool = False
    embed_backend: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    engine: str = "local"  # who embeds a build's new text: "local" or "ray"
    ray_address: str | None = None
    read_in_context: bool = False  # highlights read an uncertain first quote in context

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from CITED_CORPUS, CITED_INDEX, CITED_MODEL, CITED_AUTH,
        CITED_ALLOWED_HOSTS (comma-separated), CITED_DEBUG, CITED_EMBED_BACKEND, CITED_ENGINE,
        CITED_RAY_ADDRESS and CITED_READ_IN_CONTEXT (unset or empty: the default)."""
        env = os.environ if environ is None else environ

        def value(name: str) -> str | None:
            text = env.get(name, "").strip()
            return text or None

        model = value("CITED_MODEL")
        return cls(
            corpus=Path(value("CITED_CORPUS") or DEFAULT_CORPUS),
            index=Path(value("CITED_INDEX") or DEFAULT_INDEX),
            model=Path(model) if model else None,
            auth=env.get("CITED_AUTH") or None,
            allowed_hosts=tuple(
                h.strip() for h in env.get("CITED_ALLOWED_HOSTS", "").split(",") if h.strip()
            ),
            debug=bool(value("CITED_DEBUG")),
            embed_backend=value("CITED_EMBED_BACKEND"),
            engine=value("CITED_ENGINE") or "local",
            ray_address=value("CITED_RAY_ADDRESS"),
            read_in_context=bool(value("CITED_READ_IN_CONTEXT")),
        )
