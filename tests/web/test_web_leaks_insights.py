"""Sharing rules through the pages and endpoints of closest connections, company connections,
intro paths, nurture, intro requests and lists: a member never sees another's private contacts
or unshared ties, and one organization never sees anything of another.

Bo shares no activity and holds the strongest ties to José and Robert; his private contact
Yuri works at Secretco. Ana may see Cy's ties and her own, never Bo's.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.conftest import Browser, api_client, sign_in
from tests.web.test_web_errors import assert_envelope

from tiegraph.services.intros.requests import draft_intro
from tiegraph.services.lists import add_to_list, create_list
from tiegraph.services.org.members import get_member, set_member_sharing
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import Store
from tiegraph.store.schema import company, intro_request, list_item, person
from tiegraph.web.paths_cache import PathsCache
from tiegraph.web.routes import pages_accounts

# Bo's private contact, Bo's unshared ties (his name), Cy's request text, the other org.
SECRETS = ("Bosecret", "yuri@secret.example", "Bo Chen", "Olga", "Othercorp", "Deals of Dan")


@dataclass(frozen=True)
class Ids:
    robert: int
    jose: int
    olga: int
    acme: int
    globex: int
    secretco: int
    othercorp: int
    ana_list: int
    dan_list: int
    ana_intro: int
    bo_intro: int


@pytest.fixture
def ids(active_store: Store) -> Ids:
    store = active_store
    with store.read() as conn:

        def one(table: object, external: str) -> int:
            query = select(table.c.id).where(table.c.external_id == external)  # type: ignore[attr-defined]
            return int(conn.execute(query).scalar_one())

        found = {
            "robert": one(person, "P1"),
            "jose": one(person, "P2"),
            "olga": one(person, "X1P"),
            "acme": one(company, "C1"),
            "globex": one(company, "C2"),
            "secretco": one(company, "C3"),
            "othercorp": one(company, "X1"),
        }
    org, other = resolve_org(store), resolve_org(store, "other")
    ana, bo = (get_member(store, org, f"{m}@us.example") for m in ("ana", "bo"))
    dan = get_member(store, other, "dan@other.example")
    ana_list = create_list(store, org, ana, "Pipeline of Ana", "leads")
    add_to_list(
        store,
        org,
        ana_list.id,
        emails=["jose@globex.example", "robert.smith@acme.example"],
        account_ids=[found["globex"], found["secretco"]],
    )
    dan_list = create_list(store, other, dan, "Deals of Dan", "deals")
    add_to_list(store, other, dan_list.id, emails=["olga@other.example"])
    ana_intro = draft_intro(store, org, ana, via="cy@us.example", to="jose@globex.example")
    bo_intro = draft_intro(
        store, org, bo, via="cy@us.example", to="jose@globex.example", note="Bosecret plans"
    )
    return Ids(
        **found,
        ana_list=ana_list.id,
        dan_list=dan_list.id,
        ana_intro=ana_intro.id,
        bo_intro=bo_intro.id,
    )


@pytest.fixture
def ana(active_app: FastAPI) -> Browser:
    return sign_in(active_app, "ana@us.example")


@pytest.fixture
def ana_api(active_app: FastAPI, active_store: Store) -> TestClient:
    return api_client(active_app, active_store, "ana@us.example")


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


PAGES = [
    "/persons/{jose}",
    "/persons/{jose}/who-knows",
    "/persons/{robert}",
    "/accounts/{globex}",
    "/accounts/{globex}?kind=personal&kind=reference-customer",
    "/accounts/{acme}",
    "/accounts/{secretco}",
    "/lists",
    "/lists/{ana_list}",
    "/intros",
    "/intros/{ana_intro}",
    "/nurture",
    "/settings",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_show_nothing_of_others(ana: Browser, ids: Ids, path: str) -> None:
    answer = ana.client.get(path.format(**ids.__dict__))
    assert answer.status_code == 200
    assert_clean(answer.text)


def test_ana_sees_cy_where_bo_is_stronger(ana: Browser, ids: Ids, active_app: FastAPI) -> None:
    """The same pages show Bo his own ties: what Ana misses is hidden, not missing."""
    page = ana.client.get(f"/persons/{ids.jose}").text
    assert "Cy Ode" in page and "Ana Lima → Cy Ode → José Núñez" in page
    account = ana.client.get(f"/accounts/{ids.globex}").text
    assert "known by <strong>Cy Ode</strong>" in account
    bo = sign_in(active_app, "bo@us.example")
    assert "Bo Chen" in bo.client.get(f"/persons/{ids.jose}").text
    assert "known by <strong>Bo Chen</strong>" in bo.client.get(f"/accounts/{ids.globex}").text
    secretco = bo.client.get(f"/accounts/{ids.secretco}").text
    assert "Yuri Bosecret" in secretco and "private contacts work there" in secretco
    assert "José Núñez" in bo.client.get("/nurture").text
    assert "José Núñez" not in ana.client.get("/nurture").text


NOT_FOUND_PAGES = [
    "/intros/{bo_intro}",
    "/intros/{bo_intro}/eml",
    "/lists/{dan_list}",
    "/find-person?email=yuri@secret.example",
    "/find-person?email=olga@other.example",
    "/find-account?q=other.example",
    "/accounts/{othercorp}",
    "/persons/{olga}",
]


@pytest.mark.parametrize("path", NOT_FOUND_PAGES)
def test_pages_of_others_do_not_exist(ana: Browser, ids: Ids, path: str) -> None:
    answer = ana.client.get(path.format(**ids.__dict__))
    assert answer.status_code == 404
    asked = path.partition("email=")[2]  # the answer repeats the address asked about, alone
    assert_clean(answer.text.replace(asked, "") if asked else answer.text)


FORMS = [
    ("/persons/{olga}/intros", {"introducer": "dan@other.example"}),
    ("/intros/{bo_intro}", {"subject": "x", "body": "y", "action": "client"}),
    ("/intros/{bo_intro}/mark", {"status": "declined"}),
    ("/lists/{dan_list}/items", {"emails": "jose@globex.example"}),
    ("/lists/{dan_list}/archive", {}),
    ("/lists/add", {"list_id": "{dan_list}", "back": "/lists", "emails": "jose@globex.example"}),
]


@pytest.mark.parametrize(("path", "data"), FORMS)
def test_forms_cannot_touch_what_is_others(
    ana: Browser, ids: Ids, active_store: Store, path: str, data: dict[str, str]
) -> None:
    def state() -> list[object]:
        with active_store.read() as conn:
            intros = conn.execute(select(intro_request).order_by(intro_request.c.id)).all()
            items = conn.execute(select(list_item.c.id)).all()
        return [*intros, *items]

    before = state()
    values = {k: v.format(**ids.__dict__) for k, v in data.items()}
    answer = ana.post(path.format(**ids.__dict__), values)
    assert answer.status_code == 404  # type: ignore[attr-defined]
    assert_clean(answer.text)  # type: ignore[attr-defined]
    assert state() == before


def test_a_hidden_tie_is_refused_like_no_tie(ana: Browser, ids: Ids) -> None:
    """Asking Bo (his tie to Robert hidden) reads exactly like asking Cy (no tie to Robert)."""
    messages = []
    for introducer in ("bo@us.example", "cy@us.example"):
        answer = ana.post(f"/persons/{ids.robert}/intros", {"introducer": introducer})
        assert answer.headers["location"] == f"/persons/{ids.robert}"  # type: ignore[attr-defined]
        page = ana.client.get(f"/persons/{ids.robert}").text
        flash = page[page.index('class="flash error"') : page.index("</p>", page.index("flash"))]
        messages.append(flash.replace("Bo Chen", "X").replace("Cy Ode", "X"))
    assert messages[0] == messages[1] and "is not on any way in" in messages[0]


def test_adding_a_private_contact_to_a_list_reads_like_an_unknown_address(
    ana: Browser, ids: Ids
) -> None:
    answers = []
    for email in ("yuri@secret.example", "nobody@secret.example", "olga@other.example"):
        ana.post(f"/lists/{ids.ana_list}/items", {"emails": email})
        page = ana.client.get(f"/lists/{ids.ana_list}").text
        answers.append(page[page.index("Nothing added") :].split("<")[0].replace(email, "E"))
    assert answers[0] == answers[1] == answers[2]
    assert "Yuri" not in page and "Olga" not in page


API = [
    "/api/v1/closest?email=jose@globex.example",
    "/api/v1/closest?email=robert.smith@acme.example",
    "/api/v1/accounts/{globex}/closest",
    "/api/v1/accounts/{acme}/closest",
    "/api/v1/accounts/{globex}/connections",
    "/api/v1/accounts/{secretco}/connections",
    "/api/v1/paths?email=jose@globex.example",
    "/api/v1/paths?email=robert.smith@acme.example",
    "/api/v1/nurture",
    "/api/v1/nurture?member_email=cy@us.example",
    "/api/v1/intros",
    "/api/v1/intros/{ana_intro}",
    "/api/v1/lists",
    "/api/v1/lists/{ana_list}",
    "/api/v1/lists/{ana_list}/rows",
]


@pytest.mark.parametrize("path", API)
def test_api_shows_nothing_of_others(ana_api: TestClient, ids: Ids, path: str) -> None:
    answer = ana_api.get(path.format(**ids.__dict__))
    assert answer.status_code == 200, answer.text
    assert_clean(answer.text)


API_NOT_FOUND = [
    ("GET", "/api/v1/closest?email=yuri@secret.example"),
    ("GET", "/api/v1/closest?email=olga@other.example"),
    ("GET", "/api/v1/paths?email=yuri@secret.example"),
    ("GET", "/api/v1/paths?email=olga@other.example"),
    ("GET", "/api/v1/accounts/{othercorp}/closest"),
    ("GET", "/api/v1/accounts/{othercorp}/connections"),
    ("GET", "/api/v1/intros/{bo_intro}"),
    ("GET", "/api/v1/intros/{bo_intro}/eml"),
    ("PATCH", "/api/v1/intros/{bo_intro}"),
    ("POST", "/api/v1/intros/{bo_intro}/send"),
    ("POST", "/api/v1/intros/{bo_intro}/mark"),
    ("GET", "/api/v1/lists/{dan_list}"),
    ("GET", "/api/v1/lists/{dan_list}/rows"),
    ("POST", "/api/v1/lists/{dan_list}/items"),
    ("POST", "/api/v1/lists/{dan_list}/archive"),
    ("POST", "/api/v1/intros"),
]


# The body each route takes (an unknown field would be a 422 before the id is looked at).
BODIES: dict[str, dict[str, object]] = {
    "/send": {"delivery": "client"},
    "/mark": {"status": "declined"},
    "/items": {"emails": ["jose@globex.example"]},
    "/archive": {},
    "/api/v1/intros": {"person_email": "yuri@secret.example", "introducer_email": "cy@us.example"},
    "}": {"subject": "x"},
}


@pytest.mark.parametrize(("method", "path"), API_NOT_FOUND)
def test_api_of_others_does_not_exist(
    ana_api: TestClient, ids: Ids, method: str, path: str
) -> None:
    body = next((b for end, b in BODIES.items() if path.endswith(end) and method != "GET"), None)
    answer = ana_api.request(method, path.format(**ids.__dict__), json=body)
    assert_envelope(answer, 404)
    asked = path.partition("email=")[2] or "yuri@secret.example" * path.endswith("/intros")
    assert_clean(answer.text.replace(asked, "") if asked else answer.text)


def test_api_refuses_a_hidden_tie_and_an_unshared_nurture_list(ana_api: TestClient) -> None:
    hidden = ana_api.post(
        "/api/v1/intros",
        json={"person_email": "robert.smith@acme.example", "introducer_email": "bo@us.example"},
    )
    none = ana_api.post(
        "/api/v1/intros",
        json={"person_email": "robert.smith@acme.example", "introducer_email": "cy@us.example"},
    )
    first, second = assert_envelope(hidden, 422), assert_envelope(none, 422)
    assert first["message"].replace("Bo Chen", "X") == second["message"].replace("Cy Ode", "X")
    refused = assert_envelope(ana_api.get("/api/v1/nurture?member_email=bo@us.example"), 403)
    assert "José" not in refused["message"] and "Robert" not in refused["message"]


def test_other_organization_sees_nothing_of_ours(
    active_app: FastAPI, active_store: Store, ids: Ids
) -> None:
    dan = api_client(active_app, active_store, "dan@other.example", "other")
    seen = " ".join(
        dan.get(path.format(**ids.__dict__)).text
        for path in ("/api/v1/lists", "/api/v1/intros", "/api/v1/nurture")
    )
    for ours in ("Pipeline of Ana", "José", "Robert", "Ana Lima", "Cy Ode", "Globex"):
        assert ours not in seen
    assert "Deals of Dan" in seen
    for path in (
        "/api/v1/closest?email=jose@globex.example",
        "/api/v1/paths?email=jose@globex.example",
        "/api/v1/accounts/{globex}/closest",
        "/api/v1/accounts/{globex}/connections",
        "/api/v1/lists/{ana_list}/rows",
        "/api/v1/intros/{ana_intro}",
        "/api/v1/nurture?member_email=ana@us.example",
    ):
        assert_envelope(dan.get(path.format(**ids.__dict__)), 404)
    pages = sign_in(active_app, "dan@other.example")
    for path in ("/lists/{ana_list}", "/intros/{ana_intro}", "/accounts/{globex}"):
        assert pages.client.get(path.format(**ids.__dict__)).status_code == 404
    assert "Pipeline of Ana" not in pages.client.get("/lists").text


def test_a_change_of_sharing_shows_at_once_on_person_pages(
    ana: Browser, ids: Ids, active_store: Store
) -> None:
    """Person pages keep their intro paths a minute (web/paths_cache.py); whose ties a viewer
    may see is part of the key, so turning sharing off or on shows on the very next view."""
    org = resolve_org(active_store)
    cy, bo = (get_member(active_store, org, f"{m}@us.example") for m in ("cy", "bo"))
    assert "Ana Lima → Cy Ode → José Núñez" in ana.client.get(f"/persons/{ids.jose}").text
    set_member_sharing(active_store, org, cy, activity_sharing=False)
    page = ana.client.get(f"/persons/{ids.jose}").text
    assert "→ Cy Ode →" not in page
    set_member_sharing(active_store, org, bo, activity_sharing=True)
    assert "Ana Lima → Bo Chen → José Núñez" in ana.client.get(f"/persons/{ids.jose}").text


def test_person_pages_reuse_their_paths_for_a_while(active_store: Store) -> None:
    org = resolve_org(active_store)
    calls: list[int] = []

    def compute() -> None:
        calls.append(1)

    kept, off = PathsCache(seconds=60), PathsCache(seconds=0)
    for cache in (kept, off):
        for _ in range(3):
            cache.get(active_store, org, viewer_id=1, person_id=2, compute=compute)
    assert len(calls) == 1 + 3  # once while kept, every time when off
    kept.get(active_store, org, viewer_id=1, person_id=3, compute=compute)  # another person
    kept.get(active_store, org, viewer_id=4, person_id=2, compute=compute)  # another viewer
    assert len(calls) == 6


CONNECTION_ROW = re.compile(r"<tr><td>([^<]*)</td><td>([^<]*)</td>")
NEXT_PAGE = re.compile(r'<a href="([^"]*)#connections">Next')


def _paged_connections(browser: Browser, path: str) -> tuple[int, list[tuple[str, str]]]:
    """The connections' total and rows, following the table's Next links to the end."""
    rows: list[tuple[str, str]] = []
    page = browser.client.get(path).text
    total = int(re.search(r"Company connections \((\d+)\)", page).group(1))  # type: ignore[union-attr]
    while True:
        table = page[page.index('id="connections"') :]
        rows += [(html.unescape(a), html.unescape(b)) for a, b in CONNECTION_ROW.findall(table)]
        found = NEXT_PAGE.search(table)
        if found is None:
            return total, rows
        page = browser.client.get(path.split("?")[0] + html.unescape(found.group(1))).text


def test_the_connections_table_pages_with_its_filters_kept(
    ana: Browser, ids: Ids, active_app: FastAPI, active_store: Store, monkeypatch: Any
) -> None:
    """A row a page: the pages together are the API's connections in its order, for Ana and
    for Bo (his private contacts on his pages only), the filters kept from page to page."""
    monkeypatch.setattr(pages_accounts, "CONNECTIONS_SHOWN", 1)
    bo = sign_in(active_app, "bo@us.example")
    filters = "?kind=personal&kind=employer&kind=former-employer&kind=school"
    longest = 0
    for email, browser in (("ana@us.example", ana), ("bo@us.example", bo)):
        api = api_client(active_app, active_store, email)
        for account in (ids.globex, ids.secretco, ids.acme):
            for query in ("", filters):
                params = [("limit", "200"), *parse_qsl(query.lstrip("?"))]
                items = api.get(f"/api/v1/accounts/{account}/connections", params=params)
                want = [
                    (c["member_name"], pages_accounts.KIND_NAMES[c["kind"]])
                    for c in items.json()["items"]
                ]
                assert _paged_connections(browser, f"/accounts/{account}{query}") == (
                    len(want),
                    want,
                ), (email, account, query)
                longest = max(longest, len(want))
    assert longest >= 2  # pages followed to the end, not one
    assert any(
        "Bo Chen" in name for name, _ in _paged_connections(bo, f"/accounts/{ids.secretco}")[1]
    )
    assert _paged_connections(ana, f"/accounts/{ids.secretco}")[1] == []
