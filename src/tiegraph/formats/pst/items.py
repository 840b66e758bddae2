"""Outlook items as plain records: contacts, meeting occurrences, message metadata, or skips.

Pure functions over the properties the reader took out of the file (props.py lists them);
a message's metadata goes through the same header parsing as a mailbox's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import format_datetime, formataddr

from tiegraph.formats.mail import parse_header_block
from tiegraph.formats.pst import props as p
from tiegraph.formats.pst.recurrence import PatternError, occurrences, parse_series, zone_of
from tiegraph.formats.records import (
    Address,
    Attendee,
    ContactRecord,
    EventRecord,
    MessageHeaders,
    RowError,
    SkippedItem,
)

PropertyValue = str | int | bool | bytes | datetime
Properties = Mapping[int | p.NamedTag, PropertyValue]
OutlookRecord = ContactRecord | EventRecord | MessageHeaders | SkippedItem | RowError

SOURCE_FORMAT = "pst"
RECURRING_REPAIR = "unreadable recurrence pattern: only the first occurrence read"
MAX_OCCURRENCES = 10_000  # per series and window, as for .ics files
_PARTSTAT = {2: "TENTATIVE", 3: "ACCEPTED", 4: "DECLINED"}
_CANCELLED = 0x4
# Kinds of item that are neither contacts, meetings nor mail, named for the report.
_OTHER_KINDS = {
    "ipm.task": "task",
    "ipm.stickynote": "note",
    "ipm.activity": "journal entry",
    "ipm.post": "post",
    "ipm.microsoft.schedule": "free/busy data",
    "ipm.configuration": "settings",
    "report": "delivery or read report",
}


@dataclass(frozen=True, slots=True)
class OutlookItem:
    """What the reader took from one item: the wanted properties and its recipients'."""

    file: str
    locator: str
    props: Properties
    recipients: tuple[Properties, ...] = ()


def message_class(props: Properties) -> str:
    value = props.get(p.MESSAGE_CLASS)
    return value.strip().lower() if isinstance(value, str) else ""


def needs_recipients(kind: str) -> bool:
    """Only messages and meetings have recipients worth reading."""
    return kind.startswith(("ipm.note", "ipm.schedule.meeting", "ipm.appointment"))


def item_records(item: OutlookItem, window: tuple[datetime, datetime]) -> Iterator[OutlookRecord]:
    """The records one item makes: a recurring meeting one per occurrence inside the window."""
    if message_class(item.props).startswith("ipm.appointment"):
        yield from event_records(item, window)
    else:
        yield item_record(item)


def item_record(item: OutlookItem) -> OutlookRecord:
    """The record one item makes (a meeting: its first occurrence), or why it makes none."""
    kind = message_class(item.props)
    if kind.startswith("ipm.contact"):
        return contact_record(item)
    if kind.startswith("ipm.distlist"):
        return SkippedItem(item.file, item.locator, "distribution list")
    if kind.startswith("ipm.appointment"):
        return event_record(item)
    if kind.startswith(("ipm.note", "ipm.schedule.meeting")):
        return message_record(item)
    if not kind:
        return RowError(item.file, item.locator, "no message class: not an Outlook item")
    other = next((name for prefix, name in _OTHER_KINDS.items() if kind.startswith(prefix)), "")
    return SkippedItem(item.file, item.locator, other or f"other item ({kind})")


# --- contacts -----------------------------------------------------------------------------------


def contact_record(item: OutlookItem) -> ContactRecord:
    props = item.props
    emails = []
    for email_tag, type_tag in zip(p.EMAILS, p.EMAIL_TYPES, strict=True):
        email = _text(props, email_tag)
        # An Exchange entry (type EX) holds a directory path, not an address.
        if "@" in email and _text(props, type_tag).upper() != "EX":
            emails.append(email)
    return ContactRecord(
        SOURCE_FORMAT,
        item.file,
        item.locator,
        first_name=_text(props, p.GIVEN_NAME),
        last_name=_text(props, p.SURNAME),
        full_name=_text(props, p.DISPLAY_NAME),
        middle_name=_text(props, p.MIDDLE_NAME),
        nickname=_text(props, p.NICKNAME),
        emails=tuple(dict.fromkeys(emails)),
        phones=tuple(dict.fromkeys(t for t in (_text(props, tag) for tag in p.PHONES) if t)),
        company=_text(props, p.COMPANY),
        title=_text(props, p.TITLE),
        source_uid=_hex(props.get(p.SEARCH_KEY)),
    )


# --- meetings -----------------------------------------------------------------------------------


def event_record(item: OutlookItem) -> EventRecord | SkippedItem | RowError:
    props = item.props
    state = props.get(p.APPOINTMENT_STATE)
    if isinstance(state, int) and state & _CANCELLED:
        return SkippedItem(item.file, item.locator, "cancelled meeting")
    start = _moment(props, p.APPOINTMENT_START) or _moment(props, p.START_DATE)
    if start is None:
        return RowError(item.file, item.locator, "appointment without a start time")
    end = _moment(props, p.APPOINTMENT_END) or _moment(props, p.END_DATE) or start
    uid = _hex(props.get(p.GLOBAL_OBJECT_ID)).upper()
    if not uid:
        uid = f"pst-{_hex(props.get(p.SEARCH_KEY))}" if props.get(p.SEARCH_KEY) else ""
    if not uid:
        return RowError(item.file, item.locator, "appointment without an id")
    email, name = _sender(props)
    attendees = tuple(
        Attendee(address, recipient_name, _partstat(r))
        for r in item.recipients
        for address, recipient_name in [_recipient_address(r)]
        if address
    )
    recurring = props.get(p.RECURRING) is True
    return EventRecord(
        item.file,
        item.locator,
        uid,
        start,
        max(end, start),
        Address(email, name) if email else None,
        attendees,
        repairs=(RECURRING_REPAIR,) if recurring else (),
    )


def event_records(
    item: OutlookItem, window: tuple[datetime, datetime]
) -> Iterator[EventRecord | SkippedItem | RowError]:
    """A meeting's occurrences inside the window; a single one whatever its date, as mail."""
    first = event_record(item)
    blob = item.props.get(p.RECURRENCE_PATTERN)
    recurring = item.props.get(p.RECURRING) is True
    if not isinstance(first, EventRecord) or not recurring or not isinstance(blob, bytes):
        yield first
        return
    tzreg = item.props.get(p.TIMEZONE_STRUCT)
    try:
        series = parse_series(blob)
        zone = zone_of(tzreg if isinstance(tzreg, bytes) else None, series.first, first.start)
    except PatternError:
        yield first  # with its repair: the series' first occurrence is all that could be read
        return
    try:
        for original, start, end in occurrences(series, zone, window, MAX_OCCURRENCES):
            occurrence = original.isoformat()
            yield replace(first, start=start, end=end, occurrence=occurrence, repairs=())
    except PatternError as error:
        yield RowError(item.file, item.locator, f"recurring meeting: {error}, rest skipped")


def _partstat(recipient: Properties) -> str:
    status = recipient.get(p.RECIPIENT_TRACK_STATUS)
    return _PARTSTAT.get(status, "NEEDS-ACTION") if isinstance(status, int) else "NEEDS-ACTION"


# --- mail ---------------------------------------------------------------------------------------


def message_record(item: OutlookItem) -> MessageHeaders | SkippedItem | RowError:
    """A sent or received message's metadata, from its transport headers or else its properties.

    A message never sent (a draft, or one waiting in the outbox) is no interaction.
    """
    props = item.props
    flags = props.get(p.MESSAGE_FLAGS)
    sender, _ = _sender(props)
    if (isinstance(flags, int) and flags & p.MSGFLAG_UNSENT) or not (
        sender or props.get(p.CLIENT_SUBMIT_TIME) or props.get(p.TRANSPORT_HEADERS)
    ):
        return SkippedItem(item.file, item.locator, "draft (never sent)")
    headers = _text(props, p.TRANSPORT_HEADERS)
    if headers.strip():
        # Only From/To/Cc/Date and the thread's ids are taken from the block, never Subject.
        found = parse_header_block(headers.encode("utf-8"), file=item.file, locator=item.locator)
        if isinstance(found, MessageHeaders):
            return found
    block = header_block(item)
    return parse_header_block(block, file=item.file, locator=item.locator)


def header_block(item: OutlookItem) -> bytes:
    """The message's metadata written as the header block a mailbox would hold."""
    props = item.props
    lines: list[str] = []
    email, name = _sender(props)
    if email:
        lines.append(f"From: {_address(email, name)}")
    when = _moment(props, p.CLIENT_SUBMIT_TIME) or _moment(props, p.DELIVERY_TIME)
    if when is not None:
        lines.append(f"Date: {format_datetime(when)}")
    for field, kind in (("To", 1), ("Cc", 2)):
        addresses = [
            _address(*_recipient_address(r))
            for r in item.recipients
            if r.get(p.RECIPIENT_TYPE) == kind and _recipient_address(r)[0]
        ]
        if addresses:
            lines.append(f"{field}: {', '.join(addresses)}")
    for field, tag in (
        ("Message-ID", p.INTERNET_MESSAGE_ID),
        ("In-Reply-To", p.IN_REPLY_TO_ID),
        ("References", p.INTERNET_REFERENCES),
    ):
        value = _one_line(_text(props, tag))
        if value:
            lines.append(f"{field}: {value}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- shared -------------------------------------------------------------------------------------


def _sender(props: Properties) -> tuple[str, str]:
    """(email, name) of who the message is from: the represented mailbox, else the sender."""
    for smtp, kind, email, name in (
        (p.REPRESENTING_SMTP, p.REPRESENTING_ADDRTYPE, p.REPRESENTING_EMAIL, p.REPRESENTING_NAME),
        (p.SENDER_SMTP, p.SENDER_ADDRTYPE, p.SENDER_EMAIL, p.SENDER_NAME),
    ):
        address = _smtp_address(props, smtp, kind, email)
        if address:
            return address, _text(props, name)
    return "", ""


def _recipient_address(recipient: Properties) -> tuple[str, str]:
    address = _smtp_address(recipient, p.RECIPIENT_SMTP, p.RECIPIENT_ADDRTYPE, p.RECIPIENT_EMAIL)
    return address, _text(recipient, p.RECIPIENT_NAME)


def _smtp_address(props: Properties, smtp: int, kind: int, email: int) -> str:
    """The SMTP address: the dedicated property, else the address when its type is SMTP."""
    address = _text(props, smtp)
    if "@" in address:
        return _one_line(address)
    address = _text(props, email)
    if "@" in address and _text(props, kind).upper() in ("SMTP", ""):
        return _one_line(address)
    return ""


def _address(email: str, name: str) -> str:
    return formataddr((_one_line(name), email)) if name and name != email else email


def _one_line(text: str) -> str:
    """Line breaks would start a new header field: a property's text never may."""
    return " ".join(text.split())


def _text(props: Properties, tag: int | p.NamedTag) -> str:
    value = props.get(tag)
    return value.strip() if isinstance(value, str) else ""


def _moment(props: Properties, tag: int | p.NamedTag) -> datetime | None:
    value = props.get(tag)
    return value if isinstance(value, datetime) else None


def _hex(value: PropertyValue | None) -> str:
    return value.hex() if isinstance(value, bytes) else ""
