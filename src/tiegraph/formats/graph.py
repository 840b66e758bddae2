"""Microsoft Graph items (JSON) as the plain records the file readers yield: contacts, messages'
metadata (sender, recipients, dates, Message-ID) and calendar occurrences. Subjects, bodies and
previews are never read, even when the server sends them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tiegraph.formats.records import (
    Address,
    Attendee,
    ContactRecord,
    EventRecord,
    MessageHeaders,
    RowError,
)

# What the message requests $select: nothing else of a message is asked for.
MESSAGE_FIELDS = "from,toRecipients,ccRecipients,receivedDateTime,sentDateTime,internetMessageId"
CONTACT_FIELDS = (
    "givenName,surname,displayName,middleName,nickName,emailAddresses,companyName,jobTitle,"
    "businessPhones,homePhones,mobilePhone"
)
PARTSTAT = {
    "accepted": "ACCEPTED",
    "organizer": "ACCEPTED",
    "declined": "DECLINED",
    "tentativelyAccepted": "TENTATIVE",
}


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _address(value: Any) -> Address | None:
    inner = value.get("emailAddress") if isinstance(value, dict) else None
    email = _text(inner.get("address")) if isinstance(inner, dict) else ""
    if "@" not in email:
        return None
    return Address(email.lower(), _text(inner.get("name")) if isinstance(inner, dict) else "")


def _addresses(values: Any) -> tuple[Address, ...]:
    found = (_address(v) for v in values) if isinstance(values, list) else ()
    return tuple(a for a in found if a is not None)


def _moment(value: Any) -> datetime | None:
    """An ISO 8601 instant ("2026-06-01T10:00:00Z") or Graph's {dateTime, timeZone} pair."""
    zone: Any = UTC
    if isinstance(value, dict):
        try:
            name = str(value.get("timeZone") or "UTC")
            zone = UTC if name == "UTC" else ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return None
        value = value.get("dateTime")
    if not isinstance(value, str):
        return None
    try:
        # Graph writes seven decimals; Python reads at most six.
        head, _, tail = value.rstrip("Z").partition(".")
        moment = datetime.fromisoformat(head + (f".{tail[:6]}" if tail else ""))
    except ValueError:
        return None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def message_headers(item: dict[str, Any], folder: str) -> MessageHeaders | RowError:
    locator = str(item.get("id") or "?")[:200]
    sender = _address(item.get("from"))
    when = _moment(item.get("sentDateTime")) or _moment(item.get("receivedDateTime"))
    if sender is None:
        return RowError(folder, locator, "no sender address")
    if when is None:
        return RowError(folder, locator, "no readable date")
    message_id = _text(item.get("internetMessageId")).strip("<>")
    return MessageHeaders(
        file=folder,
        locator=locator,
        message_id=message_id or f"graph-{locator}",
        date=when,
        sender=sender,
        to=_addresses(item.get("toRecipients")),
        cc=_addresses(item.get("ccRecipients")),
    )


def contact_record(item: dict[str, Any], source_format: str) -> ContactRecord | RowError:
    locator = str(item.get("id") or "?")[:200]
    emails = tuple(
        a.email for a in _addresses([{"emailAddress": e} for e in item.get("emailAddresses") or []])
    )
    phones = [
        *(item.get("businessPhones") or []),
        *(item.get("homePhones") or []),
        item.get("mobilePhone"),
    ]
    record = ContactRecord(
        source_format=source_format,
        file="Microsoft Graph contacts",
        locator=locator,
        first_name=_text(item.get("givenName")),
        last_name=_text(item.get("surname")),
        full_name=_text(item.get("displayName")),
        middle_name=_text(item.get("middleName")),
        nickname=_text(item.get("nickName")),
        emails=emails,
        phones=tuple(p for p in (_text(x) for x in phones) if p),
        company=_text(item.get("companyName")),
        title=_text(item.get("jobTitle")),
        source_uid=locator,
    )
    if not (record.full_name or record.first_name or record.last_name or emails):
        return RowError(record.file, locator, "a contact with neither name nor email")
    return record


def event_record(item: dict[str, Any], calendar: str) -> EventRecord | RowError:
    """One occurrence from calendarView (instances already expanded by the server)."""
    locator = str(item.get("id") or "?")[:200]
    start, end = _moment(item.get("start")), _moment(item.get("end"))
    if start is None or end is None:
        return RowError(calendar, locator, "no readable start or end")
    attendees = []
    for value in item.get("attendees") or []:
        address = _address(value)
        if address is not None:
            status = value.get("status") if isinstance(value.get("status"), dict) else {}
            response = str(status.get("response") or "")
            partstat = PARTSTAT.get(response, "NEEDS-ACTION")
            attendees.append(Attendee(address.email, address.name, partstat))
    series = _text(item.get("seriesMasterId"))
    return EventRecord(
        file=calendar,
        locator=locator,
        uid=_text(item.get("iCalUId")) or series or locator,
        start=start,
        end=end,
        organizer=_address(item.get("organizer")),
        attendees=tuple(attendees),
        occurrence=start.astimezone(UTC).isoformat() if series else "",
    )
