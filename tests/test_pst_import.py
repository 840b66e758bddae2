"""Importing Outlook PST files: contacts, meetings and mail through the same writes as files."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tiegraph.cli import main
from tiegraph.errors import InvalidInputError
from tiegraph.formats.pst import props as p
from tiegraph.formats.pst.items import OutlookItem, OutlookRecord, Properties, item_record
from tiegraph.services import pst_import
from tiegraph.services.activity.event_outcomes import ALONE
from tiegraph.services.activity.ingest import ingest_mail
from tiegraph.services.org.members import Member, add_member, get_member
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store, open_store
from tiegraph.store.schema import (
    activity_item,
    contact,
    contact_email,
    contact_source,
    interaction,
    tie,
)

pytest.importorskip("pypff")

SAMPLES = Path(__file__).parent / "fixtures" / "pst"
ALL = [SAMPLES / "dist-list.pst", SAMPLES / "200-recipients.pst", SAMPLES / "msgInMsg.pst"]
AUGUST_2016 = {
    "window_start": datetime(2016, 8, 1, tzinfo=UTC),
    "window_end": datetime(2016, 9, 1, tzinfo=UTC),
}


def _ana(store: Store) -> tuple[Org, Member]:
    org = resolve_org(store)
    add_member(store, org, email="ana@us.example", name="Ana Lima")
    add_member(store, org, email="bo@us.example", name="Bo Chen")
    return org, get_member(store, org, "ana@us.example")


def _counts(store: Store) -> tuple[int, ...]:
    with store.read() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (contact, contact_source, contact_email, activity_item, interaction)
        )


def test_samples_import_with_their_counts_and_again_change_nothing(store: Store) -> None:
    org, ana = _ana(store)
    report = pst_import.import_pst(store, org, ana, ALL, **AUGUST_2016)
    dist, two_hundred, msg_in_msg = (f.as_dict() for f in report.files)
    assert dist["contacts"]["attempted"] == 1 and dist["contacts"]["private"] == 1
    # One weekly meeting: its four occurrences of August (one cancelled). The sample's
    # appointment has no attendees: no one to have met.
    assert dist["meetings"]["events"] == 1 and dist["meetings"]["occurrences"] == 4
    assert dist["meetings"]["skipped_reasons"] == {ALONE: 1}
    assert dist["skipped"] == {"distribution list": 1, "free/busy data": 1}
    for drafts in (two_hundred, msg_in_msg):
        assert drafts["skipped"] == {"draft (never sent)": 1}
        assert drafts["mail"]["messages"] == 0 and drafts["contacts"]["attempted"] == 0
    assert all(not f.rejected for f in report.files)
    with store.read() as conn:
        row = conn.execute(
            select(
                contact.c.first_name, contact.c.last_name, contact.c.status, contact_email.c.email
            )
            .join(contact_email, contact_email.c.contact_id == contact.c.id)
            .where(contact.c.member_id == ana.id)
        ).one()
    assert tuple(row) == ("contact", "1", "private", "contact1@rjohnson.id.au")
    before = _counts(store)
    again = pst_import.import_pst(store, org, ana, ALL, **AUGUST_2016).files[0].contacts
    assert (again.attempted, again.imported, again.unchanged) == (1, 0, 1)
    assert _counts(store) == before


def test_a_damaged_pst_reports_the_item_and_keeps_the_rest(store: Store, tmp_path: Path) -> None:
    org, ana = _ana(store)
    raw = (SAMPLES / "dist-list.pst").read_bytes()
    damaged = tmp_path / "damaged.pst"
    damaged.write_bytes(raw[:0x24400] + b"\xff" * 4096 + raw[0x24400 + 4096 :])  # the calendar
    (result,) = pst_import.import_pst(store, org, ana, [damaged]).files
    assert [(r.locator, r.reason.split(":")[0]) for r in result.rejected] == [
        ("/Top of Personal Folders/Calendar", "unreadable folder")
    ]
    assert result.contacts.private == 1 and result.skipped["distribution list"] == 1
    assert "1 unreadable or rejected items" in result.summary()


WHEN = datetime(2026, 10, 7, 9, 0, tzinfo=UTC)
RECEIVED = (
    "From: Pat Doe <pat@acme.example>\r\nTo: ana@us.example\r\nSubject: secret plans\r\n"
    "Date: Mon, 05 Oct 2026 10:00:00 +0000\r\nMessage-ID: <m1@x>\r\n\r\n"
)


def _smtp(kind: int, email: str) -> Properties:
    return {p.RECIPIENT_TYPE: kind, p.RECIPIENT_ADDRTYPE: "SMTP", p.RECIPIENT_EMAIL: email}


def _outlook_items(path: Path, **window: datetime) -> Iterator[OutlookRecord]:
    """What a real mailbox's PST would hold: pypff cannot write one, so its items are built."""
    sent: Properties = {
        p.MESSAGE_CLASS: "IPM.Note",
        p.SENDER_SMTP: "ana@us.example",
        p.CLIENT_SUBMIT_TIME: WHEN,
        p.INTERNET_MESSAGE_ID: "<m5@us.example>",
    }
    meeting: Properties = {
        p.MESSAGE_CLASS: "IPM.Appointment",
        p.APPOINTMENT_START: WHEN,
        p.APPOINTMENT_END: WHEN.replace(hour=10),
        p.GLOBAL_OBJECT_ID: b"\x04\x00\x01",
        p.REPRESENTING_SMTP: "ana@us.example",
    }
    for index, (props, recipients) in enumerate(
        [
            ({p.MESSAGE_CLASS: "IPM.Note", p.TRANSPORT_HEADERS: RECEIVED}, ()),
            (sent, (_smtp(1, "pat@acme.example"), _smtp(2, "bo@us.example"))),
            (meeting, ({**_smtp(1, "pat@acme.example"), p.RECIPIENT_TRACK_STATUS: 3},)),
        ],
        start=1,
    ):
        yield item_record(OutlookItem(str(path), f"/Inbox item {index}", props, recipients))


def test_mail_and_meetings_count_once_with_a_mailbox_and_keep_no_subject(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org, ana = _ana(sqlite_store)
    mbox = tmp_path / "ana.mbox"
    mbox.write_text(f"From pat@acme.example Mon Oct  5 10:00:00 2026\n{RECEIVED}body\n")
    assert ingest_mail(sqlite_store, org, [mbox]).interactions == 1
    monkeypatch.setattr(pst_import, "iter_outlook_items", _outlook_items)
    pst = tmp_path / "ana.pst"
    pst.write_bytes(b"")
    (first,) = pst_import.import_pst(sqlite_store, org, ana, [pst]).files
    assert (first.mail.read, first.mail.duplicates) == (2, 1)  # m1 was in the mailbox
    # m5: ana->pat, ana->bo, bo<-ana; the meeting: ana->pat
    assert (first.mail.interactions, first.meetings.interactions) == (3, 1)
    (again,) = pst_import.import_pst(sqlite_store, org, ana, [pst]).files
    assert (again.mail.interactions, again.meetings.interactions) == (0, 0)
    assert (again.mail.duplicates, again.meetings.duplicates) == (2, 1)
    sqlite_store.dispose()
    stored = b"".join(f.read_bytes() for f in tmp_path.glob("tiegraph.db*"))
    assert b"secret" not in stored and "secret".encode("utf-16-le") not in stored


def test_an_item_per_transaction_imports_what_one_transaction_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PST's mail and meetings commit about every second: cut at every item, the same
    interactions, ties and report."""
    monkeypatch.setattr(pst_import, "iter_outlook_items", _outlook_items)
    pst = tmp_path / "ana.pst"
    pst.write_bytes(b"")
    found = []
    for seconds in (float("inf"), 0.0):
        store = open_store(f"sqlite:///{tmp_path / f'{seconds}.db'}")
        store.commit_seconds = seconds
        org, ana = _ana(store)
        (report,) = pst_import.import_pst(store, org, ana, [pst]).files
        with store.read() as conn:
            ties = conn.execute(
                select(tie.c.member_id, tie.c.person_id, tie.c.score).order_by(
                    tie.c.member_id, tie.c.person_id
                )
            ).all()
        found.append((report.as_dict(), _counts(store), [tuple(t) for t in ties]))
        store.dispose()
    whole, cut = found
    assert cut == whole and whole[0]["ties"] == 3


def test_subjects_and_bodies_of_the_samples_never_reach_the_database(tmp_path: Path) -> None:
    db = tmp_path / "tiegraph.db"
    assert main_ok("init", "--db", f"sqlite:///{db}")
    assert main_ok(
        "member", "add", "--email", "ana@us.example", "--name", "Ana", "--db", f"sqlite:///{db}"
    )
    assert main_ok(
        "import", "pst", *map(str, ALL), "--member", "ana@us.example", "--db", f"sqlite:///{db}"
    )
    stored = b"".join(f.read_bytes() for f in tmp_path.glob("tiegraph.db*"))
    assert b"contact1@rjohnson.id.au" in stored  # the contact was written
    for text in (
        "Test appointment",
        "This is a complete test",
        "200 recipients",
        "I have attachments",
    ):
        assert text.encode() not in stored and text.encode("utf-16-le") not in stored


def main_ok(*argv: str) -> bool:
    try:
        main(list(argv))
    except SystemExit as exc:
        return not exc.code
    return True


def test_cli_prints_one_report_and_json(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    assert main_ok("member", "add", "--email", "ana@us.example", "--name", "Ana", "--db", db_url)
    capsys.readouterr()
    args = ("import", "pst", *map(str, ALL), "--member", "ana@us.example", "--db", db_url)
    assert main_ok(*args)
    out = capsys.readouterr().out
    assert "Outlook (dist-list.pst):" in out and "contacts: 0 of 1 matched" in out
    assert "skipped: 1 distribution list, 1 free/busy data" in out
    assert out.count("1 draft (never sent)") == 2
    assert main_ok(*args, "--json")
    files = json.loads(capsys.readouterr().out)["files"]
    assert [f["contacts"]["unchanged"] for f in files] == [1, 0, 0]


def test_missing_reader_or_file_is_a_clear_error(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org, ana = _ana(sqlite_store)
    with pytest.raises(InvalidInputError, match="no such file"):
        pst_import.import_pst(sqlite_store, org, ana, [tmp_path / "gone.pst"])
    monkeypatch.setitem(sys.modules, "pypff", None)
    with pytest.raises(pst_import.PstReaderNotInstalled, match=r"pip install 'tiegraph\[pst\]'"):
        pst_import.import_pst(sqlite_store, org, ana, ALL)
