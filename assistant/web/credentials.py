"""The login of `cited serve --auth`: where the password comes from, and how fast it may be guessed.

A password given as `--auth user:pass` is visible to every user of the machine in `ps`, so it
may also come from `CITED_AUTH` or `--auth-file FILE`. Off loopback a short password is
refused: anyone on the network may guess it. Failed logins are throttled per client and then
locked out, so a 4-digit PIN takes days, not a minute, to fall.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from index.errors import CitedError

#: Off loopback a password shorter than this is refused (a PIN or a word falls to guessing).
MIN_PASSWORD_CHARS = 12
#: Failed logins a client may make before each next try must wait (1 s, 2 s, 4 s, ...).
FREE_FAILURES = 3
#: After this many failures in a row a client is locked out for LOCKOUT_SECONDS; each
#: further failure (once the lock ends) locks it again, until a login succeeds.
LOCKOUT_FAILURES = 10
LOCKOUT_SECONDS = 15 * 60
#: Clients remembered at most (the oldest are forgotten), so the table stays small.
MAX_CLIENTS = 10_000


class AuthError(CitedError):
    """A password that cannot be used as given."""


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str
    #: Where the password came from: "--auth", "CITED_AUTH" or the file's name.
    origin: str

    def as_gradio(self) -> tuple[str, str]:
        return self.user, self.password


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the server on this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def read_credentials(
    flag: str | None, file: Path | None, env: str | None, host: str
) -> Credentials | None:
    """The login to require: from `--auth-file`, `--auth` or CITED_AUTH, checked for `host`.

    Refuses an open server, and a short password, off loopback."""
    if file is not None and flag:
        raise AuthError("pass either --auth or --auth-file, not both")
    if file is not None:
        credentials = _parse(_read_file(file), f"--auth-file {file.name}")
    elif flag:
        credentials = _parse(flag, "--auth")
    elif env:
        credentials = _parse(env, "CITED_AUTH")
    else:
        credentials = None
    if not is_loopback(host):
        _check_off_loopback(credentials, host)
    return credentials


def _read_file(file: Path) -> str:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise AuthError(
            f"cannot read the --auth-file {file.name}: {reason}; write one line "
            "user:password into it"
        ) from None
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        raise AuthError(f"--auth-file {file.name} must hold exactly one line user:password")
    return lines[0].rstrip("\r\n")


def _parse(value: str, origin: str) -> Credentials:
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise AuthError(
            f"{origin} must be user:password (or put it in CITED_AUTH, or in a file named "
            "by --auth-file)"
        )
    return Credentials(user.strip(), password, origin)


def _check_off_loopback(credentials: Credentials | None, host: str) -> None:
    if credentials is None:
        raise AuthError(
            f"refusing to serve on {host} without a password: anyone who can reach it could "
            "read and change the library; set CITED_AUTH=user:password or pass --auth-file "
            "FILE, or serve on 127.0.0.1"
        )
    if len(credentials.password) < MIN_PASSWORD_CHARS:
        raise AuthError(
            f"refusing to serve on {host} with a {len(credentials.password)}-character "
            f"password: anyone on the network could guess it; use at least "
            f"{MIN_PASSWORD_CHARS} characters (a few words), or serve on 127.0.0.1"
        )


def command_line_warning(credentials: Credentials | None) -> str | None:
    """A warning when the password was typed on the command line, where `ps` shows it."""
    if credentials is None or credentials.origin != "--auth":
        return None
    return (
        "cited: warning: the --auth password is visible to every user of this machine "
        "(ps shows the command line); set CITED_AUTH or use --auth-file FILE instead"
    )


@dataclass
class _Record:
    failures: int = 0
    blocked_until: float = 0.0


class LoginThrottle:
    """Failed logins per client: a growing delay after FREE_FAILURES, then a lockout.

    While a client must wait, its login attempts are refused without checking the password,
    so a guess made too early tells nothing."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self._clients: OrderedDict[str, _Record] = OrderedDict()

    def wait_seconds(self, client: str) -> float:
        """How long `client` must wait before it may try again (0: it may try now)."""
        record = self._clients.get(client)
        if record is None:
            return 0.0
        return max(0.0, record.blocked_until - self.clock())

    def failed(self, client: str) -> None:
        record = self._clients.pop(client, None) or _Record()
        record.failures += 1
        record.blocked_until = self.clock() + _delay(record.failures)
        self._clients[client] = record
        while len(self._clients) > MAX_CLIENTS:
            self._clients.popitem(last=False)

    def succeeded(self, client: str) -> None:
        self._clients.pop(client, None)


def _delay(failures: int) -> float:
    if failures >= LOCKOUT_FAILURES:
        return float(LOCKOUT_SECONDS)
    if failures < FREE_FAILURES:
        return 0.0
    return float(2 ** (failures - FREE_FAILURES))
