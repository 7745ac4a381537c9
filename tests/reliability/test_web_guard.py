"""A hostile web page against a real `cited serve` on loopback (issue #15): DNS rebinding,
cross-site requests, framing, uploads that fill memory or disk, markup in messages, odd
API input. Every request is on loopback and bounded in count and size."""

from __future__ import annotations

import http.client
import json
import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from reliability_kit import rss_kb

pytestmark = pytest.mark.e2e

REBIND = "rebind.attacker.example:7870"


def request(
    server,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    source: str = "127.0.0.1",
) -> tuple[int, dict[str, str], bytes]:
    """One raw request (headers exactly as given, Host included) from `source`."""
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(
        address.hostname, address.port, timeout=60, source_address=(source, 0)
    )
    headers = {"Host": address.netloc, **(headers or {})}
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def call(server, api_name: str, data: list, headers: dict[str, str] | None = None):
    """POST /gradio_api/call/NAME and, if accepted, read its result: (status, text)."""
    body = json.dumps({"data": data}).encode()
    json_headers = {"Content-Type": "application/json", **(headers or {})}
    status, _, reply = request(server, "POST", f"/gradio_api/call/{api_name}", body, json_headers)
    if status != 200:
        return status, reply.decode(errors="replace")
    event = json.loads(reply)["event_id"]
    _, _, result = request(server, "GET", f"/gradio_api/call/{api_name}/{event}")
    return status, result.decode(errors="replace")


def multipart(files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"'
            "\r\nContent-Type: text/plain\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _doc_id(server) -> str:
    status, text = call(server, "documents", [])
    assert status == 200, text
    rows = json.loads(text.split("data: ", 1)[1].splitlines()[0])[0]
    return next(row["doc_id"] for row in rows if row["doc_id"])


def _article_words(server) -> bytes:
    article = sorted(server.corpus.glob("*.txt"))[0]
    return article.read_text(encoding="utf-8")[200:260].encode()


# --- DNS rebinding and cross-site requests ----------------------------------------------------


def test_a_rebinding_host_gets_no_article_and_no_cors(live_server):
    doc_id = _doc_id(live_server)
    body = json.dumps({"data": [doc_id]}).encode()
    headers = {"Host": REBIND, "Origin": f"http://{REBIND}", "Content-Type": "application/json"}
    status, reply_headers, reply = request(
        live_server, "POST", "/gradio_api/call/read", body, headers
    )
    assert status == 403, reply[:300]
    assert b"event_id" not in reply and _article_words(live_server) not in reply
    assert "access-control-allow-origin" not in reply_headers
    assert b"--allowed-host" in reply  # the message says how to allow a name on purpose
    status, _, page = request(live_server, "GET", "/", headers={"Host": REBIND})
    assert status == 403 and doc_id.encode() not in page


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_the_loopback_names_are_served(live_server, host):
    port = urlsplit(live_server.url).port
    status, _, _ = request(live_server, "GET", "/config", headers={"Host": f"{host}:{port}"})
    assert status == 200


def test_a_cross_site_upload_is_refused_and_nothing_stored(live_server):
    before = _files(live_server.uploads)
    body, kind = multipart([("evil.txt", b"planted by another site " * 40)])
    headers = {"Origin": "http://evil.example", "Content-Type": kind}
    status, reply_headers, reply = request(live_server, "POST", "/gradio_api/upload", body, headers)
    assert status == 403, reply[:300]
    assert "access-control-allow-origin" not in reply_headers
    assert _files(live_server.uploads) == before


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:1"},  # another server on this machine
        {"Sec-Fetch-Site": "cross-site"},
    ],
    ids=["other-site", "null-origin", "other-port", "fetch-metadata"],
)
def test_cross_origin_state_changes_are_refused(live_server, headers):
    article = sorted(live_server.corpus.glob("*.txt"))[-1]
    status, text = call(live_server, "delete", [article.name], headers)
    assert status == 403, text[:300]
    assert article.exists()
    status, _ = call(live_server, "rebuild", [], headers)
    assert status == 403


def test_a_cross_origin_preflight_gets_no_permission(live_server):
    headers = {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    status, reply_headers, _ = request(
        live_server, "OPTIONS", "/gradio_api/call/ask", None, headers
    )
    assert status == 403
    assert not [k for k in reply_headers if k.startswith("access-control-allow")]


def test_the_app_cannot_be_framed(live_server):
    status, headers, _ = request(live_server, "GET", "/")
    assert status == 200
    assert headers.get("x-frame-options") == "DENY"
    assert "frame-ancestors 'none'" in headers.get("content-security-policy", "")


def test_same_origin_requests_still_work(live_server):
    """The browser's own page sends Origin equal to the server: that must pass."""
    origin = live_server.url
    status, text = call(
        live_server, "ask", ["What is the peak-end rule?", 3, []], {"Origin": origin}
    )
    assert status == 200 and '"quotes"' in text


# --- uploads: memory and temporary space -------------------------------------------------------


def test_json_bodies_to_call_upload_are_capped_and_memory_stays_flat(live_server):
    """Before: every path ending in /upload skipped the 256 KB cap; 40 x 20 MB JSON bodies
    grew the server by 1.1 GB. Now each is refused and RSS stays flat."""
    pid = live_server.process.pid
    before = rss_kb(pid)
    body = json.dumps({"data": [["x" * (20 * 2**20)]]}).encode()
    for _ in range(5):
        status, _, reply = request(
            live_server,
            "POST",
            "/gradio_api/call/upload",
            body,
            {"Content-Type": "application/json"},
        )
        assert status == 413, reply[:200]
    assert rss_kb(pid) - before < 80_000, (before, rss_kb(pid))


def test_one_upload_request_holds_at_most_20_files(live_server):
    before = _files(live_server.uploads)
    body, kind = multipart([(f"n{i}.txt", b"a small note\n" * 20_000) for i in range(30)])
    status, _, reply = request(
        live_server, "POST", "/gradio_api/upload", body, {"Content-Type": kind}
    )
    assert status == 413, reply[:200]
    assert b"more than 20 files" in reply
    assert _files(live_server.uploads) == before


def test_an_upload_request_over_64_mb_is_refused(live_server):
    """4 files of 20 MB, each under Gradio's 25 MB per-file cap (before: all stored)."""
    before = _files(live_server.uploads)
    body, kind = multipart([(f"big{i}.txt", bytes([98 + i]) * (20 * 2**20)) for i in range(4)])
    try:
        status, _, reply = request(
            live_server, "POST", "/gradio_api/upload", body, {"Content-Type": kind}
        )
    except (ConnectionError, http.client.HTTPException):
        status, reply = 413, b"connection closed before the body was read"  # refused unread
    assert status == 413, reply[:200]
    assert _files(live_server.uploads) == before


def test_uploads_stop_when_the_temporary_folder_is_full(live_server):
    folder = live_server.uploads / "waiting"
    folder.mkdir(parents=True, exist_ok=True)
    filler = folder / "filler.bin"
    with filler.open("wb") as out:  # sparse: counts as 300 MB, costs nothing
        out.truncate(300 * 2**20)
    try:
        body, kind = multipart([("ok.txt", b"a short note\n")])
        status, _, reply = request(
            live_server, "POST", "/gradio_api/upload", body, {"Content-Type": kind}
        )
        assert status == 413, reply[:200]
        assert b"uploads not yet added" in reply
    finally:
        filler.unlink()
    status, _, _ = request(live_server, "POST", "/gradio_api/upload", body, {"Content-Type": kind})
    assert status == 200


def _files(folder: Path) -> set[str]:
    return {str(p) for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


# --- messages: markup, paths, odd input --------------------------------------------------------


def test_markup_in_a_file_name_is_shown_as_text(live_server):
    name = '<a href="https://evil.example/login">your session expired, log in</a>.txt'
    status, text = call(live_server, "delete", [name])
    assert status == 200
    assert "event: error" in text
    assert "<a href" not in text and "&lt;a href" in text


def test_a_5000_character_name_to_delete_names_the_problem_not_the_path(live_server):
    _, text = call(live_server, "delete", ["a" * 5000])
    assert "event: error" in text
    assert str(live_server.corpus) not in text and "/tmp" not in text
    assert "5,000 characters" in text and "Library list" in text


def test_ask_with_50_input_values_is_told_what_ask_takes(live_server):
    status, text = call(live_server, "ask", list(range(50)))
    assert status == 400, text[:300]
    assert "is not iterable" not in text
    assert "ask takes 3 input value(s)" in text and "sent 50" in text


def test_ask_with_values_of_the_wrong_type_gets_a_message(live_server):
    _, text = call(live_server, "ask", [0, 1, 2])
    assert "event: error" in text and "is not iterable" not in text
    assert "question must be text" in text


def test_a_deep_link_to_a_page_that_does_not_exist_gives_the_normal_page(live_server):
    status, _, page = request(live_server, "GET", "/?page=../../etc/passwd")
    assert status == 200
    assert b"window.gradio_config" in page and b"root:" not in page
    assert "KeyError" not in live_server.output()


# --- with --auth ------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory, shipped_corpus, shipped_index):
    """`cited serve` with its password in a file (--auth-file), not on the command line."""
    from reliability_kit import e2e

    root = tmp_path_factory.mktemp("guard-auth")
    secret = root / "auth"
    secret.write_text(f"reader:{PASSWORD}\n")
    os.chmod(secret, 0o600)
    running = e2e.start_server(
        root, shipped_corpus, "--auth-file", str(secret), index_source=shipped_index
    )
    yield running
    e2e.stop_server(running)


def login(server, password: str, source: str = "127.0.0.1") -> tuple[int, dict, bytes]:
    body = f"username=reader&password={password.replace(' ', '+')}".encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return request(server, "POST", "/login", body, headers, source=source)


def test_the_password_is_not_on_the_command_line(auth_server):
    command = Path(f"/proc/{auth_server.process.pid}/cmdline").read_bytes()
    assert PASSWORD.encode() not in command
    status, _, _ = login(auth_server, PASSWORD)
    assert status == 200


@pytest.mark.parametrize(
    "path", ["/", "/gradio_api/runs", "/config", "/gradio_api/info", "/gradio_api/openapi.json"]
)
def test_before_login_nothing_about_the_library_is_shown(auth_server, path):
    doc_ids = [p.stem for p in auth_server.corpus.glob("*.txt")]
    _, _, body = request(auth_server, "GET", path, headers={"Accept-Encoding": "gzip, br"})
    assert b"named_endpoints" not in body and b"/ask" not in body
    for doc_id in doc_ids:
        assert doc_id[:40].encode() not in body, (path, doc_id)


def test_after_login_the_page_describes_the_api(auth_server):
    status, headers, _ = login(auth_server, PASSWORD)
    assert status == 200
    cookies = "; ".join(c.split(";")[0] for c in headers.get("set-cookie", "").split(", "))
    _, _, page = request(auth_server, "GET", "/", headers={"Cookie": cookies})
    assert b"named_endpoints" in page


def test_failed_logins_are_throttled_per_client(auth_server):
    """Before: 1,000 wrong passwords in a row met no delay (a 4-digit PIN fell in under a
    minute). Now after 3 failures each try must wait, and a try made too early is refused
    unchecked: the right password too."""
    attacker = "127.0.0.3"
    checked = refused = 0
    for pin in range(40):  # bounded: 40 requests
        status, headers, _ = login(auth_server, f"{pin:04d}", source=attacker)
        if status == 429:
            refused += 1
            assert int(headers["retry-after"]) >= 1
        else:
            checked += 1
    assert checked <= 5 and refused >= 35, (checked, refused)
    status, _, _ = login(auth_server, PASSWORD, source=attacker)
    assert status == 429  # even the right one is not checked while it must wait
    status, _, _ = login(auth_server, PASSWORD, source="127.0.0.4")  # another client
    assert status == 200
