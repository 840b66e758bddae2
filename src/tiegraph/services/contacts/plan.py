"""What one file's records do to a member's address book, decided in memory before any write.

Records are taken in file order, as one at a time would be: each is merged into the contact
it is the same person as (by email, phone, or name and company) or becomes a new contact,
and a contact not yet matched is matched again with what this record adds. The outcome is a
plan: new contacts with their final status, changed ones, emails, phones, sources, possible
matches and explicit ties, which writes.py writes in a few set-based statements.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from tiegraph.core.companies import normalize_company
from tiegraph.core.matching import MatchDecision, MatchIndex
from tiegraph.core.names import (
    first_name_variants,
    last_name_key,
    normalize_name_part,
    split_full_name,
)
from tiegraph.services.contacts.prepare import PreparedRecord, Preparer
from tiegraph.services.contacts.rematch import Rematcher
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import contact, contact_email, contact_phone, possible_match


@dataclass(eq=False, slots=True)
class Contact:
    """A contact of the member as the import sees it; `id` is None until a new one is written."""

    id: int | None
    first: str  # normalized, to tell whether two records are one person
    last: str
    company: str
    status: str
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    person_id: int | None = None
    row: tuple[Any, ...] | None = None  # a new contact's NEW_COLUMNS
    changed: bool = False  # an existing contact whose status or person changed
    suggested: set[int] = field(default_factory=set)  # persons already offered as possible
    offered: list[list[Any]] = field(default_factory=list)  # this file's suggestions for it


@dataclass
class Plan:
    """Everything one file changes, in the order it was decided."""

    created: list[Contact] = field(default_factory=list)
    emails: list[tuple[Contact, str]] = field(default_factory=list)
    phones: list[tuple[Contact, str]] = field(default_factory=list)
    # (contact, its source row after owner and contact: PreparedRecord.source)
    sources: list[tuple[Contact, tuple[Any, ...]]] = field(default_factory=list)
    # (contact, person id, reason, superseded): a new suggestion, or one settled in this file
    possible: list[list[Any]] = field(default_factory=list)
    superseded: set[int] = field(default_factory=set)  # existing contacts matched now
    explicit: set[int] = field(default_factory=set)  # persons now the member's connections


class AddressBook:
    """The member's contacts, indexed by what tells that two records are one person."""

    def __init__(self, conn: Connection, org: Org, owner: Member) -> None:
        self.by_email: dict[str, Contact] = {}
        self.by_phone: dict[str, Contact] = {}
        # last name -> first name -> contacts of that name, oldest first, and by company
        self.by_name: dict[str, dict[str, _Namesakes]] = {}
        self.by_person: dict[int, Contact] = {}  # matched ones, by their person
        self._order: dict[Contact, int] = {}
        self._namesakes: dict[tuple[str, str], bool] = {}
        self.statuses: dict[int, str] = {}  # of the contacts stored, by id, as they were read
        rows = conn.execute(
            select(
                contact.c.id, contact.c.first_name, contact.c.last_name, contact.c.full_name,
                contact.c.company, contact.c.status, contact.c.person_id,
            ).where(contact.c.org_id == org.id, contact.c.member_id == owner.id)
        )  # fmt: skip
        emails = _children(conn, org, owner, contact_email, contact_email.c.email)
        phones = _children(conn, org, owner, contact_phone, contact_phone.c.phone)
        suggested = _suggested(conn, org, owner)
        for r in rows:
            first, last = r.first_name, r.last_name
            if not (first or last):
                first, last = split_full_name(r.full_name)
            found = Contact(
                r.id,
                normalize_name_part(first),
                last_name_key(last),
                normalize_company(r.company),
                r.status,
                set(emails.get(r.id, ())),
                set(phones.get(r.id, ())),
                r.person_id,
                suggested=suggested.get(r.id, set()),
            )
            self.statuses[r.id] = r.status
            self.add(found)

    def add(self, c: Contact) -> None:
        self._order[c] = len(self._order)
        if c.status == "matched":
            self.matched(c)
        for e in c.emails:
            self.by_email.setdefault(e, c)
        for p in c.phones:
            self.by_phone.setdefault(p, c)
        if c.last:
            namesakes = self.by_name.setdefault(c.last, {}).get(c.first)
            if namesakes is None:
                namesakes = self.by_name[c.last][c.first] = _Namesakes()
            namesakes.everyone.append(c)
            namesakes.by_company.setdefault(c.company, []).append(c)

    def find_by_address(self, emails: Iterable[str], phones: Iterable[str]) -> Contact | None:
        """The contact with one of these emails, else one of these phones."""
        for e in emails:
            if e in self.by_email:
                return self.by_email[e]
        for p in phones:
            if p in self.by_phone:
                return self.by_phone[p]
        return None

    def find_by_person(
        self, first: str, last: str, company: str, person_id: int | None, index: MatchIndex
    ) -> Contact | None:
        """The contact matched to the record's person, else the one with its name.

        A name is one person in one address book when the companies agree; when one of the two
        has no company, only if the directory holds no namesake of either spelling (in a large
        book of common names, "Hans Müller" without a company is as likely someone else). Two
        records matched to two different persons are two contacts, whatever their names.
        """
        if person_id is not None and person_id in self.by_person:
            return self.by_person[person_id]
        if not (first and last):
            return None
        firsts = self.by_name.get(last)
        if not firsts:
            return None
        names = firsts.keys() & first_name_variants(first)
        if first in firsts:
            names.add(first)
        # Only the contacts that may be the record's are looked at (not every namesake: a
        # file of 10,000 "Info Desk" rows at 10,000 companies would compare all pairs).
        unique = self._unique(first, last, index)
        found = []
        for name in names:
            namesakes = firsts[name]
            alone = unique and self._unique(name, last, index)  # a name without a company
            if company:
                found.append(_compatible(namesakes.by_company.get(company, ()), person_id))
                if alone:
                    found.append(_compatible(namesakes.by_company.get("", ()), person_id))
            elif alone:
                found.append(_compatible(namesakes.everyone, person_id))
        return min((c for c in found if c), key=self._order.__getitem__, default=None)

    def _unique(self, first: str, last: str, index: MatchIndex) -> bool:
        """Whether the directory holds no namesake of this name (asked once per name)."""
        found = self._namesakes.get((first, last))
        if found is None:
            found = self._namesakes[first, last] = index.namesakes(first, last) < 2
        return found

    def matched(self, c: Contact) -> None:
        if c.person_id is not None:
            self.by_person.setdefault(c.person_id, c)


@dataclass(slots=True)
class _Namesakes:
    """The contacts of one name in an address book: all, and by company, oldest first."""

    everyone: list[Contact] = field(default_factory=list)
    by_company: dict[str, list[Contact]] = field(default_factory=dict)


def _compatible(contacts: Iterable[Contact], person_id: int | None) -> Contact | None:
    """The oldest contact not matched to another person than `person_id`."""
    for c in contacts:
        if person_id is None or c.person_id is None or c.person_id == person_id:
            return c
    return None


def _children(
    conn: Connection, org: Org, owner: Member, table: Any, column: Any
) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for r in conn.execute(
        select(table.c.contact_id, column.label("value")).where(
            table.c.org_id == org.id, table.c.member_id == owner.id
        )
    ):
        found.setdefault(r.contact_id, []).append(r.value)
    return found


def _suggested(conn: Connection, org: Org, owner: Member) -> dict[int, set[int]]:
    """Persons already offered as possible matches, per contact of the member."""
    found: dict[int, set[int]] = {}
    for r in conn.execute(
        select(possible_match.c.contact_id, possible_match.c.person_id)
        .join(contact, same_org(contact, possible_match.c.contact_id))
        .where(possible_match.c.org_id == org.id, contact.c.member_id == owner.id)
    ):
        found.setdefault(r.contact_id, set()).add(r.person_id)
    return found


class Planner:
    """Decides, record by record, what a file does to the address book (see the module doc)."""

    def __init__(self, book: AddressBook, index: MatchIndex, preparer: Preparer) -> None:
        self.book, self.index, self.preparer = book, index, preparer
        self.rematcher = Rematcher(index, preparer)
        self.plan = Plan()

    def stored(self) -> None:
        """The plan was written: its contacts are stored ones from now on (a later change to
        one is an update), and the next plan starts empty."""
        for c in (*self.plan.created, *(c for c, _ in self.plan.sources)):
            c.row, c.changed, c.offered = None, False, []
        self.plan = Plan()

    def add(self, record: PreparedRecord) -> tuple[Contact, bool]:
        """Plan one record; returns its contact (whose status later records may still change)
        and whether it was merged into one the member had or this file made."""
        target = self.book.find_by_address(record.emails, record.phones)
        decision = None
        if target is None:
            # Matched on its own first: the person it is tells which contact it belongs to.
            decision = self.index.match(record.keys)
            person_id = _person(decision)
            target = self.book.find_by_person(
                record.first, record.last, record.company, person_id, self.index
            )
        merged = target is not None
        if target is None:
            target = self._create(record)
        self._add_details(target, record.emails, record.phones)
        self.plan.sources.append((target, record.source))
        if target.status != "matched":
            if merged or decision is None:
                # Matched again with everything the contact has now.
                decision = self.index.match(self.rematcher.keys(target, record))
            self._apply(target, decision)
        return target, merged

    def _create(self, record: PreparedRecord) -> Contact:
        created = Contact(
            None, record.first, record.last, record.company, "private", row=record.row
        )
        self.plan.created.append(created)
        self.book.add(created)
        return created

    def _add_details(
        self, target: Contact, emails: tuple[str, ...], phones: tuple[str, ...]
    ) -> None:
        book = self.book
        for e in sorted(e for e in emails if e not in target.emails and e not in book.by_email):
            self.plan.emails.append((target, e))
            target.emails.add(e)
            book.by_email[e] = target
            self.rematcher.added(target, e)
        for p in sorted(p for p in phones if p not in target.phones and p not in book.by_phone):
            self.plan.phones.append((target, p))
            target.phones.add(p)
            book.by_phone[p] = target

    def _apply(self, target: Contact, decision: MatchDecision) -> None:
        person_id = _person(decision)
        if person_id is not None:
            self._matched(target, person_id)
        elif decision.kind == "possible":
            if target.status != "possible":
                target.status, target.changed = "possible", True
            for candidate, reason in decision.candidates:
                if int(candidate) not in target.suggested:
                    target.suggested.add(int(candidate))
                    suggestion = [target, int(candidate), reason[:300], False]
                    target.offered.append(suggestion)
                    self.plan.possible.append(suggestion)

    def _matched(self, target: Contact, person_id: int) -> None:
        target.status, target.person_id, target.changed = "matched", person_id, True
        # A later source settled it (an email arrived): earlier suggestions are moot.
        if target.id is not None:
            self.plan.superseded.add(target.id)
        for suggestion in target.offered:
            suggestion[3] = True
        self.plan.explicit.add(person_id)
        self.book.matched(target)


def _person(decision: MatchDecision) -> int | None:
    """The person a decision matched, or None."""
    if decision.kind == "matched" and decision.person_id is not None:
        return int(decision.person_id)
    return None
