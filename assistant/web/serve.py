"""Serving the page: load the model and index once, launch behind the guard (web/guard.py)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from assistant.answer import AnswerSettings, Assistant
from assistant.settings import DEFAULT_HOST, DEFAULT_PORT

log = logging.getLogger(__name__)

MAX_FILE_SIZE = "25mb"  # Gradio's hard cap on a request; uploads.MAX_UPLOAD_BYTES is per article


def serve(
    corpus_dir: Path,
    index_dir: Path,
    model_path: Path | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    auth: tuple[str, str] | None = None,
    watch: bool = False,
    embed_backend: str | None = None,
    allowed_hosts: tuple[str, ...] = (),
    engine: Any = None,
    answer_settings: AnswerSettings | None = None,
) -> None:
    """Load the model and index once, then serve until interrupted (behind the guard;
    `auth` is checked by assistant.web.credentials before the model loads). `engine` is
    the `EngineSettings` (--engine) that Rebuild and the watcher build with;
    `answer_settings` the `AnswerSettings` answers use (--read-in-context)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # Gradio's switch, set early
    from assistant.web.api import Api
    from assistant.web.app import build_app
    from assistant.web.guard import guarded_app
    from index.embed import Embedder

    embedder = Embedder(model_path, backend=embed_backend)
    assistant = Assistant(index_dir, embedder=embedder, settings=answer_settings)
    assistant.index()  # fail now, with a clear message, if there is no usable index
    embedder.encode_query("warm up")
    assistant.prepare()
    api = Api(assistant, Path(corpus_dir), Path(index_dir))
    if engine is not None:
        from index.ray_engine import build_embedder

        api.builder = build_embedder(embedder, engine, model_path)
    if watch:
        _start_watcher(api)
    app = build_app(api)
    app.queue(default_concurrency_limit=4, max_size=64)
    options = launch_options(host, port, auth, corpus_dir, index_dir)
    app.launch(
        **options,
        _app=guarded_app(host, allowed_hosts, [plain_http_defaults()]),
        prevent_thread_lock=True,  # returns once it answers, so the address printed is true
    )
    print(f"cited: serving {index_dir} on http://{host}:{port}", flush=True)
    app.block_thread()


def launch_options(
    host: str, port: int, credentials: tuple[str, str] | None, *folders: Path
) -> dict[str, Any]:
    """Gradio's launch() settings: nothing served from the folders, nothing called out."""
    import gradio as gr

    from assistant.present.html import static
    from assistant.web.http_limits import SESSION_CAPACITY

    return {
        "server_name": host,
        "server_port": port,
        "auth": credentials,
        "theme": gr.themes.Soft(primary_hue="indigo", neutral_hue="slate"),
        "css": static("cited.css"),
        "show_error": True,  # malformed API input gets its reason, not a generic failure
        "max_file_size": MAX_FILE_SIZE,
        "blocked_paths": [str(Path(folder).resolve()) for folder in folders],
        "allowed_paths": [],
        "footer_links": ["api"],
        "ssr_mode": False,
        "pwa": False,
        "mcp_server": False,
        "enable_monitoring": False,
        "quiet": True,
        "state_session_capacity": SESSION_CAPACITY,
    }


def plain_http_defaults() -> Any:
    """The endpoints' parameters and defaults, for calls over plain HTTP."""
    from starlette.middleware import Middleware

    from assistant.web.api import DEFAULT_K
    from assistant.web.plain_http import REQUIRED, PlainHttpDefaults

    parameters = {
        "ask": [("question", REQUIRED), ("k", DEFAULT_K), ("doc_ids", None)],
        "documents": [],
        "upload": [("files", REQUIRED)],
        "delete": [("file", REQUIRED)],
        "rebuild": [],
        "read": [("doc_id", REQUIRED)],
    }
    return Middleware(PlainHttpDefaults, parameters=parameters)


def _start_watcher(api: Any) -> None:
    from assistant.web.watch import print_result, watch_corpus

    def built(summary: Any, error: Exception | None) -> None:
        print_result(summary, error)
        if summary is not None:
            api.remember_build(summary)

    watch_corpus(api.corpus_dir, api.index_dir, api.build_embedder, on_result=built)
