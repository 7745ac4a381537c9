"""A real `cited serve` refuses every request for a file it does not mean to serve: paths
with ../, absolute paths, the corpus and index folders, URL-encoded and double-encoded
paths (issue #6, item 5)."""

from __future__ import annotations

import http.client
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from reliability_kit import REPO

pytestmark = pytest.mark.e2e

PREFIXES = ("/file=", "/gradio_api/file=")
TRAVERSALS = (
    "/etc/passwd",
    "//etc/passwd",
    "../../../../../../etc/passwd",
    "%2Fetc%2Fpasswd",
    "%252Fetc%252Fpasswd",
    "%25252Fetc%25252Fpasswd",
    "..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "..%252F..%252F..%252F..%252Fetc%252Fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/proc/self/environ",
    "/proc/self/cmdline",
)


def _get(server, path: str) -> tuple[int, bytes]:
    """GET `path` exactly as written (no client-side normalisation of ../ or %xx)."""
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _refused(server, path: str, secret: bytes) -> None:
    status, body = _get(server, path)
    assert status in (400, 403, 404), (path, status, body[:200])
    assert secret not in body, f"{path} leaked file content"


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("target", TRAVERSALS)
def test_system_files_are_refused(live_server, prefix, target):
    secret = b"root:" if "passwd" in target else b"PATH="
    if target.endswith("cmdline"):
        secret = b"assistant"
    _refused(live_server, prefix + target, secret)


def _private_files(server) -> dict[str, tuple[Path, bytes]]:
    """Files the server can read but must never serve, with a piece of their content.

    Each one is looked up where the index keeps it today (a version's files live in
    `segments/<seg>/`), and must exist and hold its piece: a case aimed at a missing file
    would pass whatever the server does (issue #12)."""
    article = sorted(server.corpus.glob("*.txt"))[0]
    version = server.index / "versions" / (server.index / "CURRENT").read_text().strip()
    segment = sorted((version / "segments").iterdir())[0]
    files = {
        "article": (article, article.read_bytes()[:40]),
        "manifest": (version / "manifest.json", b'"model_name"'),
        "records": (segment / "records.sqlite", b"SQLite format 3"),
        "vectors": (segment / "passages.npy", b"NUMPY"),
        "faiss": (segment / "faiss.index", (segment / "faiss.index").read_bytes()[:16]),
        "current": (server.index / "CURRENT", (server.index / "CURRENT").read_bytes()[:12]),
        "cache": (server.index / "cache" / "embeddings.sqlite", b"SQLite format 3"),
        "pyproject": (REPO / "pyproject.toml", b"[project]"),
        "code": (REPO / "assistant" / "web" / "serve.py", b"def serve("),
        "log": (server.log, b"serving"),
    }
    for name, (path, secret) in files.items():
        assert path.is_file() and secret in path.read_bytes(), f"{name}: {path} cannot leak"
    return files


@pytest.mark.parametrize(
    "name",
    [
        "article",
        "manifest",
        "records",
        "vectors",
        "faiss",
        "current",
        "cache",
        "pyproject",
        "code",
        "log",
    ],
)
@pytest.mark.parametrize("prefix", PREFIXES)
def test_the_corpus_index_and_code_are_refused(live_server, name, prefix):
    path, secret = _private_files(live_server)[name]
    for spelling in _spellings(path, live_server):
        _refused(live_server, prefix + spelling, secret)


def _spellings(path: Path, server) -> list[str]:
    """The same file named absolutely, %-encoded, double-encoded, through ../ from the corpus
    folder, and relative to the repository (the server's working folder)."""
    absolute = str(path)
    spellings = [absolute, absolute.replace("/", "%2F"), absolute.replace("/", "%252F")]
    root = server.corpus.parent
    if path.is_relative_to(root):
        inside = path.relative_to(root).as_posix()
        spellings += [f"{server.corpus}/../{inside}", f"{server.corpus}/%2e%2e/{inside}"]
    if path.is_relative_to(REPO):
        inside = path.relative_to(REPO).as_posix()
        spellings += [inside, f"./{inside}", f"corpus/../{inside}"]
    return spellings


def test_the_corpus_and_index_folders_are_refused(live_server):
    for folder in (live_server.corpus, live_server.index, live_server.index / "versions"):
        for prefix in PREFIXES:
            status, _ = _get(live_server, f"{prefix}{folder}")
            assert status in (403, 404), folder


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../etc/passwd",
        "/assets/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/gradio_api/static/..%2F..%2F..%2Fetc%2Fpasswd",
        "/gradio_api/proxy=http://127.0.0.1:22/",
        "/gradio_api/proxy=file:///etc/passwd",
    ],
)
def test_other_routes_do_not_reach_the_file_system(live_server, path):
    _refused(live_server, path, b"root:")


def test_the_model_files_are_refused(live_server):
    from index.embed import default_model_path

    config = default_model_path() / "config.json"
    for prefix in PREFIXES:
        _refused(live_server, f"{prefix}{config}", b"hidden_size")


def test_the_check_catches_a_server_that_leaks(live_server):
    """The same check against a plain file server over the same folder must fail for every
    private file: proof that a leak would be seen, not a test that cannot fail."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
    from types import SimpleNamespace

    root = live_server.corpus.parent
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(root))
    leaky = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=leaky.serve_forever, daemon=True).start()
    try:
        server = SimpleNamespace(url=f"http://127.0.0.1:{leaky.server_port}")
        for path, secret in _private_files(live_server).values():
            if not path.is_relative_to(root):
                continue
            with pytest.raises(AssertionError):
                _refused(server, "/" + path.relative_to(root).as_posix(), secret)
    finally:
        leaky.shutdown()
        leaky.server_close()
