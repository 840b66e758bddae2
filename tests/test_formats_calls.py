"""Tests for the call-log reader: column aliases, dialects, encodings and bad rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tiegraph.formats.calls import iter_calls
from tiegraph.formats.records import CallRecord, RowError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "calls"


def read(name: str, member: str = "") -> list[CallRecord | RowError]:
    return list(iter_calls(FIXTURES / name, member=member))


def calls(name: str, member: str = "") -> list[CallRecord]:
    records = read(name, member)
    assert all(isinstance(r, CallRecord) for r in records), records
    return [r for r in records if isinstance(r, CallRecord)]


def test_canonical_columns_and_bad_rows_with_line_numbers() -> None:
    records = read("canonical.csv")
    outcome = [(r.locator, r.reason if isinstance(r, RowError) else r.direction) for r in records]
    assert outcome == [
        ("line 2", "out"),
        ("line 3", "missed"),
        ("line 5", "in"),  # after an empty line; its notes run over two lines
        ("line 7", "unreadable start 'yesterday'"),
        ("line 8", "unknown direction 'sideways'"),
        ("line 9", "unreadable duration '-5'"),
        ("line 10", "no other party"),
        ("line 11", "member is not an email address: 'not-an-email'"),
        ("line 12", "missed"),
    ]
    first, _, third = (r for r in records[:3] if isinstance(r, CallRecord))
    assert first == CallRecord(
        file=str(FIXTURES / "canonical.csv"),
        locator="line 2",
        member="ana@example.com",
        other="+49 30 1234567",
        start=datetime(2024, 3, 5, 14, 30, tzinfo=timezone(timedelta(hours=1))),
        duration_seconds=95,
        direction="out",
    )
    assert third.start == datetime(2024, 3, 6, 9, 15, tzinfo=UTC)  # naive: UTC
    assert third.extra == {"notes": "two\nlines"}
    last = records[-1]
    assert isinstance(last, CallRecord)
    assert last.duration_seconds == 0  # empty duration on a missed call


def test_android_export_semicolons_cp1252_epoch_and_type_codes() -> None:
    records = read("android_semicolon_cp1252.csv", member="Ana@Example.com")
    assert all(isinstance(r, CallRecord) for r in records)
    found = [r for r in records if isinstance(r, CallRecord)]
    assert [(c.other, c.direction, c.duration_seconds) for c in found] == [
        ("+4930111", "out", 95),
        ("+4930222", "missed", 0),
        ("+4930333", "in", 725),
        ("+4930444", "missed", 30),  # 4: voicemail
    ]
    assert found[0].member == "ana@example.com"
    assert found[0].start == datetime(2024, 3, 5, 13, 30, tzinfo=UTC)  # milliseconds
    assert found[1].start == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)  # seconds
    assert found[0].extra == {"Name": "Jürgen Müller"}


def test_log_without_member_column_needs_a_member() -> None:
    [error] = read("android_semicolon_cp1252.csv")
    assert isinstance(error, RowError)
    assert error.locator == "line 1"
    assert error.reason.startswith("no member column")


@pytest.mark.parametrize("name", ["pbx_tab_utf16.tsv", "pbx_tab_utf16_no_bom.tsv"])
def test_pbx_export_tabs_utf16_from_and_to(name: str) -> None:
    outbound, inbound = calls(name)
    assert (outbound.other, outbound.direction) == ("+49302222", "out")  # the callee
    assert (inbound.other, inbound.direction) == ("+49303333", "in")  # the caller
    assert outbound.duration_seconds == 3723  # 1:02:03
    assert inbound.duration_seconds == 250  # 04:10
    assert inbound.start == datetime(2024, 3, 7, 14, 0, tzinfo=UTC)


def test_us_dates_with_separate_time_column() -> None:
    found = calls("us_dates.csv")
    assert [c.start for c in found] == [
        datetime(2024, 3, 5, 14, 30, tzinfo=UTC),
        datetime(2024, 12, 25, 9, 5, tzinfo=UTC),
        datetime(2024, 3, 6, 23, 59, tzinfo=UTC),
    ]
    assert [c.direction for c in found] == ["in", "out", "missed"]
    assert found[0].other == "(415) 555-0100"


def test_excel_separator_hint_and_dotted_dates() -> None:
    found = calls("sep_hint.csv")
    assert [c.locator for c in found] == ["line 3", "line 4"]
    assert found[0].start == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)
    assert found[0].duration_seconds == 125  # "2 min 5 s"
    assert found[1].start == datetime(2024, 3, 6, 8, 0, 15, tzinfo=UTC)


def test_day_first_dates_are_told_from_the_file(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "member,number,date,duration,direction\n"
        "ana@example.com,+44 20 1,03/05/2024 10:00,10,in\n"
        "ana@example.com,+44 20 2,25/05/2024 10:00,10,in\n"
    )
    found = [r for r in iter_calls(log) if isinstance(r, CallRecord)]
    assert [c.start.month for c in found] == [5, 5]


def test_file_without_a_header_row() -> None:
    [error] = read("no_header.csv")
    assert isinstance(error, RowError)
    assert error.locator == "line 1"
    assert "column in the header" in error.reason


def test_empty_file_yields_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\n\n")
    assert list(iter_calls(empty)) == []


def _log(tmp_path: Path, rows: list[str]) -> list[CallRecord | RowError]:
    path = tmp_path / "calls.csv"
    header = "member_email,other,start,duration_seconds,direction"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return list(iter_calls(path))


def _call(i: int) -> str:
    return f"ana@example.com,+4930123{i:05d},2024-03-05T14:30:00Z,{i % 600},out"


def test_an_unclosed_quote_costs_its_row_and_the_rows_it_swallowed_are_kept(
    tmp_path: Path,
) -> None:
    """Line 3 opens a quote that never closes: reported there, every call after it read."""
    rows = [_call(0), 'ana@example.com,"+4930999,2024-03-05T14:30:00Z,5,out']
    rows += [_call(i) for i in range(1, 20_001)]
    records = _log(tmp_path, rows)
    errors = [r for r in records if isinstance(r, RowError)]
    assert [e.locator for e in errors] == ["line 3"] and "never closed" in errors[0].reason
    good = [r for r in records if isinstance(r, CallRecord)]
    assert len(good) == 20_001 and good[1].locator == "line 4"
    assert good[-1].other == "+493012320000"


def test_a_cell_too_long_to_read_costs_its_row_only(tmp_path: Path) -> None:
    rows = [_call(1), f"ana@example.com,+493012345678,2024-03-05T14:30:00Z,5,out,{'x' * 200_000}"]
    rows += [_call(2)]
    records = _log(tmp_path, rows)
    assert [r.locator for r in records] == ["line 2", "line 3", "line 4"]
    assert isinstance(records[1], RowError) and "unreadable CSV row" in records[1].reason
    assert all(isinstance(r, CallRecord) for r in (records[0], records[2]))
