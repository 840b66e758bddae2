"""X-Forwarded-For names the client only when a configured proxy sends it (a real uvicorn)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from tests.web.conftest import running_app, settings

from tiegraph.errors import InvalidInputError
from tiegraph.store import Store
from tiegraph.web.app import create_app
from tiegraph.web.settings import WebSettings


@contextmanager
def serving(store: Store, tmp_path: Path, proxies: tuple[str, ...]) -> Iterator[str]:
    web = settings(tmp_path, trusted_proxies=proxies)
    with running_app(create_app(store, web), **web.server_options()) as url:
        yield url


def _failures(base: str, forwarded_for: list[str]) -> list[int]:
    with httpx.Client(base_url=base) as client:
        page = client.get("/sign-in").text
        marker = 'name="csrf_token" value="'
        start = page.index(marker) + len(marker)
        token = page[start : page.index('"', start)]
        form = {"email": "ana@us.example", "password": "wrong-password", "csrf_token": token}
        return [
            client.post("/sign-in", data=form, headers={"X-Forwarded-For": f}).status_code
            for f in forwarded_for
        ]


def test_a_local_peer_cannot_claim_other_client_addresses(web_store: Store, tmp_path: Path) -> None:
    with serving(web_store, tmp_path, ()) as base:
        codes = _failures(base, [f"198.51.100.{n}" for n in range(6)])
    assert codes == [401] * 5 + [429]


def test_a_configured_proxy_names_the_client(web_store: Store, tmp_path: Path) -> None:
    with serving(web_store, tmp_path, ("127.0.0.1",)) as base:
        codes = _failures(base, ["198.51.100.1"] * 6 + ["198.51.100.2"])
    assert codes == [401] * 5 + [429, 401]


def test_trusted_proxies_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIEGRAPH_TRUSTED_PROXIES", "10.0.0.0/8, ::1")
    assert WebSettings.from_env().trusted_proxies == ("10.0.0.0/8", "::1")
    monkeypatch.setenv("TIEGRAPH_TRUSTED_PROXIES", "10.0.0.1, proxy.local")
    with pytest.raises(InvalidInputError, match=r"'proxy\.local' is not an IP address"):
        WebSettings.from_env()
