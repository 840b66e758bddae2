"""Matching contacts to directory persons by hashed keys: exact matches and near misses."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from tiegraph.core.companies import CompanyIndex
from tiegraph.core.match_keys import (
    ContactKeys,
    KeyCache,
    PersonKeys,
    contact_keys,
    person_keys,
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
        """Matched by one email or one exact name + company; else possible matches; else none."""
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
        if not (contact.first and contact.last):
            return MatchDecision("none", reason="no email matched and no full name to match on")
        exact = list(dict.fromkeys(self._exact(contact.first, contact.last, contact.companies)))
        if len(exact) == 1:
            return MatchDecision("matched", exact[0], "same first name, last name and company")
        if exact:
            why = f"same name and company as {len(exact)} people"
            return _possible([(p, why) for p in exact])
        if not (contact.companies or contact.company_ids):
            # Without a company a name alone is not evidence: directories hold many John Smiths,
            # and even a "possible" for each would bury the real suggestions.
            return MatchDecision("none", reason="no email matched and no company to match on")
        # The company written another way ("IBM", "Ferrante plc", an address at its domain)
        # but resolved to one company: the same full name there is as good as an exact match.
        resolved = list(dict.fromkeys(self._aliases(contact, by_address=False)))
        if len({pid for pid, _ in resolved}) == 1:
            pid, why = resolved[0]
            return MatchDecision("matched", pid, f"same first and last name; {why}")
        near = [
            *self._nicknames(contact),
            *resolved,
            *self._aliases(contact, by_address=True),
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

    def _exact(self, first: str, last: str, companies: Iterable[str]) -> Iterator[str]:
        for company in companies:
            for row in self.table.exact(first, last, company):
                yield self.table.person_id(row)

    def _nicknames(self, c: ContactKeys) -> Iterator[tuple[str, str]]:
        for variant in sorted(first_name_variants(c.first) - {c.first}):
            why = f"nickname: {_show(c.first)} ≈ {_show(variant)}, same company"
            for pid in self._exact(variant, c.last, c.companies):
                yield pid, why

    def _aliases(self, c: ContactKeys, *, by_address: bool) -> Iterator[tuple[str, str]]:
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
                    yield table.person_id(row), why

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
