"""Lists filled and emptied as a seller does it (by person id, into a new list, remove), exported
as CSV with who knows each row, and the colleague to ask for an intro: the CLI and the library."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from intro_world import PRIVATE_EMAIL, PRIVATE_NAME, World, build_world
from test_lists import cli, error_line, ok_json
from tiegraph.errors import ForbiddenError, InvalidInputError, NotFoundError
from tiegraph.services import list_rows, lists
from tiegraph.services.directory.importer import import_directory
from tiegraph.store import Store
from tiegraph.store.schema import list_item, member, person_email, person_list
from tiegraph.web.export import FORMULA_PREFIXES


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path)


def person_id(store: Store, email: str) -> int:
    with store.read() as conn:
        return conn.execute(
            select(person_email.c.person_id).where(person_email.c.email == email)
        ).scalar_one()


def test_remove_rows_then_add_again(
    capsys: pytest.CaptureFixture[str], db_url: str, store: Store, world: World
) -> None:
    def run(*argv: str) -> object:
        return ok_json(cli(capsys, db_url, "list", *argv, "--json"))

    run("create", "Q3", "--viewer", "ana@us.example")
    run("add", "Q3", "pat@acme.example", "kim@globex.example", "--account", "Globex",
        "--viewer", "ana@us.example")  # fmt: skip
    refused = cli(capsys, db_url, "list", "remove", "Q3", "pat@acme.example", "--viewer",
                  "bo@us.example")  # fmt: skip
    assert "only Ana Lima (its owner) or an admin can change it" in error_line(refused)
    removed = run("remove", "Q3", "PAT@acme.example", "lee@acme.example", "--account",
                  "globex.example", "--account-id", "999999",
                  "--viewer", "dee@us.example")  # fmt: skip
    assert removed == {
        "list": "Q3",
        "removed": ["Pat Doe <pat@acme.example>", "Globex"],
        "absent": ["lee@acme.example", "account 999999"],  # not on it: said, nothing changed
    }
    again = run("remove", "Q3", "pat@acme.example")
    assert again["removed"] == [] and again["absent"] == ["pat@acme.example"]
    shown = run("show", "Q3")
    assert [r["person"]["name"] for r in shown["rows"]] == ["Kim Park"]
    assert shown["list"]["items"] == 1
    with store.read() as conn:  # kept, marked removed, by whom
        kept = conn.execute(
            select(list_item.c.removed_at, list_item.c.removed_by).where(
                list_item.c.removed_at.is_not(None)
            )
        ).all()
    assert len(kept) == 2 and {r.removed_by for r in kept} == {world.dee.id}
    readded = run("add", "Q3", "pat@acme.example", "--viewer", "ana@us.example")
    assert readded["added"] == ["Pat Doe <pat@acme.example>"] and readded["already"] == []
    names = [r["person"]["name"] for r in run("show", "Q3")["rows"]]
    assert names == ["Kim Park", "Pat Doe"]  # back, at the end

    def fails(*argv: str) -> str:
        return error_line(cli(capsys, db_url, "list", *argv))

    assert "nothing to remove" in fails("remove", "Q3")
    assert "not an email" in fails("remove", "Q3", "pat-at-acme")
    assert "no company named 'Hooli'" in fails("remove", "Q3", "--account", "Hooli")
    assert "no list named 'Q4'" in fails("remove", "Q4", "pat@acme.example")
    run("archive", "Q3")
    assert "is archived" in fails("remove", "Q3", "pat@acme.example")


def test_persons_by_id_only_those_every_member_sees(
    capsys: pytest.CaptureFixture[str], db_url: str, store: Store, world: World
) -> None:
    """Cy mails his private contact Sam, so Sam is a person Cy alone sees: by id, he is as
    unknown as a number that names no one, and nothing of him shows in the answer."""
    made = lists.create_list(store, world.org, world.cy, "Cy's", "deals")
    sam, pat = person_id(store, PRIVATE_EMAIL), person_id(store, "pat@acme.example")
    missing = sam + 1000
    with pytest.raises(NotFoundError) as private:
        lists.add_to_list(store, world.org, made.id, person_ids=[pat, sam], added_by=world.cy)
    with pytest.raises(NotFoundError) as unknown:
        lists.add_to_list(store, world.org, made.id, person_ids=[missing], added_by=world.cy)
    assert str(private.value).replace(str(sam), "N") == str(unknown.value).replace(
        str(missing), "N"
    )
    assert PRIVATE_NAME not in str(private.value) and PRIVATE_EMAIL not in str(private.value)
    assert lists.find_list(store, world.org, made.id).items == 0  # Pat was not added either
    code, out, err = cli(capsys, db_url, "list", "add", "Cy's", "--person-id", str(sam))
    assert code == 2 and "no directory person" in err and PRIVATE_NAME not in out + err
    added = ok_json(
        cli(capsys, db_url, "list", "add", "Cy's", "--person-id", str(pat), "--person-id",
            str(pat), "--json")
    )  # fmt: skip
    assert added["added"] == ["Pat Doe <pat@acme.example>"]
    assert added["already"] == ["Pat Doe <pat@acme.example>"]  # named twice: added once


def test_a_new_list_in_the_same_step_all_or_nothing(
    capsys: pytest.CaptureFixture[str], db_url: str, store: Store, world: World
) -> None:
    with pytest.raises(NotFoundError):
        lists.add_to_new_list(
            store, world.org, world.bo, "Fresh", "leads", emails=["pat@acme.example", PRIVATE_EMAIL]
        )
    with store.read() as conn:
        assert conn.execute(select(person_list.c.id)).all() == []  # no list left behind
    with pytest.raises(InvalidInputError, match="nothing to add"):
        lists.add_to_new_list(store, world.org, world.bo, "Fresh", "leads")
    report = lists.add_to_new_list(
        store, world.org, world.bo, "Fresh", "deals", emails=["pat@acme.example"]
    )
    made = lists.find_list(store, world.org, "fresh")
    assert (report.added, made.kind, made.owner_email) == (
        ["Pat Doe <pat@acme.example>"],
        "deals",
        "bo@us.example",
    )
    with pytest.raises(InvalidInputError, match="already exists"):
        lists.add_to_new_list(store, world.org, world.ana, "FRESH", "leads", person_ids=[1])
    with pytest.raises(ForbiddenError):
        lists.remove_from_list(store, world.org, made.id, emails=["pat@acme.example"],
                               removed_by=world.ana)  # fmt: skip
    out = cli(capsys, db_url, "list", "add", "Cli new", "kim@globex.example", "--new", "--kind",
              "opportunities", "--viewer", "ana@us.example")  # fmt: skip
    assert out[0] == 0 and "Created list 'Cli new'" in out[1] and "Added Kim Park" in out[1]
    assert "--new needs --viewer" in error_line(
        cli(capsys, db_url, "list", "add", "Other", "kim@globex.example", "--new")
    )


def test_the_colleague_to_ask_per_row_is_the_strongest_the_viewer_sees(
    store: Store, world: World
) -> None:
    made = lists.create_list(store, world.org, world.ana, "Asks", "leads")
    lists.add_to_list(
        store, world.org, made.id, emails=["pat@acme.example", "lee@acme.example"],
        accounts=["acme.example"],
    )  # fmt: skip

    def asks(viewer: object) -> list[str]:
        view = list_rows.show_list(store, world.org, made.id, viewer)  # type: ignore[arg-type]
        return [r.introducer_name for r in view.rows]

    assert asks(None) == ["Cy Diaz", "Ana Lima", ""]  # the operator: anyone; accounts: none
    assert asks(world.ana) == ["Bo Chen", "", ""]  # Cy keeps his ties; Ana knows Lee herself
    assert asks(world.cy) == ["Bo Chen", "Ana Lima", ""]  # never the viewer himself
    assert asks(world.bo) == ["", "Ana Lima", ""]  # Bo alone (of whom Bo sees) knows Pat


def test_export_is_the_page_as_csv_and_safe_in_a_spreadsheet(
    capsys: pytest.CaptureFixture[str], db_url: str, store: Store, world: World, tmp_path: Path
) -> None:
    hostile = [
        {"type": "company", "id": "C9", "name": "@Evil Corp", "domains": ["evil.example"]},
        {
            "type": "person",
            "id": "P9",
            "first_name": '=HYPERLINK("http://x.example","click")',
            "last_name": "",
            "emails": ["hostile@evil.example"],
            "employment": [{"company_id": "C9", "title": "+1 555 0100", "start": "2020"}],
        },
        {
            "type": "person",
            "id": "P10",
            "first_name": "-2+3",
            "last_name": "Minus",
            "emails": ["minus@evil.example"],
            "employment": [{"company_id": "C9", "title": "@home", "start": "2020"}],
        },
    ]
    directory = tmp_path / "hostile.jsonl"
    directory.write_text("\n".join(json.dumps(x) for x in hostile) + "\n", encoding="utf-8")
    import_directory(store, world.org, [directory])
    made = lists.create_list(store, world.org, world.ana, "Export", "leads")
    lists.add_to_list(
        store, world.org, made.id,
        emails=["pat@acme.example", "hostile@evil.example", "minus@evil.example"],
        accounts=["acme.example", "evil.example"],
    )  # fmt: skip
    target = tmp_path / "out.csv"
    code, out, err = cli(capsys, db_url, "list", "export", "Export", "--out", str(target),
                         "--viewer", "ana@us.example")  # fmt: skip
    assert code == 0 and "Wrote 5 rows" in out, err
    raw = target.read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    assert list(rows[0]) == list(list_rows.EXPORT_HEADER)
    pat, hostile_row, minus, acme, evil = rows
    assert (pat["name"], pat["email"], pat["company"]) == (
        "Pat Doe",
        "pat@acme.example",
        "Acme Corp",
    )
    # As Ana may see: Bo (Cy keeps his activity to himself), with the page's columns.
    assert pat["strongest colleague"] == "Bo Chen" and pat["who knows them"] == "Bo Chen"
    assert pat["strength"] in ("strong", "good", "weak") and int(pat["score"]) > 0
    assert len(pat["last contact"]) == 10 and pat["last contact"][4] == "-"  # YYYY-MM-DD
    assert pat["ask for an intro"] == "Bo Chen" and pat["why"]
    assert acme["type"] == "account" and acme["domains"] == "acme.example"
    assert acme["strongest colleague"] in ("Bo Chen", "Ana Lima")
    assert acme["why"].startswith("knows ")
    assert "Cy Diaz" not in raw and PRIVATE_NAME not in raw
    # Every cell a spreadsheet would run as a formula starts with a quote instead.
    assert hostile_row["name"] == '\'=HYPERLINK("http://x.example","click")'
    assert hostile_row["title"] == "'+1 555 0100" and hostile_row["company"] == "'@Evil Corp"
    assert minus["name"] == "'-2+3 Minus" and minus["title"] == "'@home"
    assert evil["name"] == "'@Evil Corp"
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(FORMULA_PREFIXES), cell
    code, out, _ = cli(capsys, db_url, "list", "export", "Export")  # to standard output
    assert code == 0 and out.splitlines()[0].startswith("type,name,email")
    assert "Cy Diaz" in out  # the operator's view
    assert "cannot write" in error_line(
        cli(capsys, db_url, "list", "export", "Export", "--out", str(tmp_path / "no" / "x.csv"))
    )


def test_a_person_no_longer_seen_by_all_leaves_the_lists_view(store: Store, world: World) -> None:
    """Sam is known only from Cy's mail: while Cy shares his activity every member sees Sam and
    a list may name him; once Cy stops sharing, no list shows him, nor names him when removed."""
    set_sharing(store, world, "cy@us.example", sharing=True)
    made = lists.create_list(store, world.org, world.ana, "Leads", "leads")
    sam = person_id(store, PRIVATE_EMAIL)
    lists.add_to_list(store, world.org, made.id, person_ids=[sam], emails=["pat@acme.example"])
    shown = list_rows.show_list(store, world.org, made.id, world.ana)
    assert [r.email for r in shown.rows] == ["pat@acme.example", PRIVATE_EMAIL]
    set_sharing(store, world, "cy@us.example", sharing=False)
    for viewer in (None, world.ana, world.cy):
        rows = list_rows.show_list(store, world.org, made.id, viewer).rows
        assert [r.email for r in rows] == ["pat@acme.example"]
        table = list_rows.export_rows(list_rows.show_list(store, world.org, made.id, viewer))
        assert PRIVATE_EMAIL not in str(table) and PRIVATE_NAME not in str(table)
    removed = lists.remove_from_list(store, world.org, made.id, person_ids=[sam])
    assert removed.removed == [f"person {sam}"]  # taken off, without naming him


def set_sharing(store: Store, world: World, email: str, *, sharing: bool) -> None:
    with store.write() as conn:
        conn.execute(
            member.update()
            .where(member.c.org_id == world.org.id, member.c.email == email)
            .values(activity_sharing=sharing)
        )
