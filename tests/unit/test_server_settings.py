"""The server limits' settings: validated from the environment and `todo-api serve`'s options."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app as cli
from api.server import uvicorn_options
from api.settings import Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting leaks in from the process environment or a `.env` in the working directory."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MAX_HEADER_BYTES", "100"),
        ("MAX_HEADER_BYTES", "lots"),
        ("MAX_HEADER_COUNT", "0"),
        ("HEADER_TIMEOUT_SECONDS", "0"),
        ("HEADER_TIMEOUT_SECONDS", "-1"),
        ("BODY_TIMEOUT_SECONDS", "1e9"),
        ("MAX_CONNECTIONS", "0"),
    ],
)
def test_a_bad_limit_in_the_environment_stops_serve_saying_which(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(cli, ["serve", "--no-migrate"])
    assert result.exit_code == 2, result.output
    assert "Configuration error" in result.stderr
    assert variable.lower() in result.stderr


@pytest.mark.parametrize(
    ("option", "value", "setting"),
    [
        ("--max-header-bytes", "10", "max_header_bytes"),
        ("--max-header-count", "5", "max_header_count"),
        ("--header-timeout", "0", "header_timeout_seconds"),
        ("--body-timeout", "-2", "body_timeout_seconds"),
        ("--max-connections", "0", "max_connections"),
    ],
)
def test_a_bad_limit_on_the_command_line_stops_serve_saying_which(
    option: str, value: str, setting: str
) -> None:
    result = CliRunner().invoke(cli, ["serve", "--no-migrate", option, value])
    assert result.exit_code == 2, result.output
    assert "Configuration error" in result.stderr
    assert setting in result.stderr


def test_uvicorn_gets_the_connection_cap_and_a_protocol_workers_can_unpickle() -> None:
    settings = Settings(max_connections=7, header_timeout_seconds=3)
    options = uvicorn_options(settings)
    assert options["limit_concurrency"] == 7
    # `--workers` hands uvicorn's config, the protocol included, to new processes by pickling.
    protocol = pickle.loads(pickle.dumps(options["http"]))
    assert protocol.keywords["limits"].header_timeout == 3


@pytest.mark.parametrize(
    ("value", "trusted"),
    [
        ("10.0.0.5", ["10.0.0.5"]),
        ("10.0.0.0/8, 192.168.1.1 ,::1", ["10.0.0.0/8", "192.168.1.1", "::1"]),
        ("fd00::/8", ["fd00::/8"]),
        ("*", ["*"]),
        ("", []),
    ],
)
def test_forwarded_allow_ips_reach_uvicorn(
    monkeypatch: pytest.MonkeyPatch, value: str, trusted: list[str]
) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", value)
    options = uvicorn_options(Settings())
    assert (options["proxy_headers"], options["forwarded_allow_ips"]) == (True, trusted)


def test_by_default_only_this_machine_is_a_trusted_proxy() -> None:
    assert uvicorn_options(Settings())["forwarded_allow_ips"] == ["127.0.0.1", "::1"]


@pytest.mark.parametrize(
    "value",
    ["proxy.internal", "10.0.0.1/8", "10.0.0.0/33", "[::1]", "*,10.0.0.1", "10.0.0.1;10.0.0.2"],
)
def test_a_forwarded_allow_ips_uvicorn_could_not_match_stops_serve(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """uvicorn takes what is not an address or a network for a literal that no peer matches:
    the proxy would be silently untrusted. It is a configuration error instead."""
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", value)
    result = CliRunner().invoke(cli, ["serve", "--no-migrate"])
    assert result.exit_code == 2, result.output
    assert "FORWARDED_ALLOW_IPS" in result.stderr


def test_the_forwarded_allow_ips_option_overrides_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.1")
    result = CliRunner().invoke(cli, ["serve", "--no-migrate", "--forwarded-allow-ips", "nope"])
    assert result.exit_code == 2, result.output
    assert "'nope' is not an IP address" in result.stderr
