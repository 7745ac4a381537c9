"""Serving the page: load the model and index once, refuse an open server off loopback, launch."""

from __future__ import annotations

import ipaddress
import logging
import os
from pathlib import Path
from typing import Any

from assistant.answer import Assistant
from assistant.settings import DEFAULT_HOST, DEFAULT_PORT
from index.errors import CitedError

log = logging.getLogger(__name__)

MAX_FILE_SIZE = "25mb"  # Gradio's hard cap on a request; uploads.MAX_UPLOAD_BYTES is per article


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the server on this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_auth(auth: str | None, host: str) -> tuple[str, str] | None:
    """The (user, password) to require, or None; refuses an open server off loopback."""
    if auth:
        user, sep, password = auth.partition(":")
        if not sep or not user or not password:
            raise CitedError("--auth must be user:password (or set CITED_AUTH=user:password)")
        return user, password
    if not is_loopback(host):
        raise CitedError(
            f"refusing to serve on {host} without a password: anyone who can reach it could "
            "read and change the library; pass --auth user:password (or set CITED_AUTH), "
            "or serve on 127.0.0.1"
        )
    return None


def serve(
    corpus_dir: Path,
    index_dir: Path,
    model_path: Path | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    auth: str | None = None,
    watch: bool = False,
    embed_backend: str | None = None,
    engine: Any = None,
) -> None:
    """Load the model and index once, then serve until interrupted. `engine` is the
    `EngineSettings` (--engine) that Rebuild and the watcher build with."""
    credentials = parse_auth(auth, host)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # Gradio's switch, set early
    from assistant.web.api import Api
    from assistant.web.app import build_app
    from index.embed import Embedder

    embedder = Embedder(model_path, backend=embed_backend)
    assistant = Assistant(index_dir, embedder=embedder)
    assistant.index()  # fail now, with a clear message, if there is no usable index
    embedder.encode_query("warm up")
    api = Api(assistant, Path(corpus_dir), Path(index_dir))
    if engine is not None:
        from index.ray_engine import build_embedder

        api.builder = build_embedder(embedder, engine, model_path)
    if watch:
        _start_watcher(api)
    app = build_app(api)
    app.queue(default_concurrency_limit=4, max_size=64)
    options = launch_options(host, port, credentials, corpus_dir, index_dir)
    app.launch(**options, prevent_thread_lock=True)  # returns once it answers: a true address
    print(f"cited: serving {index_dir} on http://{host}:{port}", flush=True)
    app.block_thread()


def launch_options(
    host: str, port: int, credentials: tuple[str, str] | None, *folders: Path
) -> dict[str, Any]:
    """Gradio's launch() settings: nothing served from the folders, nothing called out."""
    import gradio as gr

    from assistant.present.html import static
    from assistant.web.http_limits import SESSION_CAPACITY, body_limit_middleware

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
        "app_kwargs": {"middleware": [*body_limit_middleware(), plain_http_defaults()]},
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
