"""Real servers for sync tests, started as subprocesses on loopback: Radicale and Dovecot.

Radicale comes from PyPI (the `test` extra). Dovecot comes from Debian (`dovecot-imapd`,
installed by .ci/run); without it the IMAP tests skip, unless TIEGRAPH_REQUIRE_DOVECOT=1.
"""

from __future__ import annotations

import imaplib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from tiegraph.connectors.imap import mutf7
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store
from tiegraph.store.schema import (
    activity_item,
    contact,
    contact_source,
    interaction,
    sync_source,
    tie,
)

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else ""
)
REQUIRE_DOVECOT = os.environ.get("TIEGRAPH_REQUIRE_DOVECOT", "") == "1"
PASSWORD = "s3cret-Pa55word-never-logged"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never says a word (a hung database host)."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port}")


class Radicale:
    """A Radicale CardDAV/CalDAV server with one user, its storage in a temporary folder; with
    `introspection_url`, it also takes OAuth bearer tokens, checked at that endpoint
    (tests/radicale_bearer.py)."""

    def __init__(self, folder: Path, user: str = "ana", introspection_url: str = "") -> None:
        self.folder, self.user, self.port = folder, user, free_port()
        self.introspection_url = introspection_url
        auth = "radicale_bearer" if introspection_url else "htpasswd"
        self.base = f"http://127.0.0.1:{self.port}"
        (folder / "users").write_text(f"{user}:{PASSWORD}\n")
        (folder / "config").write_text(
            "[server]\n"
            f"hosts = 127.0.0.1:{self.port}\n"
            "[auth]\n"
            f"type = {auth}\n"
            f"htpasswd_filename = {folder / 'users'}\n"
            "htpasswd_encryption = plain\n"
            "delay = 0\n"
            "[storage]\n"
            f"filesystem_folder = {folder / 'collections'}\n"
            "[logging]\n"
            "level = error\n"
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.http = httpx.Client(auth=(user, PASSWORD), timeout=600)  # a benchmark's book

    def start(self) -> None:
        log = self.folder / "radicale.log"
        with log.open("ab") as handle:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "radicale", "--config", str(self.folder / "config")],
                stdout=handle,
                stderr=subprocess.STDOUT,
                env=self._environment(),
            )
        wait_for_port(self.port, self.process, log)

    def _environment(self) -> dict[str, str]:
        if not self.introspection_url:
            return dict(os.environ)
        where = str(Path(__file__).resolve().parent)  # the plugin, tests/radicale_bearer.py
        path = os.pathsep.join(p for p in (where, os.environ.get("PYTHONPATH", "")) if p)
        return {
            **os.environ,
            "PYTHONPATH": path,
            "RADICALE_INTROSPECTION_URL": self.introspection_url,
        }

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def close(self) -> None:
        self.stop()
        self.http.close()

    def new_collection(self, body: str, content_type: str) -> str:
        """A new collection holding `body` (vCards or VEVENTs); returns its URL."""
        url = f"{self.base}/{self.user}/{uuid.uuid4().hex[:12]}/"
        response = self.http.put(url, content=body.encode(), headers={"Content-Type": content_type})
        assert response.status_code in (200, 201), response.text
        return url

    def put(self, url: str, body: str, content_type: str) -> None:
        response = self.http.put(url, content=body.encode(), headers={"Content-Type": content_type})
        assert response.status_code in (201, 204), response.text

    def delete(self, url: str) -> None:
        assert self.http.delete(url).status_code in (200, 204)


class Dovecot:
    """A Dovecot IMAP server on loopback, with a hundred users in a passwd file; with
    `introspection_url`, also OAuth logins (XOAUTH2, OAUTHBEARER) whose tokens Dovecot checks
    at that introspection endpoint (RFC 7662; the URL holds the client's credentials);
    `oauth_mechanisms` narrows which of the two it offers."""

    def __init__(
        self, introspection_url: str | None = None, oauth_mechanisms: str = "xoauth2 oauthbearer"
    ) -> None:
        if not DOVECOT:
            reason = "Dovecot is not installed (apt-get install dovecot-imapd; .ci/run does)"
            if REQUIRE_DOVECOT:
                pytest.fail(f"TIEGRAPH_REQUIRE_DOVECOT=1 but {reason}")
            pytest.skip(reason)
        self.folder = Path(tempfile.mkdtemp(prefix="tiegraph-dovecot-"))
        self.folder.chmod(0o755)  # mail processes run as another user when we are root
        self.port = free_port()
        self.url = f"imap://127.0.0.1:{self.port}"
        root = os.getuid() == 0
        mail_user = pwd.getpwnam("nobody") if root else pwd.getpwuid(os.getuid())
        self.mail_uid, self.mail_gid = mail_user.pw_uid, mail_user.pw_gid
        home = self.folder / "home"
        home.mkdir()
        os.chown(home, self.mail_uid, self.mail_gid)
        users = "".join(f"user{n}:{{PLAIN}}{PASSWORD}\n" for n in range(1, 101))
        (self.folder / "passwd").write_text(users)
        self.users = 0
        config = _config(self.folder, self.port, mail_user.pw_uid, mail_user.pw_gid, root)
        if introspection_url:
            config += _oauth2(self.folder, introspection_url, oauth_mechanisms)
        (self.folder / "dovecot.conf").write_text(config)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.folder / "dovecot.log"
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.folder / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends every session too
        )
        wait_for_port(self.port, self.process, log)

    def stop(self) -> None:
        """Stop the server and every session it serves, as a crash or a restart would."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
            self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def new_user(self) -> str:
        """A user no test used before (all are written at start: Dovecot caches the file)."""
        self.users += 1
        return f"user{self.users}"

    def fill_inbox(self, user: str, messages: Iterable[bytes]) -> int:
        """Deliver messages straight into the user's maildir, as a mail server's LDA would:
        much faster than APPEND for a benchmark's mailbox. Returns how many."""
        maildir = self.folder / "home" / user / "Maildir"
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        count = 0
        for count, raw in enumerate(messages, 1):
            (maildir / "cur" / f"1700000000.M{count}P1.bench:2,S").write_bytes(raw)
        for folder, _, files in os.walk(self.folder / "home" / user):
            for name in [".", *files]:
                os.chown(Path(folder, name), self.mail_uid, self.mail_gid)
        return count

    def session(self, user: str) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        imap.login(user, PASSWORD)
        return imap

    def append(self, user: str, folder: str, messages: list[bytes]) -> None:
        imap = self.session(user)
        name = '"' + mutf7(folder) + '"'
        try:
            if folder != "INBOX":
                imap.create(name)
            for message in messages:
                status, _ = imap.append(name, None, None, message)
                assert status == "OK"
        finally:
            imap.logout()


def _config(folder: Path, port: int, uid: int, gid: int, root: bool) -> str:
    lines = [
        f"base_dir = {folder}/run",
        f"state_dir = {folder}/state",
        f"log_path = {folder}/dovecot.log",
        "protocols = imap",
        "listen = 127.0.0.1",
        "ssl = no",
        "disable_plaintext_auth = no",
        "auth_mechanisms = plain login",
        "mail_location = maildir:~/Maildir",
        "passdb {",
        "  driver = passwd-file",
        f"  args = scheme=PLAIN username_format=%u {folder}/passwd",
        "}",
        "userdb {",
        "  driver = static",
        f"  args = uid={uid} gid={gid} home={folder}/home/%u",
        "}",
        "service imap-login {",
        "  inet_listener imap {",
        "    address = 127.0.0.1",
        f"    port = {port}",
        "  }",
        "  inet_listener imaps {",
        "    port = 0",
        "  }",
        "  chroot =",
        "}",
        "service anvil {",
        "  chroot =",
        "}",
    ]
    if not root:  # without root, every Dovecot process runs as us
        user = pwd.getpwuid(os.getuid()).pw_name
        lines += [f"default_login_user = {user}", f"default_internal_user = {user}"]
    return "\n".join(lines) + "\n"


def _oauth2(folder: Path, introspection_url: str, mechanisms: str) -> str:
    (folder / "oauth2.conf.ext").write_text(
        "introspection_mode = post\n"
        f"introspection_url = {introspection_url}\n"
        "username_attribute = sub\n"
        "force_introspection = yes\n"
        "active_attribute = active\n"
        "active_value = true\n"
    )
    # A password does not match a token: the passwd-file passdb fails, and this one answers.
    return (
        f"auth_mechanisms = plain login {mechanisms}\n"
        f"passdb {{\n  driver = oauth2\n  args = {folder}/oauth2.conf.ext\n}}\n"
    )


# --- the organization the tests sync into -----------------------------------------------------


FIRST = ("Ana", "Bruno", "Chloe", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas")
LAST = ("Alves", "Berg", "Costa", "Dahl", "Eriksen", "Fischer", "Gomez", "Haas", "Ito", "Jansen")


def name(number: int) -> tuple[str, str]:
    """A distinct (first, last) name for each number below 1,000."""
    last = LAST[number // 10 % 10] + ("" if number < 100 else f"-{LAST[number // 100 % 10]}")
    return FIRST[number % 10], last


def vcard(number: int, *, email: str | None = None, company: str = "Acme Corp") -> str:
    first, last = name(number)
    return (
        "BEGIN:VCARD\r\nVERSION:3.0\r\n"
        f"UID:card-{number}\r\nFN:{first} {last}\r\nN:{last};{first};;;\r\n"
        f"ORG:{company}\r\nEMAIL;TYPE=WORK:{email or f'person{number}@acme.example'}\r\n"
        "END:VCARD\r\n"
    )


def message(number: int, sender: str, to: str, *, day: int = 1, reply: int | None = None) -> bytes:
    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Date: Mon, {day:02d} Jun 2026 10:{number % 60:02d}:00 +0000",
        f"Message-ID: <m{number}@mail.example>",
        "Subject: secret plans nobody may read",
    ]
    if reply is not None:
        lines.append(f"In-Reply-To: <m{reply}@mail.example>")
    return ("\r\n".join([*lines, "", "The body, never read.", ""])).encode()


def directory_lines(persons: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        {"type": "company", "id": "C1", "name": "Acme Corp", "domains": ["acme.example"]}
    ]
    for n in range(persons):
        rows.append(
            {
                "type": "person",
                "id": f"P{n}",
                "first_name": name(n)[0],
                "last_name": name(n)[1],
                "emails": [f"person{n}@acme.example"],
                "employment": [{"company_id": "C1", "start": "2020"}],
            }
        )
    return rows


def make_org(store: Store, folder: Path, persons: int = 40) -> Org:
    """The default organization: a directory of `persons`, members Ana and Bo."""
    org = resolve_org(store)
    path = folder / f"directory-{uuid.uuid4().hex[:6]}.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in directory_lines(persons)) + "\n")
    import_directory(store, org, [path])
    add_member(store, org, email="ana@us.example", name="Ana Lima")
    add_member(store, org, email="bo@us.example", name="Bo Chen")
    return org


def snapshot(store: Store) -> dict[str, object]:
    """What a sync leaves in the store, without ids or clocks: two equal runs compare equal."""
    with store.read() as conn:
        contacts = sorted(
            (r.full_name, r.status, r.person_id is not None) for r in conn.execute(select(contact))
        )
        sources = sorted(
            (r.record_key, r.source_format) for r in conn.execute(select(contact_source))
        )
        items = sorted(
            (r.channel, r.source_key, r.fingerprint) for r in conn.execute(select(activity_item))
        )
        touches = sorted(
            (r.member_id, r.address, r.channel, r.direction, _utc(r.occurred_at), r.participants)
            for r in conn.execute(select(interaction))
        )
        ties = sorted(
            (r.member_id, r.person_id, r.first_at is not None) for r in conn.execute(select(tie))
        )
        synced = sorted(
            (r.items_taken, json.dumps(r.cursor, sort_keys=True))
            for r in conn.execute(select(sync_source))
        )
    return {
        "contacts": contacts,
        "contact_sources": sources,
        "activity_items": items,
        "interactions": touches,
        "ties": ties,
        "sync_sources": synced,
    }


def _utc(moment: datetime) -> str:
    """The same instant written the same way whichever store returned it."""
    return (moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()
