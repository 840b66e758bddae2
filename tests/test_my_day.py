"""My day: warm paths into targets and lists, asks waiting, nurture, new people — as the viewer
may see them (a colleague's unshared ties and private contacts never show, not even counted)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from insights_org import PRIVATE, InsightsOrg, build
from tiegraph.services.contacts.archive import person_id_for_email, set_person_archived
from tiegraph.services.directory.accounts import flag_account
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.insights import warm_paths
from tiegraph.services.insights.my_day import ANSWERED_DAYS, my_day
from tiegraph.services.intros.answers import answer_intro
from tiegraph.services.intros.delivery import send_by_client
from tiegraph.services.intros.requests import confirm_sent, draft_intro
from tiegraph.services.lists import add_to_list, create_list
from tiegraph.store import Store

NOW = datetime(2026, 11, 20, tzinfo=UTC)  # the insights organization's mail is of 1-19 Nov 2026


@pytest.fixture
def world(store: Store, tmp_path: Path) -> InsightsOrg:
    return build(store, tmp_path)


def _text(value: object) -> str:
    return json.dumps(value, default=str)


def test_empty_day_says_what_to_do(store: Store, world: InsightsOrg) -> None:
    day = my_day(store, world.org, world.cy, now=NOW)
    assert (day.targets, day.lists, day.paths, day.asks, day.new_people) == (0, 0, (), (), ())


def test_warm_paths_into_a_target_run_over_visible_ties_only(
    store: Store, world: InsightsOrg
) -> None:
    flag_account(store, world.org, "Acme Corp", target=True)
    day = my_day(store, world.org, world.cy, now=NOW)
    assert day.targets == 1
    [path] = day.paths  # Ana -> Pat; Bo's ties (Lee, his private Quinn) are not shared
    assert (path.introducer_email, path.person_email) == ("ana@us.example", "pat@acme.example")
    assert path.for_what == "target account" and path.label in ("strong", "good", "weak")
    assert path.reason and path.company_name == "Acme Corp"
    text = _text(day.as_dict())
    for hidden in ("Lee", "lee@", "Bo Chen", "bo@us.example", "Quinn", *PRIVATE["ana@us.example"]):
        assert hidden not in text


def test_a_path_is_never_through_me_nor_to_someone_i_know_well(
    store: Store, world: InsightsOrg
) -> None:
    flag_account(store, world.org, "Acme Corp", target=True)
    ana = my_day(store, world.org, world.ana, now=NOW)
    assert all(p.introducer_email != "ana@us.example" for p in ana.paths)
    assert "pat@acme.example" not in {p.person_email for p in ana.paths}  # she knows Pat well
    assert "Lee" not in _text(ana.as_dict())  # Bo does not share his activity
    bo = my_day(store, world.org, world.bo, now=NOW)  # Bo sees shared ties, never his own
    assert {p.introducer_email for p in bo.paths} <= {"ana@us.example", "cy@us.example"}
    assert "pat@acme.example" in {p.person_email for p in bo.paths}


def test_list_rows_bring_paths_and_say_which_list(store: Store, world: InsightsOrg) -> None:
    create_list(store, world.org, world.cy, "Q4 leads", "leads")
    add_to_list(store, world.org, "Q4 leads", emails=["pat@acme.example", "lee@acme.example"])
    day = my_day(store, world.org, world.cy, now=NOW)
    assert day.lists == 1 and day.targets == 0
    assert [(p.person_email, p.for_what) for p in day.paths] == [
        ("pat@acme.example", "list Q4 leads")
    ]
    # Someone else's list is not "my" list.
    assert my_day(store, world.org, world.ana, now=NOW).lists == 0


def test_asks_waiting_for_my_answer(store: Store, world: InsightsOrg) -> None:
    drafted = draft_intro(store, world.org, world.cy, via="ana@us.example", to="pat@acme.example")
    assert my_day(store, world.org, world.ana, now=NOW).asks == ()  # a draft is not asked yet
    send_by_client(store, world.org, drafted.id, world.cy)
    # handed to the mail client is not asked either, until Cy says he sent it
    assert my_day(store, world.org, world.ana, now=NOW).asks == ()
    assert my_day(store, world.org, world.cy, now=NOW).my_requests == ()
    confirm_sent(store, world.org, drafted.id, world.cy)
    [ask] = my_day(store, world.org, world.ana, now=NOW).asks
    assert (ask.id, ask.requester_email) == (drafted.id, "cy@us.example")
    cy_day = my_day(store, world.org, world.cy, now=NOW)
    assert cy_day.asks == ()  # the requester is not asked
    assert [(r.id, r.status) for r in cy_day.my_requests] == [(drafted.id, "requested")]
    assert my_day(store, world.org, world.bo, now=NOW).my_requests == ()  # nor anyone else's
    answer_intro(store, world.org, drafted.id, world.ana, accept=False, reason="Not now.")
    assert my_day(store, world.org, world.ana, now=NOW).asks == ()
    [told] = my_day(store, world.org, world.cy, now=NOW).my_requests
    assert (told.status, told.decline_reason) == ("declined", "Not now.")
    # an answer stays on the requester's day for two weeks
    later = datetime.now(UTC) + timedelta(days=ANSWERED_DAYS + 1)
    assert my_day(store, world.org, world.cy, now=later).my_requests == ()


def test_nurture_is_my_own(store: Store, world: InsightsOrg) -> None:
    day = my_day(store, world.org, world.ana, now=NOW)
    assert {i.person_email for i in day.nurture} <= {"pat@acme.example"}
    assert "lee@" not in _text(my_day(store, world.org, world.bo, now=NOW).as_dict()["asks"])


def _join_recently(store: Store, world: InsightsOrg, tmp_path: Path) -> None:
    recent = (date.today() - timedelta(days=10)).isoformat()
    rows = [
        {
            "type": "person",
            "id": "PN",
            "first_name": "Nia",
            "last_name": "New",
            "emails": ["nia@acme.example"],
            "employment": [{"company_id": "C1", "title": "CFO", "start": recent}],
        },
        {
            "type": "person",
            "id": "PO",
            "first_name": "Old",
            "last_name": "Timer",
            "emails": ["old@acme.example"],
            "employment": [{"company_id": "C1", "title": "CTO", "start": "2012-01-01"}],
        },
    ]
    path = tmp_path / "more.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    import_directory(store, world.org, [path])


def test_new_people_at_targets_from_the_employment_start(
    store: Store, world: InsightsOrg, tmp_path: Path
) -> None:
    _join_recently(store, world, tmp_path)
    assert my_day(store, world.org, world.cy).new_people == ()  # no target yet
    flag_account(store, world.org, "Acme Corp", target=True)
    [new] = my_day(store, world.org, world.cy).new_people
    assert (new.name, new.title, new.company_name) == ("Nia New", "CFO", "Acme Corp")
    assert new.started == date.today() - timedelta(days=10)


def test_an_archived_persons_ties_give_way_to_the_next_strongest(
    store: Store, world: InsightsOrg, monkeypatch: pytest.MonkeyPatch
) -> None:
    flag_account(store, world.org, "Acme Corp", target=True)
    # Three candidate ties read at a time, as a big account's first 130 are: Bo's own to Lee
    # and to his private Quinn, Ana's to Pat, then Cy's to Kim.
    monkeypatch.setattr(warm_paths, "CANDIDATE_TIES", 3)
    monkeypatch.setattr(warm_paths, "CANDIDATE_SLACK", 0)
    day = my_day(store, world.org, world.bo, now=NOW)
    assert [p.person_email for p in day.paths] == ["pat@acme.example"]
    pat = person_id_for_email(store, world.org, "pat@acme.example")
    set_person_archived(store, world.org, pat, archived=True)
    day = my_day(store, world.org, world.bo, now=NOW)
    assert [(p.introducer_email, p.person_email) for p in day.paths] == [
        ("cy@us.example", "kim@acme.example")
    ]
