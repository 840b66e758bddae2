"""Mail metadata reader: mbox, maildir, single messages and folder trees of them."""

from __future__ import annotations

import hashlib
import mmap
import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

from tiegraph.formats.mailheaders import header_fields, parse_addresses, parse_date, scan_fields
from tiegraph.formats.records import Address, MessageHeaders, RowError

__all__ = ["iter_messages", "parse_header_block"]

# A separator is `From sender date`: the line holds a month name, a time and a year, and a
# header line follows. A body line such as "From here on, ..." is not one, in any dialect.
_SEPARATOR = re.compile(
    rb"From \S+ (?=[^\n]*\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b)"
    rb"(?=[^\n]*\d:\d\d)(?=[^\n]*\d{4})[^\n]*\n[ \t]*[\x21-\x39\x3b-\x7e]+[ \t]*:"
)
# One search finds the next separator past a body: the regex engine scans for the literal
# "\nFrom " faster than bytes.find (whose skips stall on the spaces of text).
_NEXT_SEPARATOR = re.compile(rb"\n" + _SEPARATOR.pattern)
_HEADER_LINE = re.compile(rb"[ \t]*[\x21-\x39\x3b-\x7e]+[ \t]*:")
_BLANK_LINE = re.compile(rb"\n\r?\n")
_MSG_ID = re.compile(rb"<([^<>\s]+)>")
# Dates some exporters write when they do not know the real one (Enron: 1979-12-31 PST).
_X_ADDRESS = re.compile(r"\s*<[^<>]*>[^,]*")  # "Name <addr>@ENRON": keep the name
_PLACEHOLDER_DAYS = frozenset({date(1979, 12, 31), date(1980, 1, 1), date(1970, 1, 1)})
_BOM = b"\xef\xbb\xbf"
_SNIFF_BYTES = 4096
_MAX_HEADER = 1 << 20  # no real header block is larger; past this the rest is body
# Files a mail store keeps beside its messages: indexes, state, folder lists.
_STORE_FILES = ("dovecot", "courierimap", "maildirfolder", "subscriptions", ".")


def iter_messages(path: Path) -> Iterator[MessageHeaders | RowError]:
    """Yield the metadata of every message under `path`, or a RowError for each bad one.

    `path` may be an mbox file, a single message file, a maildir, or a folder tree of any
    of these; which one is told from content and structure, not from file names.
    """
    path = Path(path)
    if path.is_dir():
        yield from _iter_tree(path)
    elif path.exists():
        yield from _iter_file(path, path.name)
    else:
        raise FileNotFoundError(path)


def _iter_tree(root: Path) -> Iterator[MessageHeaders | RowError]:
    unreadable: list[OSError] = []
    for folder, subfolders, files in os.walk(root, onerror=unreadable.append):
        yield from _folder_errors(unreadable, root)
        unreadable.clear()
        subfolders.sort()
        if "cur" in subfolders and "new" in subfolders and "tmp" in subfolders:
            subfolders.remove("tmp")  # a maildir's tmp/ holds deliveries still being written
        for name in sorted(files):
            if name.startswith(_STORE_FILES):
                continue
            file = Path(folder, name)
            yield from _iter_file(file, _relative(file, root))
    yield from _folder_errors(unreadable, root)  # the root itself, or the last folder


def _folder_errors(errors: list[OSError], root: Path) -> Iterator[RowError]:
    for error in errors:
        where = Path(error.filename or root)
        yield RowError(str(where), _relative(where, root), f"unreadable folder: {error.strerror}")


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _iter_file(file: Path, relative: str) -> Iterator[MessageHeaders | RowError]:
    try:
        with file.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
            start = _content_start(head)
            if not head[start:].strip():
                return
            if _SEPARATOR.match(head, start):
                yield from _iter_mbox(handle, str(file))
            elif _HEADER_LINE.match(head, start):
                handle.seek(start)
                block = _read_header_block(handle)
                yield parse_header_block(block, file=str(file), locator=relative)
            else:
                yield RowError(str(file), relative, "not a mail message (no header block)")
    except OSError as error:
        yield RowError(str(file), relative, f"unreadable file: {error.strerror or error}")


def _content_start(head: bytes) -> int:
    """Where the first line starts, past a byte-order mark and blank lines."""
    start = len(_BOM) if head.startswith(_BOM) else 0
    while head[start : start + 1] in (b"\r", b"\n"):
        start += 1
    return start


def _read_header_block(handle: BinaryIO) -> bytes:
    """Read up to the first blank line, never the body beyond the chunk that holds it."""
    buffer = b"\n"
    while len(buffer) < _MAX_HEADER:
        chunk = handle.read(65536)
        if not chunk:
            break
        searched_from = max(0, len(buffer) - 2)
        buffer += chunk
        end = _BLANK_LINE.search(buffer, searched_from)
        if end is not None:
            return buffer[: end.start() + 1]
    return buffer[:_MAX_HEADER]


def _iter_mbox(handle: BinaryIO, file: str) -> Iterator[MessageHeaders | RowError]:
    with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as box:
        size = len(box)
        offset = _content_start(box[:_SNIFF_BYTES])
        while offset >= 0:
            line_end = box.find(b"\n", offset)
            if line_end < 0:
                return
            locator = f"offset {offset}"
            if box[line_end + 1 : line_end + 2] in (b" ", b"\t"):  # rare: indented headers
                following = _next_separator(box, line_end)
                stop = min(following if following >= 0 else size, line_end + _MAX_HEADER)
                blank = _BLANK_LINE.search(box, line_end, stop)
                block = box[line_end : blank.start() + 1 if blank else stop]
                yield parse_header_block(block, file=file, locator=locator)
                offset = following
                continue
            repairs: list[str] = []
            limit = min(size, line_end + _MAX_HEADER)
            fields, header_end, at_separator = scan_fields(box, line_end, limit, _SEPARATOR)
            yield _record(fields, repairs, file, locator)
            offset = header_end if at_separator else _next_separator(box, header_end)


def _next_separator(box: mmap.mmap, start: int) -> int:
    """The offset of the next From_ line at or after `start` (body lines are skipped)."""
    found = _NEXT_SEPARATOR.search(box, start - 1)
    return found.start() + 1 if found else -1


# --- one message's record ------------------------------------------------------------------


def parse_header_block(raw: bytes, *, file: str, locator: str) -> MessageHeaders | RowError:
    """Read the metadata of one message from its header block (bytes, any line endings)."""
    repairs: list[str] = []
    return _record(header_fields(raw, repairs), repairs, file, locator)


def _record(
    fields: dict[bytes, bytes], repairs: list[str], file: str, locator: str
) -> MessageHeaders | RowError:
    """The message's record, or the reason for refusing it, from its header fields."""
    sender = parse_addresses(fields.get(b"from", b""), repairs, "From")
    if not sender:
        return RowError(file, locator, "no From address")
    raw_date = fields.get(b"date", b"").decode("latin-1")
    if not raw_date:
        return RowError(file, locator, "no Date")
    when = parse_date(raw_date, repairs)
    if when is None:
        return RowError(file, locator, f"unreadable Date: {raw_date[:80]!r}")
    if when.year < 1981 and {when.date(), when.astimezone(UTC).date()} & _PLACEHOLDER_DAYS:
        return RowError(file, locator, f"placeholder date {when.isoformat()}")
    to = parse_addresses(fields.get(b"to", b""), repairs, "To")
    cc = parse_addresses(fields.get(b"cc", b""), repairs, "Cc")
    if b"x-from" in fields:
        sender = _named(sender, fields[b"x-from"])
        to = _named(to, fields.get(b"x-to", b""))
    message_id = _first_message_id(fields.get(b"message-id", b""), repairs)
    if not message_id:
        message_id = _synthesized_message_id(when, sender[0], to, cc)
        repairs.append("synthesized Message-ID")
    in_reply_to = _MSG_ID.search(fields.get(b"in-reply-to", b""))
    references = fields.get(b"references")
    return MessageHeaders(  # positional: the fields in their order
        file,
        locator,
        message_id,
        when,
        sender[0],
        to,
        cc,
        f"<{in_reply_to.group(1).decode('latin-1')}>" if in_reply_to else "",
        _message_ids(references) if references else (),
        tuple(dict.fromkeys(repairs)) if repairs else (),
    )


def _named(addresses: tuple[Address, ...], x_names: bytes) -> tuple[Address, ...]:
    """Display names from X-From/X-To (Lotus Notes exports such as the Enron corpus write the
    names there and bare addresses in From/To), paired by position when the counts agree."""
    text = _X_ADDRESS.sub("", x_names.decode("latin-1"))
    names = [n.strip(' "') for n in text.split(",")] if text.strip() else []
    if len(names) != len(addresses) or any("@" in n for n in names):
        return addresses
    return tuple(
        a if a.name or not n else Address(a.email, n) for a, n in zip(addresses, names, strict=True)
    )


def _message_ids(value: bytes) -> tuple[str, ...]:
    ids = [f"<{found.decode('latin-1')}>" for found in _MSG_ID.findall(value)]
    return tuple(dict.fromkeys(ids))


def _first_message_id(value: bytes, repairs: list[str]) -> str:
    found = _MSG_ID.search(value)
    if found is not None:
        return f"<{found.group(1).decode('latin-1')}>"
    token = value.strip().split(b" ", 1)[0].strip(b"<>\"'")
    if not token:
        return ""
    repairs.append("Message-ID without angle brackets")
    return f"<{token.decode('latin-1')}>"


def _synthesized_message_id(
    when: datetime, sender: Address, to: tuple[Address, ...], cc: tuple[Address, ...]
) -> str:
    """Stable across mailboxes: the same headers give the same id wherever they are read."""
    key = "|".join(
        (
            when.astimezone(UTC).isoformat(),
            sender.email,
            ",".join(sorted(a.email for a in to)),
            ",".join(sorted(a.email for a in cc)),
        )
    )
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()
    return f"<{digest}@synthesized.tiegraph.invalid>"
