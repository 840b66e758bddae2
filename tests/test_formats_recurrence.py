"""Recurrence bounded before expansion: the same occurrences in the window, whatever the rule,
and a series repeating every second refused at once instead of expanded for minutes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tiegraph.formats import calendar as calendar_reader
from tiegraph.formats.calendar import read_events
from tiegraph.formats.records import EventRecord, RowError

WINDOW = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC))
ZONES = ("", "Europe/Berlin", "America/New_York", "UTC")


def _ics(start: str, rule: str, zone: str, extra: str = "") -> bytes:
    tzid = f";TZID={zone}" if zone else ""
    value = ";VALUE=DATE" if len(start) == 8 else ""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:series@example.com\r\n"
        f"DTSTART{tzid}{value}:{start}\r\nDURATION:PT30M\r\nRRULE:{rule}\r\n{extra}"
        "ORGANIZER:mailto:ann@ours.example\r\nATTENDEE:mailto:bob@theirs.example\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def _starts(raw: bytes) -> list[datetime | str]:
    out: list[datetime | str] = []
    for record in read_events(raw, file="f.ics", window_start=WINDOW[0], window_end=WINDOW[1]):
        out.append(record.start if isinstance(record, EventRecord) else record.reason)
    return out


@st.composite
def rules(draw: st.DrawFn) -> tuple[str, str, str]:
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts = [f"FREQ={freq}", f"INTERVAL={draw(st.integers(1, 3))}"]
    if freq == "WEEKLY" and draw(st.booleans()):
        parts.append(
            "BYDAY=" + ",".join(draw(st.sets(st.sampled_from(["MO", "WE", "FR"]), min_size=1)))
        )
    if freq == "MONTHLY" and draw(st.booleans()):
        parts.append(draw(st.sampled_from(["BYDAY=1TU", "BYMONTHDAY=15", "BYDAY=-1FR"])))
    ending = draw(st.sampled_from(["", "COUNT", "UNTIL"]))
    if ending == "COUNT":
        parts.append(f"COUNT={draw(st.integers(1, 400))}")
    elif ending == "UNTIL":
        parts.append("UNTIL=20260415T000000Z")
    first = date(2022, 1, 1) + timedelta(days=draw(st.integers(0, 4 * 365)))
    all_day = draw(st.booleans())
    start = first.strftime("%Y%m%d") + ("" if all_day else f"T{draw(st.integers(0, 23)):02d}0000")
    zone = "" if all_day else draw(st.sampled_from(ZONES))
    return start, ";".join(parts), zone


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=rules())
def test_bounding_keeps_every_occurrence_in_the_window(rule: tuple[str, str, str]) -> None:
    raw = _ics(*rule)
    bounded = _starts(raw)
    with pytest.MonkeyPatch.context() as unbounded:
        unbounded.setattr(calendar_reader, "bound_recurrence", lambda *_: "")
        assert bounded == _starts(raw)


def test_exceptions_and_overrides_still_apply_after_moving_forward() -> None:
    raw = _ics(
        "20200106T090000",
        "FREQ=WEEKLY;BYDAY=MO",
        "Europe/Berlin",
        "EXDATE;TZID=Europe/Berlin:20260309T090000\r\n",
    )
    starts = _starts(raw)
    assert datetime(2026, 3, 9, 8, 0, tzinfo=UTC) not in starts  # 09:00 in Berlin, winter time
    assert datetime(2026, 3, 2, 8, 0, tzinfo=UTC) in starts
    assert datetime(2026, 4, 6, 7, 0, tzinfo=UTC) in starts  # summer time: still 09:00 there
    assert len(starts) == 8


def test_a_series_every_second_is_refused_and_the_rest_of_the_file_kept() -> None:
    raw = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:bomb@example.com\r\nDTSTART:20000101T000000Z\r\n"
        b"RRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:ok@example.com\r\n"
        b"DTSTART:20260310T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    records = list(read_events(raw, file="f.ics", window_start=WINDOW[0], window_end=WINDOW[1]))
    assert isinstance(records[0], RowError)
    assert records[0].reason.startswith("repeats every second (")
    assert records[0].reason.endswith("times): not a meeting series, skipped")
    assert [r.uid for r in records if isinstance(r, EventRecord)] == ["ok@example.com"]


def test_a_short_series_more_often_than_daily_is_still_read() -> None:
    starts = _starts(_ics("20260310T090000Z", "FREQ=HOURLY;COUNT=3", ""))
    assert starts == [datetime(2026, 3, 10, h, 0, tzinfo=UTC) for h in (9, 10, 11)]
