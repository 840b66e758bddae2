"""Schemathesis against /api/v1/openapi.json: generated requests never get a 5xx answer, and
every error answer is in the envelope."""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.web.test_web_errors import assert_envelope

from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import Store

# Examples per operation: a quick run by default; TIEGRAPH_SCHEMATHESIS_EXAMPLES=200 for more.
EXAMPLES = int(os.environ.get("TIEGRAPH_SCHEMATHESIS_EXAMPLES", "15"))


def test_no_server_errors(app: FastAPI, web_store: Store) -> None:
    org = resolve_org(web_store)
    member = get_member(web_store, org, "ana@us.example")
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    failures: list[str] = []
    for operation in operations:
        # A fresh token per operation: revoking tokens is one of the operations.
        _, token = create_token(web_store, org, member, "schemathesis")
        run(operation, {"Authorization": f"Bearer {token}"}, failures)
    assert not failures, failures


def run(operation: Any, headers: dict[str, str], failures: list[str]) -> None:
    @given(case=operation.as_strategy(), anonymous=st.booleans())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case, anonymous: bool) -> None:
        answer = case.call(headers=None if anonymous else headers)
        if answer.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path}: {answer.status_code}")
        elif answer.status_code >= 400:
            assert_envelope(answer, answer.status_code)

    check()
