"""Where the HS256 secret comes from: the configuration, or a persisted development secret.

The development secret is the user's (api.settings.default_dev_secret_file), not the working
directory's: the server creates it, and `todo-api token` signs with it wherever it runs.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from pathlib import Path

from api.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)


def uses_development_secret(settings: Settings) -> bool:
    """Whether tokens are verified with the development secret (no secret, no JWKS set)."""
    no_key = settings.better_auth_secret is None and settings.resolved_jwks_url is None
    return no_key and not settings.is_production


def signing_secret(settings: Settings, *, create: bool = False) -> str | None:
    """BETTER_AUTH_SECRET; in development without it or a JWKS, a local secret kept on disk,
    made on first use when `create` (None when it does not exist yet and not `create`)."""
    if settings.better_auth_secret is not None:
        return settings.better_auth_secret.get_secret_value()
    if settings.resolved_jwks_url is not None:
        return None
    if settings.is_production:
        raise ConfigurationError(
            "ENVIRONMENT=production needs BETTER_AUTH_SECRET (HS256) or BETTER_AUTH_URL / "
            "JWKS_URL (Better Auth's JWT plugin) to verify tokens; neither is set."
        )
    path = Path(settings.dev_secret_file)
    if path.exists():
        return _read(path)
    return _create(path) if create else None


def _read(path: Path) -> str:
    existing = path.read_text().strip()
    if not existing:  # an empty key would verify tokens signed with an empty key
        raise ConfigurationError(f"{path} is empty: delete it to create a new secret.")
    return existing


def _create(path: Path) -> str:
    """A new secret in `path` (0600), or the one another process put there first."""
    secret = secrets.token_urlsafe(48)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, written = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        raise _cannot_create(path, error) from None
    # Written whole under another name, then linked into place: workers starting together see
    # no file or a complete one, and all keep the one secret that was linked first.
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secret + "\n")
        os.link(written, path)
    except FileExistsError:
        return _read(path)
    except OSError as error:
        raise _cannot_create(path, error) from None
    finally:
        os.unlink(written)
    log.warning("Created a development signing secret in %s (not for production)", path)
    return secret


def _cannot_create(path: Path, error: OSError) -> ConfigurationError:
    return ConfigurationError(
        f"Cannot create the development secret {path} ({error.strerror or error}): set "
        "DEV_SECRET_FILE to a writable path, or BETTER_AUTH_SECRET."
    )
