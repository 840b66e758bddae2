"""Sync sources: checked input, passwords never stored or shown, failures kept apart and retried."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from servers import PASSWORD, Radicale, make_org, vcard
from tiegraph.cli import main
from tiegraph.connectors.errors import ConnectorError
from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import Org
from tiegraph.services.sync.probes import probe
from tiegraph.services.sync.runner import SyncLoop, backoff, run_due_syncs
from tiegraph.services.sync.sources import SyncSettings, add_source, list_sources
from tiegraph.store import Store, open_store

FAST = SyncSettings(timeout=1)


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    server = Radicale(tmp_path_factory.mktemp("radicale"))
    server.start()
    yield server
    server.close()


@pytest.fixture
def book(radicale: Radicale) -> str:
    return radicale.new_collection("".join(vcard(n) for n in range(5)), "text/vcard")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[tuple[str, Store, Org]]:
    url = f"sqlite:///{tmp_path / 'tiegraph.db'}"
    store = open_store(url)
    org = make_org(store, tmp_path)
    yield url, store, org
    store.dispose()


class Misbehaving:
    """A loopback server that answers every connection the same wrong way, or never."""

    def __init__(self, answer: bytes | None) -> None:
        self.answer = answer
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            if self.answer is None:
                self.held.append(conn)  # slow: the connection stays open, silent
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(self.answer)

    def close(self) -> None:
        self.listener.close()
        for conn in self.held:
            conn.close()


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--member", "nobody@us.example", "--kind", "imap"], "nobody@us.example"),
        (["--kind", "ftp"], "--kind 'ftp'"),
        (["--kind", "carddav", "--interval", "4"], "between 5 and 60"),
        (["--kind", "carddav", "--interval", "61"], "between 5 and 60"),
        (["--kind", "carddav", "--url", "imap://127.0.0.1:1"], "http:// or https://"),
        (["--kind", "carddav", "--url", "http://ana:pw@127.0.0.1:1/"], "must not hold credentials"),
        (["--kind", "carddav", "--folder", "INBOX"], "--folder is for imap"),
        (["--kind", "imap", "--url", "imap://127.0.0.1:1"], "cannot connect"),
        (["--kind", "carddav", "--url", "http://127.0.0.1:1/"], "cannot connect"),
        (["--kind", "carddav", "--password-env", "NOT A NAME"], "environment variable"),
    ],
)
def test_bad_input_ends_in_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    db: tuple[str, Store, Org],
    argv: list[str],
    message: str,
) -> None:
    url = db[0]
    defaults = {"--member": "ana@us.example", "--url": "http://127.0.0.1:1/ana/book/"}
    for option, value in defaults.items():
        if option not in argv:
            argv = [*argv, option, value]
    code, out, err = cli(capsys, "sync", "add", *argv, "--db", url)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_passwords_are_never_stored_printed_or_logged(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    db: tuple[str, Store, Org],
    book: str,
    tmp_path: Path,
) -> None:
    url, store, _ = db
    monkeypatch.setenv("DAV_PASSWORD", PASSWORD)
    monkeypatch.setenv("TIEGRAPH_SECRET_KEY", "a-server-secret-kept-out-of-the-db")
    outputs = []
    base = ["--member", "ana@us.example", "--kind", "carddav", "--url", book, "--username", "ana"]
    outputs.append(cli(capsys, "sync", "add", *base, "--password-env", "DAV_PASSWORD", "--db", url))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(PASSWORD + "\n"))
    outputs.append(cli(capsys, "sync", "add", *base, "--password-stdin", "--db", url))
    assert [code for code, _, _ in outputs] == [0, 0], outputs
    for command in (
        ["run", "--once"],
        ["status"],
        ["list"],
        ["status", "--json"],
        ["list", "--json"],
    ):
        outputs.append(cli(capsys, "sync", *command, "--db", url))
    monkeypatch.setenv("DAV_PASSWORD", "wrong-" + PASSWORD)  # a failure is shown, not the password
    monkeypatch.setenv("TIEGRAPH_SECRET_KEY", "another-secret-that-opens-nothing")
    outputs.append(cli(capsys, "sync", "run", "--once", "--json", "--db", url))
    outputs.append(cli(capsys, "sync", "status", "--db", url))
    text = json.dumps(outputs) + caplog.text
    assert PASSWORD not in text and "sealed" in text and "env DAV_PASSWORD" in text
    assert "login refused" in text and "does not open" in text
    store.dispose()
    for file in tmp_path.glob("tiegraph.db*"):
        assert PASSWORD.encode() not in file.read_bytes(), file
    [by_env, sealed] = list_sources(open_store(url), db[2])
    assert by_env.items_taken == 5 and sealed.items_taken == 5  # both logged in the first time


def test_a_failing_source_is_retried_with_backoff_and_the_others_keep_syncing(
    monkeypatch: pytest.MonkeyPatch, db: tuple[str, Store, Org], book: str
) -> None:
    _, store, org = db
    monkeypatch.setenv("DAV_PASSWORD", PASSWORD)
    owner = get_member(store, org, "ana@us.example")
    slow = Misbehaving(None)
    garbage_http = Misbehaving(b"HTTP/1.1 207 Multi-Status\r\nContent-Length: 9\r\n\r\nnot xml!!")
    garbage_imap = Misbehaving(b"\x00\xff junk that is no IMAP greeting\r\n")
    try:
        sources = {
            "slow": ("carddav", f"http://127.0.0.1:{slow.port}/book/"),
            "garbage": ("carddav", f"http://127.0.0.1:{garbage_http.port}/book/"),
            "garbled imap": ("imap", f"imap://127.0.0.1:{garbage_imap.port}"),
            "down": ("caldav", "http://127.0.0.1:1/cal/"),
            "good": ("carddav", book),
        }
        for kind, url in sources.values():
            add_source(
                store, org, owner, kind=kind, url=url, username="ana",
                password_env="DAV_PASSWORD", check=False,
            )  # fmt: skip
        now = datetime.now(UTC)
        outcomes = {o.url: o for o in run_due_syncs(store, now, settings=FAST)}
        assert outcomes[book].error is None and outcomes[book].taken == 5
        errors = {name: outcomes[url].error for name, (_, url) in sources.items()}
        assert "no answer within 1 s" in str(errors["slow"])
        assert "not WebDAV XML" in str(errors["garbage"])
        assert "imap://127.0.0.1" in str(errors["garbled imap"])
        assert "cannot connect" in str(errors["down"])
        listed = {s.url: s for s in list_sources(store, org)}
        assert listed[book].next_run_at == now + timedelta(minutes=10)
        failed = [s for s in listed.values() if s.url != book]
        assert {(s.failures, s.next_run_at) for s in failed} == {(1, now + timedelta(minutes=1))}
        assert all(s.last_error and s.last_error_at == now for s in failed)

        assert run_due_syncs(store, now + timedelta(seconds=30), settings=FAST) == []
        again = run_due_syncs(store, now + timedelta(minutes=1), settings=FAST)
        assert len(again) == 4 and all(o.error for o in again)
        listed = {s.url: s for s in list_sources(store, org)}
        assert listed[sources["down"][1]].failures == 2
        assert listed[sources["down"][1]].next_run_at == now + timedelta(minutes=3)
    finally:
        for server in (slow, garbage_http, garbage_imap):
            server.close()


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [backoff(n).total_seconds() / 60 for n in range(1, 10)] == [
        1, 2, 4, 8, 16, 32, 60, 60, 60,
    ]  # fmt: skip


def test_a_missing_password_variable_is_an_error_on_the_source(
    monkeypatch: pytest.MonkeyPatch, db: tuple[str, Store, Org], book: str
) -> None:
    _, store, org = db
    monkeypatch.delenv("NO_SUCH_PASSWORD", raising=False)
    owner = get_member(store, org, "ana@us.example")
    add_source(
        store, org, owner, kind="carddav", url=book, username="ana",
        password_env="NO_SUCH_PASSWORD", check=False,
    )  # fmt: skip
    [outcome] = run_due_syncs(store, settings=FAST)
    assert outcome.error == "environment variable NO_SUCH_PASSWORD is not set"


def test_the_loop_runs_in_a_background_thread_until_stopped(
    monkeypatch: pytest.MonkeyPatch, db: tuple[str, Store, Org], book: str
) -> None:
    _, store, org = db
    monkeypatch.setenv("DAV_PASSWORD", PASSWORD)
    owner = get_member(store, org, "ana@us.example")
    add_source(
        store, org, owner, kind="carddav", url=book, username="ana", password_env="DAV_PASSWORD"
    )
    seen = []
    loop = SyncLoop(store, settings=FAST, on_outcome=seen.append, poll_seconds=0.2)
    thread = loop.start()
    deadline = time.monotonic() + 20
    while not seen and time.monotonic() < deadline:
        time.sleep(0.05)
    loop.stop(timeout=10)
    assert not thread.is_alive()
    assert len(seen) == 1 and seen[0].taken == 5  # not due again for ten minutes


def test_status_list_and_archive(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    db: tuple[str, Store, Org],
    book: str,
) -> None:
    url = db[0]
    monkeypatch.setenv("DAV_PASSWORD", PASSWORD)
    base = ["--member", "ana@us.example", "--kind", "carddav", "--url", book]
    code, out, _ = cli(
        capsys, "sync", "add", *base, "--username", "ana", "--password-env", "DAV_PASSWORD",
        "--interval", "15", "--json", "--db", url,
    )  # fmt: skip
    assert code == 0 and json.loads(out)["interval_minutes"] == 15
    code, out, _ = cli(capsys, "sync", "run", "--once", "--db", url)
    assert code == 0 and "5 new items" in out
    code, out, _ = cli(capsys, "sync", "status", "--json", "--db", url)
    [status] = json.loads(out)["sources"]
    assert status["items_taken"] == 5 and status["last_success_at"] and not status["last_error"]
    assert status["password"] == "env DAV_PASSWORD"
    assert cli(capsys, "sync", "archive", str(status["id"]), "--db", url)[0] == 0
    code, out, _ = cli(capsys, "sync", "list", "--json", "--db", url)
    assert json.loads(out) == {"sources": []}
    code, _, err = cli(capsys, "sync", "archive", "99", "--db", url)
    assert code == 2 and "no sync source 99" in err


def _self_signed(folder: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


@pytest.mark.parametrize("scheme", ["https", "imaps"])
def test_an_untrusted_certificate_is_named(scheme: str, tmp_path: Path) -> None:
    context = _self_signed(tmp_path)
    listener = socket.create_server(("127.0.0.1", 0))

    def handshake() -> None:
        conn, _ = listener.accept()
        with suppress(OSError), context.wrap_socket(conn, server_side=True):
            pass

    threading.Thread(target=handshake, daemon=True).start()
    url = f"{scheme}://127.0.0.1:{listener.getsockname()[1]}/"
    kind = "carddav" if scheme == "https" else "imap"
    try:
        with pytest.raises(ConnectorError, match="TLS certificate is not trusted"):
            probe(kind, url, "ana", "pw", (), timeout=5)
    finally:
        listener.close()
