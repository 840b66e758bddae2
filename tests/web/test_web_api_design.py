"""The API as one design, read from /api/v1/openapi.json: one name for one thing in every
schema, field names in one convention, the same JSON type for a name wherever it appears,
explicit readable operation ids, and one shape for a strength, for who knows whom and for a
page. A new endpoint that says `strength` for a score, `why` for reasons or `email_address`
for an email fails here."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from tests.web.test_web_errors import assert_envelope

# One concept, one name: the canonical name, then the names it must never appear under (as a
# whole field name or as its last words, e.g. `tie_strength`, `person_email_address`).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "score": ("strength", "strength_score", "tie_score", "likelihood", "weight_score"),
    "label": ("strength_label", "tie_label", "level", "grade"),
    "certainty": ("inferred", "measured", "is_inferred", "confidence", "sureness"),
    "reasons": ("reason", "why", "reason_items", "strength_why", "explanation", "because"),
    "email": ("email_address", "mail", "e_mail", "mail_address"),
    "name": ("full_name", "display_name"),
    "title": ("job_title", "job"),
    "company": ("company_name", "employer", "organization"),
    "kind": ("type", "category"),
    "knowers": ("who_knows", "known_by", "closest"),
    "items": ("results", "data", "entries", "records"),
    "total": ("total_count", "num_results"),
    "next": ("next_url", "next_page"),
    "created_at": ("created", "creation_date", "created_on"),
}
FORBIDDEN = {alias: canon for canon, aliases in SYNONYMS.items() for alias in aliases}
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
# Bare `email`, `name` and `title` belong to a resource's own shape; anywhere else a prefix
# says whose they are (person_email, member_name, introducer_email, person_title).
RESOURCES = {
    "MemberOut",
    "PersonSummaryOut",
    "PersonOut",
    "AccountOut",
    "ContactOut",
    "GalleryRowOut",
    "ListOut",
    "ListRowOut",
    "TokenOut",
    "NewTokenOut",
    "PropertyOut",
    "JobOut",
    "ListIn",
    "TokenIn",
    "PropertyIn",
}
OWN_ONLY = ("email", "name", "title")
# The error envelope (web/errors.py): `status` there is the HTTP status, `error` the envelope.
ENVELOPE = {"ErrorEnvelope", "ErrorDetail"}
OPERATION_ID = re.compile(r"^[a-z]+(_[a-z]+)+$|^[a-z]+_[a-z]+$|^[a-z]+$")


def spec(client: TestClient) -> dict[str, Any]:
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    return dict(answer.json())


def fields(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(schema, field, its schema) for every field of every documented model."""
    found = []
    for schema, body in document["components"]["schemas"].items():
        if schema in ("HTTPValidationError", "ValidationError"):
            continue  # FastAPI's own, never answered: errors come in the envelope
        for name, field in body.get("properties", {}).items():
            found.append((schema, name, field))
    return found


def parameters(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (f"{method.upper()} {path}", p["name"])
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for p in operation.get("parameters", [])
        if p["in"] in ("query", "path")
    ]


def json_type(field: dict[str, Any], document: dict[str, Any]) -> str:
    """The JSON type of a field, nullability aside: string, integer, array, object..."""
    options = field.get("anyOf") or [field]
    kinds = set()
    for option in options:
        if "$ref" in option:
            kinds.add("object")
        elif option.get("type") not in (None, "null"):
            kinds.add(option["type"])
    return "|".join(sorted(kinds))


def second_name(name: str) -> str | None:
    """The canonical name `name` stands in for, when it is a forbidden synonym."""
    for alias, canon in FORBIDDEN.items():
        if name == alias or name.endswith(f"_{alias}"):
            return canon
    return None


def test_the_synonym_check_catches_what_it_is_for() -> None:
    assert second_name("strength") == "score"
    assert second_name("tie_strength") == "score"
    assert second_name("strength_why") == "reasons"
    assert second_name("person_email_address") == "email"
    assert second_name("reason") == "reasons"
    assert second_name("inferred") == "certainty"
    assert second_name("score") is None
    assert second_name("person_email") is None
    assert second_name("reasons") is None


def test_one_name_for_one_thing(ana_api: TestClient) -> None:
    document = spec(ana_api)
    wrong = [
        f"{schema}.{name}: say `{canon}`"
        for schema, name, _ in fields(document)
        if (canon := second_name(name))
    ]
    wrong += [
        f"{where} ?{name}: say `{canon}`"
        for where, name in parameters(document)
        if (canon := second_name(name))
    ]
    assert not wrong, "a second name for one thing:\n" + "\n".join(wrong)


def test_field_names_follow_the_convention(ana_api: TestClient) -> None:
    document = spec(ana_api)
    wrong = []
    for schema, name, field in fields(document):
        where = f"{schema}.{name}"
        if not SNAKE.fullmatch(name):
            wrong.append(f"{where}: snake_case")
        moment = any(o.get("format") == "date-time" for o in field.get("anyOf") or [field])
        if moment != name.endswith("_at"):
            wrong.append(f"{where}: a moment, and only a moment, is named *_at")
        # An id is ours, an integer; `message_id` is the mail's Message-ID header (RFC 5322).
        if (
            name.endswith("_id")
            and name != "message_id"
            and json_type(field, document) != "integer"
        ):
            wrong.append(f"{where}: an *_id is an integer")
        if name in OWN_ONLY and schema not in RESOURCES:
            wrong.append(f"{where}: whose {name}? prefix it (person_{name}, member_{name})")
    for where, name in parameters(document):
        if not SNAKE.fullmatch(name):
            wrong.append(f"{where} ?{name}: snake_case")
    assert not wrong, "\n".join(wrong)


def test_a_name_has_one_type_everywhere(ana_api: TestClient) -> None:
    document = spec(ana_api)
    types: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for schema, name, field in fields(document):
        if schema not in ENVELOPE:
            types[name][json_type(field, document)].append(schema)
    mixed = {name: dict(seen) for name, seen in types.items() if len(seen) > 1}
    assert not mixed, f"one name, several JSON types: {mixed}"


def test_a_strength_has_one_shape(ana_api: TestClient) -> None:
    """Wherever a score is shown, its label and certainty are beside it, certainty in the
    pages' words; every `reasons` is a list of the same typed items (ReasonOut)."""
    document = spec(ana_api)
    schemas = document["components"]["schemas"]
    for schema, body in schemas.items():
        props = body.get("properties", {})
        if "score" in props and schema != "HopOut":
            assert {"label", "certainty"} <= set(props), schema
        if "certainty" in props:
            options = props["certainty"].get("anyOf") or [props["certainty"]]
            values = {v for o in options for v in o.get("enum", [])}
            assert values == {"measured", "inferred"}, schema
        if "reasons" in props:
            assert props["reasons"]["items"] == {"$ref": "#/components/schemas/ReasonOut"}, schema
    assert {"kind", "text"} <= set(schemas["ReasonOut"]["required"])


def test_every_list_is_one_page_shape(ana_api: TestClient) -> None:
    """Every list answer (top level or nested, like who-knows' knowers) is a PageOut."""
    document = spec(ana_api)
    pages = [s for s in document["components"]["schemas"] if s.startswith("PageOut")]
    assert pages
    for schema in pages:
        props = document["components"]["schemas"][schema]["properties"]
        assert set(props) == {"items", "total", "limit", "offset", "next"}, schema
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", [])}
            if not names & {"limit", "offset"}:
                continue
            answer = operation["responses"].get("200") or operation["responses"]["201"]
            target = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            nested = document["components"]["schemas"][target].get("properties", {})
            paged = target.startswith("PageOut") or any(
                v.get("$ref", "").rsplit("/", 1)[-1].startswith("PageOut") for v in nested.values()
            )
            assert paged, f"{method.upper()} {path} takes limit/offset but answers {target}"


def test_one_who_knows_shape(ana_api: TestClient) -> None:
    document = spec(ana_api)
    answers = {
        f"{method.upper()} {path}": operation["responses"]["200"]["content"]["application/json"][
            "schema"
        ]
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if path.endswith(("who-knows", "/closest")) and "company_id" not in path
    }
    assert len(answers) == 3, answers
    assert all(s == {"$ref": "#/components/schemas/WhoKnowsOut"} for s in answers.values()), answers


def test_operation_ids_are_explicit_readable_and_unique(ana_api: TestClient, app: FastAPI) -> None:
    document = spec(ana_api)
    ids = [
        operation.get("operationId", "")
        for operations in document["paths"].values()
        for operation in operations.values()
    ]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    for i in ids:
        assert OPERATION_ID.fullmatch(i) and "api_v1" not in i and len(i) <= 30, i
    routes = [
        c.original_route
        for c in iter_route_contexts(app.routes)
        if isinstance(c.original_route, APIRoute)
        and c.original_route.include_in_schema
        and c.path_format.startswith("/api/v1/")
    ]
    assert len(routes) == len(ids)
    assert all(r.operation_id for r in routes), [r.path for r in routes if not r.operation_id]
    assert {"who_knows", "search_persons", "list_intros"} <= set(ids)


def test_not_an_email_is_422_in_the_envelope(ana_api: TestClient, app: FastAPI) -> None:
    for path in ("who-knows", "closest", "paths"):
        answer = ana_api.get(f"/api/v1/{path}", params={"email": "notanemail"})
        error = assert_envelope(answer, 422)
        assert "email" in error["message"] and "not an email address" in error["message"]
    answer = ana_api.post(
        "/api/v1/intros", json={"person_email": "notanemail", "introducer_email": "x@y.example"}
    )
    assert "person_email" in assert_envelope(answer, 422)["message"]
    known = ana_api.get("/api/v1/who-knows", params={"email": "robert.smith@acme.example"})
    assert known.status_code == 200
    assert known.json()["person_email"] == "robert.smith@acme.example"
    assert set(known.json()["knowers"]) == {"items", "total", "limit", "offset", "next"}
