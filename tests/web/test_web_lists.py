"""Lists, nurture, an account's closest and company connections, and intro paths, through the
pages and the API."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select
from tests.web.conftest import Browser, api_client, sign_in
from tests.web.test_web_errors import assert_envelope

from tiegraph.services.insights.connections import KINDS
from tiegraph.store import Store
from tiegraph.store.schema import company, person
from tiegraph.web.routes.pages_accounts import KIND_NAMES


def ids(store: Store) -> dict[str, int]:
    with store.read() as conn:
        people = dict(conn.execute(select(person.c.external_id, person.c.id)).all())
        companies = dict(conn.execute(select(company.c.external_id, company.c.id)).all())
    return {"robert": people["P1"], "jose": people["P2"], "globex": companies["C2"]}


def test_lists_through_the_pages(active_app: FastAPI, active_store: Store) -> None:
    found = ids(active_store)
    ana = sign_in(active_app, "ana@us.example")
    created = ana.post("/lists", {"name": "Q3 leads", "kind": "leads"})
    url = created.headers["location"]  # type: ignore[attr-defined]
    ana.post(url + "/items", {"emails": "jose@globex.example, robert.smith@acme.example"})
    ana.post(url + "/items", {"accounts": "acme.example\nnobody.example"})  # all or nothing
    page = ana.client.get(url).text
    assert "Nothing added: no company" in page and "find-account?q=acme.example" not in page
    assert "Cy Ode" in page and "Ana Lima" in page  # who knows each row
    back = ana.post(
        "/lists/add",
        {"list_id": url.rsplit("/", 1)[1], "account_ids": str(found["globex"]), "back": "/x"},
    )
    assert back.headers["location"] == "/x"  # type: ignore[attr-defined]
    page = ana.client.get(url).text
    assert "Globex GmbH" in page and "account" in page
    ana.post("/lists", {"name": "q3 LEADS"})
    assert "already exists" in ana.client.get("/lists").text
    bo = sign_in(active_app, "bo@us.example")
    assert "Q3 leads" in bo.client.get("/lists").text  # every member sees every list
    assert "Archive list" not in bo.client.get(url).text
    bo.post(url + "/archive")
    assert "only Ana Lima" in bo.client.get(url).text
    ana.post(url + "/archive")
    archived = ana.client.get(url).text
    assert "archived" in archived and "Add to the list" not in archived
    assert "Q3 leads" in ana.client.get("/lists?archived=true").text
    assert "Q3 leads" not in ana.client.get("/lists").text


def test_person_and_account_pages_offer_the_lists(ana: Browser, web_store: Store) -> None:
    found = ids(web_store)
    ana.post("/lists", {"name": "Deals", "kind": "deals"})
    assert "Add to a list" in ana.client.get(f"/persons/{found['jose']}").text
    assert "Add to a list" in ana.client.get(f"/accounts/{found['globex']}").text


def test_lists_through_the_api(active_app: FastAPI, active_store: Store) -> None:
    api = api_client(active_app, active_store, "ana@us.example")
    created = api.post("/api/v1/lists", json={"name": "Deals", "kind": "deals"})
    assert created.status_code == 201
    list_id = created.json()["id"]
    added = api.post(
        f"/api/v1/lists/{list_id}/items",
        json={"emails": ["jose@globex.example"], "accounts": ["globex.example"]},
    ).json()
    assert added == {"added": ["José Núñez <jose@globex.example>", "Globex GmbH"], "already": []}
    again = api.post(f"/api/v1/lists/{list_id}/items", json={"emails": ["jose@globex.example"]})
    assert again.json()["already"] == ["José Núñez <jose@globex.example>"]
    rows = api.get(f"/api/v1/lists/{list_id}/rows", params={"limit": 1}).json()
    assert rows["total"] == 2 and rows["next"] and rows["items"][0]["top_knowers"][0]["score"] > 0
    account = api.get(f"/api/v1/lists/{list_id}/rows", params={"offset": 1}).json()["items"][0]
    assert account["kind"] == "account" and account["account_knowers"][0]["member_name"]
    unknown = api.post(f"/api/v1/lists/{list_id}/items", json={"emails": ["no@x.example"]})
    assert "no directory person" in assert_envelope(unknown, 404)["message"]
    assert api.post(f"/api/v1/lists/{list_id}/archive").json()["archived_at"]
    assert api.get("/api/v1/lists", params={"archived": True}).json()["total"] == 1


def test_nurture_page_and_api(active_app: FastAPI, active_store: Store) -> None:
    ana = sign_in(active_app, "ana@us.example")
    page = ana.client.get("/nurture").text
    assert "Robert Smith" in page and "warming" in page
    assert "Robert Smith" not in ana.client.get("/nurture?as_of=2020-01-01").text  # before
    assert ana.client.get("/nurture?as_of=0001-01-01").status_code == 422
    api = api_client(active_app, active_store, "ana@us.example")
    mine = api.get("/api/v1/nurture").json()
    assert [i["person_name"] for i in mine["items"]] == ["Robert Smith"]
    assert api.get("/api/v1/nurture", params={"part": "connections"}).json()["total"] == 0
    cy = api.get("/api/v1/nurture", params={"member_email": "cy@us.example"}).json()
    assert [i["person_name"] for i in cy["items"]] == ["José Núñez"]  # Cy shares activity


def test_account_page_connections_and_filters(active_app: FastAPI, active_store: Store) -> None:
    assert tuple(KIND_NAMES) == KINDS
    globex = ids(active_store)["globex"]
    ana = sign_in(active_app, "ana@us.example")
    page = ana.client.get(f"/accounts/{globex}").text
    assert "Closest connections to us" in page and "José Núñez" in page
    assert "Company connections (1)" in page and "knows 1 person there" in page
    assert "Company connections (0)" in ana.client.get(f"/accounts/{globex}?min_strength=99").text
    assert "Company connections (0)" in ana.client.get(f"/accounts/{globex}?kind=school").text
    assert "Company connections (0)" in ana.client.get(f"/accounts/{globex}?title=CFO").text
    assert ana.client.get(f"/accounts/{globex}?kind=gossip").status_code == 422


def test_insights_through_the_api(active_app: FastAPI, active_store: Store) -> None:
    found = ids(active_store)
    api = api_client(active_app, active_store, "ana@us.example")
    closest = api.get("/api/v1/closest", params={"email": "jose@globex.example"}).json()
    assert [k["member_name"] for k in closest["knowers"]["items"]] == ["Cy Ode"]
    account = api.get(f"/api/v1/accounts/{found['globex']}/closest").json()
    assert account["items"][0]["person_name"] == "José Núñez"
    assert account["items"][0]["member_name"] == "Cy Ode"
    connections = api.get(
        f"/api/v1/accounts/{found['globex']}/connections", params={"kind": ["personal"]}
    ).json()
    assert connections["items"][0]["certainty"] == "measured"
    assert connections["items"][0]["reasons"][0]["kind"] == "personal"
    bad = api.get(f"/api/v1/accounts/{found['globex']}/connections", params={"kind": "gossip"})
    assert assert_envelope(bad, 422)["details"][0]["location"].startswith("query.kind")
    paths = api.get("/api/v1/paths", params={"email": "jose@globex.example"}).json()
    assert paths["person_name"] == "José Núñez" and paths["company"] == "Globex GmbH"
    assert paths["paths"]["items"][0]["introducer_name"] == "Cy Ode"
    assert paths["paths"]["items"][0]["hops"][-1]["target_name"] == "José Núñez"
