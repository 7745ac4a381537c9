"""The guard's settings (issue #15): which Host names a server answers to, where the password
comes from and how strong it must be off loopback, and how fast logins may be guessed."""

from __future__ import annotations

import subprocess

import pytest
from reliability_kit import cited, e2e

from assistant.cli import build_parser
from assistant.settings import Settings
from assistant.web import credentials
from assistant.web.credentials import AuthError, LoginThrottle, read_credentials
from assistant.web.guard import host_policy


@pytest.mark.parametrize("host", ["127.0.0.1:7860", "localhost:7860", "[::1]:7860", "LOCALHOST"])
def test_a_loopback_server_answers_to_its_own_names(host):
    assert host_policy("127.0.0.1").allows(host)


@pytest.mark.parametrize(
    "host", ["rebind.attacker.example:7870", "127.0.0.1.attacker.example", "192.168.1.5:7860", ""]
)
def test_a_loopback_server_refuses_other_names(host):
    assert not host_policy("127.0.0.1").allows(host)


def test_allowed_hosts_are_added():
    policy = host_policy("127.0.0.1", ["notes.home.arpa", " "])
    assert policy.allows("notes.home.arpa:7860")
    assert not policy.allows("other.home.arpa:7860")


def test_a_server_on_all_interfaces_answers_to_ip_literals_but_not_to_dns_names():
    policy = host_policy("0.0.0.0")
    assert policy.allows("192.168.1.5:7860") and policy.allows("[fe80::1]:7860")
    assert not policy.allows("rebind.attacker.example:7860")


def test_allowed_hosts_come_from_the_flag_or_the_environment():
    args = build_parser().parse_args(["serve", "--allowed-host", "a.lan", "--allowed-host", "b"])
    assert args.allowed_hosts == ["a.lan", "b"]
    settings = Settings.from_environment({"CITED_ALLOWED_HOSTS": "x.lan, y.lan,"})
    assert build_parser(settings).parse_args(["serve"]).allowed_hosts == ["x.lan", "y.lan"]


def test_the_password_can_come_from_a_file_or_the_environment(tmp_path):
    secret = tmp_path / "auth"
    secret.write_text("reader:a long enough passphrase\n")
    found = read_credentials(None, secret, None, "0.0.0.0")
    assert found.as_gradio() == ("reader", "a long enough passphrase")
    found = read_credentials(None, None, "reader:another long passphrase", "0.0.0.0")
    assert found.origin == "CITED_AUTH" and credentials.command_line_warning(found) is None


def test_a_password_on_the_command_line_still_works_on_loopback_with_a_warning():
    found = read_credentials("a:b", None, None, "127.0.0.1")
    assert found.as_gradio() == ("a", "b")
    assert "ps" in credentials.command_line_warning(found)


@pytest.mark.parametrize("value", ["a:b", "admin:1234", "admin:password1"])
def test_short_passwords_are_refused_off_loopback(value):
    with pytest.raises(AuthError, match="guess it; use at least 12 characters"):
        read_credentials(None, None, value, "0.0.0.0")


def test_an_unreadable_auth_file_is_named(tmp_path):
    with pytest.raises(AuthError, match="cannot read the --auth-file missing"):
        read_credentials(None, tmp_path / "missing", None, "127.0.0.1")


def test_cited_serve_refuses_a_short_password_off_loopback_before_loading_anything():
    """Before: `--auth a:b` was accepted for 0.0.0.0 and the server started."""
    try:
        result = cited(
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            str(e2e.free_port()),
            "--auth",
            "a:b",
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("cited serve started on 0.0.0.0 with a 1-character password")
    assert result.returncode == 2
    assert "1-character password" in result.stderr and "Traceback" not in result.stderr


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_four_digit_pin_does_not_fall_in_a_day():
    """Guess as fast as the throttle lets one client guess, for 24 hours of clock time."""
    clock = _Clock()
    throttle = LoginThrottle(clock)
    checked = 0
    while clock.now < 1000.0 + 24 * 3600:
        wait = throttle.wait_seconds("attacker")
        if wait:
            clock.now += wait
            continue
        checked += 1
        throttle.failed("attacker")
    assert checked < 200  # of 10,000 PINs: under 2 % a day
    assert throttle.wait_seconds("someone else") == 0


def test_a_good_login_clears_the_failures():
    clock = _Clock()
    throttle = LoginThrottle(clock)
    for _ in range(credentials.FREE_FAILURES):
        throttle.failed("me")
    throttle.succeeded("me")
    assert throttle.wait_seconds("me") == 0


def test_gradio_is_pinned_to_the_range_the_guard_was_tested_with():
    """The guard leans on Gradio internals (launch's _app, App.tokens, its multipart
    parser's clean-up); an upgrade must be a deliberate change that reruns these tests."""
    import tomllib
    from importlib.metadata import version

    from packaging.requirements import Requirement
    from reliability_kit import REPO

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pin = next(Requirement(d) for d in project["dependencies"] if d.startswith("gradio"))
    assert any(spec.operator == "<" for spec in pin.specifier), pin
    assert pin.specifier.contains(version("gradio")), (pin, version("gradio"))
