"""A list's rows with who among us knows each, as the viewer may see, and the same as a table
for CSV export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tiegraph.services.directory.by_id import companies_by_id, persons_by_id
from tiegraph.services.insights.account_knowers import AccountKnower, knowers_of_accounts
from tiegraph.services.insights.who_knows import TILE, Knower, who_knows
from tiegraph.services.lists import PersonList, active_rows, get_list, iso
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store


@dataclass(frozen=True)
class ListRow:
    """A person (with the who-knows tile) or an account (with its closest members).

    `introducer_*`: for a person, the strongest colleague the viewer may ask for an
    introduction (never the viewer), empty when there is none."""

    type: str  # person | account
    name: str
    email: str = ""
    title: str = ""
    company: str = ""
    domains: tuple[str, ...] = ()
    knowers: tuple[Knower, ...] = ()
    account_knowers: tuple[AccountKnower, ...] = ()
    person_id: int | None = None
    company_id: int | None = None
    introducer_email: str = ""
    introducer_name: str = ""

    @property
    def strongest(self) -> Knower | AccountKnower | None:
        """The colleague with the strongest tie the viewer may see."""
        shown: tuple[Knower | AccountKnower, ...] = self.knowers or self.account_knowers
        return shown[0] if shown else None

    @property
    def last_contact(self) -> datetime | None:
        """The latest touch of any colleague shown in the row (an account's: of the ties shown,
        read unworded)."""
        moments = [r.last_at for k in self.knowers for r in k.reason_items if r.last_at]
        moments += [k.last_at for k in self.account_knowers if k.last_at is not None]
        return max(moments, default=None)

    def as_dict(self) -> dict[str, Any]:
        shared = {
            "last_at": iso(self.last_contact),
            "introducer": (
                {"email": self.introducer_email, "name": self.introducer_name}
                if self.introducer_email
                else None
            ),
        }
        if self.type == "account":
            return {
                "type": "account",
                "company": {
                    "id": self.company_id,
                    "name": self.name,
                    "domains": list(self.domains),
                },
                "knowers": [k.as_dict() for k in self.account_knowers],
            } | shared
        return {
            "type": "person",
            "person": {
                "id": self.person_id,
                "email": self.email,
                "name": self.name,
                "title": self.title,
                "company": self.company,
            },
            "knowers": [k.as_dict() for k in self.knowers],
        } | shared


@dataclass(frozen=True)
class ListView:
    person_list: PersonList
    rows: tuple[ListRow, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"list": self.person_list.as_dict(), "rows": [r.as_dict() for r in self.rows]}


def show_list(
    store: Store,
    org: Org,
    name: str | int,
    viewer: Member | None = None,
    *,
    worded: bool = True,
) -> ListView:
    """The list's rows in the order added, each with who knows them as the viewer may see.

    `worded=False` (the list page, which shows an account's colleagues without reasons): the
    account rows' colleagues come without reasons, their scores and last contact the same."""
    with store.read() as conn:
        found = get_list(conn, org, name)
        items = active_rows(conn, org, found)
        # A person whose only link to us became unshared since leaves every list's view.
        person_ids = [i.person_id for i in items if i.person_id is not None]
        persons = persons_by_id(conn, org, person_ids, shared_only=True)
        companies = companies_by_id(
            conn, org, [i.company_id for i in items if i.company_id is not None]
        )
        closest = knowers_of_accounts(conn, org, list(companies), viewer=viewer, worded=worded)
    emails = [p["email"] for p in persons.values() if p["email"]]
    tiles = {a.email: a.knowers for a in who_knows(store, org, emails, limit=TILE, viewer=viewer)}
    rows: list[ListRow] = []
    for item in items:
        if item.person_id in persons:
            p = persons[item.person_id]
            knowers = tiles.get(p["email"], ()) if p["email"] else ()
            ask = next(
                (k for k in knowers if viewer is None or k.member_email != viewer.email), None
            )
            rows.append(
                ListRow(
                    "person",
                    knowers=knowers,
                    person_id=item.person_id,
                    introducer_email=ask.member_email if ask else "",
                    introducer_name=ask.member_name if ask else "",
                    **p,
                )
            )
        elif item.company_id in companies:
            c = companies[item.company_id]
            rows.append(
                ListRow(
                    "account",
                    c["name"],
                    domains=c["domains"],
                    account_knowers=closest.get(item.company_id, ()),
                    company_id=item.company_id,
                )
            )
    return ListView(found, tuple(rows))


EXPORT_HEADER = (
    "type",
    "name",
    "email",
    "title",
    "company",
    "domains",
    "strongest colleague",
    "strongest colleague email",
    "strength",
    "score",
    "last contact",
    "why",
    "who knows them",
    "ask for an intro",
)


def export_rows(view: ListView) -> list[tuple[str, ...]]:
    """The list page's columns, one row of text per list row (in EXPORT_HEADER's order);
    spreadsheet safety is the writer's (web/export.py)."""
    table: list[tuple[str, ...]] = []
    for row in view.rows:
        best = row.strongest
        why = list(best.reasons[:1]) if best else []
        if isinstance(best, AccountKnower):
            why.insert(0, f"knows {best.best_person}")
        shown: tuple[Knower | AccountKnower, ...] = row.knowers or row.account_knowers
        last = row.last_contact
        table.append(
            (
                row.type,
                row.name,
                row.email,
                row.title,
                row.company,
                "; ".join(row.domains),
                best.member_name if best else "",
                best.member_email if best else "",
                best.label if best else "",
                str(best.score) if best else "",
                last.date().isoformat() if last else "",
                "; ".join(why),
                "; ".join(k.member_name for k in shown),
                row.introducer_name,
            )
        )
    return table
