"""What contacts and directory persons are matched on: names, emails and companies, normalized."""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterable
from typing import NamedTuple

from tiegraph.core.companies import CompanyIndex, normalize_company
from tiegraph.core.emails import normalize_email
from tiegraph.core.names import last_name_key, normalize_name_part, split_full_name
from tiegraph.core.profiles import normalize_profile_url

__all__ = [
    "ContactKeys",
    "KeyCache",
    "PersonKeys",
    "contact_keys",
    "person_keys",
    "role_key",
    "title_key",
]


# Tuples with names rather than dataclasses: a million of each are made when a directory is
# indexed or an address book imported, and sent between processes; a named tuple is made, read
# and pickled several times faster than a frozen dataclass.


class PersonKeys(NamedTuple):
    """What a directory person is matched on, normalized."""

    first: str  # normalize_name_part of the first name
    last: str  # last_name_key of the last name
    emails: tuple[str, ...] = ()  # normalized addresses
    companies: tuple[str, ...] = ()  # normalize_company of each employer's name
    company_ids: tuple[str, ...] = ()  # the CompanyIndex's ids of those employers and domains
    phones: tuple[str, ...] = ()  # E.164 (core/phones.py)
    profiles: tuple[str, ...] = ()  # normalize_profile_url of the profile URL
    # role_key of each employer with each title held there, or with "" when none is on file
    roles: tuple[str, ...] = ()


class ContactKeys(NamedTuple):
    """What a contact is matched on, normalized; company ids keep what resolved them."""

    first: str
    last: str
    emails: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    # (company id, what named it: the company name as written, or "@" + the email's domain)
    company_ids: tuple[tuple[str, str], ...] = ()
    phones: tuple[str, ...] = ()  # E.164 (core/phones.py)
    profiles: tuple[str, ...] = ()  # normalize_profile_url of the profile URLs
    title: str = ""  # title_key of the title written with the company
    # Every domain the contact has an address at, when `emails` holds only those addresses
    # that can tell a person or a company (a contact merged from many rows); else empty, and
    # the domains are those of `emails`.
    domains: Collection[str] = ()


def title_key(title: str) -> str:
    """A job title as matching compares it: case, accents, punctuation and spacing ignored."""
    return normalize_name_part(title) if title else ""


def role_key(company: str, title: str) -> str:
    """One job as matching files it: the employer's normalize_company and the title_key."""
    return f"{company}\t{title}"


def person_keys(
    first: str,
    last: str,
    emails: Iterable[str] = (),
    company_names: Iterable[str] = (),
    *,
    full_name: str = "",
    companies: CompanyIndex | None = None,
    phones: Iterable[str] = (),
    profiles: Iterable[str] = (),
    titles: Iterable[tuple[str, str]] = (),
) -> PersonKeys:
    """The matching keys of a directory person (company ids only when `companies` is given);
    `phones` as E.164, `profiles` as written, `titles` as (employer name, title) written."""
    first_n, last_k, emails_n, names, labelled = _normalize(
        first, last, emails, company_names, full_name, companies, contact=False
    )
    ids = tuple(cid for cid, _ in labelled)
    handles = _handles(phones, profiles)
    return PersonKeys(first_n, last_k, emails_n, names, ids, *handles, _roles(names, titles))


def contact_keys(
    first: str,
    last: str,
    emails: Iterable[str] = (),
    company_names: Iterable[str] = (),
    *,
    full_name: str = "",
    companies: CompanyIndex | None = None,
    phones: Iterable[str] = (),
    profiles: Iterable[str] = (),
    title: str = "",
) -> ContactKeys:
    """The matching keys of a contact (company ids only when `companies` is given); `phones`
    as E.164, `profiles` and `title` as written."""
    parts = _normalize(first, last, emails, company_names, full_name, companies, contact=True)
    return ContactKeys(*parts, *_handles(phones, profiles), title_key(title))


def _roles(
    names: tuple[str, ...],
    titles: Iterable[tuple[str, str]],
    company: Callable[[str], str] = normalize_company,
    title: Callable[[str], str] = title_key,
) -> tuple[str, ...]:
    """Each (employer name, title) whose both parts normalize to something, as role_key, once;
    and each employer key of `names` with no title on file as role_key(employer, "")."""
    roles: list[str] = []
    for name, held in titles:
        company_k, title_k = (company(name), title(held)) if name and held else ("", "")
        if company_k and title_k and (role := role_key(company_k, title_k)) not in roles:
            roles.append(role)
    titled = {role[: role.index("\t")] for role in roles}
    roles += [role_key(key, "") for key in names if key not in titled]
    return tuple(roles)


def _handles(
    phones: Iterable[str], profiles: Iterable[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Phones (E.164 already) and normalized profile URLs, each once, in order."""
    if not (phones or profiles):  # most contacts: neither
        return (), ()
    urls = (normalize_profile_url(raw) for raw in profiles if raw)
    return tuple(dict.fromkeys(p for p in phones if p)), tuple(dict.fromkeys(u for u in urls if u))


def _normalize(
    first: str,
    last: str,
    emails: Iterable[str],
    company_names: Iterable[str],
    full_name: str,
    companies: CompanyIndex | None,
    *,
    contact: bool,
) -> tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    if not first and not last and full_name:
        first, last = split_full_name(full_name)
    emails_n: list[str] = []
    for raw in emails:
        email = normalize_email(raw)
        if email and email not in emails_n:
            emails_n.append(email)
    written: list[str] = []
    names: list[str] = []
    for raw in company_names:
        key = normalize_company(raw)
        if key:
            written.append(raw.strip())
            key = sys.intern(key)
            if key not in names:
                names.append(key)
    labelled: dict[str, str] = {}
    if companies is not None:
        for name in written:
            cid = companies.resolve_name(name)
            if cid and cid not in labelled:
                labelled[cid] = name
            # A brand several companies share: the person's employers will tell. A directory
            # person's employer named one company exactly: that one only.
            for shared in companies.brand_candidates(name) if contact or cid is None else ():
                labelled.setdefault(shared, name)
        for email in emails_n:
            domain = email[email.rindex("@") + 1 :]
            cid = companies.resolve_domain(domain)
            if cid and cid not in labelled:
                labelled[cid] = "@" + domain
    first_n = sys.intern(normalize_name_part(first))
    last_k = sys.intern(last_name_key(last))
    return first_n, last_k, tuple(emails_n), tuple(names), tuple(labelled.items())


class KeyCache:
    """`person_keys` and `contact_keys` for many persons or contacts, each distinct first name,
    last name, company name and email domain normalized and resolved once.

    The same keys (tests/test_core_person_table.py compares them) at a fraction of the cost: a
    directory of a million persons has tens of thousands of distinct names and employers, and
    building the matching index from it is mostly this (bench/bench_import.py).
    """

    def __init__(self, companies: CompanyIndex | None = None, *, normalized: bool = False) -> None:
        """`normalized`: the emails given are normalized already (the store holds them so; an
        import normalizes a record's once); those that look it (lowercase ASCII, one "@", no
        space) are taken as they are, saving a parse each."""
        self._companies = companies
        self._normalized = normalized
        self._first: dict[str, str] = {}
        self._last: dict[str, str] = {}
        # company name as written -> (key, name stripped, its company id, brand candidates)
        self._employers: dict[str, tuple[str, str, str | None, tuple[str, ...]]] = {}
        self._domains: dict[str, str | None] = {}
        self._titles: dict[str, str] = {}

    def person(
        self,
        first: str,
        last: str,
        emails: Iterable[str] = (),
        company_names: Iterable[str] = (),
        *,
        full_name: str = "",
        phones: Iterable[str] = (),
        profiles: Iterable[str] = (),
        titles: Iterable[tuple[str, str]] = (),
    ) -> PersonKeys:
        """The same as `person_keys(..., companies=...)`."""
        first_n, last_k, emails_n, names, labelled = self._parts(
            first, last, emails, company_names, full_name, contact=False
        )
        handles = _handles(phones, profiles)
        roles = _roles(names, titles, self._company_key, self._title_key)
        return PersonKeys(first_n, last_k, emails_n, names, tuple(labelled), *handles, roles)

    def contact(
        self,
        first: str,
        last: str,
        emails: Iterable[str] = (),
        company_names: Iterable[str] = (),
        *,
        full_name: str = "",
        phones: Iterable[str] = (),
        profiles: Iterable[str] = (),
        title: str = "",
        domains: Collection[str] = (),
    ) -> ContactKeys:
        """The same as `contact_keys(..., companies=...)`; `domains`: see ContactKeys."""
        first_n, last_k, emails_n, names, labelled = self._parts(
            first, last, emails, company_names, full_name, contact=True
        )
        handles = _handles(phones, profiles)
        labels = tuple(labelled.items())
        title_k = title_key(title)
        return ContactKeys(first_n, last_k, emails_n, names, labels, *handles, title_k, domains)

    def company_of_domain(self, domain: str) -> str | None:
        """The directory company an email domain resolves to (None without a company index)."""
        return self._domain(domain) if self._companies is not None else None

    def _parts(
        self,
        first: str,
        last: str,
        emails: Iterable[str],
        company_names: Iterable[str],
        full_name: str,
        *,
        contact: bool,
    ) -> tuple[str, str, tuple[str, ...], tuple[str, ...], dict[str, str]]:
        if not first and not last and full_name:
            first, last = split_full_name(full_name)
        first_n = self._first.get(first)
        if first_n is None:
            first_n = self._first[first] = sys.intern(normalize_name_part(first))
        last_k = self._last.get(last)
        if last_k is None:
            last_k = self._last[last] = sys.intern(last_name_key(last))
        emails_n: list[str] = []
        for raw in emails:
            plain = self._normalized and raw.isascii() and raw.count("@") == 1 and raw.islower()
            email = raw if plain and " " not in raw else normalize_email(raw)
            if email and email not in emails_n:
                emails_n.append(email)
        names: list[str] = []
        labelled: dict[str, str] = {}
        for raw in company_names:
            key, written, cid, brands = self._employer(raw)
            if not key:
                continue
            if key not in names:
                names.append(key)
            if cid and cid not in labelled:
                labelled[cid] = written
            for shared in brands if contact or cid is None else ():
                labelled.setdefault(shared, written)
        if self._companies is not None:
            for email in emails_n:
                domain = email[email.rindex("@") + 1 :]
                cid = self._domain(domain)
                if cid and cid not in labelled:
                    labelled[cid] = "@" + domain
        return first_n, last_k, tuple(emails_n), tuple(names), labelled

    def _company_key(self, raw: str) -> str:
        return self._employer(raw)[0]

    def _title_key(self, raw: str) -> str:
        found = self._titles.get(raw)
        if found is None:
            found = self._titles[raw] = sys.intern(title_key(raw))
        return found

    def _employer(self, raw: str) -> tuple[str, str, str | None, tuple[str, ...]]:
        found = self._employers.get(raw)
        if found is None:
            key = normalize_company(raw)
            written = raw.strip()
            cid: str | None = None
            brands: tuple[str, ...] = ()
            if key and self._companies is not None:
                cid = self._companies.resolve_name(written)
                # A brand several companies share: the person's employers will tell.
                brands = self._companies.brand_candidates(written)
            found = self._employers[raw] = (sys.intern(key) if key else "", written, cid, brands)
        return found

    def _domain(self, domain: str) -> str | None:
        if domain not in self._domains:
            assert self._companies is not None
            self._domains[domain] = self._companies.resolve_domain(domain)
        return self._domains[domain]
