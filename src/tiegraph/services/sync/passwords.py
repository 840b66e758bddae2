"""Sync passwords: never stored in plain text; an environment variable's name, or sealed."""

from __future__ import annotations

import base64
import hashlib
import os
import re

from cryptography.fernet import Fernet, InvalidToken

from tiegraph.errors import InvalidInputError

SECRET_KEY_ENV = "TIEGRAPH_SECRET_KEY"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,199}$")
_MIN_SECRET = 16


class MissingPasswordError(Exception):
    """A source's password cannot be had right now (variable unset, key missing or wrong)."""


def checked_env_name(name: str) -> str:
    if not _ENV_NAME.match(name):
        raise InvalidInputError(
            f"--password-env {name!r}: expected the name of an environment variable, "
            "e.g. TIEGRAPH_IMAP_PASSWORD (the name is stored, never the password)"
        )
    return name


def _fernet(purpose: str) -> Fernet:
    secret = os.environ.get(SECRET_KEY_ENV, "")
    if len(secret) < _MIN_SECRET:
        raise InvalidInputError(
            f"{purpose} needs ${SECRET_KEY_ENV}: a server secret of at least {_MIN_SECRET} "
            "characters, kept out of the database (e.g. python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')"
        )
    digest = hashlib.sha256(b"tiegraph-sync-password\x00" + secret.encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(password: str) -> str:
    """The password encrypted with the server secret; only that secret opens it again."""
    fernet = _fernet("a sealed password")
    return fernet.encrypt(password.encode("utf-8")).decode("ascii")


def unseal(sealed: str) -> str:
    try:
        fernet = _fernet("this source's sealed password")
        return fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
    except InvalidInputError as exc:
        raise MissingPasswordError(str(exc)) from None
    except InvalidToken:
        raise MissingPasswordError(
            f"the sealed password does not open with ${SECRET_KEY_ENV}: was the secret changed?"
        ) from None


def password_for(password_env: str | None, password_sealed: str | None) -> str | None:
    """The password a source logs in with now; None when it has none."""
    if password_sealed:
        return unseal(password_sealed)
    if password_env:
        value = os.environ.get(password_env)
        if value is None:
            raise MissingPasswordError(f"environment variable {password_env} is not set")
        return value
    return None
