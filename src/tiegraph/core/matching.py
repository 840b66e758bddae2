"""Matching contacts to directory persons by hashed keys: exact matches and near misses."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from tiegraph.core.companies import CompanyIndex
from tiegraph.core.emails import is_free_mail_domain
from tiegraph.core.match_keys import (
    ContactKeys,
    KeyCache,
    PersonKeys,
    contact_keys,
    person_keys,
    role_key,
)
from tiegraph.core.names import first_name_variants
from tiegraph.core.person_table import MIN_TYPO_LENGTH, PersonTable

__all__ = [
    "ContactKeys",
    "KeyCache",
    "MatchDecision",
    "MatchIndex",
    "PersonKeys",
    "collector_paused",
    "contact_keys",
    "person_keys",
]

MatchKind = Literal["matched", "possible", "none"]

# A suggestion list longer than this is noise for the person asked to confirm it, and means
# the keys that produced it do not tell these people apart.
MAX_CANDIDATES = 10


@dataclass(frozen=True, slots=True)
class MatchDecision:
    """The outcome for one contact. `person_id` is set only when the match is certain."""

    kind: MatchKind
    person_id: str | None = None
    reason: str = ""
    candidates: tuple[tuple[str, str], ...] = ()  # (person id, reason) for possible matches


class MatchIndex:
    """Every directory person under hashed keys, so a contact is matched by lookups alone.

    Per person, besides its emails, two keys, each including the company (so a common name at
    another company finds nobody):
    - exact: (first, last, company). Decides a match, and serves the near misses too, probed
      with one part replaced: each nickname of the contact's first name ("nickname"); each name
      the directory's persons give the contact's company, resolved by CompanyIndex from its
      name or email domain ("company alias"); each directory last name one edit away from the
      contact's ("last-name typo").
    - initial: (last, company, first initial). First-name typos past the first letter, and
      contacts that carry only an initial ("J. Smith").
    Last names one edit apart are found in a deletion-neighbourhood index over the directory's
    distinct last names, as SymSpell does for a dictionary: every last name is filed under
    itself and each form with one letter deleted, so two names one substitution, insertion,
    deletion or swap apart always share a form. Filing distinct last names rather than
    (first, company, form) per person keeps this index several times smaller.

    The persons live in a PersonTable (core/person_table.py): flat arrays that a service saves
    and loads as bytes, so a large directory is indexed once, not on every import.
    """

    def __init__(
        self, persons: Iterable[tuple[str, PersonKeys]], companies: CompanyIndex | None = None
    ) -> None:
        with collector_paused():
            self.table = PersonTable.build(persons)
        self._companies = companies

    @classmethod
    def from_table(cls, table: PersonTable, companies: CompanyIndex | None = None) -> MatchIndex:
        """An index over a table built before (e.g. loaded from bytes)."""
        index = cls.__new__(cls)
        index.table, index._companies = table, companies
        return index

    def __len__(self) -> int:
        return len(self.table)

    def namesakes(self, first: str, last: str, *, at_most: int = 2) -> int:
        """How many directory persons have this normalized first and last name (counted up to
        `at_most`): whether a name alone tells one person in this directory."""
        return self.table.count_named(first, last, at_most)

    def match(self, contact: ContactKeys) -> MatchDecision:
        """Matched by one email, profile URL, phone + name, or name + company (the names
        normalized for nicknames, the company resolved); else possible matches; else none."""
        by_email: list[str] = []
        for email in contact.emails:
            for row in self.table.rows_by_email(email):
                if self.table.person_id(row) not in by_email:
                    by_email.append(self.table.person_id(row))
        if len(by_email) == 1:
            return MatchDecision("matched", by_email[0], "same email")
        if by_email:
            why = f"same email as {len(by_email)} people"
            return _possible([(p, why) for p in by_email])
        by_profile = self._by_profile(contact) if contact.profiles else None
        if by_profile is not None and by_profile.kind == "matched":
            return by_profile
        by_phone = self._by_phone(contact) if contact.phones else None
        if by_phone is not None:
            return by_phone
        by_name = self._by_name(contact)
        if by_profile is not None and by_name.kind != "matched":
            # Someone else's page in the card: offered, with what the name found.
            return _possible([*by_profile.candidates, *by_name.candidates])
        return by_name

    def _by_name(self, contact: ContactKeys) -> MatchDecision:
        """Matched by the name and company, normalized; else possible matches; else none."""
        if not (contact.first and contact.last):
            return MatchDecision("none", reason="no email matched and no full name to match on")
        exact = list(
            dict.fromkeys(self._exact_rows(contact.first, contact.last, contact.companies))
        )
        if len(exact) == 1:
            return self._named(contact, exact[0], "same first name, last name and company")
        titled = self._titled(contact, exact) if len(exact) > 1 and contact.title else []
        if len(titled) == 1:
            why = f"same name and company as {len(exact)} people, one with this title"
            return self._named(contact, titled[0], why)
        if exact:
            why = f"same name and company as {len(exact)} people"
            return _possible([(self.table.person_id(r), why) for r in exact])
        if not (contact.companies or contact.company_ids):
            # Without a company a name alone is not evidence: directories hold many John Smiths,
            # and even a "possible" for each would bury the real suggestions.
            return MatchDecision("none", reason="no email matched and no company to match on")
        # The company written another way ("IBM", "Ferrante plc", an address at its domain)
        # or the first name as a nickname ("Bob" at Acme, Robert in the directory), and one
        # person answers: as good as an exact match, the parts being normalized, not guessed.
        resolved = list(dict.fromkeys(self._aliases(contact, by_address=False)))
        nicknames = list(dict.fromkeys(self._nicknames(contact)))
        both = [] if resolved or nicknames else list(dict.fromkeys(self._both(contact)))
        for normalized, same in ((resolved, "first and last name"), (nicknames, ""), (both, "")):
            if len({row for row, _ in normalized}) == 1:
                row, why = normalized[0]
                return self._named(contact, row, f"same {same}; {why}" if same else why)
            if normalized:
                break
        near = [
            *self._ids(nicknames),
            *self._ids(resolved),
            *self._ids(both),
            *self._ids(self._aliases(contact, by_address=True)),
            *self._first_typos(contact),
            *self._last_typos(contact),
        ]
        if near:
            return _possible(near)
        # Among the contacts that end here: the same name at another company. Not even a
        # possible match: common names recur across companies (a directory of a million holds
        # hundreds of John Smiths), and offering each namesake would bury the real suggestions.
        return MatchDecision(
            "none", reason="no person with this email or this name at this company"
        )

    def _titled(self, c: ContactKeys, rows: list[int]) -> list[int]:
        """Those of the namesakes at the contact's company (`rows`) who held the contact's title
        there: two people of one name at one company rarely share a title, so one that does is
        the one the card means. A namesake with no title on file there is not ruled out."""
        table, found = self.table, set(rows)
        kept: list[int] = []
        for company in c.companies:
            for title in (c.title, ""):
                role = role_key(company, title)
                kept += [r for r in table.with_role(c.first, c.last, role) if r in found]
        return list(dict.fromkeys(kept))

    def _by_profile(self, c: ContactKeys) -> MatchDecision | None:
        """One person's profile page is theirs alone, as an address is. Part of the name must
        agree (people change one, not both); else a URL pasted into the wrong card: possible
        (and the name still gets its chance)."""
        table = self.table
        rows = list(dict.fromkeys(r for url in c.profiles for r in table.rows_by_profile(url)))
        persons = list(dict.fromkeys(table.person_id(r) for r in rows))
        if len(persons) == 1:
            first, last = self._name_agrees(c, rows[0])
            if first or last or not (c.first or c.last):
                return MatchDecision("matched", persons[0], "same profile URL")
        if persons:
            return _possible([(p, "same profile URL, another name") for p in persons])
        return None

    def _by_phone(self, c: ContactKeys) -> MatchDecision | None:
        """A phone is shared by households and switchboards: it decides only with the name."""
        table = self.table
        rows = [r for phone in c.phones for r in table.rows_by_phone(phone)]
        persons = list(
            dict.fromkeys(table.person_id(r) for r in rows if all(self._name_agrees(c, r)))
        )
        if len(persons) == 1:
            return MatchDecision("matched", persons[0], "same phone number and name")
        return None

    def _name_agrees(self, c: ContactKeys, row: int) -> tuple[bool, bool]:
        """Whether the contact's first and last name are the row's, each: the last name the
        same or one letter off (4 letters or more); the first name the same, a nickname of
        it, its initial, or one letter off (3 letters or more)."""
        first, last = self.table.first_name(row), self.table.last_names[self.table.last[row]]
        same_last = bool(c.last and last) and (
            c.last == last
            or (min(len(c.last), len(last)) >= MIN_TYPO_LENGTH and _one_edit(c.last, last))
        )
        same_first = bool(c.first and first) and (
            c.first == first
            or first in first_name_variants(c.first)
            or ((len(c.first) == 1 or len(first) == 1) and c.first[0] == first[0])
            or (min(len(c.first), len(first)) >= 3 and _one_edit(c.first, first))
        )
        return same_first, same_last

    def _named(self, c: ContactKeys, row: int, why: str) -> MatchDecision:
        """Matched by name, unless the contact's address at a company's domain is not the
        person's address there: one person, one work address; two, most likely two people."""
        person_id = self.table.person_id(row)
        other = self._other_address(c, row)
        if other:
            return _possible([(person_id, f"{why}; but another address at {other}")])
        return MatchDecision("matched", person_id, why)

    def _other_address(self, c: ContactKeys, row: int) -> str:
        """A domain (not free mail) where the contact and the person each have an address."""
        if not (c.emails or c.domains):
            return ""
        theirs = set()
        for handle in self.table.handles_of(row):
            _, at, domain = handle.rpartition("@")
            if at and not is_free_mail_domain(domain):
                theirs.add(domain)
        if c.domains:  # a set of many: asked about the person's few
            return next((d for d in sorted(theirs) if d in c.domains), "")
        return next((d for e in c.emails if (d := e.rpartition("@")[2]) in theirs), "")

    def _ids(self, hits: Iterable[tuple[int, str]]) -> Iterator[tuple[str, str]]:
        for row, why in hits:
            yield self.table.person_id(row), why

    def _exact_rows(self, first: str, last: str, companies: Iterable[str]) -> Iterator[int]:
        for company in companies:
            yield from self.table.exact(first, last, company)

    def _exact(self, first: str, last: str, companies: Iterable[str]) -> Iterator[str]:
        for row in self._exact_rows(first, last, companies):
            yield self.table.person_id(row)

    def _nicknames(self, c: ContactKeys) -> Iterator[tuple[int, str]]:
        for variant in sorted(first_name_variants(c.first) - {c.first}):
            why = f"nickname: {_show(c.first)} ≈ {_show(variant)}, same company"
            for row in self._exact_rows(variant, c.last, c.companies):
                yield row, why

    def _both(self, c: ContactKeys) -> Iterator[tuple[int, str]]:
        """A nickname at the company the contact's company resolves to."""
        for variant in sorted(first_name_variants(c.first) - {c.first}):
            nickname = f"nickname: {_show(c.first)} ≈ {_show(variant)}"
            for company_id, label in c.company_ids:
                why = f"{nickname}; {self._alias_reason(company_id, label, by_address=False)}"
                for row in self.table.at_company(variant, c.last, company_id):
                    if not self.table.employer_names(row)[0].startswith("#"):
                        yield row, why

    def _aliases(self, c: ContactKeys, *, by_address: bool) -> Iterator[tuple[int, str]]:
        """Same name at the company the contact's company resolves to; `by_address`: only
        persons whose tie to it is a work address (no employer on file), else only the rest,
        and only under an employer name the contact did not write (those were looked up)."""
        table = self.table
        for company_id, label in c.company_ids:
            why = self._alias_reason(company_id, label, by_address=by_address)
            for row in table.at_company(c.first, c.last, company_id):
                names = table.employer_names(row)
                if by_address != names[0].startswith("#"):
                    continue
                if by_address or any(name not in c.companies for name in names):
                    yield row, why

    def _alias_reason(self, company_id: str, label: str, by_address: bool) -> str:
        name = (self._companies.name_of(company_id) if self._companies else "") or company_id
        if label.startswith("@"):
            return f"company from email domain: {label[1:]} is {name}"
        if by_address:  # the person has no employer on file, only an address at the company
            return f"company from the person's work address: {label} is {name}"
        return f"company alias: {label} ≈ {name}"

    def _first_typos(self, c: ContactKeys) -> Iterator[tuple[str, str]]:
        for company in c.companies:
            for row in self.table.initials(c.last, company, c.first[0]):
                pid, first = self.table.person_id(row), self.table.first_name(row)
                if len(c.first) == 1 or len(first) == 1:
                    yield pid, f"initial: {_show(c.first)} ≈ {_show(first)}, same company"
                elif min(len(c.first), len(first)) >= 3 and _one_edit(c.first, first):
                    why = f"first-name typo: {_show(c.first)} ≈ {_show(first)}, same company"
                    yield pid, why

    def _last_typos(self, c: ContactKeys) -> Iterator[tuple[str, str]]:
        if len(c.last) < MIN_TYPO_LENGTH:
            return
        for last in sorted(self.table.last_names_near(c.last)):
            if not _one_edit(c.last, last):  # sharing a deleted form can mean two edits
                continue
            for pid in self._exact(c.first, last, c.companies):
                why = f"last-name typo: {_show(c.last)} ≈ {_show(last)}"
                yield pid, f"{why}, same first name and company"


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cycle collection inside: for code that builds many objects and few cycles.

    Building an index allocates millions of objects and no reference cycles; left running,
    the cycle collector re-walks everything already built, again and again, and doubles the
    build time of a large directory (an import of 100,000 contacts: a third of its planning).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by one substitution, insertion, deletion or adjacent swap."""
    if len(a) > len(b):
        a, b = b, a
    short, long_ = len(a), len(b)
    if long_ - short > 1 or a == b:
        return False
    i = 0
    while i < short and a[i] == b[i]:
        i += 1
    if short < long_:
        return a[i:] == b[i + 1 :]
    swapped = a[i : i + 2] == b[i : i + 2][::-1]
    return a[i + 1 :] == b[i + 1 :] or (swapped and a[i + 2 :] == b[i + 2 :])


def _possible(candidates: Iterable[tuple[str, str]]) -> MatchDecision:
    first_reason: dict[str, str] = {}
    for person_id, why in candidates:
        first_reason.setdefault(person_id, why)
    ranked = tuple(first_reason.items())[:MAX_CANDIDATES]
    reason = ranked[0][1] if len(ranked) == 1 else f"{len(first_reason)} possible matches"
    return MatchDecision("possible", None, reason, ranked)


def _show(name: str) -> str:
    return name.title()
