"""Personal company connections (ties, the viewer's own private contacts) and their row shape."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select

from tiegraph.core.companies import company_aliases, normalize_company
from tiegraph.core.reasons import said
from tiegraph.core.strength import TieState, label_of, score
from tiegraph.services.activity.tie_scores import scored_pairs, shown_sql, shown_strength_sql
from tiegraph.services.directory.accounts import Account
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import ties_visible
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import contact, contact_email, member, person, person_email, tie

VIA_SHOWN = 3


@dataclass(frozen=True)
class Via:
    """A person at the company through whom a connection runs."""

    email: str
    name: str
    title: str
    detail: str

    def as_dict(self, kind: str) -> dict[str, Any]:
        """The person, and why the connection runs through them (a reason of `kind`)."""
        return {
            "email": self.email,
            "name": self.name,
            "title": self.title,
            "reasons": said(kind, self.detail),
        }


@dataclass(frozen=True)
class CompanyConnection:
    member_email: str
    member_name: str
    kind: str
    strength: int  # a tie's score, or an implicit connection's likelihood in percent
    certainty: str  # known | likely | possible | unlikely
    reason: str
    via: tuple[Via, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "member": {"email": self.member_email, "name": self.member_name},
            "kind": self.kind,
            "score": self.strength,
            "label": self.label,
            "certainty": "inferred" if self.inferred else "measured",
            "reasons": said(self.kind, self.reason),
            "via": [v.as_dict(self.kind) for v in self.via],
        }

    @property
    def inferred(self) -> bool:
        return self.certainty != "known"

    @property
    def label(self) -> str:
        """The one vocabulary of every view and the CLI: a known (measured) tie's strong, good
        or weak; an inferred link is "likely", or only "inferred" when less sure."""
        if not self.inferred:
            return label_of(self.strength)
        return "likely" if self.certainty == "likely" else "inferred"


@dataclass(frozen=True)
class PersonFacts:
    email: str
    name: str
    title: str


def first_emails(conn: Connection, org: Org, person_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(person_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), IN_CHUNK):
        rows = conn.execute(
            select(person_email.c.person_id, func.min(person_email.c.email).label("email"))
            .where(
                person_email.c.org_id == org.id,
                person_email.c.person_id.in_(ids[start : start + 900]),
            )
            .group_by(person_email.c.person_id)
        )
        found.update({r.person_id: r.email for r in rows})
    return found


def people_by_id(conn: Connection, org: Org, person_ids: Iterable[int]) -> dict[int, PersonFacts]:
    ids = sorted(set(person_ids))
    emails = first_emails(conn, org, ids)
    found: dict[int, PersonFacts] = {}
    for start in range(0, len(ids), IN_CHUNK):
        rows = conn.execute(
            select(person.c.id, person.c.full_name, person.c.title).where(
                person.c.org_id == org.id, person.c.id.in_(ids[start : start + 900])
            )
        )
        found.update({r.id: PersonFacts(emails.get(r.id, ""), r.full_name, r.title) for r in rows})
    return found


def personal_rows(
    conn: Connection,
    org: Org,
    account: Account,
    members: dict[int, Any],
    viewer: Member | None,
    *,
    worded: bool = True,
) -> list[CompanyConnection]:
    """Each member with visible ties to the company's people: their strongest ties first.

    Ranked in SQL by the stored shown score: only each member's first `VIA_SHOWN` ties and
    their count leave the database (a big account's thousand ties are not read into Python).
    `worded=False`: the ties' reasons (`Via.detail`) are left empty and the scores are the
    stored shown ones, the same numbers (the account page shows names, not those reasons)."""
    shown, strength = shown_sql(), shown_strength_sql()
    mine = (tie.c.member_id,)
    # Equal ties in the order of the company's index of stored scores.
    order = (shown.desc(), strength.desc(), tie.c.score, tie.c.person_id)
    ties = (
        select(
            tie.c.member_id,
            tie.c.person_id,
            shown.label("score"),
            strength.label("strength"),
            tie.c.volume,
            func.row_number().over(partition_by=mine, order_by=order).label("rank"),
            func.count().over(partition_by=mine).label("known"),
        )
        .join(member, same_org(member, tie.c.member_id))
        .join(person, same_org(person, tie.c.person_id))
        .where(
            tie.c.org_id == org.id,
            tie.c.company_id == account.id,
            ties_visible(viewer),
            person.c.archived_at.is_(None),
            shown > 0,
        )
        .subquery("ties")
    )
    rows = conn.execute(
        select(ties).where(ties.c.rank <= VIA_SHOWN).order_by(ties.c.member_id, ties.c.rank)
    ).all()
    tops: dict[int, list[Any]] = {}
    for r in rows:
        tops.setdefault(r.member_id, []).append(r)
    by_member = _shown_ties(conn, org, tops, worded)
    people = people_by_id(conn, org, {pid for found in by_member.values() for _, pid in found})
    names = {m.id: m for m in members.values()}
    connections = []
    for member_id, top in by_member.items():
        m = names.get(member_id)
        if m is None:
            continue
        known = tops[member_id][0].known
        strongest_score, strongest_label, _ = top[0][0]
        connections.append(
            CompanyConnection(
                m.email,
                m.name,
                "personal",
                strongest_score,
                "known",
                f"knows {known} {'person' if known == 1 else 'people'} there; "
                f"strongest: {people[top[0][1]].name} ({strongest_label})",
                tuple(
                    Via(people[p].email, people[p].name, people[p].title, "; ".join(reasons))
                    for (_, _, reasons), p in top
                ),
            )
        )
    return connections


Shown = tuple[int, str, tuple[str, ...]]  # a tie's score, label and reasons as shown


def _shown_ties(
    conn: Connection, org: Org, tops: dict[int, list[Any]], worded: bool
) -> dict[int, list[tuple[Shown, int]]]:
    """Each member's top ties, (score, label, reasons) and person id. Stored scores rank the
    ties; only those shown are worded (services/activity/tie_scores.py), and with `worded`
    off only those without a stored volume (not rescored yet: their number is refolded)."""
    pairs = [(m, r.person_id) for m, top in tops.items() for r in top if worded or r.volume is None]
    scored = scored_pairs(conn, org, datetime.now(UTC), pairs)
    found: dict[int, list[tuple[Shown, int]]] = {}
    for m, top in tops.items():
        for r in top:
            s = scored.get((m, r.person_id))
            shown = (s.score, s.label, s.reasons) if s else (r.score, label_of(r.score), ())
            found.setdefault(m, []).append((shown, r.person_id))
    return found


def private_contact_rows(
    conn: Connection, org: Org, account: Account, viewer: Member | None
) -> list[CompanyConnection]:
    """The viewer's own unmatched contacts at the company: theirs to see, nobody else's."""
    if viewer is None:
        return []  # the operator's view is the organization's, not one member's private network
    key = normalize_company(account.name)
    keys = {key, *company_aliases(key)} if key else set()
    domains = set(account.domains)
    rows = conn.execute(
        select(contact.c.id, contact.c.full_name, contact.c.title, contact.c.company).where(
            contact.c.org_id == org.id,
            contact.c.member_id == viewer.id,
            contact.c.person_id.is_(None),
            contact.c.archived_at.is_(None),
        )
    ).all()
    # Each company name normalized once, and only the addresses at its domains read.
    named = {c for c in {r.company for r in rows if r.company} if normalize_company(c) in keys}
    at_domains = _contacts_at_domains(conn, org, viewer, domains)
    there = [r for r in rows if r.company in named or r.id in at_domains]
    if not there:
        return []
    emails = _contact_emails(conn, org, viewer, [r.id for r in there[:VIA_SHOWN]])
    explicit = score(TieState(), datetime.now(UTC), explicit_connection=True)
    via = tuple(
        Via(next(iter(emails.get(r.id, [])), ""), r.full_name, r.title, "in your private contacts")
        for r in there[:VIA_SHOWN]
    )
    return [
        CompanyConnection(
            viewer.email,
            viewer.name,
            "personal",
            explicit.score,
            "known",
            f"{len(there)} of your private contacts work there",
            via,
        )
    ]


def _contacts_at_domains(conn: Connection, org: Org, viewer: Member, domains: set[str]) -> set[int]:
    """The viewer's contacts with an address at one of these domains (LIKE narrows, the
    exact domain decides)."""
    if not domains:
        return set()
    rows = conn.execute(
        select(contact_email.c.contact_id, contact_email.c.email).where(
            contact_email.c.org_id == org.id,
            contact_email.c.member_id == viewer.id,
            or_(*(contact_email.c.email.like(f"%@{d}") for d in sorted(domains))),
        )
    )
    return {r.contact_id for r in rows if r.email.rpartition("@")[2] in domains}


def _contact_emails(
    conn: Connection, org: Org, viewer: Member, contact_ids: list[int]
) -> dict[int, list[str]]:
    """These contacts' addresses, in order."""
    emails: dict[int, list[str]] = {}
    for e in conn.execute(
        select(contact_email.c.contact_id, contact_email.c.email)
        .where(
            contact_email.c.org_id == org.id,
            contact_email.c.member_id == viewer.id,
            contact_email.c.contact_id.in_(contact_ids),
        )
        .order_by(contact_email.c.email)  # the first shown: the first by address, as before
    ):
        emails.setdefault(e.contact_id, []).append(e.email)
    return emails
