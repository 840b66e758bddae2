"""Sharing rules, closest connections, company connections and intro paths, on both backends.

Every query is asked as Ana, who must never see Bo's unshared tie to Lee nor Bo's private
contact Quinn, and as Bo, who must never see Ana's private contact Zed.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from insights_org import DIRECTORY, PRIVATE, InsightsOrg, build
from tiegraph.cli import main
from tiegraph.core.strength import TieState, Touch, fold, score, to_columns
from tiegraph.errors import InvalidInputError, NotFoundError
from tiegraph.services.activity.tie_scores import TieScorer, scored_pairs
from tiegraph.services.activity.ties import rescore
from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.directory.accounts import flag_account
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.insights.closest import closest_to_account, closest_to_person
from tiegraph.services.insights.connections import company_connections
from tiegraph.services.insights.paths import intro_paths
from tiegraph.services.insights.who_knows import who_knows
from tiegraph.services.org.members import add_member, set_member_sharing
from tiegraph.services.org.orgs import create_org, set_activity_sharing_default
from tiegraph.store import Store, open_store
from tiegraph.store.schema import member, person, person_email, tie


@pytest.fixture
def world(store: Store, tmp_path: Path) -> InsightsOrg:
    return build(store, tmp_path)


def _text(value: object) -> str:
    return json.dumps(value, default=str)


def test_contact_sync_needs_two_members_and_is_opt_in(store: Store) -> None:
    org = create_org(store, "solo")
    alone = add_member(store, org, email="me@solo.example", name="Me Alone")
    assert alone.contact_sync is False and alone.activity_sharing is True
    with pytest.raises(InvalidInputError, match="at least two members"):
        set_member_sharing(store, org, alone, contact_sync=True)
    add_member(store, org, email="you@solo.example", name="You Too")
    assert set_member_sharing(store, org, alone, contact_sync=True).contact_sync is True


def test_the_org_default_sets_new_members_activity_sharing(store: Store) -> None:
    org = set_activity_sharing_default(store, create_org(store, "quiet"), False)
    assert add_member(store, org, email="a@q.example", name="A Q").activity_sharing is False


def test_contact_sync_shares_new_contacts_only_while_on(
    store: Store, world: InsightsOrg, tmp_path: Path
) -> None:
    cy = set_member_sharing(store, world.org, world.cy, contact_sync=True)
    card = tmp_path / "cy.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Nia New\r\nN:New;Nia;;;\r\n"
        "EMAIL:nia@globex.example\r\nORG:Globex\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    report = import_contacts(store, world.org, cy, [card])
    assert report.sources[0].shared == 1
    # Now a directory person that everyone can find, at the company the card names.
    assert closest_to_person(store, world.org, "nia@globex.example", viewer=world.ana).name == (
        "Nia New"
    )
    cy = set_member_sharing(store, world.org, cy, contact_sync=False)
    card.write_text(card.read_text().replace("Nia New", "Oli Other").replace("nia@", "oli@"))
    assert import_contacts(store, world.org, cy, [card]).sources[0].shared == 0
    with pytest.raises(NotFoundError):
        closest_to_person(store, world.org, "oli@globex.example", viewer=world.ana)
    # Already shared stays shared.
    assert closest_to_person(store, world.org, "nia@globex.example").name == "Nia New"


def test_unshared_activity_is_hidden_from_others_but_not_from_its_member(
    store: Store, world: InsightsOrg
) -> None:
    def knowers(viewer: object) -> list[str]:
        answer = who_knows(store, world.org, ["lee@acme.example"], viewer=viewer)  # type: ignore[arg-type]
        return [k.member_email for k in answer[0].knowers]

    assert knowers(world.ana) == []
    assert knowers(world.bo) == ["bo@us.example"]
    assert knowers(None) == ["bo@us.example"]  # the operator's org-wide view
    set_member_sharing(store, world.org, world.bo, activity_sharing=True)
    assert knowers(world.ana) == ["bo@us.example"]


def test_closest_to_a_person_never_answers_for_a_private_contact(
    store: Store, world: InsightsOrg
) -> None:
    zed = PRIVATE["ana@us.example"][1]
    for viewer in (world.bo, world.ana, None):
        with pytest.raises(NotFoundError) as private:
            closest_to_person(store, world.org, zed, viewer=viewer)
        with pytest.raises(NotFoundError) as unknown:
            closest_to_person(store, world.org, "nobody@acme.example", viewer=viewer)
        assert str(private.value).replace(zed, "X") == str(unknown.value).replace(
            "nobody@acme.example", "X"
        )
    answer = closest_to_person(store, world.org, "pat@acme.example", viewer=world.bo)
    assert [k.member_email for k in answer.knowers] == ["ana@us.example"]


def test_closest_to_an_account_ranks_its_people_by_todays_scores(
    store: Store, world: InsightsOrg
) -> None:
    found = closest_to_account(store, world.org, "Acme", viewer=None)
    assert [(t.person_name, t.member_email) for t in found.ties] == [
        ("Lee Roe", "bo@us.example"),
        ("Pat Doe", "ana@us.example"),
        # a correspondent at acme.example, from Bo's mail: the operator sees every tie
        ("quinn.hidden@acme.example", "bo@us.example"),
        ("Kim Poe", "cy@us.example"),
    ]
    # The walk agrees with scoring every tie of the account from scratch, as every view
    # scores a tie (with its member's pace: the stored score leaves it out).
    now = datetime.now(UTC)
    with store.read() as conn:
        rows = conn.execute(select(tie).where(tie.c.company_id == found.account.id)).all()
        scorer = TieScorer(conn, world.org, now)
        brute = sorted((scorer.score_row(r).score for r in rows), reverse=True)
    assert [t.score for t in found.ties] == brute[: len(found.ties)]
    assert [
        t.score for t in closest_to_account(store, world.org, "acme.example", limit=1).ties
    ] == [brute[0]]
    as_ana = closest_to_account(store, world.org, "www.acme.example", viewer=world.ana)
    assert "Lee Roe" not in _text(as_ana.as_dict())


def test_company_connections_personal_and_implicit_with_filters(
    store: Store, world: InsightsOrg
) -> None:
    found = company_connections(store, world.org, "Acme Corp", viewer=world.ana)
    kinds = {(c.kind, c.member_email) for c in found.connections}
    assert ("personal", "ana@us.example") in kinds
    assert ("colleague-former-employer", "ana@us.example") in kinds  # Pat at Globex with Ana
    assert ("school", "ana@us.example") in kinds  # Stanford, overlapping years
    assert ("former-employer", "bo@us.example") in kinds  # directory history, not activity
    assert ("personal", "bo@us.example") not in kinds  # Bo's activity is not shared
    implicit = [c for c in found.connections if c.kind != "personal"]
    assert all(c.certainty != "known" and c.strength < 100 for c in implicit)
    text = _text(found.as_dict())
    assert "Zed Secret" in text  # Ana's own private contact, for Ana only
    assert "Quinn" not in text and "Lee Roe" not in text
    assert "Zed" not in _text(
        company_connections(store, world.org, "Acme", viewer=world.bo).as_dict()
    )
    only = company_connections(store, world.org, "Acme", kinds=("school",), title="vp")
    assert {c.kind for c in only.connections} == {"school"}
    assert all("VP" in v.title for c in only.connections for v in c.via)
    strong = company_connections(store, world.org, "Acme", min_strength=80)
    assert all(c.strength >= 80 for c in strong.connections)
    with pytest.raises(InvalidInputError, match="--kind"):
        company_connections(store, world.org, "Acme", kinds=("friends",))
    with pytest.raises(NotFoundError, match="no company"):
        company_connections(store, world.org, "Nonexistent Industries")


def test_a_member_who_worked_there_twice_has_one_connection_per_tenure(
    store: Store, world: InsightsOrg, tmp_path: Path
) -> None:
    """Each tenure is met with the people now there on its own dates (Kim came in 2018)."""
    bo = next(x for x in DIRECTORY if x.get("id") == "PB")
    twice = {
        **bo,
        "employment": [
            {"company_id": "C1", "start": "2000-01-01", "end": "2003-06-30"},
            *bo["employment"],
        ],
    }
    directory = tmp_path / "again.jsonl"
    directory.write_text(
        "\n".join(json.dumps(x) for x in DIRECTORY if x.get("type") == "company")
        + "\n"
        + json.dumps(twice)
        + "\n",
        encoding="utf-8",
    )
    import_directory(store, world.org, [directory])
    found = company_connections(store, world.org, "Acme", kinds=("former-employer",))
    rows = sorted(
        (c.reason, [v.name for v in c.via])
        for c in found.connections
        if c.member_email == "bo@us.example"
    )
    assert rows == [
        ("worked at Acme Corp 2000–2003", []),
        ("worked at Acme Corp 2010–2019; 1 of its people now were there at the time", ["Kim Poe"]),
    ]


def test_a_reference_customer_adds_reference_connections(store: Store, world: InsightsOrg) -> None:
    assert flag_account(
        store, world.org, "acme.example", reference_customer=True
    ).is_reference_customer
    found = company_connections(store, world.org, "Acme", kinds=("reference-customer",))
    assert {c.member_email for c in found.connections} >= {"ana@us.example"}
    assert all("reference customer" in c.reason for c in found.connections)


def test_intro_paths_rank_direct_and_company_paths_with_starters(
    store: Store, world: InsightsOrg
) -> None:
    found = intro_paths(store, world.org, "pat@acme.example", requester=world.cy)
    best = found.paths[0]
    assert best.introducer_email == "ana@us.example"
    assert [h.target for h in best.hops] == ["Ana Lima", "Pat Doe"]
    assert any("Globex, together 2016–2018" in s for s in best.starters)
    assert all(p.strength > 0 for p in found.paths)
    strengths = [p.strength for p in found.paths]
    assert strengths == sorted(strengths, reverse=True)
    # Kim, whom Cy mailed, is a colleague of Pat's at Acme; but Cy needs no colleague to ask
    # Kim, and the asker is never the introducer: no path of Cy's own.
    assert "cy@us.example" not in {p.introducer_email for p in found.paths}
    assert all(h.target != "Kim Poe" for p in found.paths for h in p.hops)
    assert any(s.startswith("your own contact Kim Poe at Acme") for s in found.starters)


def test_intro_paths_word_the_ties_of_the_paths_shown_as_every_view_does(
    store: Store, world: InsightsOrg
) -> None:
    """Paths are ranked by their ties' shown scores and only the paths kept are worded: each
    measured hop says its tie's score and first three reasons, whatever the limit."""
    with store.read() as conn:
        rows = conn.execute(
            select(member.c.email, person_email.c.email.label("to"), tie.c.member_id,
                   tie.c.person_id)
            .join(member, (member.c.org_id == tie.c.org_id) & (member.c.id == tie.c.member_id))
            .join(person_email, (person_email.c.org_id == tie.c.org_id)
                  & (person_email.c.person_id == tie.c.person_id))
            .where(tie.c.org_id == world.org.id)
        ).all()  # fmt: skip
        scored = scored_pairs(conn, world.org, datetime.now(UTC), [r[2:] for r in rows])
    truth = {(r.email, r.to): scored[(r.member_id, r.person_id)] for r in rows}
    hops = 0
    for target in ("pat@acme.example", "kim@acme.example", "lee@acme.example"):
        for asker in (world.ana, world.bo, world.cy):
            for limit in (1, 2, 0):
                found = intro_paths(store, world.org, target, requester=asker, limit=limit)
                for hop in (h for p in found.paths for h in p.hops if h.kind == "tie"):
                    tie_score = truth[(hop.source_email, hop.target_email)]
                    assert (hop.strength, hop.why) == (
                        tie_score.score,
                        "; ".join(tie_score.reasons[:3]),
                    )
                    hops += 1
    assert hops > 10


def test_intro_paths_never_run_over_unshared_ties_or_private_contacts(
    store: Store, world: InsightsOrg
) -> None:
    as_ana = intro_paths(store, world.org, "lee@acme.example", requester=world.ana)
    assert "bo@us.example" not in [p.introducer_email for p in as_ana.paths]
    as_cy = intro_paths(store, world.org, "kim@acme.example", requester=world.cy)
    assert "Lee Roe" not in _text(as_cy.as_dict()) and "Quinn" not in _text(as_cy.as_dict())
    for email in (PRIVATE["bo@us.example"][1], "nobody@acme.example"):
        with pytest.raises(NotFoundError, match="no directory person"):
            intro_paths(store, world.org, email, requester=world.ana)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


QUERIES = [
    ("who-knows", "lee@acme.example", "quinn.hidden@acme.example", "zed.secret@acme.example"),
    ("closest", "--person", "lee@acme.example"),
    ("closest", "--person", "quinn.hidden@acme.example"),
    ("closest", "--account", "Acme"),
    ("company", "Acme"),
    ("company", "acme.example", "--kind", "personal"),
    ("path", "--to", "lee@acme.example"),
    ("path", "--to", "lee@acme.example", "--from", "cy@us.example"),
    ("path", "--to", "pat@acme.example"),
    ("path", "--to", "pat@acme.example", "--from", "bo@us.example"),
    ("path", "--to", "quinn.hidden@acme.example"),
    ("contacts", "list", "--member", "ana@us.example"),
    ("contacts", "list", "--member", "bo@us.example", "--status", "private"),
    ("matches", "list", "--member", "bo@us.example"),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: " ".join(q[:2]))
def test_no_command_leaks_private_contacts_or_unshared_activity(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path, query: tuple[str, ...]
) -> None:
    store = open_store(db_url)
    try:
        build(store, tmp_path)
    finally:
        store.dispose()
    # Bo's unshared tie to Lee is the only one with 38 emails; Lee is reachable only through it
    # on the account views. Echoing back an address that was asked about is not a leak.
    through_bo = ["Lee Roe"] if query[0] in ("company", "closest") and "--account" in query else []
    if query[0] == "company" or "bo@us.example" in query:
        through_bo = ["Lee Roe"]  # and Bo's own contact at Acme, on paths Bo asks for
    for viewer, secrets in (
        ("cy@us.example", ["38 emails", "Quinn Hidden", "Zed Secret", *through_bo]),
        ("ana@us.example", ["38 emails", "Quinn Hidden", *through_bo]),
        ("bo@us.example", ["Zed Secret"]),
    ):
        for as_json in ((), ("--json",)):
            code, out = run(capsys, *query, "--viewer", viewer, "--db", db_url, *as_json)
            assert code in (0, 2), out
            for secret in secrets:
                assert secret not in out, (viewer, secret, out)


def test_cli_member_set_and_org_set(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    run(capsys, "member", "add", "--email", "a@x.example", "--name", "A X", "--db", db_url)
    code, out = run(capsys, "member", "set", "a@x.example", "--contact-sync", "on", "--db", db_url)
    assert code == 2 and "at least two members" in out and "Traceback" not in out
    run(capsys, "member", "add", "--email", "b@x.example", "--name", "B X", "--db", db_url)
    code, out = run(
        capsys,
        "member",
        "set",
        "a@x.example",
        "--contact-sync",
        "on",
        "--activity-sharing",
        "off",
        "--db",
        db_url,
    )
    assert code == 0 and "contact sync on, activity sharing off" in out
    code, out = run(
        capsys, "member", "set", "a@x.example", "--contact-sync", "maybe", "--db", db_url
    )
    assert code == 2 and "on or off" in out
    code, out = run(
        capsys, "org", "set", "--activity-sharing-default", "off", "--json", "--db", db_url
    )
    assert code == 0 and json.loads(out)["activity_sharing_default"] is False


def test_cli_company_flag_and_queries_print_json(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    store = open_store(db_url)
    try:
        build(store, tmp_path)
        with store.read() as conn:
            assert conn.execute(select(person.c.id).join(person_email)).first()
    finally:
        store.dispose()
    code, out = run(capsys, "company", "flag", "Acme", "--target", "on", "--json", "--db", db_url)
    assert code == 0 and json.loads(out)["account"]["target"] is True
    code, out = run(capsys, "closest", "--account", "acme.example", "--json", "--db", db_url)
    assert json.loads(out)["account"]["target"] is True
    code, out = run(
        capsys,
        "path",
        "--to",
        "pat@acme.example",
        "--from",
        "cy@us.example",
        "--json",
        "--db",
        db_url,
    )
    assert code == 0 and json.loads(out)["paths"][0]["introducer"]["email"] == "ana@us.example"
    code, out = run(capsys, "closest", "--db", db_url)
    assert code == 2 and "--person" in out
    code, out = run(capsys, "company", "Nope Nothing Inc", "--db", db_url)
    assert code == 2 and "no company" in out


def test_the_account_walk_pages_by_key_and_agrees_with_scoring_everything(
    store: Store, world: InsightsOrg
) -> None:
    """Hundreds of ties at one account, many with equal stored scores and some stale."""
    rng = random.Random(5)
    now = datetime.now(UTC)
    with store.write() as conn:
        acme = conn.execute(select(person.c.company_id).where(person.c.id == 1)).scalar()
        first = conn.execute(select(func.max(person.c.id))).scalar_one() + 1
        conn.execute(
            person.insert(),
            [
                {
                    "id": first + i,
                    "org_id": world.org.id,
                    "full_name": f"Extra {i}",
                    "company_id": acme,
                }
                for i in range(300)
            ],
        )
        rows = []
        for i in range(300):
            touches = [
                Touch(now - timedelta(days=rng.randint(1, 150)), "email", d, 1)
                for d in rng.choices(("out", "in"), k=rng.randint(1, 12))
            ]
            state = fold(TieState(), sorted(touches, key=lambda t: t.at))
            stale = rng.choice((0, 0, 10, 40))  # as scored some days ago, or today
            rows.append(
                {
                    "org_id": world.org.id,
                    "member_id": world.cy.id,
                    "person_id": first + i,
                    "company_id": acme,
                    "state": to_columns(state),
                    "label": "weak",
                    "score": float(min(100, score(state, now).score + stale)),
                    "reasons": [],
                }
            )
        conn.execute(tie.insert(), rows)
        every = conn.execute(select(tie).where(tie.c.company_id == acme)).all()
    colleagues = {world.ana.person_id, world.bo.person_id, world.cy.person_id}
    best: dict[int, int] = {}
    with store.read() as conn:
        scorer = TieScorer(conn, world.org, now)
        for r in every:
            if r.person_id not in colleagues:
                today = scorer.score_row(r).score
                best[r.person_id] = max(best.get(r.person_id, 0), today)
    expected = sorted((s for s in best.values() if s > 0), reverse=True)
    for k in (1, 3, 20, 0):
        found = closest_to_account(store, world.org, "acme.example", limit=k)
        assert [t.score for t in found.ties] == (expected[:k] if k else expected)
    assert rescore(store, world.org) > 0
    found = closest_to_account(store, world.org, "acme.example", limit=5)
    assert [t.score for t in found.ties] == expected[:5]
    assert rescore(store, world.org) == 0  # nothing left to bring up to date


def test_the_strongest_intro_paths_agree_with_ranking_every_path(
    store: Store, world: InsightsOrg
) -> None:
    """Many colleagues with many ties at the target's company, stored scores stale by up to 40
    points: the first k paths are those of ranking every path."""
    rng = random.Random(11)
    now = datetime.now(UTC)
    extra = [
        add_member(store, world.org, email=f"m{i}@us.example", name=f"Member {i:02d}")
        for i in range(8)
    ]
    with store.write() as conn:
        acme = conn.execute(select(person.c.company_id).where(person.c.id == 1)).scalar()
        first = conn.execute(select(func.max(person.c.id))).scalar_one() + 1
        conn.execute(
            person.insert(),
            [
                {"id": first + i, "org_id": world.org.id, "full_name": f"Extra {i}"}
                | {"company_id": acme}
                for i in range(60)
            ],
        )
        rows = []
        for m in (world.ana, world.cy, *extra):
            for i in rng.sample(range(60), 25):
                touches = [
                    Touch(now - timedelta(days=rng.randint(1, 150)), "email", d, 1)
                    for d in rng.choices(("out", "in"), k=rng.randint(1, 12))
                ]
                state = fold(TieState(), sorted(touches, key=lambda t: t.at))
                stale = rng.choice((0, 0, 10, 40))
                rows.append(
                    {
                        "org_id": world.org.id,
                        "member_id": m.id,
                        "person_id": first + i,
                        "company_id": acme,
                        "state": to_columns(state),
                        "label": "weak",
                        "score": float(min(100, score(state, now).score + stale)),
                        "reasons": [],
                    }
                )
        conn.execute(tie.insert(), rows)
    every = intro_paths(store, world.org, "pat@acme.example", requester=world.cy, limit=0)
    assert len(every.paths) > 8
    ranked = [(p.introducer_email, p.strength) for p in every.paths]
    for k in (1, 3, 5, 8):
        found = intro_paths(store, world.org, "pat@acme.example", requester=world.cy, limit=k)
        assert [(p.introducer_email, p.strength) for p in found.paths] == ranked[:k]
