"""Writer of Outlook's CSV export: English headers, every field quoted, Windows-1252, CRLF."""

from __future__ import annotations

from pathlib import Path

from tiegraph.demo.contacts import ContactEntry
from tiegraph.demo.csvout import LineCountingCsv

FILE_NAME = "outlook.csv"
HEADER = (
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department",
    "Job Title", "Business Street", "Business Street 2", "Business Street 3", "Business City",
    "Business State", "Business Postal Code", "Business Country/Region", "Home Street",
    "Home Street 2", "Home Street 3", "Home City", "Home State", "Home Postal Code",
    "Home Country/Region", "Other Street", "Other Street 2", "Other Street 3", "Other City",
    "Other State", "Other Postal Code", "Other Country/Region", "Assistant's Phone",
    "Business Fax", "Business Phone", "Business Phone 2", "Callback", "Car Phone",
    "Company Main Phone", "Home Fax", "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone",
    "Other Fax", "Other Phone", "Pager", "Primary Phone", "Radio Phone", "TTY/TDD Phone",
    "Telex", "Account", "Anniversary", "Assistant's Name", "Billing Information", "Birthday",
    "Business Address PO Box", "Categories", "Children", "Directory Server", "E-mail Address",
    "E-mail Type", "E-mail Display Name", "E-mail 2 Address", "E-mail 2 Type",
    "E-mail 2 Display Name", "E-mail 3 Address", "E-mail 3 Type", "E-mail 3 Display Name",
    "Gender", "Government ID Number", "Hobby", "Home Address PO Box", "Initials",
    "Internet Free Busy", "Keywords", "Language", "Location", "Manager's Name", "Mileage",
    "Notes", "Office Location", "Organizational ID Number", "Other Address PO Box", "Priority",
    "Private", "Profession", "Referred By", "Sensitivity", "Spouse", "User 1", "User 2",
    "User 3", "User 4", "Web Page",
)  # fmt: skip
_DEFAULTS = {
    "Anniversary": "0/0/00",
    "Birthday": "0/0/00",
    "Gender": "Unspecified",
    "Priority": "Normal",
    "Private": "False",
    "Sensitivity": "Normal",
}


def write_outlook(path: Path, rows: list[ContactEntry]) -> list[str]:
    """Write the export; return the locator (`line N`) of each row.

    Characters Windows-1252 lacks become "?", as Outlook itself writes them.
    """
    with path.open("w", encoding="cp1252", errors="replace", newline="") as handle:
        out = LineCountingCsv(handle, lineterminator="\r\n", quote_all=True)
        out.row(HEADER)
        return [out.row(_cells(row)) for row in rows]


def _cells(row: ContactEntry) -> list[str]:
    values = dict(_DEFAULTS)
    values.update(
        {
            "First Name": row.first_name,
            "Last Name": row.last_name,
            "Company": row.company,
            "Job Title": row.title,
            "Notes": row.notes.replace("\n", "\r\n"),
            "Categories": "Business" if row.company else "",
        }
    )
    for (label, address), prefix in zip(row.emails, ("E-mail", "E-mail 2"), strict=False):
        values[f"{prefix} Address"] = address
        values[f"{prefix} Type"] = "SMTP"
        values[f"{prefix} Display Name"] = f"{row.first_name} {row.last_name} ({address})"
        if label == "Home" and prefix == "E-mail":
            values["E-mail Display Name"] = address
    for label, number in row.phones:
        values["Mobile Phone" if label == "Mobile" else "Business Phone"] = number
    return [values.get(column, "") for column in HEADER]
