"""A measurement, not a test: the memory and temp-space attack of issue #15 against a running
`cited serve`. Usage: `python tests/reliability/rss_attack.py PID PORT` (loopback only).

Sends 40 JSON bodies of 20 MB to /gradio_api/call/upload, then one multipart request of 30
distinct 20 MB files to /gradio_api/upload, and prints the server's RSS before and after.
"""

from __future__ import annotations

import http.client
import json
import sys
import uuid

MB = 2**20


def rss_mb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    raise SystemExit(f"no process {pid}")


def post(port: int, path: str, body: bytes, kind: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("POST", path, body, {"Content-Type": kind})
        response = connection.getresponse()
        response.read()
        return str(response.status)
    except OSError as error:
        return type(error).__name__
    finally:
        connection.close()


def multipart(count: int, size: int) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for i in range(count):
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="f{i}.txt"'
            "\r\nContent-Type: text/plain\r\n\r\n"
        )
        parts.append(head.encode() + bytes([97 + i % 26]) * size + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}"
    )


def main(pid: int, port: int) -> None:
    start = rss_mb(pid)
    body = json.dumps({"data": [["x" * (20 * MB)]]}).encode()
    codes = {post(port, "/gradio_api/call/upload", body, "application/json") for _ in range(40)}
    after_json = rss_mb(pid)
    files, kind = multipart(30, 20 * MB)
    code = post(port, "/gradio_api/upload", files, kind)
    figures = {
        "rss_start_mb": start,
        "rss_after_40_json_mb": after_json,
        "json_statuses": sorted(codes),
        "multipart_status": code,
        "rss_after_multipart_mb": rss_mb(pid),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
