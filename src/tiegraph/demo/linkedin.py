"""Writer of LinkedIn's Connections.csv, in the current export layout with its Notes preamble."""

from __future__ import annotations

from pathlib import Path

from tiegraph.demo.contacts import ContactEntry
from tiegraph.demo.csvout import MONTHS, LineCountingCsv

FILE_NAME = "Connections.csv"
_PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are '
    "missing. You will only see email addresses for connections who have allowed their "
    "connections to see or download their email address using this setting "
    "https://www.linkedin.com/psettings/privacy/email. You can learn more here "
    'https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)
HEADER = (
    "First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On",
)  # fmt: skip


def write_connections(path: Path, rows: list[ContactEntry]) -> list[str]:
    """Write the export; return the locator (`line N`) of each row, preamble lines counted."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = LineCountingCsv(handle, lineterminator="\n")
        out.raw(_PREAMBLE)
        out.row(HEADER)
        return [out.row(_cells(row)) for row in rows]


def _cells(row: ContactEntry) -> list[str]:
    day = row.connected_on
    return [
        row.first_name,
        row.last_name,
        row.profile_url,
        row.emails[0][1] if row.emails else "",
        row.company,
        row.title,
        f"{day.day:02d} {MONTHS[day.month - 1]} {day.year}",
    ]
