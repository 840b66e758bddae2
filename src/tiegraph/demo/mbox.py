"""Writer of a member's mailbox as an mboxrd file: real headers, Received lines, short bodies."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from tiegraph.demo.csvout import MONTHS
from tiegraph.demo.timeline import Message, Party

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')
_FROM_LINE = re.compile(r"^>*From ", re.MULTILINE)
_FOLD_AT = 78


def write_mbox(path: Path, owner: str, messages: Iterable[Message]) -> None:
    """Write `owner`'s copy of each message, in the order given."""
    with path.open("wb") as handle:
        for message in messages:
            write_message(handle, owner, message)


def write_message(handle: BinaryIO, owner: str, message: Message) -> None:
    digest = hashlib.blake2b(f"{owner}/{message.message_id}".encode(), digest_size=8).digest()
    # A few old clients still put raw UTF-8 in headers instead of encoded words.
    raw_names = digest[0] < 5
    sent_utc = message.sent.astimezone(UTC)
    lines = [f"From {message.sender.email} {_asctime(sent_utc)}"]
    lines += _received(owner, message, digest)
    lines.append(f"Date: {rfc2822(message.sent)}")
    lines.append(f"From: {address(message.sender, raw_names)}")
    lines.append(_fold("To", [address(party, raw_names) for party in message.to]))
    if message.cc:
        lines.append(_fold("Cc", [address(party, raw_names) for party in message.cc]))
    lines.append(f"Subject: {message.subject}")
    lines.append(f"Message-ID: <{message.message_id}>")
    if message.in_reply_to:
        lines.append(f"In-Reply-To: <{message.in_reply_to}>")
    if message.references:
        lines.append(_fold("References", [f"<{ref}>" for ref in message.references], sep=" "))
    lines += [
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
        "Content-Transfer-Encoding: 8bit",
        "",
        _FROM_LINE.sub(lambda match: ">" + match.group(0), message.body),
    ]
    handle.write("\n".join(lines).encode("utf-8") + b"\n")


def address(party: Party, raw: bool = False) -> str:
    """`Name <addr>` with the name quoted or RFC 2047-encoded as mail clients write it."""
    name = party.name
    if not name:
        return party.email
    if not name.isascii():
        if not raw:
            name = f"=?utf-8?b?{base64.b64encode(name.encode('utf-8')).decode('ascii')}?="
    elif _SPECIALS.search(name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{party.email}>"


def rfc2822(when: datetime) -> str:
    offset = when.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return (
        f"{_DAYS[when.weekday()]}, {when.day:02d} {MONTHS[when.month - 1]} {when.year} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} {sign}{hours:02d}{rest:02d}"
    )


def _asctime(when: datetime) -> str:
    return (
        f"{_DAYS[when.weekday()]} {MONTHS[when.month - 1]} {when.day:2d} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} {when.year}"
    )


def _received(owner: str, message: Message, digest: bytes) -> list[str]:
    own_domain = owner.split("@", 1)[1]
    stamp = rfc2822(message.sent.astimezone(UTC))
    queue_id = digest.hex()[:10].upper()
    if message.sender.email == owner:
        return [
            f"Received: from [192.0.2.{digest[1] % 250 + 1}] (client.{own_domain})",
            f"\tby smtp.{own_domain} with ESMTPSA id {queue_id}; {stamp}",
        ]
    sender_domain = message.sender.email.split("@", 1)[1]
    return [
        f"Return-Path: <{message.sender.email}>",
        f"Received: from mx.{own_domain} (mx.{own_domain} [198.51.100.{digest[2] % 250 + 1}])",
        f"\tby mailstore.{own_domain} with LMTP id {digest.hex()[10:]}; {stamp}",
        f"Received: from mail.{sender_domain} (mail.{sender_domain} "
        f"[203.0.113.{digest[3] % 250 + 1}])",
        f"\tby mx.{own_domain} (Postfix) with ESMTPS id {queue_id}",
        f"\tfor <{owner}>; {stamp}",
    ]


def _fold(name: str, items: list[str], sep: str = ",") -> str:
    """A header holding many items, folded before 78 characters as RFC 5322 asks."""
    lines: list[str] = []
    current = f"{name}:"
    for n, item in enumerate(items):
        piece = f" {item}" + (sep if sep == "," and n < len(items) - 1 else "")
        if len(current) + len(piece) > _FOLD_AT and current != f"{name}:":
            lines.append(current)
            current = ""
        current += piece
    lines.append(current)
    return "\n".join(lines)
