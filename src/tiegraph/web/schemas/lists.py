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
    KnowerOut,
    ReasonItemOut,
    knower_out,
    reason_items_field,
    reason_items_out,
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
    items: int
    created_at: datetime
    archived_at: datetime | None


def list_out(x: PersonList) -> ListOut:
    return ListOut(**x.__dict__)


class ListItemsIn(ApiInput):
    emails: list[str] = Field(default_factory=list, max_length=500, description="Persons.")
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


class AccountKnowerOut(ApiOutput):
    member_email: str
    member_name: str
    score: int
    label: str
    people: int = Field(description="How many of the account's people the member knows.")
    best_person: str
    reasons: list[str]
    reason_items: list[ReasonItemOut] = reason_items_field()


def account_knower_out(k: AccountKnower) -> AccountKnowerOut:
    return AccountKnowerOut(
        member_email=k.member_email,
        member_name=k.member_name,
        score=k.score,
        label=k.label,
        people=k.people,
        best_person=k.best_person,
        reasons=list(k.reasons),
        reason_items=reason_items_out(k.reason_items),
    )


class ListRowOut(ApiOutput):
    type: str = Field(description="person or account")
    name: str
    email: str
    title: str
    company: str
    domains: list[str]
    person_id: int | None = Field(description="A person row's person.")
    company_id: int | None = Field(description="An account row's company.")
    knowers: list[KnowerOut] = Field(description="A person's who-knows tile.")
    account_knowers: list[AccountKnowerOut] = Field(description="An account's closest members.")
    last_at: datetime | None = Field(description="The last contact of a colleague shown.")
    introducer_email: str = Field(
        description="A person row: the strongest colleague to ask for an introduction (never "
        "the caller); empty when there is none."
    )
    introducer_name: str


def list_row_out(r: ListRow) -> ListRowOut:
    return ListRowOut(
        type=r.type,
        name=r.name,
        email=r.email,
        title=r.title,
        company=r.company,
        domains=list(r.domains),
        person_id=r.person_id,
        company_id=r.company_id,
        knowers=[knower_out(k) for k in r.knowers],
        account_knowers=[account_knower_out(k) for k in r.account_knowers],
        last_at=r.last_contact,
        introducer_email=r.introducer_email,
        introducer_name=r.introducer_name,
    )
