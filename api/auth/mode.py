"""What the service accepts as a token, said once at start-up."""

from __future__ import annotations

import enum
import logging

from api.auth.keys import JWKS_ALGORITHMS
from api.auth.verifier import ClaimRules, TokenVerifier
from api.settings import Settings

log = logging.getLogger(__name__)


class AuthMode(enum.StrEnum):
    SECRET = "HS256 secret"
    JWKS = "JWKS"
    BOTH = "HS256 secret and JWKS"
    DEVELOPMENT = "development secret"


def auth_mode(settings: Settings, verifier: TokenVerifier) -> AuthMode:
    """Which keys verify tokens: the configured secret, the JWKS, both, or the local secret."""
    if verifier.secret is not None and verifier.jwks is not None:
        return AuthMode.BOTH
    if verifier.jwks is not None:
        return AuthMode.JWKS
    return AuthMode.SECRET if settings.better_auth_secret is not None else AuthMode.DEVELOPMENT


def log_auth_mode(settings: Settings, verifier: TokenVerifier) -> None:
    """One line: the mode, where the keys come from and the `iss`/`aud` each kind must carry."""
    mode = auth_mode(settings, verifier)
    parts = [f"Auth: {mode}"]
    if verifier.secret is not None:
        dev = mode is AuthMode.DEVELOPMENT
        source = settings.dev_secret_file if dev else "BETTER_AUTH_SECRET"
        parts.append(f"HS256 with {source}, {_claims(verifier.secret_rules)}")
    jwks_url = verifier.jwks.url if verifier.jwks is not None else None
    if jwks_url is not None:
        algorithms = "/".join(sorted(JWKS_ALGORITHMS))
        parts.append(f"{algorithms} with the keys at {jwks_url}, {_claims(verifier.jwks_rules)}")
    log.info("%s", "; ".join(parts), extra={"auth_mode": mode.value, "jwks_url": jwks_url})
    if mode is AuthMode.BOTH:
        log.warning(
            "BETTER_AUTH_SECRET is set as well as the JWKS: HS256 tokens signed with it are "
            "accepted too. Unset it unless something signs such tokens (a .env copied from the "
            "frontend brings it along)."
        )


def _claims(rules: ClaimRules) -> str:
    return f"iss={rules.issuer or '(any)'} aud={rules.audience or '(any)'}"
