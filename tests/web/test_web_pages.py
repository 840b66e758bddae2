"""The pages and API at work: gallery columns, person tile, accounts, import, network, matches."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import LINKEDIN, Browser, settings, sign_in

from tiegraph.store import Store
from tiegraph.web.app import create_app
from tiegraph.web.templating import counted


def wait_for_import(client: TestClient, path: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(path).json()
        if job.get("finished") or job.get("status") in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError("the import did not finish")


def test_gallery_columns_are_saved_per_member(ana: Browser, bo: Browser) -> None:
    assert ana.post("/properties", {"name": "Stage", "kind": "choice", "choices": "lead, won"})
    props = ana.client.get("/api/v1/properties")  # pages' session is not an API token
    assert props.status_code == 401
    page = ana.client.get("/gallery").text
    assert "Stage" in page
    ana.post("/gallery/columns", {"hide": "title", "back": "/gallery"})
    ana.post("/gallery/columns", {"move": "company", "step": "-1", "back": "/gallery"})
    ana.post("/gallery/columns", {"sort": "company", "descending": "true", "back": "/gallery"})
    ana.post("/gallery/columns", {"page_size": "2", "back": "/gallery"})
    page = ana.client.get("/gallery").text
    header = page[page.index("<thead>") : page.index("</thead>")]
    assert header.index(">Company") < header.index(">Name") and ">Title" not in header
    assert page.count('<tr class="') == 2 and 'rel="next"' in page
    # Bo's layout is his own.
    other = bo.client.get("/gallery").text
    header = other[other.index("<thead>") : other.index("</thead>")]
    assert header.index(">Name") < header.index(">Company") and ">Title" in header


def test_gallery_values_filter_sort_and_archive(ana_api: TestClient) -> None:
    prop = ana_api.post("/api/v1/properties", json={"name": "Deal size", "kind": "number"}).json()
    mine = ana_api.get("/api/v1/gallery", params={"scope": "mine"}).json()["items"]
    assert {r["name"] for r in mine} == {"Robert Smith", "Zoe Anaprivate"}
    ids = {r["name"]: r["id"] for r in mine}
    for name, value in (("Robert Smith", "1,500"), ("Zoe Anaprivate", "90")):
        url = f"/api/v1/contacts/{ids[name]}/values/{prop['id']}"
        assert ana_api.put(url, json={"value": value}).status_code == 200
    bad = ana_api.put(url, json={"value": "lots"})
    assert bad.status_code == 422 and "not a number" in bad.json()["error"]["message"]
    rows = ana_api.get(
        "/api/v1/gallery", params={"scope": "mine", "sort": f"prop:{prop['id']}"}
    ).json()["items"]
    assert [r["values"][str(prop["id"])] for r in rows] == ["90", "1500"]  # numeric order
    found = ana_api.get("/api/v1/gallery", params={"q": "anapriv"}).json()
    assert [r["name"] for r in found["items"]] == ["Zoe Anaprivate"]
    directory = ana_api.get("/api/v1/gallery", params={"status": "directory"}).json()["items"]
    assert "Robert Smith" not in {r["name"] for r in directory}  # shown once, as Ana's contact
    assert ana_api.post(f"/api/v1/contacts/{ids['Robert Smith']}/archive").status_code == 200
    archived = ana_api.get("/api/v1/gallery", params={"archived": True}).json()["items"]
    assert [r["name"] for r in archived] == ["Robert Smith"]
    assert ana_api.post(f"/api/v1/contacts/{ids['Robert Smith']}/restore").status_code == 200
    assert ana_api.delete(f"/api/v1/properties/{prop['id']}").status_code == 200
    again = ana_api.post("/api/v1/properties", json={"name": "Deal size", "kind": "number"})
    assert again.json()["id"] == prop["id"]  # deleted columns come back with their values
    row = ana_api.get("/api/v1/gallery", params={"q": "Robert"}).json()["items"][0]
    assert row["values"] == {str(prop["id"]): "1500"}


def test_gallery_columns_api(ana_api: TestClient) -> None:
    columns = ana_api.get("/api/v1/gallery/columns").json()
    assert columns["order"][:2] == ["name", "company"]
    columns["hidden"] = ["email"]
    assert ana_api.put("/api/v1/gallery/columns", json=columns).json()["hidden"] == ["email"]
    columns["order"] = ["nope"]
    assert ana_api.put("/api/v1/gallery/columns", json=columns).status_code == 422


def test_person_page_tile_and_full_list(ana: Browser) -> None:
    robert = ana.client.get("/api/v1/persons")  # no token: the pages are for sessions
    assert robert.status_code == 401
    page = ana.client.get("/persons/1").text
    assert "Who knows Robert Smith" in page and "Ana Lima" in page and "VP Sales" in page
    assert "Acme Corporation" in page and "LinkedIn" in page  # Ana's own source
    full = ana.client.get("/persons/1/who-knows").text
    assert "Ana Lima" in full and "strongest first" in full


def test_person_api_and_who_knows(ana_api: TestClient) -> None:
    person = ana_api.get("/api/v1/persons/1").json()
    assert person["emails"] == ["robert.smith@acme.example"]
    assert person["sources"] and person["sources"][0]["format"] == "linkedin"
    knowers = ana_api.get("/api/v1/persons/1/who-knows").json()
    assert [k["member_email"] for k in knowers["knowers"]["items"]] == ["ana@us.example"]
    answer = ana_api.get("/api/v1/who-knows", params={"email": "Robert.Smith@acme.example"})
    assert answer.json()["knowers"]["items"][0]["member_name"] == "Ana Lima"


def test_accounts_and_flags(ana: Browser, ana_api: TestClient) -> None:
    assert "Acme Corporation" in ana.client.get("/accounts").text
    page = ana.client.get("/accounts/1").text
    assert "Robert Smith" in page
    ana.post("/accounts/1/flags", {"is_target": "true"})
    assert ana_api.get("/api/v1/accounts/1").json()["is_target"] is True
    flagged = ana_api.patch("/api/v1/accounts/1", json={"is_reference_customer": True}).json()
    assert flagged["is_target"] and flagged["is_reference_customer"]
    targets = ana_api.get("/api/v1/accounts", params={"targets": True}).json()["items"]
    assert [a["name"] for a in targets] == ["Acme Corporation"]
    people = ana_api.get("/api/v1/accounts/1/people").json()["items"]
    assert [p["name"] for p in people] == ["Robert Smith"]


def test_import_through_the_page(ana: Browser) -> None:
    more = LINKEDIN + "Maria,Garcia,https://www.linkedin.com/in/m,,Globex GmbH,CFO,1 Jan 2024\n"
    broken = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n,,,,,,\n"
    files = [
        ("files", ("Connections.csv", more.encode(), "text/csv")),
        ("files", ("second.csv", broken.encode(), "text/csv")),
    ]
    answer = ana.client.post(
        "/import", data={"csrf_token": ana.csrf()}, files=files, follow_redirects=False
    )
    assert answer.status_code == 303
    job_page = answer.headers["location"]
    status = wait_for_import(ana.client, job_page + "/status")
    assert status["status"] == "done" and status["done"] == status["total"] == 2
    report = ana.client.get(job_page).text  # the page survives a reload: it reads the job row
    assert "2 of 3 matched" in report and "Connections.csv" in report
    assert "second.csv" in report
    assert "Your imports" in ana.client.get("/import").text


def test_import_through_the_api(ana_api: TestClient) -> None:
    answer = ana_api.post(
        "/api/v1/imports", files={"files": ("Connections.csv", LINKEDIN.encode(), "text/csv")}
    )
    assert answer.status_code == 202
    job = wait_for_import(ana_api, f"/api/v1/imports/{answer.json()['id']}")
    source = job["report"]["sources"][0]
    assert source["file"] == "Connections.csv" and source["unchanged"] == 2
    assert source["summary"].startswith("LinkedIn (Connections.csv): 1 of 2 matched")


def test_private_network_add_to_directory(ana: Browser, ana_api: TestClient) -> None:
    assert "Zoe Anaprivate" in ana.client.get("/network").text
    zoe = ana_api.get("/api/v1/contacts", params={"status": "private"}).json()["items"][0]
    answer = ana.post(f"/network/{zoe['id']}/publish")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/persons/")
    assert "Zoe Anaprivate" not in ana.client.get("/network").text
    assert "Zoe Anaprivate" in ana.client.get(answer.headers["location"]).text


def test_possible_matches_confirm(ana: Browser, ana_api: TestClient, web_store: Store) -> None:
    from sqlalchemy import select

    from tiegraph.store.schema import contact, possible_match

    with web_store.write() as conn:
        zoe = conn.execute(select(contact).where(contact.c.last_name == "Anaprivate")).one()
        match_id = conn.execute(
            possible_match.insert()
            .values(org_id=zoe.org_id, contact_id=zoe.id, person_id=3, reason="same name")
            .returning(possible_match.c.id)
        ).scalar_one()
    assert "same name" in ana.client.get("/matches").text
    assert ana.post(f"/matches/{match_id}", {"decision": "confirm"}).status_code == 303
    decided = ana_api.get("/api/v1/possible-matches", params={"status": "confirmed"}).json()
    assert [m["id"] for m in decided["items"]] == [match_id]


def test_sharing_settings(ana: Browser, ana_api: TestClient) -> None:
    ana.post("/settings/sharing", {"contact_sync": "true"})
    me = ana_api.get("/api/v1/settings/sharing").json()
    assert me["contact_sync"] is True and me["activity_sharing"] is False
    me = ana_api.put("/api/v1/settings/sharing", json={"activity_sharing": True}).json()
    assert me["contact_sync"] and me["activity_sharing"]


def test_contact_sync_needs_two_members(dan_api: TestClient) -> None:
    answer = dan_api.put("/api/v1/settings/sharing", json={"contact_sync": True})
    assert answer.status_code == 422 and "two members" in answer.json()["error"]["message"]


def test_admin_archives_persons(ana_api: TestClient, bo_api: TestClient) -> None:
    assert bo_api.post("/api/v1/persons/2/archive").status_code == 403
    assert ana_api.post("/api/v1/persons/2/archive").status_code == 200
    knowers = bo_api.get("/api/v1/who-knows", params={"email": "jose@globex.example"}).json()
    assert knowers["knowers"]["items"] == []
    assert ana_api.post("/api/v1/persons/2/restore").status_code == 200
    knowers = bo_api.get("/api/v1/who-knows", params={"email": "jose@globex.example"}).json()
    assert knowers["knowers"]["items"]


def test_a_column_is_deleted_by_its_maker_or_an_admin(
    ana_api: TestClient, bo_api: TestClient
) -> None:
    mine = bo_api.post("/api/v1/properties", json={"name": "Bo's stage", "kind": "text"}).json()
    admins = ana_api.post("/api/v1/properties", json={"name": "Region", "kind": "text"}).json()
    refused = bo_api.delete(f"/api/v1/properties/{admins['id']}")
    assert refused.status_code == 403
    assert "made this column or an admin" in refused.json()["error"]["message"]
    assert bo_api.delete(f"/api/v1/properties/{mine['id']}").status_code == 200
    assert ana_api.delete(f"/api/v1/properties/{admins['id']}").status_code == 200
    names = {p["name"] for p in bo_api.get("/api/v1/properties").json()["items"]}
    assert not names & {"Bo's stage", "Region"}


def test_outlook_pst_through_the_page(web_store: Store, tmp_path: Path) -> None:
    pytest.importorskip("pypff")
    sample = Path(__file__).parents[1] / "fixtures" / "pst" / "dist-list.pst"
    app = create_app(web_store, settings(tmp_path, upload_limit_bytes=1 << 20))  # a 265 KB file
    try:
        ana = sign_in(app, "ana@us.example")
        files = [("files", ("Outlook.pst", sample.read_bytes(), "application/vnd.ms-outlook"))]
        answer = ana.client.post(
            "/import", data={"csrf_token": ana.csrf()}, files=files, follow_redirects=False
        )
        assert answer.status_code == 303
        status = wait_for_import(ana.client, answer.headers["location"] + "/status")
        assert status["status"] == "done"
        report = ana.client.get(answer.headers["location"]).text
        assert "Outlook PST · Outlook.pst" in report and "0 of 1 matched" in report
        assert "1 distribution list, 1 free/busy data" in report
        fake = [("files", ("fake.pst", b"From: a@b\n\nhello\n", "application/octet-stream"))]
        refused = ana.client.post("/import", data={"csrf_token": ana.csrf()}, files=fake)
        assert refused.status_code == 422 and "not an Outlook data file" in refused.text
    finally:
        app.state.imports.shutdown(wait=True)


def test_counts_read_in_the_right_number(ana: Browser) -> None:
    assert (counted(1, "account"), counted(2, "account"), counted(0, "row")) == (
        "1 account",
        "2 accounts",
        "0 rows",
    )
    assert counted(12345, "row") == "12,345 rows"
    page = ana.client.get("/accounts").text
    assert " 1 accounts" not in page and re.search(r"\d+ accounts?\.", page)
