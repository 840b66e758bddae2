"""Smoke: every page answers for a signed-in member."""

from __future__ import annotations

import pytest
from tests.web.conftest import Browser


@pytest.mark.parametrize(
    "path",
    [
        "/gallery",
        "/accounts",
        "/import",
        "/network",
        "/matches",
        "/settings",
        "/lists",
        "/intros",
        "/nurture",
        "/persons/1",
    ],
)
def test_pages_answer(ana: Browser, path: str) -> None:
    page = ana.client.get(path)
    assert page.status_code == 200, page.text
