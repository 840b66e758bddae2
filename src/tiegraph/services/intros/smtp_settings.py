"""The organization's SMTP server for intro requests; the password stays in the environment."""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tiegraph.connectors.smtp import SECURITY, SmtpServer
from tiegraph.errors import InvalidInputError
from tiegraph.services.org.members import checked_email
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.settings import get_setting, put_setting
from tiegraph.store import Store

SETTING = "smtp"
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HOST = re.compile(r"^[A-Za-z0-9.:\[\]-]{1,253}$")


@dataclass(frozen=True)
class SmtpSettings:
    """What `tiegraph intro smtp set` stores: never a password, only where to find it."""

    host: str
    port: int
    security: str = "starttls"
    username: str = ""
    password_env: str = ""  # the environment variable holding the password
    sender: str = ""  # From: address; the requester is then the Reply-To
    timeout: float = 30.0
    ca_file: str = ""

    def as_dict(self) -> dict[str, Any]:
        shown = asdict(self)
        shown["password_set"] = bool(self.password_env and os.environ.get(self.password_env))
        return shown

    def server(self) -> SmtpServer:
        """The connector's view, with the password read from the environment now."""
        password = ""
        if self.password_env:
            password = os.environ.get(self.password_env, "")
            if not password:
                raise InvalidInputError(
                    f"the SMTP password is read from ${self.password_env}, which is not set here"
                )
        return SmtpServer(
            host=self.host,
            port=self.port,
            security=self.security,
            username=self.username,
            password=password,
            timeout=self.timeout,
            ca_file=self.ca_file,
        )


def checked_settings(
    *,
    host: str,
    port: int | None = None,
    security: str = "starttls",
    username: str = "",
    password_env: str = "",
    sender: str = "",
    timeout: float = 30.0,
    ca_file: str = "",
) -> SmtpSettings:
    """Settings with every value checked; each error names the option to fix."""
    host = host.strip()
    if not _HOST.match(host):
        raise InvalidInputError(f"--host {host!r} is not a host name or address")
    security = security.strip().lower()
    if security not in SECURITY:
        raise InvalidInputError(f"--security {security!r} is not one of {', '.join(SECURITY)}")
    port = DEFAULT_PORTS[security] if port is None else port
    if not 0 < port < 65536:
        raise InvalidInputError(f"--port {port} is not a TCP port (1-65535)")
    if password_env and not _ENV_NAME.match(password_env):
        raise InvalidInputError(
            f"--password-env {password_env!r} is not an environment variable name "
            "(give the variable's name, e.g. TIEGRAPH_SMTP_PASSWORD, never the password)"
        )
    if bool(username.strip()) != bool(password_env):
        raise InvalidInputError("--username and --password-env go together (or neither)")
    if not 0 < timeout <= 600:
        raise InvalidInputError(f"--timeout {timeout:g} is not between 0 and 600 seconds")
    if ca_file and not Path(ca_file).is_file():
        raise InvalidInputError(f"--ca-file {ca_file} is not a file")
    return SmtpSettings(
        host=host,
        port=port,
        security=security,
        username=username.strip(),
        password_env=password_env,
        sender=checked_email(sender) if sender.strip() else "",
        timeout=float(timeout),
        ca_file=str(Path(ca_file).resolve()) if ca_file else "",
    )


def set_smtp(store: Store, org: Org, settings: SmtpSettings) -> SmtpSettings:
    put_setting(store, org, SETTING, asdict(settings))
    return settings


def clear_smtp(store: Store, org: Org) -> None:
    put_setting(store, org, SETTING, None)


def get_smtp(store: Store, org: Org) -> SmtpSettings | None:
    stored = get_setting(store, org, SETTING)
    if not isinstance(stored, dict) or not stored.get("host"):
        return None
    known = SmtpSettings.__dataclass_fields__
    return SmtpSettings(**{k: v for k, v in stored.items() if k in known})
