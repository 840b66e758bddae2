"""The API's shapes for lists of leads, opportunities and deals, with who knows each row."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from tiegraph.services.insights.account_knowers import AccountKnower
from tiegraph.services.list_rows import ListRow
from tiegraph.services.lists import AddReport, PersonList, RemoveReport
from tiegraph.web.schemas.common import (
    ApiInput,
    ApiOutput,
    Email,
    KnowerOut,
    StrengthOut,
    knower_out,
    reasons_out,
)


class ListIn(ApiInput):
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field("leads", pattern="^(leads|opportunities|deals)$")


class ListOut(ApiOutput):
    id: int
    name: str
    kind: str
    owner_email: str
    owner_name: str
    row_count: int = Field(description="How many persons and accounts it holds.")
    created_at: datetime
    archived_at: datetime | None


def list_out(x: PersonList) -> ListOut:
    fields = {k: v for k, v in x.__dict__.items() if k != "items"}
    return ListOut(**fields, row_count=x.items)


class ListItemsIn(ApiInput):
    emails: list[Email] = Field(default_factory=list, max_length=500, description="Persons.")
    person_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        default_factory=list, max_length=500, description="Persons by id."
    )
    accounts: list[str] = Field(
        default_factory=list, max_length=500, description="Companies by name or domain."
    )
    account_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        default_factory=list, max_length=500, description="Companies by id."
    )


class AddedOut(ApiOutput):
    added: list[str]
    already: list[str]


def added_out(r: AddReport) -> AddedOut:
    return AddedOut(added=list(r.added), already=list(r.already))


class RemovedOut(ApiOutput):
    removed: list[str]
    absent: list[str] = Field(description="Named, but not on the list: nothing to remove.")


def removed_out(r: RemoveReport) -> RemovedOut:
    return RemovedOut(removed=list(r.removed), absent=list(r.absent))


class AccountKnowerOut(StrengthOut):
    """A member who knows the account's people; the strength is of their best tie there."""

    member_email: str
    member_name: str
    people: int = Field(description="How many of the account's people the member knows.")
    person_name: str = Field(description="The one of them the member knows best.")


def account_knower_out(k: AccountKnower) -> AccountKnowerOut:
    return AccountKnowerOut(
        member_email=k.member_email,
        member_name=k.member_name,
        score=k.score,
        label=k.label,
        certainty="measured",
        reasons=reasons_out(k.reason_items),
        people=k.people,
        person_name=k.best_person,
    )


class ListRowOut(ApiOutput):
    kind: str = Field(description="person or account")
    name: str
    email: str
    title: str
    company: str
    domains: list[str]
    person_id: int | None = Field(description="A person row's person.")
    company_id: int | None = Field(description="An account row's company.")
    top_knowers: list[KnowerOut] = Field(
        description="A person's who-knows tile: the strongest five (all: GET "
        "/persons/ID/who-knows)."
    )
    account_knowers: list[AccountKnowerOut] = Field(description="An account's closest members.")
    last_at: datetime | None = Field(description="The last contact of a colleague shown.")
    introducer_email: str = Field(
        description="A person row: the strongest colleague to ask for an introduction (never "
        "the caller); empty when there is none."
    )
    introducer_name: str


def list_row_out(r: ListRow) -> ListRowOut:
    return ListRowOut(
        kind=r.type,
        name=r.name,
        email=r.email,
        title=r.title,
        company=r.company,
        domains=list(r.domains),
        person_id=r.person_id,
        company_id=r.company_id,
        top_knowers=[knower_out(k) for k in r.knowers],
        account_knowers=[account_knower_out(k) for k in r.account_knowers],
        last_at=r.last_contact,
        introducer_email=r.introducer_email,
        introducer_name=r.introducer_name,
    )
