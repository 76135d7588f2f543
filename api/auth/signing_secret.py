"""Where the HS256 secret comes from: the configuration, or a persisted development secret."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from api.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)


def signing_secret(settings: Settings) -> str | None:
    """BETTER_AUTH_SECRET; in development without it or a JWKS, a local secret kept on disk."""
    if settings.better_auth_secret is not None:
        return settings.better_auth_secret.get_secret_value()
    if settings.resolved_jwks_url is not None:
        return None
    if settings.is_production:
        raise ConfigurationError(
            "ENVIRONMENT=production needs BETTER_AUTH_SECRET (HS256) or BETTER_AUTH_URL / "
            "JWKS_URL (Better Auth's JWT plugin) to verify tokens; neither is set."
        )
    return _development_secret(Path(settings.dev_secret_file))


def _development_secret(path: Path) -> str:
    if path.exists():
        existing = path.read_text().strip()
        if not existing:  # an empty key would verify tokens signed with an empty key
            raise ConfigurationError(f"{path} is empty: delete it to create a new secret.")
        return existing
    secret = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secret + "\n")
    log.warning("Created a development signing secret in %s (not for production)", path)
    return secret
