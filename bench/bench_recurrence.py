"""Recurring events read over a window: cost per series against one plain event, same run.

Before bounding, a daily meeting since 2000 took seconds and one `FREQ=SECONDLY` line minutes
and gigabytes (issue 20); each series here should cost about what its occurrences in the
window cost, whenever it started.

    .venv/bin/python bench/bench_recurrence.py
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tiegraph.formats.calendar import read_events

WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
CASES = {
    "one plain event (baseline)": ("20260310T090000Z", ""),
    "weekly since 2026-01": ("20260105T090000Z", "FREQ=WEEKLY"),
    "weekly since 2005": ("20050103T090000Z", "FREQ=WEEKLY"),
    "daily since 2000": ("20000103T090000Z", "FREQ=DAILY"),
    "monthly on the 2nd Tuesday since 1995": ("19950110T090000Z", "FREQ=MONTHLY;BYDAY=2TU"),
    "hourly since 2020 (refused)": ("20200101T000000Z", "FREQ=HOURLY"),
    "every second since 2000 (refused)": ("20000101T000000Z", "FREQ=SECONDLY"),
}


def _ics(start: str, rule: str) -> bytes:
    rrule = f"RRULE:{rule}\r\n" if rule else ""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:s@example.com\r\n"
        f"DTSTART:{start}\r\nDURATION:PT30M\r\n{rrule}ORGANIZER:mailto:a@ours.example\r\n"
        "ATTENDEE:mailto:b@theirs.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def _seconds(raw: bytes, runs: int = 5) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(runs):
        began = time.perf_counter()
        count = sum(
            1 for _ in read_events(raw, file="b.ics", window_start=WINDOW[0], window_end=WINDOW[1])
        )
        best = min(best, time.perf_counter() - began)
    return best, count


def main() -> None:
    base, _ = _seconds(_ics(*CASES["one plain event (baseline)"]))
    print(f"window {WINDOW[0]:%Y-%m-%d} to {WINDOW[1]:%Y-%m-%d}; best of 5 runs")
    print(f"{'series':42} {'records':>8} {'ms':>9} {'x plain event':>14}")
    for name, (start, rule) in CASES.items():
        took, count = _seconds(_ics(start, rule))
        print(f"{name:42} {count:>8} {took * 1000:>9.1f} {took / base:>14.1f}")


if __name__ == "__main__":
    main()
