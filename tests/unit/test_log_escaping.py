"""A user-controlled value cannot forge or colour a text log line."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest

from api.ops.logging_config import logging_config
from api.settings import LogFormat

HOSTILE = [
    "alice\n2026-01-01 00:00:00,000 INFO api.auth [-] admin logged in",
    "\x1b[31mred\x1b[0m",
    "carriage\rreturn",
    "nul\x00byte",
    "line\u2028separator",
    "bidi\u202eoverride",
    "lone \ud800 surrogate",
]


def render(log_format: LogFormat, value: str) -> str:
    """What a handler of the service's logging config writes for one call naming `value`."""
    config = logging_config(log_format)
    formatter_spec = config["formatters"][log_format.value]
    formatter = logging.config.DictConfigurator(config).configure_formatter(formatter_spec)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    record = logging.LogRecord("api.test", logging.WARNING, __file__, 1, "user %s", (value,), None)
    record.request_id = "-"
    handler.handle(record)
    return stream.getvalue()


@pytest.mark.parametrize("value", HOSTILE)
def test_the_text_log_escapes_control_characters_in_the_message(value: str) -> None:
    written = render(LogFormat.TEXT, value)
    assert written.endswith("\n")
    line = written[:-1]
    assert "\n" not in line and "\r" not in line
    assert line.isprintable(), repr(line)


def test_the_text_log_shows_an_escape_not_the_raw_character() -> None:
    line = render(LogFormat.TEXT, "a\nb\x1b[31mc").rstrip("\n")
    assert line.endswith("user a\\nb\\x1b[31mc")


def test_printable_text_is_left_alone() -> None:
    line = render(LogFormat.TEXT, "Zoë 東京 tab-free").rstrip("\n")
    assert line.endswith("user Zoë 東京 tab-free")


@pytest.mark.parametrize("value", HOSTILE)
def test_the_json_log_is_one_line_holding_the_value(value: str) -> None:
    written = render(LogFormat.JSON, value)
    assert written.count("\n") == 1 and written.endswith("\n")
    assert json.loads(written)["message"] == f"user {value}"
