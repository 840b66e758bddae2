"""Intro paths on the demo organization: every path well-formed, and "Get introduced" working
from every path through the service, the CLI, the API and the web pages."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from itertools import pairwise
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests.web.conftest import settings, sign_in

from tiegraph.cli import main
from tiegraph.core.paths import path_strength
from tiegraph.demo import DemoScale
from tiegraph.services.demo import DEMO_PASSWORD, DEMO_TARGETS, build_demo, flag_targets
from tiegraph.services.directory.lookup import find_person
from tiegraph.services.insights.my_day import my_day
from tiegraph.services.insights.paths import IntroPath, IntroPaths, intro_paths
from tiegraph.services.intros.requests import draft_intro
from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import Member, list_members
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store, open_store
from tiegraph.store.schema import company, person, person_email, tie
from tiegraph.web.app import create_app

SCALE = DemoScale(members=10, persons=900, companies=60, months=2, contacts_per_member=120)
SHAPES = (("colleague", "tie"), ("colleague", "likely"), ("colleague", "tie", "likely"))


@dataclass
class Demo:
    url: str
    store: Store
    org: Org
    members: list[Member]
    targets: list[str]  # the persons with the most ties, then some with none at all


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("demo-paths")
    url = f"sqlite:///{folder / 'tiegraph.db'}"
    store = open_store(url)
    build_demo(store, resolve_org(store, None), folder / "files", scale=SCALE)
    org = resolve_org(store, None)
    with store.read() as conn:
        emails = (
            select(person_email.c.person_id, func.min(person_email.c.email).label("email"))
            .group_by(person_email.c.person_id)
            .subquery()
        )
        ties = func.count(tie.c.person_id)
        rows = conn.execute(
            select(emails.c.email, ties)
            .join(person, person.c.id == emails.c.person_id)
            .outerjoin(tie, tie.c.person_id == person.c.id)
            .where(person.c.company_id.is_not(None))
            .group_by(emails.c.email)
            .order_by(ties.desc(), emails.c.email)
        ).all()
    known = [r.email for r in rows if r[1] > 0][:30]
    unknown = [r.email for r in rows if r[1] == 0][:30]
    members = list_members(store, org)
    store.dispose()  # closes the WAL into the file, which each test copies
    yield Demo(url, store, org, members, known + unknown)


@pytest.fixture
def fresh(demo: Demo, tmp_path: Path) -> Iterator[Demo]:
    """A copy of the demo organization for one test that drafts requests."""
    source = Path(demo.url.removeprefix("sqlite:///"))
    copy = tmp_path / "tiegraph.db"
    shutil.copyfile(source, copy)
    store = open_store(f"sqlite:///{copy}")
    yield Demo(f"sqlite:///{copy}", store, demo.org, demo.members, demo.targets)
    store.dispose()


def assert_well_formed(p: IntroPath, asker: Member, target: str, colleagues: set[str]) -> None:
    kinds = tuple(h.kind for h in p.hops)
    assert kinds in SHAPES, kinds
    emails = [p.hops[0].source_email, *(h.target_email for h in p.hops)]
    names = [p.hops[0].source, *(h.target for h in p.hops)]
    assert len(set(emails)) == len(emails) and len(set(names)) == len(names), names
    assert emails[0] == asker.email and emails[-1] == target
    assert p.introducer_email != asker.email and p.introducer_email in colleagues
    assert p.hops[0].target_email == p.introducer_email == p.hops[1].source_email
    assert all(a.target_email == b.source_email for a, b in pairwise(p.hops))
    for h in p.hops:
        assert h.inferred == (h.kind == "likely") and 0 < h.weight <= 1
        if h.kind == "tie":
            assert h.strength is not None and h.weight == h.strength / 100
        if h.kind == "likely":
            assert h.strength is None and h.as_dict()["certainty"] == "inferred"
    if len(p.hops) == 3:
        assert p.via is not None and p.via.target_email == emails[2]
        assert emails[2] not in colleagues  # a colleague is asked directly, never through another
    assert p.strength == path_strength([h.weight for h in p.hops])
    assert (
        p.strength_why.endswith(f"= {p.strength}")
        and p.strength_why.count(" × ") == len(p.hops) - 1
    )


def test_every_path_on_the_demo_is_well_formed(demo: Demo) -> None:
    colleagues = {m.email for m in demo.members}
    shapes: dict[tuple[str, ...], int] = {}
    for asker in demo.members:
        for target in demo.targets:
            found = intro_paths(demo.store, demo.org, target, requester=asker, limit=0)
            introducers = [p.introducer_email for p in found.paths]
            assert len(set(introducers)) == len(introducers)  # one path per colleague
            for p in found.paths:
                assert_well_formed(p, asker, target, colleagues)
                kinds = tuple(h.kind for h in p.hops)
                shapes[kinds] = shapes.get(kinds, 0) + 1
    assert all(shapes.get(shape, 0) >= 20 for shape in SHAPES), shapes


def via_paths(demo: Demo) -> Iterator[tuple[Member, str, IntroPaths]]:
    """(asker, target, their paths) where no colleague knows the target directly."""
    for target in demo.targets[30:]:
        for asker in demo.members:
            found = intro_paths(demo.store, demo.org, target, requester=asker, limit=0)
            if found.paths and all(p.via for p in found.paths):
                yield asker, target, found


def test_get_introduced_from_every_path_names_the_rest_of_the_way(fresh: Demo) -> None:
    demo = fresh
    asker, target, found = next(via_paths(demo))
    with demo.store.read() as conn:
        person_ = find_person(conn, demo.org, target)
    for p in found.paths:
        introducer = next(m for m in demo.members if m.email == p.introducer_email)
        drafted = draft_intro(demo.store, demo.org, asker, via=introducer.email, to=target)
        assert drafted.introducer_email == p.introducer_email  # the colleague on the first hop
        assert drafted.body.startswith(f"Hi {introducer.name.split(' ')[0]},")
        assert p.via is not None
        via_first = p.via.target.split(" ")[0]
        # in plain words: the introducer's contact on the way, no scores or counts
        target_first = person_.name.split(" ")[0]
        assert f"with {p.via.target}" in drafted.body
        assert f"who likely knows {target_first}: would you ask {via_first} to introduce us" in (
            drafted.body
        )
        assert drafted.why_this_colleague.startswith(introducer.name.split(" ")[0] + " is in ")
        assert f"with {p.via.target}" in drafted.why_this_colleague and "score" not in drafted.body


def run_cli(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> dict[str, object]:
    try:
        main([*argv, "--db", url, "--json"])
    except SystemExit as exc:
        assert not exc.code, capsys.readouterr()
    loaded: dict[str, object] = json.loads(capsys.readouterr().out)
    return loaded


def test_get_introduced_from_every_path_in_the_cli(
    capsys: pytest.CaptureFixture[str], fresh: Demo
) -> None:
    """Every path of one asker to the best-known target (direct, likely and through a
    contact), then a target no colleague knows directly."""
    demo = fresh
    asker = demo.members[1]
    targets = [demo.targets[0], *(t for a, t, _ in via_paths(demo) if a == asker)][:2]
    assert len(targets) == 2
    with pytest.raises(SystemExit) as done:
        main(["path", "--to", targets[1], "--from", asker.email, "--db", demo.url])
    assert not done.value.code
    text = capsys.readouterr().out
    assert "strength: " in text and "× " in text and "inferred, " in text and "(ask " in text
    drafted = 0
    for target in targets:
        shown = run_cli(capsys, demo.url, "path", "--to", target, "--from", asker.email)
        paths = shown["paths"]
        assert isinstance(paths, list) and paths
        for p in paths:
            introducer = p["introducer"]["email"]
            request = run_cli(
                capsys, demo.url, "intro", "draft", "--to", target, "--via", introducer,
                "--from", asker.email,
            )  # fmt: skip
            assert request["introducer"] == p["introducer"]
            body = str(request["body"])
            target_first = str(request["person"]["name"]).split(" ")[0]  # type: ignore[index]
            if p["via"]:
                assert f"with {p['via']['name']}" in body and "who likely knows" in body
            elif p["hops"][-1]["certainty"] == "inferred":
                assert "You both work at " in body
                assert "works at " in str(request["why_this_colleague"])
            else:
                assert f"You and {target_first} are in " in body
                assert (
                    p["hops"][-1]["reasons"][0]["text"] not in body
                )  # the facts stay on the person's page
            drafted += 1
    assert drafted > 2


def test_get_introduced_from_every_path_in_the_web_app_and_api(fresh: Demo, tmp_path: Path) -> None:
    """A person no colleague knows directly: every path but the last from the person page's
    buttons, the last through the API; each request to the path's introducer, naming the
    contact on the way."""
    demo = fresh
    asker, target, found = next((a, t, f) for a, t, f in via_paths(demo) if len(f.paths) > 1)
    app = create_app(demo.store, settings(tmp_path))
    try:
        browser = sign_in(app, asker.email, DEMO_PASSWORD)
        person_id = find_person_id(demo, target)
        page = browser.client.get(f"/persons/{person_id}").text
        asks = re.findall(r'name="introducer" value="([^"]+)"', page)
        assert asks == [p.introducer_email for p in found.paths][: len(asks)]
        assert "Strength: " in page and "inferred" in page
        *on_page, last = found.paths[: len(asks)]
        for path in on_page:
            assert path.via is not None
            drafted = browser.post(
                f"/persons/{person_id}/intros", {"introducer": path.introducer_email}
            )
            url = drafted.headers["location"]  # type: ignore[attr-defined]
            assert url.startswith("/intros/"), unescape(browser.client.get(url).text)
            draft = unescape(browser.client.get(url).text)
            assert f"with {path.via.target}" in draft and "<textarea" in draft
        _, token = create_token(demo.store, demo.org, asker, "tests")
        api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
        shown = api.get("/api/v1/paths", params={"email": target}).json()["paths"]["items"]
        at = len(on_page)
        assert last.via is not None and shown[at]["via_name"] == last.via.target
        assert shown[at]["hops"][-1]["certainty"] == "inferred"
        assert shown[at]["certainty"] == "inferred" and shown[at]["reasons"][0]["kind"] == "path"
        wanted = {"person_email": target, "introducer_email": last.introducer_email}
        created = api.post("/api/v1/intros", json=wanted)
        assert created.status_code == 201, created.text
        assert created.json()["introducer_email"] == last.introducer_email
        assert f"with {last.via.target}" in created.json()["body"]
    finally:
        app.state.imports.shutdown(wait=True)


def find_person_id(demo: Demo, email: str) -> int:
    with demo.store.read() as conn:
        return find_person(conn, demo.org, email).id


def test_the_demo_opens_my_day_on_warm_paths_into_target_accounts(fresh: Demo) -> None:
    """A fresh demo flags a few outside accounts as targets (not the members' own employer),
    so every member's landing shows warm paths into them; flagging again changes nothing."""
    demo = fresh
    with demo.store.read() as conn:
        targets = conn.execute(
            select(company.c.id, company.c.name).where(company.c.is_target.is_(True))
        ).all()
        own = set(
            conn.execute(
                select(person.c.company_id).where(
                    person.c.id.in_([m.person_id for m in demo.members if m.person_id])
                )
            ).scalars()
        )
    assert 0 < len(targets) <= DEMO_TARGETS and not own & {t.id for t in targets}
    assert flag_targets(demo.store, demo.org, DEMO_TARGETS) == []  # already flagged: kept
    for member in demo.members[:3]:
        day = my_day(demo.store, demo.org, member)
        assert day.targets == len(targets) and day.paths, member.email
        assert {p.for_what for p in day.paths} == {"target account"}
        assert {p.company_name for p in day.paths} <= {t.name for t in targets}
