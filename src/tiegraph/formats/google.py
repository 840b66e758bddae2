"""Google People persons and Calendar events (JSON) as the plain records the file readers yield.
Only names, addresses, phones, employers, times and attendees are read; an event's summary and
description are not even asked for (the request's `fields` leaves them out)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tiegraph.formats.records import Address, Attendee, ContactRecord, EventRecord, RowError

PERSON_FIELDS = "names,emailAddresses,organizations,phoneNumbers,nicknames"
EVENT_FIELDS = (
    "items(id,iCalUID,status,start,end,organizer(email,displayName),"
    "attendees(email,displayName,responseStatus),recurringEventId,originalStartTime),"
    "nextPageToken,nextSyncToken"
)
PARTSTAT = {"accepted": "ACCEPTED", "declined": "DECLINED", "tentative": "TENTATIVE"}


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _first(values: Any) -> dict[str, Any]:
    if isinstance(values, list):
        for value in values:
            if isinstance(value, dict):
                return value
    return {}


def _all(values: Any, key: str) -> tuple[str, ...]:
    found = (
        (_text(v.get(key)) for v in values if isinstance(v, dict))
        if isinstance(values, list)
        else ()
    )
    return tuple(dict.fromkeys(v for v in found if v))


def contact_record(person: dict[str, Any], source_format: str) -> ContactRecord | RowError:
    locator = _text(person.get("resourceName")) or "?"
    name, organization = _first(person.get("names")), _first(person.get("organizations"))
    emails = tuple(e.lower() for e in _all(person.get("emailAddresses"), "value") if "@" in e)
    record = ContactRecord(
        source_format=source_format,
        file="Google People connections",
        locator=locator,
        first_name=_text(name.get("givenName")),
        last_name=_text(name.get("familyName")),
        full_name=_text(name.get("displayName")),
        middle_name=_text(name.get("middleName")),
        nickname=_text(_first(person.get("nicknames")).get("value")),
        emails=emails,
        phones=_all(person.get("phoneNumbers"), "value"),
        company=_text(organization.get("name")),
        title=_text(organization.get("title")),
        source_uid=locator,
    )
    if not (record.full_name or record.first_name or record.last_name or emails):
        return RowError(record.file, locator, "a contact with neither name nor email")
    return record


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, dict):
        return None
    text = value.get("dateTime") or value.get("date")  # an all-day event has a date only
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _address(value: Any) -> Address | None:
    email = _text(value.get("email")) if isinstance(value, dict) else ""
    return Address(email.lower(), _text(value.get("displayName"))) if "@" in email else None


def event_record(event: dict[str, Any], calendar: str) -> EventRecord | RowError:
    """One event, or one occurrence of a recurring one (the request asks singleEvents)."""
    locator = _text(event.get("id")) or "?"
    start, end = _moment(event.get("start")), _moment(event.get("end"))
    if start is None or end is None:
        return RowError(calendar, locator, "no readable start or end")
    attendees = []
    for value in event.get("attendees") or []:
        address = _address(value)
        if address is not None:
            status = PARTSTAT.get(str(value.get("responseStatus")), "NEEDS-ACTION")
            attendees.append(Attendee(address.email, address.name, status))
    recurring = _text(event.get("recurringEventId"))
    return EventRecord(
        file=calendar,
        locator=locator,
        uid=_text(event.get("iCalUID")) or recurring or locator,
        start=start,
        end=end,
        organizer=_address(event.get("organizer")),
        attendees=tuple(attendees),
        occurrence=start.astimezone(UTC).isoformat() if recurring else "",
    )
