"""Hostile bytes in an address book are rejected rows with a reason; the good rows are kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tiegraph.cli import main
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
