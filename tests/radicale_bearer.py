"""A Radicale auth plugin for the tests: `Authorization: Bearer` tokens introspected (RFC 7662)
at the URL in $RADICALE_INTROSPECTION_URL (client credentials in it), the login being the
token's `sub`; a token the provider does not call active gets 401, as RFC 6750 has it. HTTP
Basic goes on to the htpasswd file, for the tests' own uploads."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import httpx
from radicale.auth import htpasswd


def subject_of(token: str) -> str:
    """The token's subject when the provider says it is active, else ""."""
    parts = urlsplit(os.environ["RADICALE_INTROSPECTION_URL"])
    where = parts._replace(netloc=f"{parts.hostname}:{parts.port}").geturl()
    client = (parts.username or "", parts.password or "")
    found = httpx.post(where, data={"token": token}, auth=client, timeout=10).json()
    return str(found.get("sub", "")) if found.get("active") is True else ""


class Auth(htpasswd.Auth):
    def get_external_login(self, environ: dict[str, str]) -> tuple[()] | tuple[str, str]:  # type: ignore[override]
        header = environ.get("HTTP_AUTHORIZATION", "")
        subject = subject_of(header[7:]) if header.startswith("Bearer ") else ""
        # (): Radicale asks for a login with 401, as it does for a wrong password.
        return (subject, header[7:]) if subject else ()

    def _login(self, login: str, password: str) -> str:
        found = str(super()._login(login, password))
        return found or (login if subject_of(password) == login else "")
