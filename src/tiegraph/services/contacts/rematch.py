"""What a merged contact is matched again on: only the addresses that can change the decision,
kept up to date as records add addresses, so a contact merged from thousands of rows (an
"Info Desk" in every row) costs each further row no more than the first.

Matching reads a contact's addresses three ways (core/matching.py): an address that is a
directory person's; the company an address's domain resolves to (named by the smallest such
address, as the sorted list of all would); and whether the contact has an address where a
person matched by name has another one (any domain). The first two are kept address by address;
the third is the set of every domain, shared with the keys rather than copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from tiegraph.core.match_keys import ContactKeys
from tiegraph.core.matching import MatchIndex
from tiegraph.services.contacts.prepare import PreparedRecord, Preparer


class Contact(Protocol):
    """A contact of the plan (services/contacts/plan.py), as far as its addresses go."""

    emails: set[str]
    phones: set[str]


@dataclass(slots=True)
class _Telling:
    persons: set[str] = field(default_factory=set)  # addresses of directory persons
    at_company: dict[str, str] = field(default_factory=dict)  # domain -> its smallest address
    domains: set[str] = field(default_factory=set)


class Rematcher:
    """The keys of contacts matched again, with what each address tells worked out once."""

    def __init__(self, index: MatchIndex, preparer: Preparer) -> None:
        self.index, self.preparer = index, preparer
        self._telling: dict[Contact, _Telling] = {}

    def added(self, target: Contact, email: str) -> None:
        """A record gave the contact another address (before or after its first rematch)."""
        telling = self._telling.get(target)
        if telling is not None:
            self._sort_in(telling, email)

    def keys(self, target: Contact, record: PreparedRecord) -> ContactKeys:
        """The record's names and what it wrote, with the contact's telling addresses."""
        telling = self._telling.get(target)
        if telling is None:  # the first time: every address the contact has
            telling = self._telling[target] = _Telling()
            for email in target.emails:
                self._sort_in(telling, email)
        emails = sorted(telling.persons | set(telling.at_company.values()))
        return self.preparer.contact_keys(
            record.first_raw,
            record.last_raw,
            emails,
            target.phones,
            record.written,
            domains=telling.domains,
        )

    def _sort_in(self, telling: _Telling, email: str) -> None:
        domain = email.rpartition("@")[2]
        telling.domains.add(domain)
        if self.index.table.rows_by_email(email):
            telling.persons.add(email)
        if self.preparer.keys.company_of_domain(domain) is not None:
            known = telling.at_company.get(domain)
            if known is None or email < known:
                telling.at_company[domain] = email
