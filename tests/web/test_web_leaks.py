"""Sharing rules through every page and endpoint: a member never sees another's private contacts
or unshared activity, and one organization never sees anything of another."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.conftest import Browser, api_client, sign_in

from tiegraph.services.contacts.jobs import create_job
from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import Store
from tiegraph.store.schema import company, contact, person, possible_match

# Bo's private contact, Bo's unshared tie (Bo has activity sharing off), and the other org.
SECRETS = ("Bosecret", "yuri@secret.example", "Bo Chen", "Olga", "Othercorp", "Danprivate")


@dataclass(frozen=True)
class Ids:
    bo_private: int
    bo_match: int
    robert: int
    olga: int
    othercorp: int
    dan_private: int
    dan_job: int
    acme: int
    dan_token: int


@pytest.fixture
def ids(web_store: Store) -> Ids:
    with web_store.read() as conn:

        def one(query: object) -> int:
            return int(conn.execute(query).scalar_one())  # type: ignore[call-overload]

        bo_private = one(select(contact.c.id).where(contact.c.last_name == "Bosecret"))
        robert = one(select(person.c.id).where(person.c.external_id == "P1"))
        maria = one(select(person.c.id).where(person.c.external_id == "P3"))
        ids = {
            "olga": one(select(person.c.id).where(person.c.external_id == "X1P")),
            "othercorp": one(select(company.c.id).where(company.c.external_id == "X1")),
            "dan_private": one(select(contact.c.id).where(contact.c.last_name == "Danprivate")),
            "acme": one(select(company.c.id).where(company.c.external_id == "C1")),
        }
    with web_store.write() as conn:
        org_id = conn.execute(select(contact.c.org_id).where(contact.c.id == bo_private)).scalar()
        bo_match = conn.execute(
            possible_match.insert()
            .values(org_id=org_id, contact_id=bo_private, person_id=maria, reason="test")
            .returning(possible_match.c.id)
        ).scalar_one()
    other = resolve_org(web_store, "other")
    dan = get_member(web_store, other, "dan@other.example")
    job = create_job(web_store, other, dan, ["x"])
    token, _ = create_token(web_store, other, dan, "dan's")
    return Ids(bo_private, int(bo_match), robert, dan_job=job.id, dan_token=token.id, **ids)


def assert_clean(text: str, allowed: tuple[str, ...] = ()) -> None:
    for secret in SECRETS:
        if secret not in allowed:
            assert secret not in text, secret


PAGES = [
    "/gallery",
    "/gallery?q=Bosecret",
    "/gallery?q=secret.example",
    "/gallery?scope=directory",
    "/gallery?archived=true",
    "/gallery/export.csv",
    "/persons/{robert}",
    "/persons/{robert}/who-knows",
    "/network",
    "/matches",
    "/accounts",
    "/accounts?q=Other",
    "/accounts/{acme}",
    "/import",
    "/settings",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_show_nothing_of_others(ana: Browser, ids: Ids, path: str) -> None:
    answer = ana.client.get(path.format(**ids.__dict__))
    assert answer.status_code == 200
    text = answer.text
    if "q=" in path:  # the search box and links repeat the query: look at the results alone
        text = text[text.index("<tbody>") : text.index("</tbody>")]
        text = text.replace(f"“{path.split('q=')[1]}”", "")
    assert_clean(text)


NOT_FOUND_PAGES = [
    "/contacts/{bo_private}",
    "/contacts/{dan_private}",
    "/persons/{olga}",
    "/persons/{olga}/who-knows",
    "/accounts/{othercorp}",
    "/import/{dan_job}",
    "/import/{dan_job}/status",
]


@pytest.mark.parametrize("path", NOT_FOUND_PAGES)
def test_pages_of_others_do_not_exist(ana: Browser, ids: Ids, path: str) -> None:
    answer = ana.client.get(path.format(**ids.__dict__))
    assert answer.status_code == 404
    assert_clean(answer.text)


FORMS = [
    ("/contacts/{bo_private}/archive", {}),
    ("/contacts/{bo_private}/values", {"p1": "x"}),
    ("/network/{bo_private}/publish", {}),
    ("/network/{dan_private}/publish", {}),
    ("/matches/{bo_match}", {"decision": "confirm"}),
    ("/accounts/{othercorp}/flags", {"is_target": "true"}),
]


@pytest.mark.parametrize(("path", "data"), FORMS)
def test_forms_cannot_touch_what_is_others(
    ana: Browser, ids: Ids, web_store: Store, path: str, data: dict[str, str]
) -> None:
    matches = select(possible_match.c.id, possible_match.c.status).order_by(possible_match.c.id)
    with web_store.read() as conn:
        before = conn.execute(matches).all()
    answer = ana.post(path.format(**ids.__dict__), data)
    assert answer.status_code == 404
    assert_clean(answer.text)
    with web_store.read() as conn:
        row = conn.execute(select(contact).where(contact.c.id == ids.bo_private)).one()
        target = conn.execute(select(company.c.is_target).where(company.c.id == ids.othercorp))
        assert row.archived_at is None and row.person_id is None
        assert conn.execute(matches).all() == before and target.scalar_one() is False


def test_own_unshared_activity_stays_visible_to_oneself(app: FastAPI, ids: Ids) -> None:
    """Bo does not share activity: he sees his own tie; Ana does not see it."""
    bo = sign_in(app, "bo@us.example")
    assert "Bo Chen" in bo.client.get(f"/persons/{ids.robert}").text
    ana = sign_in(app, "ana@us.example")
    tile = ana.client.get(f"/persons/{ids.robert}").text
    assert "Ana Lima" in tile and "Bo Chen" not in tile


API = [
    "/api/v1/gallery?limit=200",
    "/api/v1/gallery?q=Bosecret",
    "/api/v1/gallery?scope=directory&limit=200",
    "/api/v1/persons?q=o&limit=200",
    "/api/v1/persons/{robert}",
    "/api/v1/persons/{robert}/who-knows",
    "/api/v1/who-knows?email=robert.smith@acme.example",
    "/api/v1/who-knows?email=yuri@secret.example",
    "/api/v1/who-knows?email=olga@other.example",
    "/api/v1/contacts?limit=200",
    "/api/v1/possible-matches",
    "/api/v1/accounts?limit=200",
    "/api/v1/accounts/{acme}/people",
    "/api/v1/imports",
    "/api/v1/tokens",
    "/api/v1/members",
    "/api/v1/properties",
]


@pytest.mark.parametrize("path", API)
def test_api_shows_nothing_of_others(ana_api: TestClient, ids: Ids, path: str) -> None:
    answer = ana_api.get(path.format(**ids.__dict__))
    assert answer.status_code == 200
    text = answer.text
    if "who-knows?email=" in path:  # the answer names the email asked about, and no one else
        body = answer.json()
        text = str(body["knowers"]) + body["person_name"]
    # Bo is a colleague: his name is among members and persons, never his contacts or ties.
    colleague = "/members" in path or "/persons?" in path
    assert_clean(text, ("Bo Chen",) if colleague else ())


API_NOT_FOUND = [
    ("GET", "/api/v1/contacts/{bo_private}"),
    ("GET", "/api/v1/contacts/{dan_private}"),
    ("GET", "/api/v1/persons/{olga}"),
    ("GET", "/api/v1/persons/{olga}/who-knows"),
    ("GET", "/api/v1/accounts/{othercorp}"),
    ("GET", "/api/v1/accounts/{othercorp}/people"),
    ("PATCH", "/api/v1/accounts/{othercorp}"),
    ("GET", "/api/v1/imports/{dan_job}"),
    ("POST", "/api/v1/contacts/{bo_private}/archive"),
    ("POST", "/api/v1/contacts/{bo_private}/publish"),
    ("POST", "/api/v1/contacts/{dan_private}/publish"),
    ("PUT", "/api/v1/contacts/{bo_private}/values/1"),
    ("POST", "/api/v1/possible-matches/{bo_match}/confirm"),
    ("POST", "/api/v1/possible-matches/{bo_match}/reject"),
    ("DELETE", "/api/v1/tokens/{dan_token}"),
]


@pytest.mark.parametrize(("method", "path"), API_NOT_FOUND)
def test_api_of_others_does_not_exist(
    ana_api: TestClient, ids: Ids, method: str, path: str
) -> None:
    body = {"is_target": True} if method == "PATCH" else {"value": "x"} if method == "PUT" else {}
    answer = ana_api.request(method, path.format(**ids.__dict__), json=body)
    assert answer.status_code == 404, answer.text
    assert_clean(answer.text)


def test_other_organization_sees_nothing_of_ours(app: FastAPI, web_store: Store) -> None:
    dan = api_client(app, web_store, "dan@other.example", "other")
    everything = " ".join(
        dan.get(path).text
        for path in (
            "/api/v1/gallery?limit=200",
            "/api/v1/persons?limit=200",
            "/api/v1/accounts?limit=200",
            "/api/v1/members",
            "/api/v1/who-knows?email=robert.smith@acme.example",
        )
    )
    for ours in ("Robert", "Acme", "Ana Lima", "Anaprivate", "Globex", "Núñez"):
        assert ours not in everything
    assert "Olga" in everything
