"""Accounts: finding a directory company by name or domain, and flagging it target or reference."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from tiegraph.core.companies import company_aliases, normalize_company
from tiegraph.core.emails import normalize_email
from tiegraph.errors import NotFoundError
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.schema import company, company_domain, person


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    size: int | None
    industry: str
    is_target: bool
    is_reference_customer: bool
    domains: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "domains": list(self.domains),
            "size": self.size,
            "target": self.is_target,
            "reference_customer": self.is_reference_customer,
        }

    @property
    def headcount(self) -> int:
        """Its stated size, else at least one (for likelihoods that divide by it)."""
        return max(self.size or 0, 1)


def _looks_like_domain(text: str) -> bool:
    return "." in text and " " not in text.strip()


def _domain_of(text: str) -> str:
    text = text.strip().lower()
    if "@" in text:
        text = (normalize_email(text) or text).rpartition("@")[2]
    for prefix in ("https://", "http://"):
        text = text.removeprefix(prefix)
    return text.split("/", 1)[0].removeprefix("www.")


def _by_domain(conn: Connection, org: Org, domain: str) -> int | None:
    # mail.acme.example belongs to acme.example: try each parent down to two labels.
    labels = domain.split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    if not candidates:
        return None
    rows = conn.execute(
        select(company_domain.c.domain, company_domain.c.company_id).where(
            company_domain.c.org_id == org.id, company_domain.c.domain.in_(candidates)
        )
    ).all()
    found = {r.domain: r.company_id for r in rows}
    return next((int(found[c]) for c in candidates if c in found), None)


def _by_name(conn: Connection, org: Org, name: str) -> int | None:
    key = normalize_company(name)
    if not key:
        return None
    keys = (key, *company_aliases(key))
    # Several companies may share a written name: the biggest is the one people mean.
    for condition in (
        company.c.name_key.in_(keys),
        # The brand alone: "Ferrante" for "Ferrante Assurance".
        company.c.name_key.startswith(key + " ", autoescape=True),
    ):
        row = conn.execute(
            select(company.c.id)
            .where(company.c.org_id == org.id, condition, company.c.archived_at.is_(None))
            .order_by((company.c.name_key == key).desc(), func.coalesce(company.c.size, 0).desc())
            .limit(1)
        ).first()
        if row:
            return int(row.id)
    return None


def find_account(conn: Connection, org: Org, name_or_domain: str | int | Account) -> Account:
    """The company a user means by a name ("Acme Corp"), a domain or an email address; an
    int is a company id (the web app's pages and the API name accounts by id); an account
    already found is itself (a page showing several parts of one account finds it once)."""
    if isinstance(name_or_domain, Account):
        return name_or_domain
    if isinstance(name_or_domain, int):
        return _by_id(conn, org, name_or_domain)
    text = name_or_domain.strip()
    company_id = None
    if _looks_like_domain(text):
        company_id = _by_domain(conn, org, _domain_of(text))
    if company_id is None:
        company_id = _by_name(conn, org, text)
    if company_id is None:
        raise NotFoundError(
            f"no company {text!r} in the directory; try its web domain (e.g. acme.com)"
        )
    return load_account(conn, org, company_id)


def _by_id(conn: Connection, org: Org, company_id: int) -> Account:
    archived = conn.execute(
        select(company.c.archived_at).where(company.c.org_id == org.id, company.c.id == company_id)
    ).first()
    if archived is None or archived.archived_at is not None:
        raise NotFoundError(f"no account (company) {company_id}")
    return load_account(conn, org, company_id)


def load_account(conn: Connection, org: Org, company_id: int) -> Account:
    row = conn.execute(
        select(company).where(company.c.org_id == org.id, company.c.id == company_id)
    ).one()
    domains = conn.execute(
        select(company_domain.c.domain)
        .where(company_domain.c.org_id == org.id, company_domain.c.company_id == company_id)
        .order_by(company_domain.c.id)
    )
    size = row.size
    if size is None:
        size = conn.execute(
            select(func.count()).where(
                person.c.org_id == org.id,
                person.c.company_id == company_id,
                person.c.archived_at.is_(None),
            )
        ).scalar_one()
    return Account(
        id=int(row.id),
        name=row.name,
        size=size,
        industry=row.industry,
        is_target=bool(row.is_target),
        is_reference_customer=bool(row.is_reference_customer),
        domains=tuple(d.domain for d in domains),
    )


def get_account(store: Store, org: Org, name_or_domain: str | int | Account) -> Account:
    with store.read() as conn:
        return find_account(conn, org, name_or_domain)


def flag_account(
    store: Store,
    org: Org,
    name_or_domain: str,
    *,
    target: bool | None = None,
    reference_customer: bool | None = None,
) -> Account:
    """Flag a company as a target account or a reference customer (or clear the flags)."""
    with store.write() as conn:
        account = find_account(conn, org, name_or_domain)
        values = {}
        if target is not None:
            values["is_target"] = target
        if reference_customer is not None:
            values["is_reference_customer"] = reference_customer
        if values:
            conn.execute(
                company.update()
                .where(company.c.org_id == org.id, company.c.id == account.id)
                .values(**values)
            )
        return load_account(conn, org, account.id)
