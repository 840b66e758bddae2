"""Accessibility of every page of the signed-in demo web app, in a real Chromium at 1280 and
375 px: axe-core (npm, locked in tests/axe; `.ci/run` runs `npm ci --prefix tests/axe`)
injected by Playwright finds no serious or critical violation; nothing is wider than a 375 px
window; every control shown can take the keyboard's focus; and no developer text (a CLI
command, a source file, a work note) shows."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import Browser, running_app, settings
from tests.web.test_web_e2e import browser_tab

from tiegraph.demo import DemoScale
from tiegraph.services import lists
from tiegraph.services.demo import DEMO_PASSWORD, build_demo
from tiegraph.services.directory import profiles
from tiegraph.services.directory.accounts import flag_account
from tiegraph.services.insights.who_knows import knowers_of_person
from tiegraph.services.intros.requests import draft_intro
from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import open_store
from tiegraph.web.app import create_app

AXE = Path(__file__).resolve().parents[1] / "axe" / "node_modules" / "axe-core" / "axe.min.js"
REQUIRE = os.environ.get("TIEGRAPH_REQUIRE_E2E", "") == "1"
SCALE = DemoScale(members=5, persons=300, companies=30, months=1, contacts_per_member=60)
WIDTHS = (1280, 375)
SERIOUS = ("serious", "critical")
# Developer text that must never reach a user: commands of the CLI, source files, work notes.
COMMANDS = (
    "contacts|member|intro|sync|org|import|ingest|list|ties|serve|demo|who-knows|company|account"
)
DEVELOPER_TEXT = re.compile(
    rf"`tiegraph|\btiegraph (?:{COMMANDS})\b|\bTODO\b|FIXME|\bbranch\b|\b\w+\.py\b|services/"
    r"|\bdocs/\w"
)
# Every control shown, that the keyboard should reach; a control inside a closed <details>
# is reached by opening it (its summary is checked).
FOCUSABLE = """() => {
  const wanted = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  const missed = [];
  for (const el of document.querySelectorAll(wanted)) {
    if (el.disabled || el.getClientRects().length === 0) continue;
    const closed = el.closest('details:not([open])');
    if (closed && el.tagName !== 'SUMMARY') continue;
    el.focus();
    if (el.tabIndex < 0 || document.activeElement !== el) missed.push(el.outerHTML.slice(0, 120));
  }
  return missed;
}"""

pytestmark = pytest.mark.e2e


@dataclass
class DemoSite:
    url: str
    member_email: str
    pages: list[str]


def _needs_axe() -> None:
    if AXE.exists():
        return
    if REQUIRE:
        pytest.fail(f"TIEGRAPH_REQUIRE_E2E=1 but {AXE} is missing: npm ci --prefix tests/axe")
    pytest.skip("no axe-core: run `npm ci --prefix tests/axe` (.ci/run does)")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    """The demo organization served by uvicorn, signed in as its first member: a target
    account flagged, a list with a person and an account, an intro request drafted."""
    _needs_axe()
    folder = tmp_path_factory.mktemp("a11y")
    store = open_store(f"sqlite:///{folder / 'tiegraph.db'}")
    summary = build_demo(store, resolve_org(store, None), folder / "files", scale=SCALE)
    org = resolve_org(store, None)
    me = get_member(store, org, summary.member_sign_in)
    accounts = profiles.search_accounts(store, org, query="", limit=3, offset=0, viewer=me).items
    for account in accounts:
        flag_account(store, org, account.name, target=True)
    people = profiles.search_persons(store, org, query="", limit=200, offset=0, viewer=me).items
    known = next(
        p
        for p in people
        if p.email and any(k.member_email != me.email for k in _knowers(store, org, p.id, me))
    )
    introducer = next(k for k in _knowers(store, org, known.id, me) if k.member_email != me.email)
    intro = draft_intro(store, org, me, via=introducer.member_email, to=known.email, note="")
    chosen = lists.create_list(store, org, me, "Q4 deals", "deals")
    lists.add_to_list(
        store,
        org,
        chosen.id,
        emails=[known.email],
        accounts=[],
        account_ids=[accounts[0].id],
        added_by=me,
    )
    app = create_app(store, settings(folder))
    pages = [
        "/",
        "/gallery",
        "/gallery?q=a",
        f"/persons/{known.id}",
        f"/persons/{known.id}/who-knows",
        "/accounts",
        f"/accounts/{accounts[0].id}",
        "/lists",
        f"/lists/{chosen.id}",
        "/nurture",
        "/import",
        "/network",
        "/matches",
        "/settings",
        "/intros",
        f"/intros/{intro.id}",
        "/persons/987654321",  # the error page
        "/find-person?email=nobody@nowhere.example",  # the answer for no directory person
    ]
    with running_app(app, lifespan="off") as url:
        yield DemoSite(url, me.email, pages)
    store.dispose()
    shutil.rmtree(folder, ignore_errors=True)


def _knowers(store: Any, org: Any, person_id: int, me: Any) -> list[Any]:
    return knowers_of_person(store, org, person_id, viewer=me, limit=0)


def _check(p: Any, path: str, width: int) -> list[str]:
    """What is wrong with the page now shown: serious axe violations, sideways scrolling,
    controls the keyboard cannot reach, developer text."""
    # Evaluated over DevTools rather than added as a <script>: the pages' CSP (script-src
    # 'self') rightly refuses an inline script, and the check must not loosen it.
    p.evaluate(AXE.read_text(encoding="utf-8"))
    found = p.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']}))")
    problems = [
        f"{path} @{width}px: {v['id']} ({v['impact']}): {v['help']} — "
        + json.dumps([n["target"] for n in v["nodes"][:3]])
        for v in found["violations"]
        if v["impact"] in SERIOUS
    ]
    wide = p.evaluate("document.documentElement.scrollWidth")
    if wide > width:
        problems.append(f"{path} @{width}px: {wide} px wide, scrolls sideways")
    problems += [f"{path} @{width}px: no keyboard focus: {m}" for m in p.evaluate(FOCUSABLE)]
    text = p.inner_text("body")
    problems += [f"{path}: developer text {m!r}" for m in DEVELOPER_TEXT.findall(text)]
    return problems


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_passes_axe_fits_and_takes_the_keyboard(
    site: DemoSite, width: int, tmp_path: Path
) -> None:
    with browser_tab(site.url) as tab:
        p: Any = tab
        p.set_viewport_size({"width": width, "height": 900})
        p.goto("/sign-in")
        problems = _check(p, "/sign-in", width)
        p.fill("input[name=email]", site.member_email)
        p.fill("input[name=password]", DEMO_PASSWORD)
        p.click("button[type=submit]")
        p.wait_for_url(f"{site.url}/")
        for path in site.pages:
            p.goto(path)
            problems += _check(p, path, width)
            name = path.strip("/").replace("/", "-").replace("?", "-") or "landing"
            p.screenshot(path=str(tmp_path / f"{width}-{name}.png"), full_page=True)
    assert not problems, "\n".join(problems)


def test_pages_name_their_favicon_and_it_is_served(ana: Browser) -> None:
    for path in ("/sign-in", "/", "/gallery", "/settings", "/api/v1/docs"):
        page = ana.client.get(path)
        assert page.status_code == 200
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page.text
    icon = ana.client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
