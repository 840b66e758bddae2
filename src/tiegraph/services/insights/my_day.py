"""My day: a seller's landing — warm paths into targets and lists, asks, answers, nurture, new
people.

Everything is as the viewer may see it (services/org/sharing.py): warm paths run over visible
ties only, new people are visible directory persons, and the counts are of what is listed.
"New at a target account" is read from the directory's employment history: a current job
(no end date) at a target account whose start date is within the last NEW_DAYS days. The
directory stores start dates, not when a person was added, so that is what "new" means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select

from tiegraph.services.insights.connection_rows import first_emails
from tiegraph.services.insights.nurture import NurtureItem, nurture
from tiegraph.services.insights.warm_paths import Wanted, WarmPath, warm_paths
from tiegraph.services.intros.requests import IntroRequest, list_intros
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import companies_seen_by, persons_seen_by
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import company, employment, list_item, member, person, person_list

PATHS = 10
NURTURE = 5
NEW_DAYS = 90
NEW_SHOWN = 10
ANSWERED_DAYS = 14  # how long an answer to the viewer's own request stays on their day
TARGET_ACCOUNT = "target account"


@dataclass(frozen=True)
class NewPerson:
    """Someone whose current job at a target account started lately."""

    person_id: int
    email: str
    name: str
    title: str
    company_id: int
    company_name: str
    started: date

    def as_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "person_email": self.email,
            "person_name": self.name,
            "person_title": self.title,
            "company_id": self.company_id,
            "company": self.company_name,
            "started": self.started.isoformat(),
        }


@dataclass(frozen=True)
class MyDay:
    """What the landing page shows; `targets` and `lists` say which empty state applies."""

    targets: int  # target accounts flagged in the organization
    lists: int  # the viewer's own lists, not archived
    paths: tuple[WarmPath, ...] = ()
    asks: tuple[IntroRequest, ...] = ()  # sent to the viewer as introducer, awaiting an answer
    # the viewer's own sent requests: waiting for an answer, or answered lately
    my_requests: tuple[IntroRequest, ...] = ()
    nurture: tuple[NurtureItem, ...] = ()
    new_people: tuple[NewPerson, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "targets": self.targets,
            "lists": self.lists,
            "warm_paths": [p.as_dict() for p in self.paths],
            "asks": [a.as_dict() for a in self.asks],
            "my_requests": [r.as_dict() for r in self.my_requests],
            "nurture": [n.as_dict() for n in self.nurture],
            "new_people": [n.as_dict() for n in self.new_people],
        }


def my_day(
    store: Store,
    org: Org,
    viewer: Member,
    *,
    now: datetime | None = None,
    intros: list[IntroRequest] | None = None,
) -> MyDay:
    """The viewer's day: each part at most a screenful, strongest or most urgent first.
    `intros`: the viewer's requests (`list_intros`), when the caller has read them already."""
    now = now or datetime.now(UTC)
    with store.read() as conn:
        targets = _targets(conn, org, viewer)
        lists, wanted = _my_lists(conn, org, viewer)
        wanted.accounts.update({cid: TARGET_ACCOUNT for cid in targets})
        paths = warm_paths(conn, org, viewer, wanted, now, PATHS)
        new = _new_people(conn, org, viewer, targets, now.date())
    if intros is None:
        intros = list_intros(store, org, viewer)
    asks = [r for r in intros if r.status == "requested" and r.introducer_id == viewer.id]
    lately = now - timedelta(days=ANSWERED_DAYS)
    mine = [
        r
        for r in intros
        if r.requester_id == viewer.id
        and (r.status == "requested" or (r.decided_at is not None and r.decided_at >= lately))
    ]
    mine.sort(key=lambda r: r.decided_at or r.sent_at or r.created_at, reverse=True)
    suggestions = nurture(store, org, viewer, viewer=viewer, limit=NURTURE)
    urgent = sorted(
        suggestions.contacts + suggestions.connections, key=lambda i: (-i.priority, i.person_name)
    )
    return MyDay(
        len(targets),
        lists,
        tuple(paths),
        tuple(asks),
        tuple(mine),
        tuple(urgent[:NURTURE]),
        tuple(new),
    )


# My day's own statements, built once with bound parameters (org_id, viewer_id, ...):
# building a select costs more than running it, and this is every seller's landing page.
_VIEWER: Any = bindparam("viewer_id")
_TARGETS = select(company.c.id, company.c.name).where(
    company.c.org_id == bindparam("org_id"),
    company.c.is_target.is_(True),
    company.c.archived_at.is_(None),
    companies_seen_by(_VIEWER),
)
_OWNED_LISTS = select(person_list.c.id, person_list.c.name).where(
    person_list.c.org_id == bindparam("org_id"),
    person_list.c.owner_id == _VIEWER,
    person_list.c.archived_at.is_(None),
)
_LIST_ROWS = (
    select(list_item.c.list_id, list_item.c.person_id, list_item.c.company_id)
    .where(
        list_item.c.org_id == bindparam("org_id"),
        list_item.c.list_id.in_(bindparam("list_ids", expanding=True)),
        list_item.c.removed_at.is_(None),
    )
    .order_by(list_item.c.id)
)
_COLLEAGUES = select(member.c.person_id).where(
    member.c.org_id == bindparam("org_id"), member.c.person_id.is_not(None)
)
_NEW_PEOPLE = (
    select(
        person.c.id,
        person.c.full_name,
        employment.c.title,
        employment.c.company_id,
        employment.c.start_date,
    )
    .join(person, same_org(person, employment.c.person_id))
    .where(
        employment.c.org_id == bindparam("org_id"),
        employment.c.company_id.in_(bindparam("target_ids", expanding=True)),
        employment.c.end_date.is_(None),
        employment.c.start_date >= bindparam("since"),
        employment.c.start_date <= bindparam("today"),
        person.c.org_id == bindparam("org_id"),
        person.c.company_id == employment.c.company_id,
        person.c.archived_at.is_(None),
        person.c.id.not_in(_COLLEAGUES),
        persons_seen_by(_VIEWER),
    )
    .order_by(employment.c.start_date.desc(), person.c.full_name)
    .limit(NEW_SHOWN * 2)
)


def _targets(conn: Connection, org: Org, viewer: Member) -> dict[int, str]:
    rows = conn.execute(_TARGETS, {"org_id": org.id, "viewer_id": viewer.id})
    return {r.id: r.name for r in rows}


def _my_lists(conn: Connection, org: Org, viewer: Member) -> tuple[int, Wanted]:
    """How many lists the viewer owns, and their rows: persons and accounts, by list name."""
    owned = {
        r.id: r.name for r in conn.execute(_OWNED_LISTS, {"org_id": org.id, "viewer_id": viewer.id})
    }
    wanted = Wanted({}, {})
    if owned:
        rows = conn.execute(_LIST_ROWS, {"org_id": org.id, "list_ids": sorted(owned)})
        for r in rows:
            why = f"list {owned[r.list_id]}"
            if r.person_id is not None:
                wanted.persons.setdefault(r.person_id, why)
            elif r.company_id is not None:
                wanted.accounts.setdefault(r.company_id, why)
    return len(owned), wanted


def _new_people(
    conn: Connection, org: Org, viewer: Member, targets: dict[int, str], today: date
) -> list[NewPerson]:
    if not targets:
        return []
    rows = conn.execute(
        _NEW_PEOPLE,
        {
            "org_id": org.id,
            "viewer_id": viewer.id,
            "target_ids": sorted(targets),
            "since": today - timedelta(days=NEW_DAYS),
            "today": today,
        },
    ).all()
    emails = first_emails(conn, org, (r.id for r in rows))
    found: dict[int, NewPerson] = {}
    for r in rows:
        if r.id not in found:
            name = r.full_name or emails.get(r.id, "")
            title, cid = r.title or "", r.company_id
            found[r.id] = NewPerson(
                r.id, emails.get(r.id, ""), name, title, cid, targets[cid], r.start_date
            )
    return list(found.values())[:NEW_SHOWN]
