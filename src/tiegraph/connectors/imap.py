"""IMAP (RFC 3501), read-only: folders' UIDVALIDITY, UIDs past a mark, and header fields only.

Folders are opened with EXAMINE and headers fetched with BODY.PEEK, so nothing on the server
changes, not even the \\Seen flag. Bodies and subjects are never asked for.
"""

from __future__ import annotations

import base64
import imaplib
import re
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from tiegraph.connectors.errors import ConnectorError

HEADER_FIELDS = "FROM TO CC DATE MESSAGE-ID IN-REPLY-TO REFERENCES"
_FETCH = f"(UID BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})])"
_UID = re.compile(rb"\bUID (\d+)")
_RANGE = re.compile(r"(\d+)(?::(\d+))?")


@dataclass(frozen=True)
class FolderState:
    uidvalidity: int
    exists: int


class NoSuchFolder(ConnectorError):
    """The server has no folder of that name (or refuses to open it)."""


class TokenRefusedError(ConnectorError):
    """The server refused the OAuth access token (expired or revoked): refresh and try again."""


class ImapMailbox:
    """A logged-in, read-only IMAP session: `imap://` (STARTTLS when offered) or `imaps://`.

    With `token`, the login is SASL XOAUTH2 (Gmail, Outlook) or OAUTHBEARER (RFC 7628),
    whichever the server offers, instead of the password.
    """

    def __init__(
        self,
        url: str,
        username: str,
        password: str | None,
        *,
        timeout: float = 30.0,
        token: str | None = None,
    ) -> None:
        parts = urlsplit(url)
        self.where = f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"
        self.timeout = timeout
        secure = parts.scheme == "imaps"
        host = parts.hostname or ""
        port = parts.port or (993 if secure else 143)
        context = ssl.create_default_context()
        with self._failures("cannot connect"):
            if secure:
                self.imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    host, port, ssl_context=context, timeout=timeout
                )
            else:
                self.imap = imaplib.IMAP4(host, port, timeout=timeout)
                if "STARTTLS" in self.imap.capabilities:
                    self.imap.starttls(context)
        try:
            if token is not None:
                self._oauth_login(username, token, host, port)
            else:
                with self._failures("login refused (check username and password)"):
                    self.imap.login(username, password or "")
        except ConnectorError:
            self._close()
            raise
        # A path in the URL names the default folder, as RFC 5092 has it.
        self.default_folder = unquote(parts.path.strip("/")) or "INBOX"

    def _oauth_login(self, username: str, token: str, host: str, port: int) -> None:
        offered = self.imap.capabilities
        if "AUTH=XOAUTH2" in offered:
            mechanism, first = "XOAUTH2", f"user={username}\x01auth=Bearer {token}\x01\x01"
        elif "AUTH=OAUTHBEARER" in offered:
            mechanism = "OAUTHBEARER"
            first = f"n,a={username},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01"
        else:
            raise ConnectorError(f"{self.where}: the server offers no OAuth login (XOAUTH2)")
        answers = [first.encode()]

        def respond(challenge: bytes) -> bytes:
            # After a refusal the server sends its error as a challenge: answer it empty.
            return answers.pop() if answers else b""

        with self._failures("cannot log in"):
            try:
                self.imap.authenticate(mechanism, respond)
            except imaplib.IMAP4.error:
                raise TokenRefusedError(
                    f"{self.where}: {mechanism} login refused (token expired or revoked?)"
                ) from None

    def __enter__(self) -> ImapMailbox:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close()

    def _close(self) -> None:
        with suppress(imaplib.IMAP4.error, OSError, ValueError):
            self.imap.logout()
            return
        with suppress(OSError):  # the server is gone: close our end all the same
            self.imap.shutdown()

    @contextmanager
    def _failures(self, what: str) -> Iterator[None]:
        try:
            yield
        except TimeoutError:
            raise ConnectorError(f"{self.where}: no answer within {self.timeout:g} s") from None
        except (imaplib.IMAP4.abort, OSError, ValueError, EOFError) as exc:
            reason = "connection lost or garbled answer" if what != "cannot connect" else what
            if isinstance(exc, ConnectionRefusedError):
                reason = "cannot connect (server down or wrong address)"
            elif isinstance(exc, ssl.SSLCertVerificationError):
                reason = "the server's TLS certificate is not trusted"
            raise ConnectorError(f"{self.where}: {reason}") from None
        except imaplib.IMAP4.error:
            raise ConnectorError(f"{self.where}: {what}") from None

    def examine(self, folder: str) -> FolderState:
        """Open a folder read-only; its UIDVALIDITY says whether saved UIDs still hold."""
        with self._failures(f"cannot open folder {folder!r}"):
            status, data = self.imap.select(_quoted(folder), readonly=True)
            if status != "OK":
                raise NoSuchFolder(f"{self.where}: no folder {folder!r}")
            _, validity = self.imap.response("UIDVALIDITY")
            exists = int(data[0] or 0) if data and isinstance(data[0], bytes) else 0
        if not validity or not isinstance(validity[0], bytes) or not validity[0].isdigit():
            raise ConnectorError(f"{self.where}: folder {folder!r} has no UIDVALIDITY")
        return FolderState(int(validity[0]), exists)

    def uids_after(self, uid: int) -> list[int]:
        """The UIDs above `uid` in the open folder, ascending."""
        with self._failures("UID SEARCH failed"):
            if "ESEARCH" in self.imap.capabilities:
                self._check(self.imap.uid("SEARCH", "RETURN", "(ALL)", "UID", f"{uid + 1}:*"))
                _, found = self.imap.response("ESEARCH")
                uids = _esearch_uids(found)
            else:
                _, data = self._check(self.imap.uid("SEARCH", "UID", f"{uid + 1}:*"))
                uids = [int(x) for d in data if isinstance(d, bytes) for x in d.split()]
        # "n:*" always names the last message, even when its UID is below n.
        return sorted(u for u in set(uids) if u > uid)

    def headers(self, uids: Sequence[int]) -> list[tuple[int, bytes]]:
        """(UID, header block) of these messages: only the fields ingestion reads.

        `uids` are consecutive UIDs from `uids_after`, so first:last names exactly them.
        """
        if not uids:
            return []
        with self._failures("UID FETCH failed"):
            _, data = self._check(self.imap.uid("FETCH", f"{uids[0]}:{uids[-1]}", _FETCH))
        found: dict[int, bytes] = {}
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                uid = _UID.search(item[0])
                if uid is not None:
                    found[int(uid.group(1))] = item[1]
        wanted = set(uids)
        return sorted((u, block) for u, block in found.items() if u in wanted)

    def _check(self, answer: tuple[str, list[Any]]) -> tuple[str, list[Any]]:
        status, data = answer
        if status != "OK":
            raise imaplib.IMAP4.error(status)
        return status, data


def _esearch_uids(found: list[object]) -> list[int]:
    uids: list[int] = []
    for line in found:
        text = line.decode("ascii", "replace") if isinstance(line, bytes) else ""
        _, _, rest = text.partition(" ALL ")
        for match in _RANGE.finditer(rest.split(" ")[0] if rest else ""):
            low = int(match.group(1))
            high = int(match.group(2) or low)
            uids.extend(range(min(low, high), max(low, high) + 1))
    return uids


def _quoted(folder: str) -> str:
    encoded = mutf7(folder)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mutf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 §5.1.3)."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)
