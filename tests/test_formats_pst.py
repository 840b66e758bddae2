"""Reading Outlook PST files: the real samples, damaged copies, and items built from properties."""

from __future__ import annotations

import struct
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tiegraph.formats.pst import PstReaderMissing, iter_outlook_items, load_pypff
from tiegraph.formats.pst import props as p
from tiegraph.formats.pst.items import (
    RECURRING_REPAIR,
    OutlookItem,
    Properties,
    event_records,
    item_record,
)
from tiegraph.formats.records import (
    ContactRecord,
    EventRecord,
    MessageHeaders,
    RowError,
    SkippedItem,
)

pytest.importorskip("pypff")

SAMPLES = Path(__file__).parent / "fixtures" / "pst"
CONTACTS = "/Top of Personal Folders/Contacts"


AUGUST_2016 = (datetime(2016, 8, 1, tzinfo=UTC), datetime(2016, 9, 1, tzinfo=UTC))


def _read(path: Path, window: tuple[datetime, datetime] = AUGUST_2016) -> list[object]:
    return list(iter_outlook_items(path, window_start=window[0], window_end=window[1]))


def test_dist_list_sample_holds_a_contact_a_meeting_and_two_skips() -> None:
    records = _read(SAMPLES / "dist-list.pst")
    contacts = [r for r in records if isinstance(r, ContactRecord)]
    events = [r for r in records if isinstance(r, EventRecord)]
    skipped = {r.locator: r.reason for r in records if isinstance(r, SkippedItem)}
    assert len(records) == 3 + len(events)
    assert skipped == {
        f"{CONTACTS} item 1": "distribution list",
        "/Freebusy Data item 1": "free/busy data",
    }
    (contact,) = contacts
    assert (contact.first_name, contact.last_name, contact.middle_name) == ("contact", "1", "name")
    assert contact.full_name == "contact name 1"
    assert contact.emails == ("contact1@rjohnson.id.au",)
    assert contact.source_format == "pst"
    assert contact.locator == f"{CONTACTS} item 2"
    assert contact.source_uid  # the search key: stable inside the file
    # "every Tuesday from 8:00 AM to 8:30 AM", Pacific time, from 2 August 2016: the 9th
    # cancelled, the 23rd moved to 9:00 and the 30th to 10:00.
    assert [(e.start.isoformat(), e.end - e.start) for e in events] == [
        ("2016-08-02T15:00:00+00:00", timedelta(minutes=30)),
        ("2016-08-16T15:00:00+00:00", timedelta(minutes=30)),
        ("2016-08-23T16:00:00+00:00", timedelta(minutes=30)),
        ("2016-08-30T17:00:00+00:00", timedelta(minutes=30)),
    ]
    assert [e.occurrence[:16] for e in events] == [
        "2016-08-02T15:00",
        "2016-08-16T15:00",
        "2016-08-23T15:00",  # where the series had it: the same id as in an .ics export
        "2016-08-30T15:00",
    ]
    assert {e.uid for e in events} == {events[0].uid}
    assert events[0].uid.startswith("040000008200E00074C5B7101A82E008")  # its GlobalObjectId
    assert all(e.organizer is None and e.attendees == () and not e.repairs for e in events)


def test_a_series_follows_its_zone_out_of_daylight_time() -> None:
    window = (datetime(2016, 10, 30, tzinfo=UTC), datetime(2016, 11, 10, tzinfo=UTC))
    starts = [
        r.start for r in _read(SAMPLES / "dist-list.pst", window) if isinstance(r, EventRecord)
    ]
    # Pacific daylight time ended on 6 November 2016: 8:00 is 15:00 UTC, then 16:00.
    assert starts == [datetime(2016, 11, 1, 15, tzinfo=UTC), datetime(2016, 11, 8, 16, tzinfo=UTC)]


@pytest.mark.parametrize("name", ["200-recipients.pst", "msgInMsg.pst"])
def test_unsent_messages_are_skipped_as_drafts(name: str) -> None:
    (record,) = _read(SAMPLES / name)
    assert isinstance(record, SkippedItem)
    assert record.reason == "draft (never sent)"


def _damaged(tmp_path: Path, offset: int) -> Path:
    raw = (SAMPLES / "dist-list.pst").read_bytes()
    path = tmp_path / "damaged.pst"
    path.write_bytes(raw[:offset] + b"\xff" * 4096 + raw[offset + 4096 :])
    return path


def test_a_damaged_item_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    records = _read(_damaged(tmp_path, 0x16400))  # the contact's data block
    errors = [r for r in records if isinstance(r, RowError)]
    # The damaged block also held a root folder's name: that folder is reported too.
    assert [e.locator for e in errors] == [f"{CONTACTS} item 2", "/ folder 3"]
    assert errors[0].reason.startswith("unreadable item")
    assert any(isinstance(r, EventRecord) for r in records)
    assert {r.reason for r in records if isinstance(r, SkippedItem)} == {
        "distribution list",
        "free/busy data",
    }


def test_a_damaged_folder_is_reported_and_the_others_read(tmp_path: Path) -> None:
    records = _read(_damaged(tmp_path, 0x24400))  # the calendar folder's table
    errors = [r for r in records if isinstance(r, RowError)]
    assert [(e.locator, e.reason.split(":")[0]) for e in errors] == [
        ("/Top of Personal Folders/Calendar", "unreadable folder")
    ]
    assert [r.emails for r in records if isinstance(r, ContactRecord)] == [
        ("contact1@rjohnson.id.au",)
    ]


def test_a_truncated_or_foreign_file_is_one_error(tmp_path: Path) -> None:
    half = tmp_path / "half.pst"
    half.write_bytes((SAMPLES / "dist-list.pst").read_bytes()[:100_000])
    text = tmp_path / "notes.pst"
    text.write_text("not outlook at all\n")
    for path, reason in ((half, "not a readable PST/OST file"), (text, "not an Outlook PST/OST")):
        (error,) = _read(path)
        assert isinstance(error, RowError)
        assert (error.locator, error.reason.startswith(reason)) == ("file", True)


def test_missing_reader_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pypff", None)
    with pytest.raises(PstReaderMissing, match=r"pip install 'tiegraph\[pst\]'"):
        load_pypff()


def test_named_property_numbering_from_the_name_to_id_streams() -> None:
    other = uuid.UUID("12345678-1234-1234-1234-123456789abc")
    guids = p.ADDRESS_SET.bytes_le + other.bytes_le
    entries = (
        struct.pack("<IHH", 0x8083, 3 << 1, 0x27)  # Email1 in the first stored set
        + struct.pack("<IHH", 0x10, (4 << 1) | 1, 0x28)  # named by a string: left out
        + struct.pack("<IHH", 0x9999, 4 << 1, 0x29)
    )
    assert p.named_tag_numbers(guids, entries) == {
        0x8027: (p.ADDRESS_SET, 0x8083),
        0x8029: (other, 0x9999),
    }


# --- items built from properties, as the reader hands them over -------------------------------

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _item(props: Properties, *recipients: Properties) -> OutlookItem:
    return OutlookItem("box.pst", "/Inbox item 1", props, recipients)


def _recipient(kind: int, email: str, name: str = "", addrtype: str = "SMTP") -> Properties:
    return {
        p.RECIPIENT_TYPE: kind,
        p.RECIPIENT_EMAIL: email,
        p.RECIPIENT_NAME: name,
        p.RECIPIENT_ADDRTYPE: addrtype,
    }


def test_a_received_message_is_read_from_its_transport_headers() -> None:
    headers = (
        "Received: from mx\r\nFrom: Pat Doe <pat@acme.example>\r\nTo: ana@us.example\r\n"
        "Subject: secret plans\r\nDate: Mon, 2 Mar 2026 09:30:00 +0000\r\n"
        "Message-ID: <m1@acme.example>\r\nIn-Reply-To: <m0@us.example>\r\n\r\n"
    )
    record = item_record(_item({p.MESSAGE_CLASS: "IPM.Note", p.TRANSPORT_HEADERS: headers}))
    assert isinstance(record, MessageHeaders)
    assert (record.sender.email, record.message_id, record.in_reply_to) == (
        "pat@acme.example",
        "<m1@acme.example>",
        "<m0@us.example>",
    )
    assert record.date == WHEN and [a.email for a in record.to] == ["ana@us.example"]
    assert "secret" not in repr(record)


def test_a_sent_message_is_read_from_its_properties() -> None:
    props: Properties = {
        p.MESSAGE_CLASS: "IPM.Note",
        p.MESSAGE_FLAGS: 0x1,
        p.SENDER_ADDRTYPE: "EX",
        p.SENDER_EMAIL: "/o=Org/ou=Exchange/cn=Recipients/cn=ana",
        p.SENDER_SMTP: "ana@us.example",
        p.SENDER_NAME: "Lima, Ana",
        p.CLIENT_SUBMIT_TIME: WHEN,
        p.INTERNET_MESSAGE_ID: "<m2@us.example>",
        p.INTERNET_REFERENCES: "<m0@us.example> <m1@acme.example>",
    }
    record = item_record(
        _item(
            props,
            _recipient(1, "pat@acme.example", "Pat\r\nBcc: evil@x.example"),
            _recipient(2, "/o=Org/cn=lee", "Lee Roe", "EX"),
            {**_recipient(2, "/o=Org/cn=bo", "Bo Chen", "EX"), p.RECIPIENT_SMTP: "bo@us.example"},
            _recipient(3, "hidden@acme.example"),
        )
    )
    assert isinstance(record, MessageHeaders)
    assert (record.sender.email, record.sender.name) == ("ana@us.example", "Lima, Ana")
    assert [(a.email, a.name) for a in record.to] == [
        ("pat@acme.example", "Pat Bcc: evil@x.example")
    ]
    assert [a.email for a in record.cc] == ["bo@us.example"]  # Exchange-only Lee: no address
    assert record.date == WHEN and record.message_id == "<m2@us.example>"
    assert record.references == ("<m0@us.example>", "<m1@acme.example>")


def test_a_message_without_any_smtp_sender_is_rejected_with_its_place() -> None:
    props: Properties = {
        p.MESSAGE_CLASS: "IPM.Note",
        p.SENDER_ADDRTYPE: "EX",
        p.SENDER_EMAIL: "/o=Org/cn=x",
        p.CLIENT_SUBMIT_TIME: WHEN,
    }
    record = item_record(_item(props))
    assert record == RowError("box.pst", "/Inbox item 1", "no From address")


def test_unsent_message_and_other_kinds_are_skipped_by_reason() -> None:
    draft = {p.MESSAGE_CLASS: "IPM.Note", p.MESSAGE_FLAGS: 0x9, p.SENDER_SMTP: "ana@us.example"}
    reasons = [
        item_record(_item(props)).reason  # type: ignore[union-attr]
        for props in (
            draft,
            {p.MESSAGE_CLASS: "IPM.Note"},
            {p.MESSAGE_CLASS: "IPM.DistList"},
            {p.MESSAGE_CLASS: "IPM.Task"},
            {p.MESSAGE_CLASS: "REPORT.IPM.Note.NDR"},
            {p.MESSAGE_CLASS: "IPM.Mystery"},
            {},
        )
    ]
    assert reasons == [
        "draft (never sent)",
        "draft (never sent)",
        "distribution list",
        "task",
        "delivery or read report",
        "other item (ipm.mystery)",
        "no message class: not an Outlook item",
    ]


def test_a_meeting_with_attendees_and_their_answers() -> None:
    props: Properties = {
        p.MESSAGE_CLASS: "IPM.Appointment",
        p.APPOINTMENT_START: WHEN,
        p.APPOINTMENT_END: datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
        p.GLOBAL_OBJECT_ID: bytes.fromhex("0400000082"),
        p.REPRESENTING_SMTP: "ana@us.example",
        p.REPRESENTING_NAME: "Ana Lima",
    }
    accepted = {**_recipient(1, "pat@acme.example", "Pat"), p.RECIPIENT_TRACK_STATUS: 3}
    declined = {**_recipient(2, "lee@acme.example"), p.RECIPIENT_TRACK_STATUS: 4}
    record = item_record(_item(props, accepted, declined))
    assert isinstance(record, EventRecord)
    assert record.uid == "0400000082" and record.organizer is not None
    assert record.organizer.email == "ana@us.example"
    assert [(a.email, a.partstat) for a in record.attendees] == [
        ("pat@acme.example", "ACCEPTED"),
        ("lee@acme.example", "DECLINED"),
    ]
    cancelled = item_record(_item({**props, p.APPOINTMENT_STATE: 0x5}))
    assert isinstance(cancelled, SkippedItem) and cancelled.reason == "cancelled meeting"
    no_start = item_record(_item({p.MESSAGE_CLASS: "IPM.Appointment"}))
    assert isinstance(no_start, RowError)


def test_a_contact_keeps_smtp_addresses_only() -> None:
    props: Properties = {
        p.MESSAGE_CLASS: "IPM.Contact",
        p.GIVEN_NAME: "Pat",
        p.SURNAME: "Doe",
        p.COMPANY: "Acme Corp",
        p.TITLE: "VP Sales",
        p.EMAILS[0]: "/o=Org/cn=pat",
        p.EMAIL_TYPES[0]: "EX",
        p.EMAILS[1]: "pat@acme.example",
        p.PHONES[0]: "+1 415 555 0100",
    }
    record = item_record(_item(props))
    assert isinstance(record, ContactRecord)
    assert record.emails == ("pat@acme.example",)
    assert (record.company, record.title, record.phones) == (
        "Acme Corp",
        "VP Sales",
        ("+1 415 555 0100",),
    )


# --- recurrence patterns built by hand (MS-OXOCAL 2.2.1.44) ------------------------------------


def _minutes(moment: datetime) -> int:
    return int((moment - datetime(1601, 1, 1)).total_seconds() // 60)


def _pattern(kind: int, period: int, specific: bytes, end: tuple[int, int, datetime]) -> bytes:
    """A recurrence blob starting on 2 March 2026 at 9:00 local, lasting 45 minutes."""
    end_type, count, end_day = end
    return (
        struct.pack("<HHHHHII", 0x3004, 0x3004, 0x200C, kind, 0, 0, period)
        + struct.pack("<I", 0)
        + specific
        + struct.pack("<IIIII", end_type, count, 1, 0, 0)
        + struct.pack("<II", _minutes(datetime(2026, 3, 2)), _minutes(end_day))
        + struct.pack("<IIIIH", 0x3006, 0x3008, 540, 585, 0)
    )


def _series_item(blob: bytes) -> OutlookItem:
    props: Properties = {
        p.MESSAGE_CLASS: "IPM.Appointment",
        p.APPOINTMENT_START: datetime(2026, 3, 2, 9, tzinfo=UTC),  # no TZREG: UTC is its zone
        p.APPOINTMENT_END: datetime(2026, 3, 2, 9, 45, tzinfo=UTC),
        p.GLOBAL_OBJECT_ID: b"\x04\x00",
        p.RECURRING: True,
        p.RECURRENCE_PATTERN: blob,
    }
    return OutlookItem("box.pst", "/Calendar item 1", props)


YEAR_2026 = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


def test_monthly_on_the_last_friday_three_times() -> None:
    blob = _pattern(0x3, 1, struct.pack("<II", 1 << 5, 5), (0x2022, 3, datetime(2026, 5, 29)))
    events = list(event_records(_series_item(blob), YEAR_2026))
    assert [(e.start.date().isoformat(), e.end - e.start) for e in events] == [  # type: ignore[union-attr]
        ("2026-03-27", timedelta(minutes=45)),
        ("2026-04-24", timedelta(minutes=45)),
        ("2026-05-29", timedelta(minutes=45)),
    ]


def test_every_other_day_until_a_date() -> None:
    blob = _pattern(0x0, 2 * 1440, b"", (0x2021, 0, datetime(2026, 3, 8)))
    starts = [e.start.day for e in event_records(_series_item(blob), YEAR_2026)]  # type: ignore[union-attr]
    assert starts == [2, 4, 6, 8]


def test_an_unreadable_pattern_keeps_the_first_occurrence_and_says_so() -> None:
    blob = _pattern(0x1, 1, struct.pack("<I", 0b10), (0x2023, 0, datetime(2026, 3, 2)))[:30]
    (event,) = event_records(_series_item(blob), YEAR_2026)
    assert isinstance(event, EventRecord)
    assert event.start == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert event.repairs == (RECURRING_REPAIR,)


def test_ansi_strings_are_decoded_in_their_items_code_page() -> None:
    from tiegraph.formats.pst.reader import codec_of, decode_ansi

    assert decode_ansi("Müller".encode("cp1252") + b"\x00junk", codec_of(1252)) == "Müller"
    assert decode_ansi("山田".encode("cp932"), codec_of(932)) == "山田"
    assert decode_ansi("Łódź".encode("cp1250"), codec_of(1250)) == "Łódź"
    assert codec_of(None) == codec_of(99999) == "cp1252"  # unknown: Outlook's western default
    assert decode_ansi("é".encode(), codec_of(65001)) == "é"
