"""The directory as contact matching reads it: built once per directory revision, saved in it.

Building the matching index of a million persons is seconds of normalizing names, emails and
employers; loading a saved one is a copy of its bytes (bench/bench_import.py). So an import
loads the index saved for the directory as it is now, and only when there is none (the
directory changed since, or the code that normalizes it did) builds it, in one pass over the
directory, and saves it for the next import.

The directory "as it is now" is named by the largest id of each table the index reads (new
rows) and the organization's `directory_revision`, which triggers bump on every update of a
matched-on column and every delete (migration 0004). Both only grow, so a saved index is
never taken for a directory it was not built from.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import struct
from collections.abc import Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import count
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, func, literal_column, select

from tiegraph.core import companies as companies_module
from tiegraph.core import emails, match_keys, matching, names, person_table, profiles
from tiegraph.core.companies import CompanyIndex
from tiegraph.core.matching import KeyCache, MatchIndex, PersonKeys
from tiegraph.core.person_table import PersonTable, TableFormatError
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.schema import (
    company,
    company_domain,
    directory_revision,
    employment,
    match_snapshot,
    person,
    person_email,
    person_phone,
)

__all__ = ["Matching", "build_matching", "directory_version", "load_matching", "saved_companies"]

# Of what is saved (2: phones and profile URLs; 3: keys in buckets; 4: titles held at each
# employer); the hash: the rest.
FORMAT = 4
PART_BYTES = 8 << 20  # one row of match_snapshot: well under any driver's or server's limit
STREAM_ROWS = 20_000
_CURSORS = count()  # names of server-side cursors
_WATCHED: tuple[Table, ...] = (
    person, person_email, person_phone, employment, company, company_domain,
)  # fmt: skip


@dataclass(frozen=True)
class Matching:
    """The directory as contact matching reads it: loaded once, used by many imports."""

    companies: CompanyIndex
    index: MatchIndex


def load_matching(store: Store, org: Org) -> Matching:
    """The saved index when it was built from the directory as it is now, else a new one."""
    with _consistent_read(store) as conn:
        version = directory_version(conn, org)
        saved = _load_saved(conn, org, version)
        if saved is not None:
            return saved
        built = build_matching(conn, org)
    _save(store, org, version, built)
    return built


def saved_companies(store: Store, org: Org) -> bytes | None:
    """The companies of the index saved for the directory as it is now, as saved
    (`CompanyIndex.to_bytes`), read without the rest: for a second process to work with while
    this one loads the index. None when there is no such index (or they outgrow its first part).
    """
    with _consistent_read(store) as conn:
        version = directory_version(conn, org)
        data = conn.execute(
            select(match_snapshot.c.data).where(
                match_snapshot.c.org_id == org.id,
                match_snapshot.c.version == version,
                match_snapshot.c.part == 0,
            )
        ).scalar()
    if data is None or len(data) < 8:
        return None
    (size,) = struct.unpack_from("<Q", data)
    return bytes(data[8 : 8 + size]) if 8 + size <= len(data) else None


def directory_version(conn: Connection, org: Org) -> str:
    """What the index of `org`'s directory is built from: the code, the tables' newest rows,
    the revision of updates and deletes."""
    newest = conn.execute(select(*(select(func.max(t.c.id)).scalar_subquery() for t in _WATCHED)))
    revision = conn.execute(
        select(directory_revision.c.revision).where(directory_revision.c.org_id == org.id)
    ).scalar()
    ids = ".".join(str(n or 0) for n in newest.one())
    return f"{FORMAT}-{code_version()}-{org.id}-{ids}-{revision or 0}"


@cache
def code_version() -> str:
    """A hash of the code and data that normalize and index names: changing them changes keys."""
    digest = hashlib.sha256()
    for module in (
        companies_module, emails, names, match_keys, matching, person_table, profiles,
    ):  # fmt: skip
        try:
            digest.update(Path(module.__file__ or "").read_bytes())
        except OSError:  # no source next to the code (a frozen build): its version must do
            digest.update(importlib.metadata.version("tiegraph").encode())
    for package in ("nicknames", "cleanco"):
        digest.update(importlib.metadata.version(package).encode())
    return digest.hexdigest()[:16]


@contextmanager
def _consistent_read(store: Store) -> Iterator[Connection]:
    """A read transaction: every query sees the same directory (PostgreSQL: REPEATABLE READ)."""
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


# --- saved ----------------------------------------------------------------------------------


def _load_saved(conn: Connection, org: Org, version: str) -> Matching | None:
    rows = conn.execute(
        select(match_snapshot.c.parts, match_snapshot.c.data)
        .where(match_snapshot.c.org_id == org.id, match_snapshot.c.version == version)
        .order_by(match_snapshot.c.part)
    )
    # One buffer, filled part by part: the table's arrays are views of it, not copies.
    data, parts, expected = bytearray(), 0, None
    for r in rows:
        data += r.data
        parts, expected = parts + 1, r.parts
    if not parts or parts != expected:
        return None
    view = memoryview(data)
    (size,) = struct.unpack_from("<Q", view)
    try:
        companies = CompanyIndex.from_bytes(view[8 : 8 + size])
        table = PersonTable.from_bytes(view[8 + size :])
    except (TableFormatError, ValueError, EOFError, TypeError):
        return None  # written by another Python: built again below
    return Matching(companies, MatchIndex.from_table(table, companies))


def _save(store: Store, org: Org, version: str, built: Matching) -> None:
    saved_companies = built.companies.to_bytes()
    data = b"".join(
        [struct.pack("<Q", len(saved_companies)), saved_companies, built.index.table.to_bytes()]
    )
    parts = [data[i : i + PART_BYTES] for i in range(0, len(data), PART_BYTES)]
    with store.write() as conn:
        conn.execute(match_snapshot.delete().where(match_snapshot.c.org_id == org.id))
        for number, part in enumerate(parts):
            conn.execute(
                match_snapshot.insert().values(
                    org_id=org.id, part=number, parts=len(parts), version=version, data=part
                )
            )


# --- built ----------------------------------------------------------------------------------


def build_matching(conn: Connection, org: Org) -> Matching:
    """The index of every directory person, read in one pass over the directory."""
    companies = _company_index(conn, org)
    names = {
        r.id: r.name
        for r in conn.execute(
            select(company.c.id, company.c.name).where(company.c.org_id == org.id)
        )
    }
    return Matching(companies, MatchIndex(_person_keys(conn, org, companies, names), companies))


def _company_index(conn: Connection, org: Org) -> CompanyIndex:
    domains: dict[int, list[str]] = {}
    for r in conn.execute(
        select(company_domain.c.company_id, company_domain.c.domain).where(
            company_domain.c.org_id == org.id
        )
    ):
        domains.setdefault(r.company_id, []).append(r.domain)
    rows = conn.execute(
        select(company.c.id, company.c.name).where(
            company.c.org_id == org.id, company.c.archived_at.is_(None)
        )
    )
    return CompanyIndex((str(r.id), r.name, domains.get(r.id, ())) for r in rows)


def _person_keys(
    conn: Connection, org: Org, companies: CompanyIndex, names: dict[int, str]
) -> Iterator[tuple[str, PersonKeys]]:
    """Every person with their emails, phones, profile URL and all their employers (past ones
    too: an address book often still shows where someone used to work), from four streams
    ordered by person."""
    jobs = _rows(
        conn,
        select(employment.c.person_id, employment.c.company_id, employment.c.title)
        .where(employment.c.org_id == org.id)
        .order_by(employment.c.person_id, employment.c.id),
    )
    addresses = _rows(
        conn,
        select(person_email.c.person_id, person_email.c.email)
        .where(person_email.c.org_id == org.id)
        .order_by(person_email.c.person_id, person_email.c.id),
    )
    numbers = _rows(
        conn,
        select(person_phone.c.person_id, person_phone.c.phone)
        .where(person_phone.c.org_id == org.id)
        .order_by(person_phone.c.person_id, person_phone.c.id),
    )
    persons = _rows(
        conn,
        select(
            person.c.id, person.c.first_name, person.c.last_name, person.c.full_name,
            person.c.company_id, person.c.profile_url, person.c.title,
        )
        .where(_in_org(conn, org), person.c.archived_at.is_(None))
        .order_by(person.c.id),
    )  # fmt: skip
    keys = KeyCache(companies, normalized=True)
    with closing(jobs), closing(addresses), closing(numbers), closing(persons):
        job, address, number = next(jobs, None), next(addresses, None), next(numbers, None)
        for pid, first, last, full, current, profile, title in persons:
            works, mails, phones, titles = [], [], [], []
            while job is not None and job[0] <= pid:
                if job[0] == pid:
                    works.append(names[job[1]])
                    if job[2]:
                        titles.append((names[job[1]], job[2]))
                job = next(jobs, None)
            while address is not None and address[0] <= pid:
                if address[0] == pid:
                    mails.append(address[1])
                address = next(addresses, None)
            while number is not None and number[0] <= pid:
                if number[0] == pid:
                    phones.append(number[1])
                number = next(numbers, None)
            if not works and current:
                works.append(names[current])
                if title:
                    titles.append((names[current], title))
            profiles = (profile,) if profile else ()
            yield (
                str(pid),
                keys.person(
                    first,
                    last,
                    mails,
                    works,
                    full_name=full,
                    phones=phones,
                    profiles=profiles,
                    titles=titles,
                ),
            )


def _in_org(conn: Connection, org: Org) -> ColumnElement[bool]:
    """person.org_id = the org's, read on SQLite by a scan in id order: through the org's index
    on (org_id, company_id) it reads the table out of order and sorts it, three times slower."""
    if conn.dialect.name == "sqlite":
        return literal_column("+person.org_id") == org.id
    return person.c.org_id == org.id


def _rows(conn: Connection, query: Select[Any]) -> Generator[tuple[Any, ...], None, None]:
    """The query's rows as the driver's tuples, streamed (a million persons: a second less than
    through SQLAlchemy's rows); on PostgreSQL from a server-side cursor in the transaction."""
    compiled = query.compile(dialect=conn.dialect)
    params: Any = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())
    driver: Any = conn.connection.dbapi_connection
    if conn.dialect.name == "postgresql":
        cursor = driver.cursor(name=f"tiegraph_directory_{next(_CURSORS)}")
        cursor.itersize = STREAM_ROWS
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(str(compiled), params)
        yield from cursor
    finally:
        cursor.close()
