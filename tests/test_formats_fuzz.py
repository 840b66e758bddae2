"""Fuzzing every reader: random bytes, and small valid samples with bytes changed, cut,
repeated or inserted, give records and RowErrors only, never an exception, and quickly.

`TIEGRAPH_FUZZ_EXAMPLES` sets the examples per reader (default 150; e.g. 5000 for a long run).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiegraph.formats.calendar import read_events
from tiegraph.formats.calls import iter_calls
from tiegraph.formats.contacts import read_contacts
from tiegraph.formats.directory import iter_directory
from tiegraph.formats.mail import iter_messages, parse_header_block
from tiegraph.formats.records import (
    CallRecord,
    CompanyRecord,
    ContactRecord,
    EventRecord,
    MessageHeaders,
    NoRecordsError,
    PersonRecord,
    RowError,
)

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = int(os.environ.get("TIEGRAPH_FUZZ_EXAMPLES", "150"))
BUDGET_SECONDS = 3.0  # per example; a few KB read in milliseconds unless something blows up
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the budget below, measured, instead of a flaky per-call deadline
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SCRATCH = Path(tempfile.mkdtemp(prefix="tiegraph-fuzz-"))
atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)

GOOGLE_CSV = (
    b"First Name,Middle Name,Last Name,Organization Name,E-mail 1 - Label,E-mail 1 - Value,"
    b"Phone 1 - Value,Notes\n"
    b"Jos\xc3\xa9,,N\xc3\xba\xc3\xb1ez,Globex,* work,jose@globex.example,+49 30 1234567,"
    b'"two\nlines"\n'
    b"Ana,,Lima,Acme,* home,ana@acme.example ::: ana@home.example,,\n"
)
LINKEDIN_CSV = (
    b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    b"Robert,Smith,https://www.linkedin.com/in/bob-1,,Acme Corp.,VP,22 Dec 2025\n"
)
VCARD = (
    b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:N\xc3\xba\xc3\xb1ez;Jos\xc3\xa9;;;\r\n"
    b"FN:Jos\xc3\xa9 N\xc3\xba\xc3\xb1ez\r\n"
    b"ORG:Globex GmbH\r\nEMAIL;TYPE=work:jose@globex.example\r\nTEL:+49 30 1234567\r\n"
    b"NOTE:folded\r\n  line\r\nEND:VCARD\r\n"
    b"BEGIN:VCARD\r\nVERSION:2.1\r\nN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:=C3=81lvaro;Ruiz\r\n"
    b"EMAIL;INTERNET:alvaro@x.example\r\nEND:VCARD\r\n"
)
DIRECTORY_JSONL = (
    b'{"type": "company", "id": "C1", "name": "Acme", "domains": ["acme.example"]}\n'
    b'{"type": "person", "id": "P1", "first_name": "Pat", "last_name": "Doe", '
    b'"emails": ["pat@acme.example"], "employment": [{"company_id": "C1", "start": "2020"}], '
    b'"education": [{"school": "MIT", "start": "2010", "end": "2014"}]}\n'
)
DIRECTORY_CSV = (
    b"id,first_name,last_name,emails,company,title,phones\n"
    b"P1,Pat,Doe,pat@acme.example,Acme,VP Sales,+1 415 555 0100\n"
    b'P2,"Lee, Jr",Roe,lee@acme.example,"Acme, Inc.",,\n'
)
MESSAGE = (
    b'From: "Jane Roe" <jane@acme.example>\r\nTo: ana@us.example, =?utf-8?q?Bo_Chen?= '
    b"<bo@us.example>\r\nCc: undisclosed-recipients:;\r\nDate: Tue, 5 Mar 2024 14:30:00 +0100\r\n"
    b"Message-ID: <m1@acme.example>\r\nIn-Reply-To: <m0@us.example>\r\nSubject: kept out\r\n\r\n"
    b"body\r\n"
)


@st.composite
def mutated(draw: st.DrawFn, sample: bytes) -> bytes:
    """The sample with a few edits: bytes changed, deleted, repeated or inserted; or cut."""
    data = bytearray(sample)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "delete", "insert", "repeat", "cut"]))
        if kind == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20))
        elif kind == "repeat":
            data[at:at] = data[max(0, at - 60) : at] * draw(st.integers(1, 5))
        elif kind == "cut":
            del data[at:]
    return bytes(data)


def inputs(*samples: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=600), *(mutated(s) for s in samples), st.sampled_from(samples)
    )


def drain(read: Callable[[], Iterable[Any]], kinds: tuple[type, ...]) -> list[Any]:
    """Everything a reader yields, checked to be records or RowErrors, within the budget."""
    started = time.perf_counter()
    try:
        found = list(read())
    except NoRecordsError:
        found = []  # the documented answer for a file without a single record
    assert time.perf_counter() - started < BUDGET_SECONDS
    for item in found:
        assert isinstance(item, (*kinds, RowError)), type(item)
        if isinstance(item, RowError):
            assert item.reason and isinstance(item.locator, str)
    return found


def scratch_file(data: bytes, name: str) -> Path:
    path = SCRATCH / name
    path.write_bytes(data)
    return path


@FUZZ
@given(inputs(GOOGLE_CSV, LINKEDIN_CSV, VCARD))
def test_contacts(data: bytes) -> None:
    drain(lambda: read_contacts(data, file="fuzz").records, (ContactRecord,))


@FUZZ
@given(inputs(DIRECTORY_JSONL, DIRECTORY_CSV))
def test_directory(data: bytes) -> None:
    drain(lambda: iter_directory(data, file="fuzz"), (CompanyRecord, PersonRecord))


@FUZZ
@given(inputs(MESSAGE))
def test_mail_headers(data: bytes) -> None:
    drain(lambda: [parse_header_block(data, file="fuzz", locator="1")], (MessageHeaders,))


@FUZZ
@given(inputs((FIXTURES / "mail" / "crlf.mbox").read_bytes(), b"From x\n" + MESSAGE))
def test_mbox(data: bytes) -> None:
    path = scratch_file(data, "fuzz.mbox")
    drain(lambda: iter_messages(path), (MessageHeaders,))


@FUZZ
@given(
    inputs(
        (FIXTURES / "ics" / "weekly.ics").read_bytes(),
        (FIXTURES / "ics" / "broken_events.ics").read_bytes(),
    )
)
def test_calendar(data: bytes) -> None:
    window = {
        "window_start": datetime(2020, 1, 1, tzinfo=UTC),
        "window_end": datetime(2030, 1, 1, tzinfo=UTC),
    }
    drain(lambda: read_events(data, file="fuzz", **window), (EventRecord,))


@FUZZ
@given(
    inputs(
        (FIXTURES / "calls" / "canonical.csv").read_bytes(),
        (FIXTURES / "calls" / "sep_hint.csv").read_bytes(),
    )
)
def test_calls(data: bytes) -> None:
    path = scratch_file(data, "fuzz-calls.csv")
    drain(lambda: iter_calls(path, member="ana@us.example"), (CallRecord,))


@pytest.mark.parametrize(
    "sample", [GOOGLE_CSV, LINKEDIN_CSV, VCARD, DIRECTORY_JSONL, DIRECTORY_CSV, MESSAGE]
)
def test_the_samples_are_read_whole(sample: bytes) -> None:
    """The seeds are good files: mutations start from records, not from errors."""
    if sample is MESSAGE:
        found = [parse_header_block(sample, file="s", locator="1")]
    elif sample in (DIRECTORY_JSONL, DIRECTORY_CSV):
        found = list(iter_directory(sample, file="s"))
    else:
        found = list(read_contacts(sample, file="s").records)
    assert found and not [r for r in found if isinstance(r, RowError)], found


def test_what_fuzzing_found_stays_fixed() -> None:
    # A carriage return alone inside a directory CSV's header line: the csv module refuses it.
    found = drain(lambda: iter_directory(b"id,first_name\rx\nP1,Pat\n", file="f"), ())
    assert [r.reason[:20] for r in found] in ([], ["unreadable CSV heade"])
    # A NUL in a charset name: the codec lookup raises ValueError, not LookupError.
    headers = parse_header_block(
        MESSAGE.replace(b'"Jane Roe"', b"=?ut\x00f-8?q?Jane?="), file="f", locator="1"
    )
    assert isinstance(headers, MessageHeaders) and headers.sender.email == "jane@acme.example"
    card = VCARD.replace(b"CHARSET=UTF-8", b"CHARSET=UT\x00F-8")
    records = read_contacts(card, file="f").records
    assert "Álvaro" in [r.last_name for r in records if isinstance(r, ContactRecord)]
