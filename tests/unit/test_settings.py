"""Settings from the environment, the start-up checks, the development secret and its CLI."""

from __future__ import annotations

import stat
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jwt
import pytest
from typer.testing import CliRunner

from api.app import create_app
from api.auth.signing_secret import signing_secret
from api.auth.tokens import mint_token
from api.cli import app as cli
from api.settings import ConfigurationError, Settings
from tests.support.jwks_server import app_client, offline_settings, verifier_for

INTROSPECTION = {"query": "{ __schema { queryType { name } } }"}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting leaks in from the process environment or a `.env` in the working directory."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


def from_env(monkeypatch: pytest.MonkeyPatch, **variables: str) -> Settings:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return Settings()


@pytest.mark.parametrize("url", ["https://auth.example.com", "https://auth.example.com/"])
def test_better_auth_url_derives_jwks_url_issuer_and_audience(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    settings = from_env(monkeypatch, BETTER_AUTH_URL=url)
    assert settings.resolved_jwks_url == "https://auth.example.com/api/auth/jwks"
    assert settings.jwks_issuer == "https://auth.example.com"
    assert settings.jwks_audience == "https://auth.example.com"


def test_explicit_jwks_url_issuer_and_audience_override(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = from_env(
        monkeypatch,
        BETTER_AUTH_URL="https://auth.example.com",
        JWKS_URL="https://keys.example.com/jwks.json",
        JWT_ISSUER="https://issuer.example.com",
        JWT_AUDIENCE="todo-api",
    )
    assert settings.resolved_jwks_url == "https://keys.example.com/jwks.json"
    assert settings.jwks_issuer == "https://issuer.example.com"
    assert settings.jwks_audience == "todo-api"


def test_without_better_auth_url_there_is_no_jwks(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = from_env(monkeypatch, BETTER_AUTH_SECRET="s" * 40)
    assert settings.resolved_jwks_url is None
    assert settings.jwks_issuer is None
    assert settings.jwks_audience is None


def test_blank_values_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = from_env(
        monkeypatch, BETTER_AUTH_SECRET="", BETTER_AUTH_URL=" ", JWKS_URL="", JWT_ISSUER=""
    )
    assert settings.better_auth_secret is None
    assert settings.resolved_jwks_url is None
    assert settings.jwks_issuer is None


def test_cors_origins_is_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = from_env(
        monkeypatch, CORS_ORIGINS="https://app.example.com, http://localhost:5173 ,,"
    )
    assert settings.cors_origins == ["https://app.example.com", "http://localhost:5173"]
    monkeypatch.delenv("CORS_ORIGINS")
    assert Settings().cors_origins == ["http://localhost:3000"]


async def test_cors_allows_exactly_the_configured_origins(tmp_path: Path) -> None:
    settings = offline_settings(
        tmp_path, better_auth_secret="s" * 40, cors_origins=["https://app.example.com"]
    )
    preflight = {"Access-Control-Request-Method": "POST"}
    async with app_client(settings) as http:
        allowed = await http.options(
            "/graphql", headers={"Origin": "https://app.example.com", **preflight}
        )
        refused = await http.options(
            "/graphql", headers={"Origin": "https://evil.example.com", **preflight}
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "access-control-allow-origin" not in refused.headers


@pytest.mark.parametrize("secret", [None, "", "   "])
def test_production_without_any_key_is_a_start_up_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, secret: str | None
) -> None:
    if secret is not None:
        monkeypatch.setenv("BETTER_AUTH_SECRET", secret)
    settings = from_env(
        monkeypatch,
        ENVIRONMENT="production",
        DATABASE_URL="sqlite:///x.db",
        DEV_SECRET_FILE=str(tmp_path / "dev-secret"),
    )
    with pytest.raises(ConfigurationError) as raised:
        create_app(settings)
    message = str(raised.value)
    assert "ENVIRONMENT=production" in message
    assert "BETTER_AUTH_SECRET" in message
    assert "BETTER_AUTH_URL" in message
    assert not (tmp_path / "dev-secret").exists()


async def test_production_with_only_better_auth_url_starts(tmp_path: Path) -> None:
    settings = offline_settings(
        tmp_path, environment="production", better_auth_url="https://auth.example.com"
    )
    async with app_client(settings) as http:
        assert (await http.get("/health")).json() == {"status": "ok"}
        introspection = (await http.post("/graphql", json=INTROSPECTION)).json()
    assert introspection["data"] is None  # no introspection in production by default
    assert not (tmp_path / "dev-secret").exists()


async def test_development_secret_is_created_once_and_reused(tmp_path: Path) -> None:
    settings = offline_settings(tmp_path)
    secret_file = tmp_path / "dev-secret"
    assert not secret_file.exists()
    async with verifier_for(settings) as first:
        assert first.secret
        assert secret_file.read_text().strip() == first.secret
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    async with verifier_for(offline_settings(tmp_path)) as second:
        assert second.secret == first.secret
        assert await second.user_id(mint_token(first.secret, "dev-user")) == "dev-user"


def test_an_empty_development_secret_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dev-secret").write_text("\n")
    with pytest.raises(ConfigurationError, match="is empty"):
        signing_secret(offline_settings(tmp_path))


def test_a_configured_secret_or_jwks_writes_no_development_secret(tmp_path: Path) -> None:
    assert signing_secret(offline_settings(tmp_path, better_auth_secret="s" * 40)) == "s" * 40
    jwks_only = offline_settings(tmp_path, better_auth_url="https://auth.example.com")
    assert signing_secret(jwks_only) is None
    assert not (tmp_path / "dev-secret").exists()


async def test_cli_token_is_accepted_by_the_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    secret_file = tmp_path / "cli-secret"
    monkeypatch.setenv("DEV_SECRET_FILE", str(secret_file))
    user_id = f"cli-{uuid.uuid4().hex}"
    settings = make_settings(better_auth_secret=None, dev_secret_file=str(secret_file))
    async with app_client(settings) as http:  # the server creates the secret
        result = CliRunner().invoke(cli, ["token", user_id, "--minutes", "5"])
        assert result.exit_code == 0, result.output
        token = result.stdout.strip()
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["sub"] == user_id
        assert claims["exp"] - claims["iat"] == 300
        again = CliRunner().invoke(cli, ["token", user_id])
        assert jwt.decode(again.stdout.strip(), secret_file.read_text().strip(), ["HS256"])

        headers = {"Authorization": f"Bearer {token}"}
        create = 'mutation { createTask(input: {title: "via CLI"}) { id } }'
        created = await http.post("/graphql", json={"query": create}, headers=headers)
        assert created.status_code == 200
        task_id = created.json()["data"]["createTask"]["id"]
        delete = f'mutation {{ deleteTask(id: "{task_id}") }}'
        deleted = await http.post("/graphql", json={"query": delete}, headers=headers)
        assert deleted.json() == {"data": {"deleteTask": task_id}}


def test_cli_token_never_creates_the_development_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret_file = tmp_path / "state" / "dev-secret"
    monkeypatch.setenv("DEV_SECRET_FILE", str(secret_file))
    result = CliRunner().invoke(cli, ["token", "alice"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"No development secret yet at {secret_file}" in result.stderr
    assert "todo-api serve" in result.stderr
    assert not secret_file.parent.exists()


def test_the_development_secret_is_per_user_not_per_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_STATE_HOME")
    default = tmp_path / "home" / ".local" / "state" / "todo-api" / "dev-secret"
    assert Settings(_env_file=None).dev_secret_file == str(default)  # type: ignore[call-arg]
    monkeypatch.setenv("XDG_STATE_HOME", "relative/state")  # not absolute: ignored, as XDG says
    assert Settings(_env_file=None).dev_secret_file == str(default)  # type: ignore[call-arg]
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    state = tmp_path / "state" / "todo-api" / "dev-secret"
    assert Settings(_env_file=None).dev_secret_file == str(state)  # type: ignore[call-arg]
    monkeypatch.setenv("DEV_SECRET_FILE", "elsewhere")
    assert Settings(_env_file=None).dev_secret_file == "elsewhere"  # type: ignore[call-arg]


def test_workers_starting_together_keep_one_secret(tmp_path: Path) -> None:
    settings = offline_settings(tmp_path, dev_secret_file=str(tmp_path / "new" / "dev-secret"))
    start = threading.Barrier(8)

    def create() -> str | None:
        start.wait()
        return signing_secret(settings, create=True)

    with ThreadPoolExecutor(8) as pool:
        made = set(pool.map(lambda _: create(), range(8)))
    assert made == {(tmp_path / "new" / "dev-secret").read_text().strip()}
    assert [path.name for path in (tmp_path / "new").iterdir()] == ["dev-secret"]
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700


def test_an_unusable_secret_location_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    settings = offline_settings(tmp_path, dev_secret_file=str(tmp_path / "a-file" / "dev-secret"))
    with pytest.raises(ConfigurationError, match="Cannot create the development secret"):
        signing_secret(settings, create=True)


def test_cli_token_without_an_hs256_secret_explains(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_URL", "https://auth.example.com")
    result = CliRunner().invoke(cli, ["token", "alice"])
    assert result.exit_code == 2
    assert "set BETTER_AUTH_SECRET" in result.stderr


def test_cli_token_in_production_without_a_key_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    result = CliRunner().invoke(cli, ["token", "alice"])
    assert result.exit_code == 2
    assert "Configuration error" in result.stderr
    assert "BETTER_AUTH_SECRET" in result.stderr
