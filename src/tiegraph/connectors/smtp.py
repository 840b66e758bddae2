"""Sending one message through an SMTP server (plain, STARTTLS or SSL; optional AUTH)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from tiegraph.errors import DeliveryError

SECURITY = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to connect; `password` is read from the environment by the caller."""

    host: str
    port: int
    security: str = "starttls"
    username: str = ""
    password: str = ""
    timeout: float = 30.0
    ca_file: str = ""  # a CA bundle to trust besides the system's (a self-hosted server)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def _tls_context(server: SmtpServer) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if server.ca_file:
        try:
            context.load_verify_locations(cafile=server.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise DeliveryError(f"cannot read CA file {server.ca_file}: {exc}") from None
    return context


def _connect(server: SmtpServer) -> smtplib.SMTP:
    client: smtplib.SMTP
    if server.security == "ssl":
        client = smtplib.SMTP_SSL(
            server.host, server.port, timeout=server.timeout, context=_tls_context(server)
        )
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    try:
        if server.security == "starttls":
            client.starttls(context=_tls_context(server))
        if server.username:
            client.login(server.username, server.password)
    except BaseException:
        client.close()
        raise
    return client


def send_message(server: SmtpServer, message: EmailMessage) -> None:
    """Deliver `message` to every address in its To, Cc and Bcc; a failure is a DeliveryError."""
    if server.security not in SECURITY:
        raise DeliveryError(f"unknown SMTP security {server.security!r}")
    try:
        client = _connect(server)
        try:
            client.send_message(message)
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
    except DeliveryError:
        raise
    except Exception as exc:
        raise DeliveryError(describe_failure(server, exc)) from None


def describe_failure(server: SmtpServer, exc: BaseException) -> str:
    """One line saying what went wrong and what to check; never the password."""
    where = f"SMTP server {server.address}"
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(
        exc.__context__, TimeoutError
    ):
        exc = exc.__context__  # smtplib reports a silent server as a disconnection
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"{where} refused the login of {server.username!r}: {_reply(exc)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"{where} does not support what was asked ({exc}); check --security"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(sorted(exc.recipients))
        return f"{where} refused the recipients {refused}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{where} refused the message: {_reply(exc)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection ({exc or 'no reason given'})"
    if isinstance(exc, smtplib.SMTPException):
        return f"{where} failed: {exc}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS with {where} failed: {exc.reason or exc}; check --security and --ca-file"
    if isinstance(exc, TimeoutError):
        return f"{where} did not answer within {server.timeout:g} s"
    if isinstance(exc, OSError):
        return f"cannot reach {where}: {exc.strerror or exc}"
    return f"{where} failed: {type(exc).__name__}: {exc}"


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
    return f"{exc.smtp_code} {' '.join(text.split())}".strip()
