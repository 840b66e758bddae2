"""The web app's settings, declared as data: default, environment variable, and check for each."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from typing import Any

from tiegraph.errors import InvalidInputError

SECRET_ENV = "TIEGRAPH_SECRET_KEY"
UPLOAD_LIMIT_ENV = "TIEGRAPH_UPLOAD_LIMIT_MB"
HTTPS_ENV = "TIEGRAPH_HTTPS_ONLY"
PATHS_CACHE_ENV = "TIEGRAPH_PATHS_CACHE_SECONDS"
PROXIES_ENV = "TIEGRAPH_TRUSTED_PROXIES"
DEFAULT_UPLOAD_LIMIT_MB = 20


@dataclass(frozen=True)
class WebSettings:
    """How the web app runs; `from_env` reads the TIEGRAPH_* variables named beside each."""

    secret_key: str  # TIEGRAPH_SECRET_KEY: signs session cookies (random per start if unset)
    upload_limit_bytes: int = DEFAULT_UPLOAD_LIMIT_MB * 1024 * 1024  # TIEGRAPH_UPLOAD_LIMIT_MB
    https_only: bool = False  # TIEGRAPH_HTTPS_ONLY=1: cookies only over HTTPS (behind TLS)
    session_max_age: int = 14 * 24 * 3600
    sign_in_attempts: int = 5  # failed sign-ins per account and address ...
    sign_in_window_seconds: int = 300  # ... within this window, before 429
    paths_cache_seconds: float = 60.0  # TIEGRAPH_PATHS_CACHE_SECONDS: person pages' intro paths
    # TIEGRAPH_TRUSTED_PROXIES: addresses or networks of the reverse proxies whose
    # X-Forwarded-For names the client; from anyone else (by default: everyone) it is ignored.
    trusted_proxies: tuple[str, ...] = ()
    # Warm the first view after an import, here or on a worker (web/warm.py, freshness.py);
    # `serve` turns it on (and warms at start), an app built for tests leaves it off.
    warm: bool = False

    @classmethod
    def from_env(cls) -> WebSettings:
        secret = os.environ.get(SECRET_ENV, "").strip() or secrets.token_urlsafe(32)
        if len(secret) < 16:
            raise InvalidInputError(f"{SECRET_ENV} must hold at least 16 characters")
        raw_limit = os.environ.get(UPLOAD_LIMIT_ENV, "").strip() or str(DEFAULT_UPLOAD_LIMIT_MB)
        try:
            limit_mb = float(raw_limit)
        except ValueError:
            raise InvalidInputError(
                f"{UPLOAD_LIMIT_ENV}={raw_limit!r} is not a number of megabytes (e.g. 20)"
            ) from None
        if not 0 < limit_mb <= 1024:
            raise InvalidInputError(f"{UPLOAD_LIMIT_ENV} must be between 0 and 1024 megabytes")
        https = os.environ.get(HTTPS_ENV, "").strip().lower() in ("1", "true", "yes", "on")
        raw_cache = os.environ.get(PATHS_CACHE_ENV, "").strip() or "60"
        try:
            cache = float(raw_cache)
        except ValueError:
            cache = -1.0
        if not 0 <= cache <= 86_400:
            raise InvalidInputError(
                f"{PATHS_CACHE_ENV}={raw_cache!r} must be seconds between 0 (off) and 86400"
            )
        return cls(
            secret_key=secret,
            upload_limit_bytes=int(limit_mb * 1024 * 1024),
            https_only=https,
            paths_cache_seconds=cache,
            trusted_proxies=_proxies(os.environ.get(PROXIES_ENV, "")),
        )

    def server_options(self) -> dict[str, Any]:
        """uvicorn's options for the client address: X-Forwarded-For only from trusted proxies
        (uvicorn's own default trusts any loopback peer, so any local process could claim to
        be any client and dodge the sign-in limits)."""
        if not self.trusted_proxies:
            return {"proxy_headers": False}
        return {"proxy_headers": True, "forwarded_allow_ips": list(self.trusted_proxies)}

    @property
    def upload_limit_text(self) -> str:
        return f"{self.upload_limit_bytes / (1024 * 1024):g} MB"


def _proxies(raw: str) -> tuple[str, ...]:
    proxies = tuple(part.strip() for part in raw.split(",") if part.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy)
        except ValueError:
            raise InvalidInputError(
                f"{PROXIES_ENV}: {proxy!r} is not an IP address or network "
                "(expected e.g. 127.0.0.1 or 10.0.0.0/8, separated by commas)"
            ) from None
    return proxies
