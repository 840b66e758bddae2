"""Intro requests really arrive at a real SMTP server (aiosmtpd on loopback), TLS and AUTH too."""

from __future__ import annotations

import json
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

from intro_world import World, build_world
from tiegraph.cli import main
from tiegraph.store import Store

PASSWORD = "s3cret-pass-phrase"
# aiosmtpd 1.4 sets its own deprecated Session.login_data on every successful AUTH.
AIOSMTPD_LOGIN_DATA = pytest.mark.filterwarnings(
    "ignore:Session.login_data is deprecated:DeprecationWarning"
)


class Inbox:
    """An aiosmtpd handler keeping every envelope it is handed."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def message(self, index: int = -1) -> EmailMessage:
        content = self.envelopes[index].original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"ana",
        PASSWORD.encode(),
    )
    return AuthResult(success=good, handled=False)  # not handled: aiosmtpd answers 535


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(**options: Any) -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def cli(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> tuple[int, str, str]:
    try:
        main([*argv, "--db", db])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _draft(capsys: pytest.CaptureFixture[str], db: str) -> str:
    code, out, err = cli(
        capsys, db, "intro", "draft", "--to", "pat@acme.example", "--via", "bo@us.example",
        "--from", "ana@us.example", "--json",
    )  # fmt: skip
    assert code == 0, err
    return str(json.loads(out)["id"])


def _status(capsys: pytest.CaptureFixture[str], db: str, rid: str) -> dict[str, Any]:
    code, out, err = cli(capsys, db, "intro", "show", rid, "--json")
    assert code == 0, err
    loaded: dict[str, Any] = json.loads(out)
    return loaded


def _smtp(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> None:
    code, _, err = cli(capsys, db, "intro", "smtp", "set", "--host", "127.0.0.1", *argv)
    assert code == 0, err


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path)


@pytest.fixture
def sqlite_world(sqlite_store: Store, tmp_path: Path) -> tuple[World, str]:
    return build_world(sqlite_store, tmp_path), sqlite_store.url


def test_request_arrives_at_a_real_smtp_server(
    capsys: pytest.CaptureFixture[str], db_url: str, world: World
) -> None:
    rid = _draft(capsys, db_url)
    with smtp_server() as (inbox, port):
        _smtp(capsys, db_url, "--port", str(port), "--security", "none")
        code, out, err = cli(
            capsys, db_url, "intro", "send", rid, "--viewer", "ana@us.example", "--json"
        )
    assert code == 0, err
    sent = json.loads(out)
    assert sent["status"] == "requested" and sent["delivery"] == "smtp" and sent["sent_at"]
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "ana@us.example"
    assert sorted(envelope.rcpt_tos) == ["ana@us.example", "bo@us.example"]
    message = inbox.message()
    assert message["From"] == "Ana Lima <ana@us.example>"
    assert (
        message["To"] == "Bo Chen <bo@us.example>" and message["Cc"] == "Ana Lima <ana@us.example>"
    )
    assert message["Subject"] == "Would you introduce me to Pat Doe?"
    assert message["Message-ID"] == sent["message_id"]
    body = message.get_content()
    assert "Hi Bo," in body and "You and Pat are in close touch" in body and "Cy" not in body
    # Once the server took it, tiegraph forgets the mail's text: it is in both mailboxes now.
    assert (sent["subject"], sent["body"], sent["note"]) == ("", "", "")
    assert sent["why_this_colleague"] == "Bo is in close touch with Pat Doe: your strongest way in."


def test_the_requester_is_mailed_the_introducers_answer(
    capsys: pytest.CaptureFixture[str], sqlite_world: tuple[World, str]
) -> None:
    _, db = sqlite_world
    rid = _draft(capsys, db)
    with smtp_server() as (inbox, port):
        _smtp(capsys, db, "--port", str(port), "--security", "none")
        assert cli(capsys, db, "intro", "send", rid, "--viewer", "ana@us.example")[0] == 0
        decline = ("decline", rid, "--reason", "I left Acme's board.", "--viewer", "bo@us.example")
        code, out, err = cli(capsys, db, "intro", *decline, "--json")
    assert code == 0, err
    answered = json.loads(out)
    assert answered["status"] == "declined" and answered["decline_note"] == "I left Acme's board."
    assert answered["requester_told"] == "by mail to ana@us.example and on their My day"
    assert len(inbox.envelopes) == 2 and inbox.envelopes[1].rcpt_tos == ["ana@us.example"]
    told = inbox.message()
    assert told["To"] == "Ana Lima <ana@us.example>" and told["From"] == "Bo Chen <bo@us.example>"
    assert told["Subject"] == "Bo Chen cannot introduce you to Pat Doe"
    assert "Their reason: I left Acme's board." in told.get_content()
    # The server gone, an answer still counts: the requester is told on their My day only.
    rid = _draft(capsys, db)
    with smtp_server() as (inbox, port):
        _smtp(capsys, db, "--port", str(port), "--security", "none")
        assert cli(capsys, db, "intro", "send", rid, "--viewer", "ana@us.example")[0] == 0
    code, out, err = cli(capsys, db, "intro", "accept", rid, "--viewer", "bo@us.example")
    assert code == 0, err
    assert "now introduced" in out and "the mail to ana@us.example failed: cannot reach" in out
    assert _status(capsys, db, rid)["status"] == "introduced"


def test_configured_sender_sends_with_the_requester_as_reply_to(
    capsys: pytest.CaptureFixture[str], sqlite_world: tuple[World, str]
) -> None:
    _, db = sqlite_world
    rid = _draft(capsys, db)
    with smtp_server() as (inbox, port):
        _smtp(capsys, db, "--port", str(port), "--security", "none", "--from", "intros@us.example")
        assert cli(capsys, db, "intro", "send", rid)[0] == 0
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "intros@us.example"
    message = inbox.message()
    assert message["From"] == "Ana Lima via tiegraph <intros@us.example>"
    assert message["Reply-To"] == "Ana Lima <ana@us.example>"


@AIOSMTPD_LOGIN_DATA
def test_starttls_with_login(
    capsys: pytest.CaptureFixture[str],
    sqlite_world: tuple[World, str],
    server_tls: ssl.SSLContext,
    ca_file: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, db = sqlite_world
    monkeypatch.setenv("INTRO_SMTP_PASSWORD", PASSWORD)
    rid = _draft(capsys, db)
    options = {"tls_context": server_tls, "require_starttls": True, "auth_required": True}
    with smtp_server(authenticator=_authenticator, **options) as (inbox, port):
        _smtp(capsys, db, "--port", str(port), "--security", "starttls", "--ca-file", ca_file,
              "--username", "ana", "--password-env", "INTRO_SMTP_PASSWORD")  # fmt: skip
        code, out, err = cli(capsys, db, "intro", "send", rid)
    assert code == 0, err
    assert PASSWORD not in out + err
    assert len(inbox.envelopes) == 1 and inbox.message()["To"] == "Bo Chen <bo@us.example>"
    assert _status(capsys, db, rid)["status"] == "requested"


@AIOSMTPD_LOGIN_DATA
def test_ssl_with_login(
    capsys: pytest.CaptureFixture[str],
    sqlite_world: tuple[World, str],
    server_tls: ssl.SSLContext,
    ca_file: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, db = sqlite_world
    monkeypatch.setenv("INTRO_SMTP_PASSWORD", PASSWORD)
    rid = _draft(capsys, db)
    # The whole connection is TLS, which aiosmtpd's AUTH check cannot see: allow AUTH anyway.
    options = {"ssl_context": server_tls, "auth_require_tls": False}
    with smtp_server(authenticator=_authenticator, **options) as (inbox, port):
        _smtp(capsys, db, "--port", str(port), "--security", "ssl", "--ca-file", ca_file,
              "--username", "ana", "--password-env", "INTRO_SMTP_PASSWORD")  # fmt: skip
        code, _, err = cli(capsys, db, "intro", "send", rid)
    assert code == 0, err
    assert len(inbox.envelopes) == 1 and inbox.envelopes[0].mail_from == "ana@us.example"


@contextmanager
def _silent_server() -> Iterator[int]:
    """Accepts connections and never says hello."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield int(listener.getsockname()[1])


def _fails(capsys: pytest.CaptureFixture[str], db: str, rid: str, says: str) -> None:
    code, out, err = cli(capsys, db, "intro", "send", rid)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert says in err, err
    assert PASSWORD not in err and "wrong-password" not in err
    status = _status(capsys, db, rid)
    assert status["status"] == "draft" and status["sent_at"] is None and status["body"]
    assert status["why_this_colleague"] and "Pat" in status["body"]  # the draft is kept whole


def test_failures_leave_the_request_a_draft(
    capsys: pytest.CaptureFixture[str],
    sqlite_world: tuple[World, str],
    server_tls: ssl.SSLContext,
    ca_file: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, db = sqlite_world
    rid = _draft(capsys, db)
    _fails(capsys, db, rid, "no SMTP server is configured")
    _smtp(capsys, db, "--port", str(_free_port()), "--security", "none")
    _fails(capsys, db, rid, "cannot reach SMTP server 127.0.0.1:")
    with _silent_server() as port:
        _smtp(capsys, db, "--port", str(port), "--security", "none", "--timeout", "0.3")
        _fails(capsys, db, rid, "did not answer within 0.3 s")
    with smtp_server() as (_, port):
        _smtp(capsys, db, "--port", str(port), "--security", "starttls")
        _fails(capsys, db, rid, "does not support")
    options = {"tls_context": server_tls, "require_starttls": True, "auth_required": True}
    with smtp_server(authenticator=_authenticator, **options) as (inbox, port):
        _smtp(capsys, db, "--port", str(port), "--security", "starttls")  # no CA: untrusted
        _fails(capsys, db, rid, "CERTIFICATE_VERIFY_FAILED")
        login = ("--username", "ana", "--password-env", "INTRO_SMTP_PASSWORD")
        _smtp(capsys, db, "--port", str(port), "--ca-file", ca_file, *login)
        _fails(capsys, db, rid, "$INTRO_SMTP_PASSWORD, which is not set")
        monkeypatch.setenv("INTRO_SMTP_PASSWORD", "wrong-password")
        _fails(capsys, db, rid, "refused the login of 'ana': 535")
        _smtp(capsys, db, "--port", str(port), "--ca-file", ca_file)  # no login at all
        _fails(capsys, db, rid, "refused the message: 530")
        assert inbox.envelopes == []
