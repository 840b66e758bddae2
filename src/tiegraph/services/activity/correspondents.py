"""Every correspondent is a person: addresses members exchange mail, meetings or calls with.

An outside address that no person has yet becomes one (origin "correspondence"): named by the
display name the mail gives it most often, employed by the company of its mail domain (a
directory company with that domain, else one made from the domain and marked inferred; free
mail gives none). The organization's own domains and role, no-reply and list addresses never
do. A directory or contact import later adopts the person rather than adding a second one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, select, union

from tiegraph.core.companies import company_name_from_domain, normalize_company
from tiegraph.core.emails import (
    email_domain,
    is_free_mail_domain,
    is_own_domain,
    is_role_address,
    own_domains,
    registered_domain,
)
from tiegraph.core.names import name_at_company, split_full_name
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK, insert_returning, insert_rows
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import (
    company,
    company_domain,
    member,
    member_address,
    person,
    person_email,
)


def organization_domains(conn: Connection, org: Org) -> frozenset[str]:
    """The organization's own mail domains, from every address of every member (leavers too:
    their colleagues' domain stays the organization's)."""
    emails = conn.execute(
        union(
            select(member_address.c.email).where(member_address.c.org_id == org.id),
            select(member.c.email).where(member.c.org_id == org.id),
        )
    ).scalars()
    return own_domains(emails)


def is_correspondent(address: str, own: frozenset[str]) -> bool:
    """Whether an address (normalized email, or E.164 phone) should become a person.

    A phone number alone gives no name and no company: a call log's numbers wait for a
    directory or a contact to name them.
    """
    if address.startswith("+") or "@" not in address:
        return False
    return not is_role_address(address) and not is_own_domain(email_domain(address), own)


class Correspondents:
    """Makes persons of correspondents, within one ingest's transaction."""

    def __init__(self, conn: Connection, org: Org) -> None:
        self.conn, self.org = conn, org
        self.own = organization_domains(conn, org)
        self.names: dict[str, Counter[str]] = {}
        self.created: dict[str, int] = {}  # address -> person made by this ingest
        self._companies: dict[str, int | None] = {}  # registered domain -> company
        self._keys: dict[int | None, str] = {}  # company -> its name key

    def saw_names(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Count the display names a message gave addresses (the most frequent one wins)."""
        for address, name in pairs:
            counts = self.names.get(address)
            if counts is None:
                counts = self.names[address] = Counter()
            counts[name] += 1

    def make(self, addresses: Iterable[str]) -> dict[str, int]:
        """Persons for those of `addresses` that are correspondents; address -> its person.

        A correspondent whose name and company are one existing person's (a directory person
        mail reaches at another address) is that person, given the address.
        """
        wanted = sorted(a for a in set(addresses) if is_correspondent(a, self.own))
        if not wanted:
            return {}
        company_of = self._company_ids({registered_domain(email_domain(a)) for a in wanted})
        rows: dict[str, dict[str, Any]] = {}
        for address in wanted:
            full = self._best_name(address)
            # Without a display name the address names them: every view shows something.
            first, last = split_full_name(full) if full else ("", "")
            domain = registered_domain(email_domain(address))
            rows[address] = _person_row(
                self.org.id, first, last, full or address, company_of.get(domain)
            )
        made = self._same_persons(rows)
        fresh = [a for a in wanted if a not in made]
        ids = insert_returning(self.conn, person, [rows[a] for a in fresh], ["id"])
        created = {a: int(r[0]) for a, r in zip(fresh, ids, strict=True)}
        self.created.update(created)
        made.update(created)
        emails = [{"org_id": self.org.id, "person_id": p, "email": a} for a, p in made.items()]
        insert_rows(self.conn, person_email, emails)
        return made

    def _same_persons(self, rows: dict[str, dict[str, Any]]) -> dict[str, int]:
        """address -> the one existing person of the same name at the same company."""
        keys: dict[tuple[str, str, str], str] = {}
        for address, row in rows.items():
            company_key = self._keys.get(row["company_id"], "")
            key = name_at_company(row["first_name"], row["last_name"], "", company_key)
            if key is not None:
                keys[key] = address
        companies = sorted({k[2] for k in keys})
        found: dict[str, list[int]] = {}
        for start in range(0, len(companies), IN_CHUNK):
            for r in self.conn.execute(
                select(person.c.id, person.c.first_name, person.c.last_name, person.c.full_name)
                .add_columns(company.c.name_key)
                .join(company, same_org(company, person.c.company_id))
                .where(
                    person.c.org_id == self.org.id,
                    person.c.archived_at.is_(None),
                    company.c.name_key.in_(companies[start : start + IN_CHUNK]),
                )
            ):
                key = name_at_company(r.first_name, r.last_name, r.full_name, r.name_key)
                if key in keys:
                    found.setdefault(keys[key], []).append(r.id)
        # Two of that name at that company: which one is meant is not known.
        return {a: ids[0] for a, ids in found.items() if len(ids) == 1}

    def settle_names(self) -> None:
        """Name the persons this ingest made by their most frequent display name over all of
        it (a batch saw only part of the mail)."""
        updates = []
        for address, person_id in self.created.items():
            full = self._best_name(address)
            if full:
                first, last = split_full_name(full)
                updates.append({"pid": person_id, "f": first, "l": last, "n": full})
        if updates:
            self.conn.execute(
                person.update()
                .where(person.c.id == bindparam("pid"))
                .values(
                    first_name=bindparam("f"), last_name=bindparam("l"), full_name=bindparam("n")
                ),
                updates,
            )

    def _best_name(self, address: str) -> str:
        counts = self.names.get(address)
        if not counts:
            return ""
        # Most frequent; among equals the longest ("Jane Q. Doe" over "Jane"), then by text.
        return max(counts.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]

    def _company_ids(self, domains: set[str]) -> dict[str, int | None]:
        """The company of each registered domain: found by domain, else made and inferred."""
        missing = sorted(d for d in domains if d not in self._companies)
        business = [d for d in missing if not is_free_mail_domain(d)]
        for d in missing:
            self._companies[d] = None
        found = self._by_domain(business)
        self._companies.update(found)
        new = [d for d in business if d not in found]
        if new:
            rows = [_company_row(self.org.id, d) for d in new]
            ids = [int(r[0]) for r in insert_returning(self.conn, company, rows, ["id"])]
            self._keys.update((i, str(r["name_key"])) for i, r in zip(ids, rows, strict=True))
            self._companies.update(zip(new, ids, strict=True))
            domain_rows = [
                {"org_id": self.org.id, "company_id": c, "domain": d}
                for d, c in zip(new, ids, strict=True)
            ]
            insert_rows(self.conn, company_domain, domain_rows)
        return {d: self._companies[d] for d in domains}

    def _by_domain(self, domains: Sequence[str]) -> dict[str, int]:
        """Companies holding these domains, or a subdomain of them (mail.acme.com for acme.com
        counts only when acme.com itself is nobody's)."""
        found: dict[str, int] = {}
        for start in range(0, len(domains), IN_CHUNK):
            chunk = domains[start : start + IN_CHUNK]
            for r in self.conn.execute(
                select(company_domain.c.domain, company_domain.c.company_id, company.c.name_key)
                .join(company, same_org(company, company_domain.c.company_id))
                .where(
                    company_domain.c.org_id == self.org.id,
                    company_domain.c.domain.in_(chunk),
                    company.c.archived_at.is_(None),
                )
            ):
                found[r.domain] = r.company_id
                self._keys[r.company_id] = r.name_key
        return found


def _person_row(
    org_id: int, first: str, last: str, full: str, company_id: int | None
) -> dict[str, Any]:
    return {
        "org_id": org_id,
        "first_name": first,
        "last_name": last,
        "full_name": full,
        "company_id": company_id,
        "origin": "correspondence",
    }


def _company_row(org_id: int, domain: str) -> dict[str, Any]:
    name = company_name_from_domain(domain)
    key = normalize_company(name) or domain
    return {"org_id": org_id, "name": name, "name_key": key, "inferred": True}
