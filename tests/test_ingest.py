"""Ingesting mail, meetings and calls into interactions and ties, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tiegraph.errors import InvalidInputError
from tiegraph.services.activity.ingest import ingest_calendar, ingest_calls, ingest_mail
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.insights.who_knows import who_knows
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store
from tiegraph.store.schema import interaction, person, tie

DIRECTORY = [
    {"type": "company", "id": "C1", "name": "Acme Corp", "domains": ["acme.example"]},
    {
        "type": "person",
        "id": "P1",
        "first_name": "Pat",
        "last_name": "Doe",
        "emails": ["pat@acme.example"],
        "phones": ["+1 415 555 0100"],
        "employment": [{"company_id": "C1", "title": "VP Sales", "start": "2020"}],
    },
    {
        "type": "person",
        "id": "P2",
        "first_name": "Lee",
        "last_name": "Roe",
        "emails": ["lee@acme.example"],
        "employment": [{"company_id": "C1", "start": "2021"}],
    },
]


def _message(mid: str, sender: str, to: str, when: str, cc: str = "", reply: str = "") -> str:
    lines = [f"From {sender} {when}", f"From: {sender}", f"To: {to}"]
    if cc:
        lines.append(f"Cc: {cc}")
    lines += [f"Date: {when}", f"Message-ID: <{mid}>", "Subject: secret plans"]
    if reply:
        lines.append(f"In-Reply-To: <{reply}>")
    return "\n".join([*lines, "", "The body says nothing we keep.", "", ""])


def _org(store: Store, tmp_path: Path) -> Org:
    org = resolve_org(store)
    path = tmp_path / "directory.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in DIRECTORY) + "\n", encoding="utf-8")
    import_directory(store, org, [path])
    add_member(store, org, email="ana@us.example", name="Ana Lima")
    add_member(store, org, email="bo@us.example", name="Bo Chen", addresses=("bo@home.example",))
    return org


def _mailboxes(tmp_path: Path) -> tuple[Path, Path]:
    ana = tmp_path / "ana.mbox"
    ana.write_text(
        _message("m1@x", "ana@us.example", "pat@acme.example", "Mon, 05 Oct 2026 10:00:00 +0000")
        + _message(
            "m2@x",
            "Pat Doe <pat@acme.example>",
            "ana@us.example",
            "Tue, 06 Oct 2026 09:00:00 +0000",
            reply="m1@x",
        )
        + _message(
            "m3@x",
            "ana@us.example",
            "bo@us.example",
            "Wed, 07 Oct 2026 09:00:00 +0000",
            cc="newbie@acme.example",
        )
        + _message(
            "m4@x", "news@list.example", "someone@else.example", "Thu, 08 Oct 2026 09:00:00 +0000"
        ),
        encoding="utf-8",
    )
    bo = tmp_path / "bo.mbox"  # m3 again: the same message in another mailbox counts once
    bo.write_text(
        _message(
            "m3@x",
            "ana@us.example",
            "bo@us.example",
            "Wed, 07 Oct 2026 09:00:00 +0000",
            cc="newbie@acme.example",
        )
        + "From nobody Thu Oct  8 09:00:00 2026\nTo: bo@us.example\nDate: nonsense\n\nbody\n",
        encoding="utf-8",
    )
    return ana, bo


def test_mail_ingest_dedupes_resolves_and_scores(store: Store, tmp_path: Path) -> None:
    org = _org(store, tmp_path)
    ana, bo = _mailboxes(tmp_path)
    report = ingest_mail(store, org, [ana, bo])
    d = report.as_dict()
    assert d["messages"] == 6 and d["duplicates"] == 1 and d["skipped"] == 1
    assert len(d["rejected"]) == 1 and d["rejected"][0]["file"].endswith("bo.mbox")
    # m1: ana->pat; m2: pat->ana; m3: ana->bo, ana->newbie, bo<-ana
    assert d["interactions"] == 5
    # newbie@acme.example is in no directory: a person from correspondence, known at once
    assert d["unresolved"] == 0 and d["persons_from_correspondence"] == 1
    with store.read() as conn:
        directions = conn.execute(
            select(interaction.c.direction, interaction.c.thread_reply).order_by(
                interaction.c.occurred_at, interaction.c.id
            )
        ).all()
        assert [tuple(r) for r in directions][:2] == [("out", False), ("in", True)]
        assert conn.execute(select(func.count()).select_from(tie)).scalar_one() == 4
    answer = who_knows(store, org, ["PAT@acme.example", "nobody@nowhere.example"])
    assert [k.member_email for k in answer[0].knowers] == ["ana@us.example"]
    assert answer[0].name == "Pat Doe" and answer[0].knowers[0].reasons
    assert answer[1].knowers == ()
    again = ingest_mail(store, org, [ana, bo])  # re-ingesting changes nothing
    assert again.interactions == 0 and again.duplicates == 4


def test_a_big_mailbox_read_in_a_second_process_gives_the_same_result(
    sqlite_store: Store, tmp_path: Path
) -> None:
    org = _org(sqlite_store, tmp_path)
    ana, bo = _mailboxes(tmp_path)
    report = ingest_mail(sqlite_store, org, [ana, bo], read_ahead_bytes=0)
    d = report.as_dict()
    assert (d["messages"], d["duplicates"], d["interactions"], len(d["rejected"])) == (6, 1, 5, 1)


def test_a_missing_mailbox_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    org = _org(store, tmp_path)
    with pytest.raises(InvalidInputError, match="no such file"):
        ingest_mail(store, org, [tmp_path / "nope.mbox"])


def test_a_correspondent_is_known_at_once_and_the_directory_adopts_it(
    store: Store, tmp_path: Path
) -> None:
    org = _org(store, tmp_path)
    ingest_mail(store, org, list(_mailboxes(tmp_path)))
    knowers = who_knows(store, org, ["newbie@acme.example"])[0].knowers
    assert [k.member_email for k in knowers] == ["ana@us.example"]
    with store.read() as conn:
        persons_before = conn.execute(select(func.count()).select_from(person)).scalar_one()
    later = tmp_path / "later.jsonl"
    later.write_text(
        json.dumps(
            {
                "type": "person",
                "id": "P3",
                "full_name": "New Bie",
                "emails": ["newbie@acme.example"],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    import_directory(store, org, [later])
    answer = who_knows(store, org, ["newbie@acme.example"])[0]
    assert [k.member_email for k in answer.knowers] == ["ana@us.example"]
    assert answer.name == "New Bie"
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(person)).scalar_one() == persons_before


def test_as_of_uses_only_interactions_before_the_date(store: Store, tmp_path: Path) -> None:
    org = _org(store, tmp_path)
    ingest_mail(store, org, list(_mailboxes(tmp_path)))
    before = who_knows(store, org, ["pat@acme.example"], as_of=date(2026, 10, 1))[0]
    assert before.knowers == () and before.as_of == date(2026, 10, 1)
    between = who_knows(store, org, ["pat@acme.example"], as_of=date(2026, 10, 6))[0]
    assert len(between.knowers) == 1


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:meet-1@test
DTSTAMP:20261001T000000Z
DTSTART:20261012T150000Z
DTEND:20261012T153000Z
SUMMARY:Pricing
ORGANIZER;CN=Ana:mailto:ana@us.example
ATTENDEE;PARTSTAT=ACCEPTED:mailto:pat@acme.example
ATTENDEE;PARTSTAT=DECLINED:mailto:lee@acme.example
END:VEVENT
END:VCALENDAR
"""


def test_calendar_excludes_declined_and_an_edit_replaces(store: Store, tmp_path: Path) -> None:
    org = _org(store, tmp_path)
    path = tmp_path / "cal.ics"
    path.write_text(ICS, encoding="utf-8")
    window = {
        "window_start": datetime(2026, 9, 1, tzinfo=UTC),
        "window_end": datetime(2026, 11, 1, tzinfo=UTC),
    }
    report = ingest_calendar(store, org, [path], **window)
    assert report.as_dict()["events"] == 1 and report.interactions == 1
    edited = ICS.replace("PARTSTAT=DECLINED:mailto:lee", "PARTSTAT=ACCEPTED:mailto:lee")
    path.write_text(edited, encoding="utf-8")
    again = ingest_calendar(store, org, [path], **window)
    assert again.replaced == 1 and again.duplicates == 0
    with store.read() as conn:
        rows = conn.execute(select(interaction.c.address, interaction.c.participants)).all()
    assert sorted(tuple(r) for r in rows) == [("lee@acme.example", 3), ("pat@acme.example", 3)]
    assert ingest_calendar(store, org, [path], **window).duplicates == 1


def test_calls_resolve_numbers_through_the_directory(store: Store, tmp_path: Path) -> None:
    org = _org(store, tmp_path)
    path = tmp_path / "calls.csv"
    path.write_text(
        "member_email,other,start,duration_seconds,direction\n"
        "bo@home.example,(415) 555-0100,2026-10-20T10:00:00+00:00,600,out\n"
        "stranger@us.example,+14155550100,2026-10-20T11:00:00+00:00,60,in\n"
        "bo@us.example,not a number,2026-10-20T12:00:00+00:00,60,in\n",
        encoding="utf-8",
    )
    report = ingest_calls(store, org, [path])
    assert report.interactions == 1 and len(report.rejected) == 2
    knowers = who_knows(store, org, ["pat@acme.example"])[0].knowers
    assert [k.member_email for k in knowers] == ["bo@us.example"]


def test_national_numbers_are_read_in_the_members_home_country(
    sqlite_store: Store, tmp_path: Path
) -> None:
    org = _org(sqlite_store, tmp_path)
    log = tmp_path / "calls.csv"
    log.write_text(
        "member_email,other,start,duration_seconds,direction\n"
        "ana@us.example,+44 20 7946 0823,2026-05-13T10:00:00+01:00,60,out\n"
        "ana@us.example,+44 113 496 0548,2026-05-13T11:00:00+01:00,60,out\n"
        "ana@us.example,020 7946 0151,2026-05-13T12:00:00+01:00,60,in\n"
        "ana@us.example,12,2026-05-13T13:00:00+01:00,60,in\n",
        encoding="utf-8",
    )
    report = ingest_calls(sqlite_store, org, [log])
    assert report.interactions == 3
    assert [r.locator for r in report.rejected] == ["line 5"]
    with sqlite_store.read() as conn:
        addresses = conn.execute(select(interaction.c.address)).scalars().all()
    assert "+442079460151" in addresses
