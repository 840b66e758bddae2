"""Lists of leads, opportunities and deals through the CLI: who knows each row, as each may see."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from intro_world import PRIVATE_EMAIL, PRIVATE_NAME, World, build_world
from tiegraph.cli import main
from tiegraph.errors import NotFoundError
from tiegraph.services import list_rows, lists
from tiegraph.services.directory.accounts import get_account
from tiegraph.services.insights.connections import company_connections
from tiegraph.services.org.orgs import create_org
from tiegraph.store import Store
from tiegraph.store.schema import company

Run = tuple[int, str, str]


def cli(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> Run:
    try:
        main([*argv, "--db", db])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ok_json(run: Run) -> Any:
    code, out, err = run
    assert code == 0, err
    return json.loads(out)


def error_line(run: Run) -> str:
    code, out, err = run
    assert code == 2, (out, err)
    assert out == "" and err.startswith("Error: ") and err.count("\n") == 1, err
    return err


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path)


def _knowers(view: dict[str, Any]) -> dict[str, list[str]]:
    """Row name → the members shown knowing it, in order."""
    shown = {}
    for row in view["rows"]:
        name = row["person"]["name"] if row["type"] == "person" else row["company"]["name"]
        shown[name] = [k["member"]["name"] for k in row["knowers"]]
    return shown


def test_rows_show_who_knows_them_as_the_viewer_may_see(
    capsys: pytest.CaptureFixture[str], db_url: str, world: World
) -> None:
    created = ok_json(
        cli(capsys, db_url, "list", "create", "Q3 leads", "--kind", "leads", "--viewer",
            "ana@us.example", "--json")
    )  # fmt: skip
    assert created["owner"]["email"] == "ana@us.example" and created["items"] == 0
    added = ok_json(
        cli(capsys, db_url, "list", "add", "q3 LEADS", "pat@acme.example", "KIM@globex.example",
            "--account", "acme.example", "--account", "Globex Inc.", "--viewer", "ana@us.example",
            "--json")
    )  # fmt: skip
    refused = cli(capsys, db_url, "list", "add", "Q3 leads", "lee@acme.example", "--viewer",
                  "bo@us.example")  # fmt: skip
    assert "only Ana Lima (its owner) or an admin can change it" in error_line(refused)
    assert added["added"] == [
        "Pat Doe <pat@acme.example>",
        "Kim Park <kim@globex.example>",
        "Acme Corp",
        "Globex",
    ]
    again = ok_json(cli(capsys, db_url, "list", "add", "Q3 leads", "pat@acme.example", "--json"))
    assert again["added"] == [] and again["already"] == ["Pat Doe <pat@acme.example>"]

    operator = ok_json(cli(capsys, db_url, "list", "show", "Q3 leads", "--json"))
    assert operator["list"]["items"] == 4
    assert _knowers(operator) == {
        "Pat Doe": ["Cy Diaz", "Bo Chen"],
        "Kim Park": ["Cy Diaz"],
        "Acme Corp": ["Cy Diaz", "Bo Chen", "Ana Lima"],
        "Globex": ["Cy Diaz"],
    }
    acme = operator["rows"][2]
    assert acme["company"]["domains"] == ["acme.example"]
    assert acme["knowers"][0]["best_person"] == "Pat Doe"  # never Cy's private contact, Sam
    assert operator["rows"][0]["person"]["title"] == "VP Sales"

    ana = ok_json(
        cli(capsys, db_url, "list", "show", "Q3 leads", "--viewer", "ana@us.example", "--json")
    )
    assert _knowers(ana) == {
        "Pat Doe": ["Bo Chen"],
        "Kim Park": [],
        "Acme Corp": ["Bo Chen", "Ana Lima"],  # Ana's own tie to Lee, Bo's to Pat
        "Globex": [],
    }
    cy = ok_json(
        cli(capsys, db_url, "list", "show", "Q3 leads", "--viewer", "cy@us.example", "--json")
    )
    assert _knowers(cy)["Pat Doe"] == ["Cy Diaz", "Bo Chen"]  # Cy sees his own ties

    code, out, _ = cli(capsys, db_url, "list", "show", "Q3 leads", "--viewer", "ana@us.example")
    assert code == 0 and "Bo Chen" in out and "Globex" in out
    for hidden in ("Cy Diaz", "Cy ", PRIVATE_NAME, PRIVATE_EMAIL, "Secret"):
        assert hidden not in out
    lists = ok_json(cli(capsys, db_url, "list", "list", "--json"))["lists"]
    assert [(x["name"], x["kind"], x["items"]) for x in lists] == [("Q3 leads", "leads", 4)]


def test_a_private_contact_cannot_be_added_and_looks_unknown(
    capsys: pytest.CaptureFixture[str], db_url: str, world: World
) -> None:
    for viewer in ("cy@us.example", "ana@us.example"):  # each adds to a list of their own
        name = f"Deals of {viewer}"
        assert cli(capsys, db_url, "list", "create", name, "--kind", "deals", "--owner",
                   viewer)[0] == 0  # fmt: skip
        private = error_line(
            cli(capsys, db_url, "list", "add", name, PRIVATE_EMAIL, "--viewer", viewer)
        )
        unknown = error_line(
            cli(capsys, db_url, "list", "add", name, "x@nowhere.example", "--viewer", viewer)
        )
        assert private.replace(PRIVATE_EMAIL, "X") == unknown.replace("x@nowhere.example", "X")
        assert "no directory person" in private and PRIVATE_NAME not in private
    # all or nothing: the good address before the bad one was not added either
    deals = "Deals of cy@us.example"
    error_line(cli(capsys, db_url, "list", "add", deals, "pat@acme.example", PRIVATE_EMAIL))
    assert ok_json(cli(capsys, db_url, "list", "show", deals, "--json"))["rows"] == []


def test_bad_input_and_archiving(
    capsys: pytest.CaptureFixture[str], db_url: str, store: Store, world: World
) -> None:
    with store.write() as conn:  # two companies written alike
        for external, name in (("C8", "Initech"), ("C9", "Initech GmbH")):
            conn.execute(
                company.insert().values(
                    org_id=world.org.id, external_id=external, name=name, name_key="initech"
                )
            )

    def fails(*argv: str) -> str:
        return error_line(cli(capsys, db_url, "list", *argv))

    assert "kind 'wins'" in fails("create", "Mine", "--kind", "wins", "--owner", "ana@us.example")
    assert "whose list" in fails("create", "Mine")
    assert "--owner must be the --viewer" in fails(
        "create", "Mine", "--owner", "bo@us.example", "--viewer", "ana@us.example"
    )
    assert cli(capsys, db_url, "list", "create", "Mine", "--kind", "opportunities",
               "--owner", "ana@us.example")[0] == 0  # fmt: skip
    assert "already exists" in fails("create", "MINE", "--owner", "bo@us.example")
    assert "no list named 'Other'" in fails("show", "Other")
    assert "no list named 'Other'" in fails("add", "Other", "pat@acme.example")
    assert "not an email" in fails("add", "Mine", "pat-at-acme")
    assert "nothing to add" in fails("add", "Mine")
    assert "no company named 'Hooli'" in fails("add", "Mine", "--account", "Hooli")
    assert "names 2 companies" in fails("add", "Mine", "--account", "Initech")
    assert "only Ana Lima" in fails("archive", "Mine", "--viewer", "bo@us.example")
    archived = ok_json(
        cli(capsys, db_url, "list", "archive", "Mine", "--viewer", "dee@us.example", "--json")
    )
    assert archived["archived_at"]
    assert "archived" in fails("add", "Mine", "pat@acme.example")
    assert "already archived" in fails("archive", "Mine")
    assert "already exists (archived)" in fails("create", "mine", "--owner", "bo@us.example")
    assert ok_json(cli(capsys, db_url, "list", "list", "--json"))["lists"] == []
    kept = ok_json(cli(capsys, db_url, "list", "list", "--archived", "--json"))["lists"]
    assert [x["name"] for x in kept] == ["Mine"]
    assert ok_json(cli(capsys, db_url, "list", "show", "Mine", "--json"))["list"]["archived_at"]


def test_lists_and_accounts_by_id(store: Store, world: World) -> None:
    """The web app and the API name lists and accounts by id; another org's ids are unknown."""
    with store.read() as conn:
        acme = conn.execute(select(company.c.id).where(company.c.name == "Acme Corp")).scalar_one()
    assert get_account(store, world.org, acme).name == "Acme Corp"
    found = company_connections(store, world.org, acme, viewer=world.ana)
    assert found.account.name == "Acme Corp"
    created = lists.create_list(store, world.org, world.ana, "Deals", "deals")
    report = lists.add_to_list(store, world.org, created.id, account_ids=[acme])
    assert report.added == ["Acme Corp"]
    assert lists.find_list(store, world.org, created.id).items == 1
    assert [r.name for r in list_rows.show_list(store, world.org, created.id, world.ana).rows] == [
        "Acme Corp"
    ]
    other = create_org(store, "other", "Other Inc")
    with pytest.raises(NotFoundError):
        lists.find_list(store, other, created.id)
    with pytest.raises(NotFoundError):
        lists.add_to_list(store, world.org, created.id, account_ids=[acme + 1000])
    with pytest.raises(NotFoundError):
        company_connections(store, other, acme)


def test_the_page_reads_account_rows_unworded_the_same(store: Store, world: World) -> None:
    """The list page words no reasons of an account's colleagues: the same colleagues, order,
    scores, labels, people and last contact as the worded rows (CSV, API), for every viewer."""
    with store.read() as conn:
        ids = list(conn.execute(select(company.c.id).order_by(company.c.id)).scalars())
    created = lists.create_list(store, world.org, world.ana, "Accounts", "deals")
    lists.add_to_list(store, world.org, created.id, account_ids=ids)

    def shown(row: list_rows.ListRow) -> list[tuple[Any, ...]]:
        return [
            (k.member_email, k.score, k.label, k.people, k.best_person, k.strength)
            for k in row.account_knowers
        ]

    for viewer in (None, world.ana, world.bo, world.cy):
        worded = list_rows.show_list(store, world.org, created.id, viewer)
        page = list_rows.show_list(store, world.org, created.id, viewer, worded=False)
        assert [r.name for r in page.rows] == [r.name for r in worded.rows]
        for fast, slow in zip(page.rows, worded.rows, strict=True):
            assert shown(fast) == shown(slow)
            assert fast.last_contact == slow.last_contact
            assert all(k.reasons == () and k.reason_items == () for k in fast.account_knowers)
        assert any(r.account_knowers and r.last_contact for r in page.rows)
    everyone = list_rows.show_list(store, world.org, created.id, worded=False)
    acme = next(r for r in everyone.rows if r.name == "Acme Corp")
    assert [k.member_name for k in acme.account_knowers] == ["Cy Diaz", "Bo Chen", "Ana Lima"]
