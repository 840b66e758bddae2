"""Hostile bytes in an address book are rejected rows with a reason; the good rows are kept."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import Store
from tiegraph.store.schema import contact

HEADER = "First Name,Last Name,Company,E-mail Address\n"


def _import(store: Store, path: Path) -> tuple[object, set[str]]:
    org = resolve_org(store)
    owner = add_member(store, org, email="ana@us.example", name="Ana Lima")
    report = import_contacts(store, org, owner, [path])
    with store.read() as conn:
        names = set(conn.execute(select(contact.c.last_name)).scalars())
    return report.sources[0], names


def test_a_nul_in_a_field_rejects_its_row_and_keeps_the_others(
    store: Store, tmp_path: Path
) -> None:
    book = tmp_path / "nul.csv"
    rows = ["Ana,Good,Acme,ana@good.example", "Bo\x00b,Bad,Acme,bob@x.example"]
    rows += ["Cy,Fine,Glo\x00bex,cy@fine.example", "Di,Kept,,di@kept.example"]
    book.write_text(HEADER + "\n".join(rows) + "\n")
    source, names = _import(store, book)
    assert names == {"Good", "Kept"}
    assert [(r.locator, r.reason.split(" holds")[0]) for r in source.rejected] == [  # type: ignore[attr-defined]
        ("line 3", "its first name"),
        ("line 4", "its company"),
    ]
    assert source.attempted == 4 and source.imported == 2  # type: ignore[attr-defined]


def test_a_field_too_long_for_csv_rejects_its_row_and_keeps_the_others(
    store: Store, tmp_path: Path
) -> None:
    book = tmp_path / "long.csv"
    huge = "x" * 200_000
    book.write_text(
        HEADER + f"Ana,Good,Acme,ana@good.example\nLo,Ng,{huge},l@x.example\nCy,Fine,,c@f.example\n"
    )
    source, names = _import(store, book)
    assert names == {"Good", "Fine"}
    assert [r.locator for r in source.rejected] == ["line 3"]  # type: ignore[attr-defined]
