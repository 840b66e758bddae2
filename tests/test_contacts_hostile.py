"""Hostile bytes in an address book are rejected rows with a reason; the good rows are kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tiegraph.cli import main
from tiegraph.formats.contacts import ContactFile, read_contacts
from tiegraph.formats.records import ContactRecord, RowError
from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import Store, open_store
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


def test_the_cli_imports_the_good_files_and_names_the_bad_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    good, garbage = tmp_path / "good.csv", tmp_path / "garbage.csv"
    good.write_text(HEADER + "Ana,Good,Acme,ana@good.example\n")
    garbage.write_bytes(bytes(range(256)) * 8)
    store = open_store(url)
    add_member(store, resolve_org(store), email="ana@us.example", name="Ana Lima")
    store.dispose()
    argv = ["import", "contacts", str(good), str(garbage), "--member", "ana@us.example"]
    with pytest.raises(SystemExit) as ended:
        main([*argv, "--db", url])
    assert ended.value.code == 1  # the good file is in; the status says one was not
    out = capsys.readouterr().out
    assert "(good.csv): 0 of 1 matched" in out
    assert "garbage.csv: not imported: no contacts found" in out
    with pytest.raises(SystemExit) as ended:
        main([*argv, "--json", "--db", url])
    report = json.loads(capsys.readouterr().out)
    assert ended.value.code == 1 and report["unchanged"] == 1
    assert report["refused"] == [{"file": str(garbage), "reason": "no contacts found"}]
    store = open_store(url)
    with store.read() as conn:
        assert set(conn.execute(select(contact.c.last_name)).scalars()) == {"Good"}
    store.dispose()
    with pytest.raises(SystemExit) as ended:  # nothing good at all: one line, as before
        main(["import", "contacts", str(garbage), "--member", "ana@us.example", "--db", url])
    assert ended.value.code == 2 and "no contacts found" in capsys.readouterr().err


def _book(rows: list[str], header: str = "First Name,Last Name,Email Address\n") -> ContactFile:
    return read_contacts((header + "\n".join(rows) + "\n").encode(), file="q.csv")


def _split(book: ContactFile) -> tuple[list[ContactRecord], list[RowError]]:
    good = [r for r in book.records if isinstance(r, ContactRecord)]
    return good, [r for r in book.records if isinstance(r, RowError)]


def test_an_unclosed_quote_is_reported_and_the_rows_it_swallowed_are_kept() -> None:
    """Line 2 opens a quote that never closes: the csv module swallows the rows after it until
    its cell passes the size limit (about 4,800 of them here), and used to drop them."""
    rows = ['Ann,"Unclosed,ann@x.example'] + [f"P{i},Q{i},p{i}@x.example" for i in range(20_000)]
    good, errors = _split(_book(rows))
    assert len(good) == 20_000 and good[0].locator == "line 3" and good[-1].last_name == "Q19999"
    assert [e.locator for e in errors] == ["line 2"]
    assert (
        "never closed" in errors[0].reason and "swallowed the next 4800 lines" in errors[0].reason
    )


def test_a_quote_unclosed_to_the_end_of_the_file_keeps_the_rows_after_it() -> None:
    rows = ["Ana,Good,a@x.example", 'Bo,"Bad,b@x.example'] + [f"P{i},Q{i},p{i}@x" for i in range(5)]
    good, errors = _split(_book(rows))
    assert [r.first_name for r in good] == ["Ana", "P0", "P1", "P2", "P3", "P4"]
    assert [(e.locator, "next 5 lines (to line 8)" in e.reason) for e in errors] == [
        ("line 3", True)
    ]


def test_a_stray_quote_closed_a_few_lines_later_loses_only_its_own_line() -> None:
    rows = ['Bo,"Bad,b@x.example', "Cy,Kept,c@x.example", 'Di,Closes",d@x.example', "Ed,E,e@x"]
    good, errors = _split(_book(rows))
    assert [e.locator for e in errors][:1] == ["line 2"]
    assert {"Cy", "Ed"} <= {r.first_name for r in good}


def test_quoted_line_breaks_stay_one_cell() -> None:
    """A postal address or notes over several lines is one cell, not an unclosed quote."""
    header = "First Name,Last Name,Email Address,Notes\n"
    rows = ['Ana,Lima,a@x.example,"Met in Lisbon\nasked about pricing\ncall back, in May"']
    rows += ['Bo,Berg,b@x.example,"one, two, three\nfour"', "Cy,Ng,c@x.example,"]
    good, errors = _split(_book(rows, header))
    assert [r.first_name for r in good] == ["Ana", "Bo", "Cy"] and not errors
    assert [r.locator for r in good] == ["line 2", "line 5", "line 7"]
    two = _book(['Ana,"Lima\nSilva, Jr"', "Bo,Berg"], "First Name,Last Name\n")
    assert len(_split(two)[0]) == 2 and not _split(two)[1]
