"""Nurture through the service and the CLI, from mail ingested as a mailbox; who may see it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import func

from tiegraph.cli import main
from tiegraph.core.nurture import DEFAULT_NURTURE
from tiegraph.errors import ForbiddenError
from tiegraph.services.activity.ingest import ingest_mail
from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.contacts.network import list_contacts
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.insights.nurture import NurtureList, nurture
from tiegraph.services.insights.who_knows import who_knows
from tiegraph.services.org.members import Member, add_member, get_member, set_member_sharing
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store
from tiegraph.store.schema import member

NOW = datetime.now(UTC).replace(microsecond=0)

DIRECTORY = [
    {"type": "company", "id": "C1", "name": "Acme Corp", "domains": ["acme.example"]},
    *(
        {
            "type": "person",
            "id": f"P{i}",
            "first_name": first,
            "last_name": last,
            "emails": [f"{first.lower()}@acme.example"],
            "employment": [{"company_id": "C1", "title": title, "start": "2020"}],
        }
        for i, (first, last, title) in enumerate(
            [("Jane", "Roe", "CFO"), ("Pat", "Doe", "VP Sales"), ("Lee", "Kim", "CTO")]
        )
    ),
]

PRIVATE_VCARD = (
    "BEGIN:VCARD\nVERSION:3.0\nFN:Zoe Private\nN:Private;Zoe;;;\n"
    "EMAIL:zoe@home.example\nEND:VCARD\n"
)


class Mailbox:
    """Messages written as an mbox: sender, recipients and a time some days ago."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, sender: str, to: list[str], days_ago: float) -> None:
        when = format_datetime(NOW - timedelta(days=days_ago))
        mid = f"m{len(self.parts)}.{days_ago}@test.example"
        self.parts.append(
            f"From {sender} {when}\nFrom: {sender}\nTo: {', '.join(to)}\nDate: {when}\n"
            f"Message-ID: <{mid}>\nSubject: private words\n\nA body we never keep.\n\n"
        )

    def write(self, path: Path) -> Path:
        path.write_text("".join(self.parts), encoding="utf-8")
        return path


def _mail(tmp_path: Path) -> Path:
    box = Mailbox()
    ana, bo = "ana@us.example", "bo@us.example"
    for days in (5, 15, 25, 35, 45):  # Jane writes, Ana answers once: one-sided
        box.add("jane@acme.example", [ana], days)
    box.add(ana, ["jane@acme.example"], 14)
    for i, days in enumerate((2, 4, 7, 10, 14, 20)):  # Pat: six emails, one before: warming
        box.add(*((ana, ["pat@acme.example"]) if i % 2 else ("pat@acme.example", [ana])), days)
    box.add(ana, ["pat@acme.example"], 60)
    for days in range(41, 365, 9):  # Lee: every 9 days, silent for 41: cooling
        box.add(ana, ["lee@acme.example"], days)
        box.add("lee@acme.example", [ana], days + 0.2)
    crowd = [ana, *(f"reader{i}@list.example" for i in range(29))]
    box.add("lee@acme.example", crowd, 5)  # a newsletter does not break the silence
    for days in range(3, 60, 9):  # a private contact and a colleague write often: never listed
        box.add("zoe@home.example", [ana], days)
        box.add(bo, [ana], days + 0.5)
    for days in (6, 16, 26, 36):  # Jane writes to Bo too: Bo's own one-sided tie
        box.add("jane@acme.example", [bo], days)
    return box.write(tmp_path / "all.mbox")


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
    assert [c.name for c in list_contacts(store, org, ana, status="private")] == ["Zoe Private"]
    report = ingest_mail(store, org, [_mail(tmp_path)])
    # Zoe writes to Ana: a correspondent from Ana's shared mail, never from her private contact
    assert report.as_dict()["persons_from_correspondence"] == 1
    return org, ana, bo


def _kinds(answer: NurtureList) -> dict[str, str]:
    return {i.person_email: i.kind for i in (*answer.contacts, *answer.connections)}


def _text(answer: NurtureList) -> str:
    return json.dumps(answer.as_dict()).lower()


def test_warming_one_sided_and_cooling_from_a_real_mailbox(
    store: Store, team: tuple[Org, Member, Member]
) -> None:
    org, ana, _ = team
    answer = nurture(store, org, ana)
    assert _kinds(answer) == {
        "jane@acme.example": "one_sided",
        "pat@acme.example": "warming",
        "lee@acme.example": "cooling",
        "zoe@home.example": "one_sided",  # a correspondent: known from mail alone
    }
    reasons = {i.person_email: i.reason for i in (*answer.contacts, *answer.connections)}
    assert reasons == {
        "jane@acme.example": "Jane wrote 5 times in 90 days; you answered once",
        "pat@acme.example": (
            "warming: 6 emails in the last 30 days, up from 1 in the 90 days before"
        ),
        "lee@acme.example": "usually in touch every 9 days; silent for 41 days",
        "zoe@home.example": "They wrote 7 times in 90 days; you did not answer",
    }
    lee = answer.connections[0]
    assert (lee.person_name, lee.company, lee.title) == ("Lee Kim", "Acme Corp", "CTO")
    assert 0 <= lee.score <= 100 and lee.label in ("strong", "good", "weak")
    assert [i.priority for i in answer.contacts] == sorted(
        (i.priority for i in answer.contacts), reverse=True
    )
    assert answer.as_of == NOW.date() or answer.as_of > NOW.date()  # a run across midnight


def test_private_contacts_colleagues_and_strangers_are_never_listed(
    store: Store, team: tuple[Org, Member, Member]
) -> None:
    org, ana, bo = team
    for viewer in (None, ana, bo):
        words = _text(nurture(store, org, ana, viewer=viewer, limit=0))
        # Zoe shows as the correspondent Ana's shared mail makes her, never as Ana's contact
        assert "zoe private" not in words and "zoe@home.example" in words
        assert "bo@us.example" not in words and "list.example" not in words
    assert _kinds(nurture(store, org, bo)) == {"jane@acme.example": "one_sided"}


def test_a_colleague_sees_a_list_only_while_its_member_shares_activity(
    store: Store, team: tuple[Org, Member, Member]
) -> None:
    org, ana, bo = team
    shared = nurture(store, org, ana, viewer=bo)
    assert shared == nurture(store, org, ana)  # sharing on (the default): all of it
    set_member_sharing(store, org, ana, activity_sharing=False)
    ana = get_member(store, org, ana.email)
    with pytest.raises(ForbiddenError) as refused:
        nurture(store, org, ana, viewer=bo)
    message = str(refused.value)
    assert "\n" not in message and "ana@us.example" in message
    for secret in ("jane", "pat", "lee", "acme", "zoe", "wrote", "silent"):
        assert secret not in message.lower()
    assert _kinds(nurture(store, org, ana, viewer=ana))  # a member always sees their own
    assert _kinds(nurture(store, org, ana))  # and so does the operator
    assert _kinds(nurture(store, org, bo, viewer=ana)) == {"jane@acme.example": "one_sided"}


def test_a_leavers_nurture_list_is_shown_to_nobody(
    store: Store, team: tuple[Org, Member, Member]
) -> None:
    org, ana, bo = team
    with store.write() as conn:
        conn.execute(member.update().where(member.c.id == ana.id).values(archived_at=func.now()))
    for viewer in (bo, ana, None):  # a leaver's ties are never shown, not even to the operator
        with pytest.raises(ForbiddenError):
            nurture(store, org, ana, viewer=viewer)


def test_as_of_a_past_date_reads_only_what_was_known_then(
    store: Store, team: tuple[Org, Member, Member]
) -> None:
    org, ana, _ = team
    answer = nurture(store, org, ana, as_of=(NOW - timedelta(days=30)).date())
    kinds = _kinds(answer)
    assert "pat@acme.example" not in kinds  # his recent burst had not happened
    assert "lee@acme.example" not in kinds  # silent for only 11 days then
    assert answer.as_of == (NOW - timedelta(days=30)).date()


def test_limit_applies_to_each_list(store: Store, team: tuple[Org, Member, Member]) -> None:
    org, ana, _ = team
    answer = nurture(store, org, ana, limit=1)
    assert len(answer.contacts) == 1 and len(answer.connections) == 1
    everything = nurture(store, org, ana, limit=0)
    assert answer.contacts[0] == everything.contacts[0]  # the most urgent one
    assert len(everything.contacts) == 3


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_json_text_and_a_refusal(
    capsys: pytest.CaptureFixture[str],
    store: Store,
    db_url: str,
    team: tuple[Org, Member, Member],
) -> None:
    org, ana, _ = team
    base = ("nurture", "--member", "ana@us.example", "--db", db_url)
    code, out, _ = run(capsys, *base, "--json")
    assert code == 0 and len(out.strip().splitlines()) == 1
    answer = json.loads(out)
    assert answer["member"] == {"email": "ana@us.example", "name": "Ana Lima"}
    assert [s["kind"] for s in answer["connections"]] == ["cooling"]
    assert {s["person"]["email"] for s in answer["contacts"]} == {
        "jane@acme.example",
        "pat@acme.example",
        "zoe@home.example",
    }
    first = answer["contacts"][0]
    assert set(first) == {"kind", "person", "score", "label", "certainty", "reasons", "priority"}
    assert first["certainty"] == "measured" and first["reasons"][0]["kind"] == first["kind"]
    code, out, _ = run(capsys, *base, "--viewer", "bo@us.example")
    assert code == 0
    assert "Contacts worth turning into connections" in out and "Connections cooling off" in out
    assert "Jane wrote 5 times in 90 days; you answered once" in out
    assert "Zoe Private" not in out
    past = (NOW - timedelta(days=30)).date().isoformat()
    code, out, _ = run(capsys, *base, "--as-of", past, "--limit", "0", "--json")
    assert code == 0 and json.loads(out)["as_of"] == past
    set_member_sharing(store, org, ana, activity_sharing=False)
    code, out, err = run(capsys, *base, "--viewer", "bo@us.example", "--json")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "not shared" in err and "jane" not in err.lower()


def test_as_of_a_past_date_the_score_is_who_knows_then(
    store: Store, team: tuple[Org, Member, Member]
) -> None:
    """The score shown beside a suggestion as of a past date is the tie's, from every touch
    before that date (who-knows --as-of), not only from those of the lookback window."""
    org, ana, _ = team
    day = (NOW - timedelta(days=1)).date()
    short = replace(DEFAULT_NURTURE, lookback_days=30)  # Jane's mail goes back 45 days
    answer = nurture(store, org, ana, as_of=day, limit=0, params=short)
    items = [*answer.contacts, *answer.connections]
    assert "jane@acme.example" in [i.person_email for i in items]
    for item in items:
        then = who_knows(store, org, [item.person_email], as_of=day, limit=0)[0].knowers
        mine = next(k for k in then if k.member_email == ana.email)
        assert (item.score, item.label) == (mine.score, mine.label), item.person_email
