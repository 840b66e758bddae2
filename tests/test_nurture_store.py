"""Stored nurture suggestions: the same list as classifying the touches per view, after every
change that moves them, on both back ends; a store from before the table fills it at start."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from test_nurture import DIRECTORY, PRIVATE_VCARD, Mailbox, _mail
from tiegraph.core.nurture import DEFAULT_NURTURE
from tiegraph.errors import ForbiddenError
from tiegraph.services.activity.daily_rescore import nurture_missing, rescore_due
from tiegraph.services.activity.ingest import ingest_mail
from tiegraph.services.activity.nurture_store import refresh_org, refresh_pairs
from tiegraph.services.activity.ties import rescore
from tiegraph.services.contacts.archive import (
    person_id_for_email,
    set_contact_archived,
    set_person_archived,
)
from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.contacts.network import list_contacts
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.insights.my_day import my_day
from tiegraph.services.insights.nurture import live_suggestions, nurture, stored_suggestions
from tiegraph.services.org.members import Member, add_member, get_member, set_member_sharing
from tiegraph.services.org.orgs import NURTURE_STORED, Org, resolve_org
from tiegraph.services.org.settings import put_setting
from tiegraph.store import Store
from tiegraph.store.schema import nurture_suggestion

LEE_VCARD = (
    "BEGIN:VCARD\nVERSION:3.0\nFN:Lee Kim\nN:Kim;Lee;;;\nEMAIL:lee@acme.example\nEND:VCARD\n"
)


@pytest.fixture
def team(store: Store, tmp_path: Path) -> tuple[Org, Member, Member]:
    org = resolve_org(store)
    directory = tmp_path / "directory.jsonl"
    directory.write_text("\n".join(json.dumps(x) for x in DIRECTORY) + "\n", encoding="utf-8")
    import_directory(store, org, [directory])
    ana = add_member(store, org, email="ana@us.example", name="Ana Lima")
    bo = add_member(store, org, email="bo@us.example", name="Bo Chen")
    vcard = tmp_path / "ana.vcf"
    vcard.write_text(PRIVATE_VCARD, encoding="utf-8")
    import_contacts(store, org, ana, [vcard])
    ingest_mail(store, org, [_mail(tmp_path)])
    return org, ana, bo


def _table(store: Store, org: Org) -> set[tuple[Any, ...]]:
    """The stored rows, but for when each was computed."""
    columns = [c for c in nurture_suggestion.c if c.name != "suggested_at"]
    with store.read() as conn:
        rows = conn.execute(select(*columns).where(nurture_suggestion.c.org_id == org.id))
        return {tuple(r) for r in rows}


def _same_as_recomputed(store: Store, org: Org, members: list[Member]) -> None:
    """The stored list reads as classifying every touch now would, and the table is what a
    full refresh writes."""
    now = datetime.now(UTC)
    with store.read() as conn:
        for m in members:
            stored, _ = stored_suggestions(conn, org, m, now)
            live, _ = live_suggestions(conn, org, m, now, DEFAULT_NURTURE)
            shown = [(s.person_id, s.kind, s.reason, s.priority) for s in stored]
            assert shown == [(s.person_id, s.kind, s.reason, s.priority) for s in live]
    kept = _table(store, org)
    refresh_org(store, org)
    assert _table(store, org) == kept


def _kinds(store: Store, org: Org, m: Member) -> dict[str, str]:
    found = nurture(store, org, m, limit=0)
    return {i.person_email: i.kind for i in (*found.contacts, *found.connections)}


def test_the_table_equals_a_recompute_after_each_change(
    store: Store, team: tuple[Org, Member, Member], tmp_path: Path
) -> None:
    org, ana, bo = team
    both = [ana, bo]
    _same_as_recomputed(store, org, both)  # after ingest
    assert _kinds(store, org, ana)["lee@acme.example"] == "cooling"

    lee_card = tmp_path / "lee.vcf"
    lee_card.write_text(LEE_VCARD, encoding="utf-8")
    import_contacts(store, org, ana, [lee_card])  # Lee's tie turns explicit
    _same_as_recomputed(store, org, both)

    lee = next(c for c in list_contacts(store, org, ana) if c.name == "Lee Kim")
    set_contact_archived(store, org, ana, lee.id, archived=True)  # and back again
    _same_as_recomputed(store, org, both)

    answers = Mailbox()  # Ana answers Jane three times: no longer one-sided but warming
    for days in (1, 2, 3):
        answers.add("ana@us.example", ["jane@acme.example"], days)
    ingest_mail(store, org, [answers.write(tmp_path / "answers.mbox")])
    assert _kinds(store, org, ana)["jane@acme.example"] == "warming"
    _same_as_recomputed(store, org, both)

    rescore(store, org)
    _same_as_recomputed(store, org, both)

    set_person_archived(
        store, org, person_id_for_email(store, org, "pat@acme.example"), archived=True
    )
    assert "pat@acme.example" not in _kinds(store, org, ana)
    _same_as_recomputed(store, org, both)


def test_a_colleague_never_sees_an_unshared_members_suggestions(
    store: Store, team: tuple[Org, Member, Member]
) -> None:
    org, ana, bo = team
    set_member_sharing(store, org, ana, activity_sharing=False)
    ana = get_member(store, org, ana.email)
    with pytest.raises(ForbiddenError):
        nurture(store, org, ana, viewer=bo)
    day = my_day(store, org, bo).as_dict()
    assert [n["person"]["email"] for n in day["nurture"]] == ["jane@acme.example"]  # his own
    words = json.dumps(day).lower()
    for secret in ("lee@", "pat@", "zoe@", "ana@", "kim", "doe", "silent", "warming"):
        assert secret not in words


def test_a_store_from_before_the_table_reads_touches_until_refreshed(
    store: Store, team: tuple[Org, Member, Member]
) -> None:
    org, ana, _ = team
    rescore_due(store)  # today's run: the next is not due for a day
    expected = nurture(store, org, ana, limit=0)
    written = _table(store, org)
    with store.write() as conn:  # as migration 0023 leaves an organization with ties
        conn.execute(nurture_suggestion.delete())
    put_setting(store, org, NURTURE_STORED, None)
    assert nurture_missing(store, org)
    assert nurture(store, org, ana, limit=0) == expected  # classified from the touches
    assert rescore_due(store) == {}  # no rescore due, yet the suggestions are stored
    assert not nurture_missing(store, org)
    assert _table(store, org) == written
    assert nurture(store, org, ana, limit=0) == expected


def test_a_refresh_that_fails_leaves_the_rows_and_a_rerun_writes_the_same(
    store: Store, team: tuple[Org, Member, Member]
) -> None:
    org, ana, _ = team
    written = _table(store, org)
    pairs = [(m, p) for _, m, p, *_ in written if m == ana.id]
    assert pairs
    with pytest.raises(RuntimeError), store.write() as conn:
        refresh_pairs(conn, org, pairs, datetime.now(UTC))
        raise RuntimeError("killed mid-transaction")
    assert _table(store, org) == written
    with store.write() as conn:
        refresh_pairs(conn, org, pairs, datetime.now(UTC))
        refresh_pairs(conn, org, pairs, datetime.now(UTC))
    assert _table(store, org) == written
