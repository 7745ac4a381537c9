"""Settings are read once from the environment, and the CLI takes its defaults from them."""

from __future__ import annotations

from pathlib import Path

from assistant.cli import build_parser
from assistant.settings import Settings


def test_every_cited_variable_is_read_and_blank_means_default():
    env = {
        "CITED_CORPUS": "/data/articles",
        "CITED_INDEX": "/data/index",
        "CITED_MODEL": "/models/mini",
        "CITED_AUTH": "me:secret",
        "CITED_DEBUG": "1",
        "CITED_EMBED_BACKEND": "numpy",
    }
    settings = Settings.from_environment(env)
    assert settings == Settings(
        Path("/data/articles"),
        Path("/data/index"),
        Path("/models/mini"),
        "me:secret",
        True,
        "numpy",
    )
    assert Settings.from_environment({"CITED_INDEX": "  ", "CITED_DEBUG": ""}) == Settings()


def test_the_cli_defaults_come_from_the_settings_and_flags_win():
    parser = build_parser(Settings.from_environment({"CITED_INDEX": "/elsewhere"}))
    assert parser.parse_args(["docs"]).index == Path("/elsewhere")
    assert parser.parse_args(["docs", "--index", "here"]).index == Path("here")


def test_reading_in_context_is_off_unless_the_environment_or_a_flag_asks():
    from assistant.cli import _answer_settings

    quiet = build_parser(Settings.from_environment({}))
    for command in (["ask", "q"], ["eval"], ["serve"]):
        assert not _answer_settings(quiet.parse_args(command)).read_quotes
        flagged = quiet.parse_args([command[0], "--read-in-context", *command[1:]])
        assert _answer_settings(flagged).read_quotes
    asked = build_parser(Settings.from_environment({"CITED_READ_IN_CONTEXT": "1"}))
    assert _answer_settings(asked.parse_args(["ask", "q"])).read_quotes
