"""Lists that work, through the pages and the API: add from the gallery's selected rows and from
person and account pages (to a chosen list or a new one), remove rows, export CSV, and ask for
an intro from a row."""

from __future__ import annotations

import csv
import html
import io
import re

from fastapi import FastAPI
from tests.web.conftest import Browser, api_client, sign_in
from tests.web.test_web_errors import assert_envelope
from tests.web.test_web_lists import ids

from tiegraph.services.list_rows import EXPORT_HEADER
from tiegraph.store import Store


def flash(browser: Browser, url: str) -> str:
    """The message the next page shows after a form was sent."""
    found = re.search(
        r'<p class="flash (\w+)" role="status">(.*?)</p>', browser.client.get(url).text
    )
    assert found, url
    return html.unescape(found.group(2))


def location(answer: object) -> str:
    return answer.headers["location"]  # type: ignore[attr-defined,no-any-return]


def maria(store: Store) -> int:
    from sqlalchemy import select

    from tiegraph.store.schema import person

    with store.read() as conn:
        return conn.execute(select(person.c.id).where(person.c.external_id == "P3")).scalar_one()


def test_add_selected_rows_to_a_new_or_a_chosen_list(
    active_app: FastAPI, active_store: Store
) -> None:
    found = ids(active_store)
    robert, jose, globex = found["robert"], found["jose"], found["globex"]
    ana = sign_in(active_app, "ana@us.example")
    gallery = ana.client.get("/gallery").text
    assert 'form="add-selected"' in gallery and "Add selected to list" in gallery
    assert f'name="person_ids" value="{robert}"' in gallery
    zoe = next(r for r in gallery.split("<tr") if "Zoe Anaprivate" in r)  # a private contact
    assert "person_ids" not in zoe  # no checkbox: a list names no private contact
    # From the search results: one row, into a new list.
    back = "/gallery?q=Robert"
    answer = ana.post(
        "/lists/add", {"new_list": "From search", "person_ids": str(robert), "back": back}
    )
    assert location(answer) == back
    said = flash(ana, back)
    assert "List “From search” created." in said and "Robert Smith" in said
    list_id = re.search(
        r'<option value="(\d+)">From search</option>', ana.client.get("/gallery").text
    )
    assert list_id
    chosen = list_id.group(1)
    made = next(r for r in ana.client.get("/lists").text.split("<tr>") if "From search" in r)
    assert "<td>leads</td><td>Ana Lima</td><td>1</td>" in made  # Ana's, of leads, one row
    # Multi-select: two more, one already there, the same person checked twice (contact row and
    # directory row) added once.
    picked = [str(jose), str(robert), str(jose), str(maria(active_store))]
    ana.post("/lists/add", {"list_id": chosen, "person_ids": picked, "back": "/gallery"})  # type: ignore[dict-item]
    said = flash(ana, "/gallery")
    assert "Added to “From search”: José Núñez <jose@globex.example>, Maria Garcia." in said
    assert "Already on “From search”: Robert Smith <robert.smith@acme.example>." in said
    ana.post("/lists/add", {"list_id": chosen, "back": "/gallery"})
    assert flash(ana, "/gallery") == "Nothing added: select rows first."
    ana.post("/lists/add", {"list_id": chosen, "person_ids": "1 OR 1=1", "back": "/gallery"})
    assert "rows are named by their numbers" in flash(ana, "/gallery")
    ana.post("/lists/add", {"person_ids": str(jose), "back": "/gallery"})
    assert "choose a list, or name a new one" in flash(ana, "/gallery")
    ana.post("/lists/add", {"new_list": "from SEARCH", "person_ids": str(jose), "back": "/"})
    assert "Nothing added: a list named 'From search' already exists" in flash(ana, "/gallery")
    # From an account's page, to the chosen list.
    ana.post(
        "/lists/add", {"list_id": chosen, "account_ids": str(globex), "back": f"/accounts/{globex}"}
    )
    assert "Added to “From search”: Globex GmbH." in flash(ana, f"/accounts/{globex}")
    page = ana.client.get(f"/lists/{chosen}").text
    assert all(n in page for n in ("Robert Smith", "José Núñez", "Maria Garcia", "Globex GmbH"))
    assert "4 rows" in page
    # Bo may not change Ana's list: not offered, and refused when sent anyway.
    bo = sign_in(active_app, "bo@us.example")
    assert ">From search</option>" not in bo.client.get("/gallery").text
    assert 'name="new_list"' in bo.client.get(f"/persons/{jose}").text  # his own, new list
    bo.post("/lists/add", {"list_id": chosen, "person_ids": str(jose), "back": "/gallery"})
    assert "Nothing added: only Ana Lima (its owner) or an admin can change it" in flash(
        bo, "/gallery"
    )
    bo.post("/lists/add", {"list_id": "999999", "person_ids": str(jose), "back": "/gallery"})
    assert "Nothing added: no list 999999" in flash(bo, "/gallery")


def test_remove_export_and_ask_from_the_rows(active_app: FastAPI, active_store: Store) -> None:
    found = ids(active_store)
    robert, jose, globex, garcia = (
        found["robert"],
        found["jose"],
        found["globex"],
        maria(active_store),
    )
    ana = sign_in(active_app, "ana@us.example")
    ana.post("/lists/add", {"new_list": "Deals", "back": "/lists",
                            "person_ids": [str(robert), str(jose), str(garcia)],  # type: ignore[dict-item]
                            "account_ids": str(globex)})  # fmt: skip
    list_id = re.search(r'href="/lists/(\d+)">Deals<', ana.client.get("/lists").text)
    assert list_id
    url = f"/lists/{list_id.group(1)}"
    page = ana.client.get(url).text
    assert "Strongest colleague" in page and "Last contact" in page and "Export CSV" in page
    # José: Cy is the colleague Ana may ask (Bo keeps his activity to himself).
    assert f'action="/persons/{jose}/intros"' in page
    assert 'name="introducer" value="cy@us.example"' in page and "through Cy Ode" in page
    assert "bo@us.example" not in page and "Bo Chen" not in page
    assert "You know them" in page  # Robert: Ana herself
    assert "No one to ask yet" in page  # Maria: no one
    assert page.count('form="remove-rows"') == 4 and page.count(">Remove</button>") == 4
    # Bo sees the list, cannot change it.
    bo = sign_in(active_app, "bo@us.example")
    theirs = bo.client.get(url).text
    assert "Remove" not in theirs and 'form="remove-rows"' not in theirs
    bo.post(url + "/remove", {"person_ids": str(robert)})
    assert "Nothing removed: only Ana Lima (its owner) or an admin" in flash(bo, url)
    # One row, then several.
    ana.post(url + "/remove", {"person_ids": str(garcia)})
    assert flash(ana, url) == "Removed Maria Garcia."
    ana.post(
        url + "/remove", {"person_ids": [str(robert), str(garcia)], "account_ids": str(globex)}
    )  # type: ignore[dict-item]
    said = flash(ana, url)
    assert said == (
        "Removed Robert Smith <robert.smith@acme.example>, Globex GmbH. "
        f"Not on the list: person {garcia}."
    )
    ana.post(url + "/remove", {"person_ids": "x"})
    assert "Nothing removed: rows are named by their numbers" in flash(ana, url)
    # Export: the page's rows and columns.
    exported = ana.client.get(url + "/export.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert 'filename="deals.csv"' in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text, newline="")))
    assert tuple(rows[0]) == EXPORT_HEADER and len(rows) == 1
    assert (rows[0]["name"], rows[0]["strongest colleague"], rows[0]["ask for an intro"]) == (
        "José Núñez",
        "Cy Ode",
        "Cy Ode",
    )
    assert rows[0]["last contact"] and rows[0]["strength"] in ("strong", "good", "weak")
    # Ask for an intro from the row: the draft opens; the row then shows the open request.
    asked = ana.post(f"/persons/{jose}/intros", {"introducer": "cy@us.example"})
    assert re.fullmatch(r"/intros/\d+", location(asked))
    page = ana.client.get(url).text
    assert f'href="{location(asked)}"' in page and "Get introduced" not in page


def test_lists_rows_through_the_api(active_app: FastAPI, active_store: Store) -> None:
    found = ids(active_store)
    api = api_client(active_app, active_store, "ana@us.example")
    list_id = api.post("/api/v1/lists", json={"name": "API deals", "kind": "deals"}).json()["id"]
    added = api.post(
        f"/api/v1/lists/{list_id}/items",
        json={"person_ids": [found["jose"], found["robert"]], "account_ids": [found["globex"]]},
    ).json()
    assert added["added"] == [
        "José Núñez <jose@globex.example>",
        "Robert Smith <robert.smith@acme.example>",
        "Globex GmbH",
    ]
    rows = api.get(f"/api/v1/lists/{list_id}/rows").json()["items"]
    jose = rows[0]
    assert jose["person_id"] == found["jose"] and jose["introducer_email"] == "cy@us.example"
    assert jose["last_at"] and rows[1]["introducer_email"] == ""  # Ana knows Robert herself
    assert rows[2]["company_id"] == found["globex"] and rows[2]["person_id"] is None
    removed = api.post(
        f"/api/v1/lists/{list_id}/remove",
        json={"emails": ["robert.smith@acme.example"], "accounts": ["nobody-here.example"]},
    )
    assert "no company named" in assert_envelope(removed, 404)["message"]  # all or nothing
    removed = api.post(
        f"/api/v1/lists/{list_id}/remove",
        json={"emails": ["ROBERT.SMITH@acme.example", "jose@other.example"]},
    ).json()
    assert removed == {
        "removed": ["Robert Smith <robert.smith@acme.example>"],
        "absent": ["jose@other.example"],
    }
    nothing = api.post(f"/api/v1/lists/{list_id}/remove", json={})
    assert "nothing to remove" in assert_envelope(nothing, 422)["message"]
    bad = api.post(f"/api/v1/lists/{list_id}/remove", json={"person_ids": [0]})
    assert_envelope(bad, 422)
    exported = api.get(f"/api/v1/lists/{list_id}/export.csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    names = [r["name"] for r in csv.DictReader(io.StringIO(exported.text, newline=""))]
    assert names == ["José Núñez", "Globex GmbH"]
    bo = api_client(active_app, active_store, "bo@us.example")
    refused = bo.post(f"/api/v1/lists/{list_id}/remove", json={"person_ids": [found["jose"]]})
    assert "only Ana Lima" in assert_envelope(refused, 403)["message"]
    dan = api_client(active_app, active_store, "dan@other.example", "other")
    assert_envelope(dan.get(f"/api/v1/lists/{list_id}/export.csv"), 404)
