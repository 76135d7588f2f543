"""BETTER_AUTH_URL in each form Better Auth accepts, and the auth mode the service starts in."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from api.settings import Settings
from tests.support.auth import TEST_SECRET
from tests.support.jwks_server import app_client, offline_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting leaks in from the process environment or a `.env` in the working directory."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


# BETTER_AUTH_URL as given: (the JWKS it names, the origin Better Auth signs `iss`/`aud` with)
FORMS = {
    "http://host:3000": ("http://host:3000/api/auth/jwks", "http://host:3000"),
    "http://host:3000/": ("http://host:3000/api/auth/jwks", "http://host:3000"),
    "http://host:3000/api/auth": ("http://host:3000/api/auth/jwks", "http://host:3000"),
    "http://host:3000/api/auth/": ("http://host:3000/api/auth/jwks", "http://host:3000"),
    "https://example.com/app": ("https://example.com/app/api/auth/jwks", "https://example.com"),
    "https://example.com/app/api/auth/": (
        "https://example.com/app/api/auth/jwks",
        "https://example.com",
    ),
    # An origin is lower-case and leaves out the scheme's default port, as `new URL().origin`.
    "HTTPS://Example.COM:443/api/auth": (
        "https://example.com/api/auth/jwks",
        "https://example.com",
    ),
    "http://127.0.0.1:80": ("http://127.0.0.1/api/auth/jwks", "http://127.0.0.1"),
    "http://[::1]:3000/api/auth": ("http://[::1]:3000/api/auth/jwks", "http://[::1]:3000"),
    " http://host:3000/api/auth?x=1#top ": ("http://host:3000/api/auth/jwks", "http://host:3000"),
}


@pytest.mark.parametrize("url", FORMS.keys())
def test_better_auth_url_with_or_without_its_api_auth_path(url: str) -> None:
    jwks_url, origin = FORMS[url]
    settings = Settings(_env_file=None, better_auth_url=url)  # type: ignore[call-arg]
    assert settings.resolved_jwks_url == jwks_url
    assert settings.jwks_issuer == origin
    assert settings.jwks_audience == origin


@pytest.mark.parametrize("url", ["host:3000", "ftp://host/api/auth", "http://", "http://h:x/"])
def test_a_better_auth_url_that_is_not_an_http_url_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="BETTER_AUTH_URL"):
        Settings(_env_file=None, better_auth_url=url)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("values", "mode"),
    [
        ({"better_auth_secret": TEST_SECRET}, "HS256 secret"),
        ({"better_auth_url": "http://localhost:3000/api/auth"}, "JWKS"),
        (
            {"better_auth_url": "http://localhost:3000", "better_auth_secret": TEST_SECRET},
            "HS256 secret and JWKS",
        ),
        ({}, "development secret"),
    ],
)
async def test_start_up_logs_the_auth_mode_jwks_url_and_expected_claims(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, values: dict[str, str], mode: str
) -> None:
    with caplog.at_level(logging.INFO, logger="api"):
        async with app_client(offline_settings(tmp_path, **values)):
            pass
    [record] = [r for r in caplog.records if getattr(r, "auth_mode", None) is not None]
    assert record.auth_mode == mode  # type: ignore[attr-defined]
    message = record.getMessage()
    assert message.startswith(f"Auth: {mode}")
    if "better_auth_url" in values:
        assert "http://localhost:3000/api/auth/jwks" in message
        assert "iss=http://localhost:3000" in message
        assert "aud=http://localhost:3000" in message
        assert record.jwks_url == "http://localhost:3000/api/auth/jwks"  # type: ignore[attr-defined]
    else:
        assert "JWKS" not in message
        assert record.jwks_url is None  # type: ignore[attr-defined]
    if mode == "HS256 secret and JWKS":
        [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert "BETTER_AUTH_SECRET" in warning.getMessage()
