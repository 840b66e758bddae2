"""Matching contacts to directory persons by hashed keys: exact matches and near misses."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, NamedTuple, TypeVar

from tiegraph.core.companies import CompanyIndex, normalize_company
from tiegraph.core.emails import normalize_email
from tiegraph.core.names import (
    first_name_variants,
    last_name_key,
    normalize_name_part,
    split_full_name,
)

__all__ = [
    "ContactKeys",
    "MatchDecision",
    "MatchIndex",
    "PersonKeys",
    "contact_keys",
    "person_keys",
]

MatchKind = Literal["matched", "possible", "none"]
_K = TypeVar("_K", str, int)

# A suggestion list longer than this is noise for the person asked to confirm it, and means
# the keys that produced it do not tell these people apart.
MAX_CANDIDATES = 10
# One letter off in a short family name is usually another family name (Li/Lu, Kim/Kin, Lee/Lea).
MIN_TYPO_LENGTH = 4
# Keys are stored as 60-bit hashes of their parts: a 32-byte int instead of the 72-byte tuple
# it stands for (a million persons: under 0.5 GB, see bench/bench_matching_core.py). A hash
# collision can only propose a candidate: every hit is checked against the person's own
# normalized values. Hashes of str are salted per process: an index lives in one process.
_MASK = (1 << 60) - 1


@dataclass(frozen=True, slots=True)
class PersonKeys:
    """What a directory person is matched on, normalized."""

    first: str  # normalize_name_part of the first name
    last: str  # last_name_key of the last name
    emails: tuple[str, ...] = ()  # normalized addresses
    companies: tuple[str, ...] = ()  # normalize_company of each employer's name
    company_ids: tuple[str, ...] = ()  # the CompanyIndex's ids of those employers and domains


@dataclass(frozen=True, slots=True)
class ContactKeys:
    """What a contact is matched on, normalized; company ids keep what resolved them."""

    first: str
    last: str
    emails: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    # (company id, what named it: the company name as written, or "@" + the email's domain)
    company_ids: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class MatchDecision:
    """The outcome for one contact. `person_id` is set only when the match is certain."""

    kind: MatchKind
    person_id: str | None = None
    reason: str = ""
    candidates: tuple[tuple[str, str], ...] = ()  # (person id, reason) for possible matches


def person_keys(
    first: str,
    last: str,
    emails: Iterable[str] = (),
    company_names: Iterable[str] = (),
    *,
    full_name: str = "",
    companies: CompanyIndex | None = None,
) -> PersonKeys:
    """The matching keys of a directory person (company ids only when `companies` is given)."""
    first_n, last_k, emails_n, names, labelled = _normalize(
        first, last, emails, company_names, full_name, companies
    )
    return PersonKeys(first_n, last_k, emails_n, names, tuple(cid for cid, _ in labelled))


def contact_keys(
    first: str,
    last: str,
    emails: Iterable[str] = (),
    company_names: Iterable[str] = (),
    *,
    full_name: str = "",
    companies: CompanyIndex | None = None,
) -> ContactKeys:
    """The matching keys of a contact (company ids only when `companies` is given)."""
    return ContactKeys(*_normalize(first, last, emails, company_names, full_name, companies))


def _normalize(
    first: str,
    last: str,
    emails: Iterable[str],
    company_names: Iterable[str],
    full_name: str,
    companies: CompanyIndex | None,
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
            # A brand several companies begin with: the person's employers will tell.
            for shared in companies.brand_candidates(name) if cid is None else ():
                labelled.setdefault(shared, name)
        for email in emails_n:
            domain = email[email.rindex("@") + 1 :]
            cid = companies.resolve_domain(domain)
            if cid and cid not in labelled:
                labelled[cid] = "@" + domain
    first_n = sys.intern(normalize_name_part(first))
    last_k = sys.intern(last_name_key(last))
    return first_n, last_k, tuple(emails_n), tuple(names), tuple(labelled.items())


class _Known(NamedTuple):
    first: str
    last: str
    companies: tuple[str, ...]
    company_ids: tuple[str, ...]


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
    """

    def __init__(
        self, persons: Iterable[tuple[str, PersonKeys]], companies: CompanyIndex | None = None
    ) -> None:
        self._companies = companies
        self._emails: dict[str, str | list[str]] = {}
        self._keys: dict[int, str | list[str]] = {}  # exact and initial keys → person ids
        self._known: dict[str, _Known] = {}
        self._company_names: dict[str, list[str]] = {}  # company id → the names persons use
        self._last_names: dict[int, str | list[str]] = {}  # a last name or a deletion → names
        with _collector_paused():
            self._add_all(persons)

    def __len__(self) -> int:
        return len(self._known)

    def _add_all(self, persons: Iterable[tuple[str, PersonKeys]]) -> None:
        shared: dict[tuple[str, ...], tuple[str, ...]] = {}
        filed_last_names: set[str] = set()
        filed_companies: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
        known_by_id, emails = self._known, self._emails
        for person_id, keys in persons:
            # A person known only by a work address is filed under its company id.
            names = keys.companies or tuple(f"#{cid}" for cid in keys.company_ids)
            known = _Known(
                keys.first,
                keys.last,
                shared.setdefault(names, names),
                shared.setdefault(keys.company_ids, keys.company_ids),
            )
            if (known.companies, known.company_ids) not in filed_companies:
                filed_companies.add((known.companies, known.company_ids))
                self._file_company_names(known.companies, known.company_ids)
            known_by_id[person_id] = known
            for email in keys.emails:
                if emails.setdefault(email, person_id) is not person_id:
                    _add(emails, email, person_id)
            if known.first and known.last:
                self._add_name_keys(person_id, known)
                if known.last not in filed_last_names and len(known.last) >= MIN_TYPO_LENGTH:
                    filed_last_names.add(known.last)
                    for form in (known.last, *_deletions(known.last)):
                        _add(self._last_names, hash(form) & _MASK, known.last)

    def _file_company_names(self, names: tuple[str, ...], company_ids: tuple[str, ...]) -> None:
        for company_id in company_ids:
            filed = self._company_names.setdefault(company_id, [])
            filed += [name for name in names if name not in filed]

    def _add_name_keys(self, person_id: str, known: _Known) -> None:
        table = self._keys
        for company in known.companies:
            for key in (
                _exact_key(known.first, known.last, company),
                _initial_key(known.last, company, known.first[0]),
            ):
                # _add written out, one dict lookup for a new key: the build's innermost loop.
                got = table.setdefault(key, person_id)
                if got is person_id:
                    continue
                if isinstance(got, str):
                    table[key] = [got, person_id]
                elif person_id not in got:
                    got.append(person_id)

    def match(self, contact: ContactKeys) -> MatchDecision:
        """Matched by one email or one exact name + company; else possible matches; else none."""
        by_email = list(dict.fromkeys(p for e in contact.emails for p in _get(self._emails, e)))
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
            for pid in _get(self._keys, _exact_key(first, last, company)):
                known = self._known[pid]
                if known.first == first and known.last == last and company in known.companies:
                    yield pid

    def _nicknames(self, c: ContactKeys) -> Iterator[tuple[str, str]]:
        for variant in sorted(first_name_variants(c.first) - {c.first}):
            why = f"nickname: {_show(c.first)} ≈ {_show(variant)}, same company"
            for pid in self._exact(variant, c.last, c.companies):
                yield pid, why

    def _aliases(self, c: ContactKeys, *, by_address: bool) -> Iterator[tuple[str, str]]:
        """Same name at the company the contact's company resolves to; `by_address`: only
        persons whose tie to it is a work address (no employer on file), else only the rest."""
        for company_id, label in c.company_ids:
            for name in self._company_names.get(company_id, ()):
                if name in c.companies or name.startswith("#") != by_address:
                    continue  # exact names were looked up already
                why = self._alias_reason(company_id, label, by_address=by_address)
                for pid in self._exact(c.first, c.last, (name,)):
                    if company_id in self._known[pid].company_ids:
                        yield pid, why

    def _alias_reason(self, company_id: str, label: str, by_address: bool) -> str:
        name = (self._companies.name_of(company_id) if self._companies else "") or company_id
        if label.startswith("@"):
            return f"company from email domain: {label[1:]} is {name}"
        if by_address:  # the person has no employer on file, only an address at the company
            return f"company from the person's work address: {label} is {name}"
        return f"company alias: {label} ≈ {name}"

    def _first_typos(self, c: ContactKeys) -> Iterator[tuple[str, str]]:
        for company in c.companies:
            for pid in _get(self._keys, _initial_key(c.last, company, c.first[0])):
                known = self._known[pid]
                if known.last != c.last or company not in known.companies:
                    continue
                if len(c.first) == 1 or len(known.first) == 1:
                    yield pid, f"initial: {_show(c.first)} ≈ {_show(known.first)}, same company"
                elif min(len(c.first), len(known.first)) >= 3 and _one_edit(c.first, known.first):
                    why = f"first-name typo: {_show(c.first)} ≈ {_show(known.first)}, same company"
                    yield pid, why

    def _last_typos(self, c: ContactKeys) -> Iterator[tuple[str, str]]:
        if len(c.last) < MIN_TYPO_LENGTH:
            return
        found = {
            last
            for form in (c.last, *_deletions(c.last))
            for last in _get(self._last_names, hash(form) & _MASK)
        }
        for last in sorted(found):
            if not _one_edit(c.last, last):  # sharing a deleted form can mean two edits
                continue
            for pid in self._exact(c.first, last, c.companies):
                why = f"last-name typo: {_show(c.last)} ≈ {_show(last)}"
                yield pid, f"{why}, same first name and company"


@contextmanager
def _collector_paused() -> Iterator[None]:
    # Building an index allocates millions of objects and no reference cycles; left running,
    # the cycle collector re-walks everything already built, again and again, and doubles the
    # build time of a large directory.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _exact_key(first: str, last: str, company: str) -> int:
    return hash(("x", first, last, company)) & _MASK


def _initial_key(last: str, company: str, initial: str) -> int:
    return hash(("i", last, company, initial)) & _MASK


def _deletions(word: str) -> tuple[str, ...]:
    """`word` with one letter deleted, each way (SymSpell's deletion neighbourhood, distance 1)."""
    return tuple(dict.fromkeys(word[:i] + word[i + 1 :] for i in range(len(word))))


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


def _add(table: dict[_K, str | list[str]], key: _K, person_id: str) -> None:
    got = table.get(key)
    if got is None:
        table[key] = person_id
    elif isinstance(got, str):
        if got != person_id:
            table[key] = [got, person_id]
    elif person_id not in got:
        got.append(person_id)


def _get(table: dict[_K, str | list[str]], key: _K) -> list[str]:
    got = table.get(key)
    if got is None:
        return []
    return [got] if isinstance(got, str) else got


def _possible(candidates: Iterable[tuple[str, str]]) -> MatchDecision:
    first_reason: dict[str, str] = {}
    for person_id, why in candidates:
        first_reason.setdefault(person_id, why)
    ranked = tuple(first_reason.items())[:MAX_CANDIDATES]
    reason = ranked[0][1] if len(ranked) == 1 else f"{len(first_reason)} possible matches"
    return MatchDecision("possible", None, reason, ranked)


def _show(name: str) -> str:
    return name.title()
