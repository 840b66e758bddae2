"""Walk an Outlook PST/OST file with libpff (`pypff`): every folder, every item, damage reported.

pypff is optional (`pip install 'tiegraph[pst]'`) and imported only when a file is read.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from tiegraph.formats.pst import props as p
from tiegraph.formats.pst.items import (
    OutlookItem,
    OutlookRecord,
    PropertyValue,
    item_records,
    message_class,
    needs_recipients,
)
from tiegraph.formats.records import RowError

MISSING = "PST import needs: pip install 'tiegraph[pst]'"
_STRING, _STRING8, _TIME, _BOOLEAN = 0x001F, 0x001E, 0x0040, 0x000B
_INTEGERS = (0x0002, 0x0003, 0x0014)
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
# What libpff raises for a damaged structure (MemoryError: "unable to create ... object", its
# word for a node it could not read); anything else is a bug and is let through.
_DAMAGE = (OSError, ValueError, OverflowError, UnicodeError, MemoryError)


class PstReaderMissing(ImportError):
    """pypff, the PST reader, is not installed."""


def load_pypff() -> Any:
    """The pypff module, or a PstReaderMissing saying how to install it."""
    try:
        import pypff  # optional: only PST import needs it
    except ImportError as error:
        raise PstReaderMissing(MISSING) from error
    return pypff


def iter_outlook_items(
    path: Path, *, window_start: datetime, window_end: datetime
) -> Iterator[OutlookRecord]:
    """Yield a record, skip or RowError for every item of every folder of a PST/OST file.

    A recurring meeting yields its occurrences inside [window_start, window_end).

    A damaged folder or item becomes a RowError naming its folder path and item number; the
    rest of the file is still read. A file libpff cannot open at all is one RowError.
    """
    pypff = load_pypff()
    name = str(path)
    try:
        signed = pypff.check_file_signature(name)
    except _DAMAGE as error:
        yield RowError(name, "file", f"unreadable file: {_short(error)}")
        return
    if not signed:
        yield RowError(name, "file", "not an Outlook PST/OST file")
        return
    pst = pypff.file()
    try:
        pst.open(name)
    except _DAMAGE as error:
        yield RowError(name, "file", f"not a readable PST/OST file: {_short(error)}")
        return
    try:
        names = _named_tags(pst)
        try:
            root = pst.root_folder
        except _DAMAGE as error:
            yield RowError(name, "/", f"unreadable root folder: {_short(error)}")
            return
        window = (window_start.astimezone(UTC), window_end.astimezone(UTC))
        yield from _folder(root, "", _Context(name, names, window))
    finally:
        pst.close()


def _named_tags(pst: Any) -> dict[int, p.NamedTag]:
    """The file's named-property numbering; empty (named properties unread) if damaged."""
    try:
        streams = _entries(pst.name_to_id_map, {0x0002, 0x0003})
    except _DAMAGE:
        return {}
    guids, entries = streams.get(0x0002), streams.get(0x0003)
    if not isinstance(guids, bytes) or not isinstance(entries, bytes):
        return {}
    return p.named_tag_numbers(guids, entries)


class _Context(NamedTuple):
    file: str
    names: dict[int, p.NamedTag]  # the file's numbering of named properties
    window: tuple[datetime, datetime]  # recurring meetings' occurrences are read inside it


def _folder(folder: Any, path: str, ctx: _Context) -> Iterator[OutlookRecord]:
    where = path or "/"
    try:
        count = folder.number_of_sub_messages
    except _DAMAGE as error:
        yield RowError(ctx.file, where, f"unreadable folder: {_short(error)}")
        count = 0
    for index in range(count):
        locator = f"{where} item {index + 1}"
        try:
            item = _item(folder.get_sub_message(index), ctx.names, ctx.file, locator)
        except _DAMAGE as error:
            yield RowError(ctx.file, locator, f"unreadable item: {_short(error)}")
            continue
        yield from item_records(item, ctx.window)
    try:
        folders = folder.number_of_sub_folders
    except _DAMAGE as error:
        yield RowError(ctx.file, where, f"unreadable sub-folders: {_short(error)}")
        return
    for index in range(folders):
        try:
            sub = folder.get_sub_folder(index)
            label = (sub.name or "").replace("/", "_") or f"folder {index + 1}"
        except _DAMAGE as error:
            yield RowError(ctx.file, f"{where} folder {index + 1}", f"unreadable: {_short(error)}")
            continue
        yield from _folder(sub, f"{path}/{label}", ctx)


class _Ansi(bytes):
    """An 8-bit string property, decoded once its item's code page is known."""


def _item(raw: Any, names: dict[int, p.NamedTag], file: str, locator: str) -> OutlookItem:
    props = _entries(raw, p.ITEM_TAGS, names)
    recipients: list[dict[int | p.NamedTag, PropertyValue]] = []
    if needs_recipients(message_class(props)):
        table = getattr(raw, "recipients", None)
        if table is not None:
            recipients = [
                _set_entries(table.get_record_set(i), p.RECIPIENT_TAGS, {})
                for i in range(table.number_of_record_sets)
            ]
    codec = codec_of(props.get(p.MESSAGE_CODEPAGE))
    return OutlookItem(
        file, locator, _decoded(props, codec), tuple(_decoded(r, codec) for r in recipients)
    )


def codec_of(codepage: PropertyValue | None) -> str:
    """The Python codec of a Windows code page; Windows-1252 when unknown, as Outlook does."""
    if isinstance(codepage, int) and not isinstance(codepage, bool):
        name = "utf-8" if codepage == 65001 else f"cp{codepage}"
        try:
            return codecs.lookup(name).name
        except LookupError:
            pass
    return "cp1252"


def decode_ansi(raw: bytes, codec: str) -> str:
    return raw.split(b"\x00", 1)[0].decode(codec, errors="replace")


def _decoded(
    props: dict[int | p.NamedTag, PropertyValue], codec: str
) -> dict[int | p.NamedTag, PropertyValue]:
    return {k: decode_ansi(v, codec) if isinstance(v, _Ansi) else v for k, v in props.items()}


def _entries(
    raw: Any, wanted: frozenset[int] | set[int], names: dict[int, p.NamedTag] | None = None
) -> dict[int | p.NamedTag, PropertyValue]:
    found: dict[int | p.NamedTag, PropertyValue] = {}
    for index in range(raw.number_of_record_sets):
        for tag, value in _set_entries(raw.get_record_set(index), wanted, names or {}).items():
            found.setdefault(tag, value)
    return found


def _set_entries(
    record_set: Any, wanted: frozenset[int] | set[int], names: dict[int, p.NamedTag]
) -> dict[int | p.NamedTag, PropertyValue]:
    """The wanted properties of one record set; nothing else's value is ever read."""
    found: dict[int | p.NamedTag, PropertyValue] = {}
    for entry in record_set.entries:
        tag = entry.entry_type
        key: int | p.NamedTag
        if tag >= 0x8000:
            named = names.get(tag)
            if named is None or named not in p.NAMED_TAGS:
                continue
            key = named
        elif tag in wanted:
            key = tag
        else:
            continue
        value = _value(entry)
        if value is not None:
            found[key] = value
    return found


def _value(entry: Any) -> PropertyValue | None:
    kind = entry.value_type
    if entry.data is None:
        return None
    if kind == _STRING:
        text = entry.data_as_string
        return str(text) if text is not None else None
    if kind == _STRING8:  # an ANSI file's text, in the code page its item names
        return _Ansi(entry.data)
    if kind == _TIME:
        return _FILETIME_EPOCH + timedelta(microseconds=int(entry.data_as_integer) // 10)
    if kind in _INTEGERS:
        return int(entry.data_as_integer)
    if kind == _BOOLEAN:
        return bool(entry.data_as_boolean)
    return bytes(entry.data)


def _short(error: BaseException) -> str:
    """libpff's message chain on one line, short enough for a report."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."
