"""The API's documented shapes, and their conversion from the services' values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from tiegraph.services.auth import ApiToken
from tiegraph.services.custom_properties import Property
from tiegraph.services.gallery import Columns, GalleryRow
from tiegraph.services.import_jobs import ImportJob
from tiegraph.services.matching import PossibleMatch
from tiegraph.services.members import Member
from tiegraph.services.network import ContactSummary
from tiegraph.services.profiles import Account, PersonProfile, PersonSummary
from tiegraph.services.who_knows import Knower


class MemberOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    contact_sync: bool
    activity_sharing: bool


def member_out(m: Member) -> MemberOut:
    return MemberOut(
        id=m.id,
        email=m.email,
        name=m.name,
        role=m.role,
        contact_sync=m.contact_sync,
        activity_sharing=m.activity_sharing,
    )


class KnowerOut(BaseModel):
    member_email: str
    member_name: str
    score: int
    label: str
    reasons: list[str]


def knower_out(k: Knower) -> KnowerOut:
    return KnowerOut(
        member_email=k.member_email,
        member_name=k.member_name,
        score=k.score,
        label=k.label,
        reasons=list(k.reasons),
    )


class PersonSummaryOut(BaseModel):
    id: int
    name: str
    title: str
    company_id: int | None
    company: str
    email: str
    archived: bool


def person_summary_out(p: PersonSummary) -> PersonSummaryOut:
    return PersonSummaryOut(**p.__dict__)


class JobOut(BaseModel):
    company_id: int
    company: str
    title: str
    start: date | None
    end: date | None


class SchoolOut(BaseModel):
    school: str
    degree: str
    start: date | None
    end: date | None


class SourceOut(BaseModel):
    contact_id: int
    format: str
    file: str


class PersonOut(PersonSummaryOut):
    origin: str
    profile_url: str
    emails: list[str]
    phones: list[str]
    jobs: list[JobOut]
    schools: list[SchoolOut]
    sources: list[SourceOut] = Field(description="Where the caller's own contact came from.")


def person_out(p: PersonProfile) -> PersonOut:
    return PersonOut(
        **p.summary.__dict__,
        origin=p.origin,
        profile_url=p.profile_url,
        emails=list(p.emails),
        phones=list(p.phones),
        jobs=[JobOut(**j.__dict__) for j in p.jobs],
        schools=[SchoolOut(**s.__dict__) for s in p.schools],
        sources=[SourceOut(**s.__dict__) for s in p.sources],
    )


class WhoKnowsOut(BaseModel):
    email: str
    name: str
    as_of: date
    knowers: list[KnowerOut]


class AccountOut(BaseModel):
    id: int
    name: str
    size: int | None
    industry: str
    domains: list[str]
    is_target: bool
    is_reference_customer: bool
    people: int


def account_out(a: Account) -> AccountOut:
    return AccountOut(
        id=a.id,
        name=a.name,
        size=a.size,
        industry=a.industry,
        domains=list(a.domains),
        is_target=a.is_target,
        is_reference_customer=a.is_reference_customer,
        people=a.people,
    )


class AccountFlags(BaseModel):
    is_target: bool | None = None
    is_reference_customer: bool | None = None


class ContactOut(BaseModel):
    id: int
    name: str
    company: str
    title: str
    status: str
    person_id: int | None
    emails: list[str]


def contact_out(c: ContactSummary) -> ContactOut:
    return ContactOut(
        id=c.id,
        name=c.name,
        company=c.company,
        title=c.title,
        status=c.status,
        person_id=c.person_id,
        emails=list(c.emails),
    )


class GalleryRowOut(BaseModel):
    kind: str = Field(description="contact: one of yours; person: a directory person")
    id: int
    name: str
    company: str
    title: str
    status: str
    email: str
    person_id: int | None
    archived: bool
    values: dict[str, str] = Field(description="Custom property values by property id.")


def gallery_row_out(r: GalleryRow) -> GalleryRowOut:
    return GalleryRowOut(
        kind=r.kind,
        id=r.id,
        name=r.name,
        company=r.company,
        title=r.title,
        status=r.status,
        email=r.email,
        person_id=r.person_id,
        archived=r.archived,
        values={str(k): v for k, v in r.values.items()},
    )


class ColumnsIn(BaseModel):
    order: list[str] = Field(max_length=500)
    hidden: list[str] = Field(default_factory=list, max_length=500)
    sort: str = Field("name", max_length=100)
    descending: bool = False
    page_size: int = Field(50, ge=1, le=200)

    def columns(self) -> Columns:
        return Columns(
            tuple(self.order), tuple(self.hidden), self.sort, self.descending, self.page_size
        )


class ColumnsOut(ColumnsIn):
    pass


def columns_out(c: Columns) -> ColumnsOut:
    return ColumnsOut(**c.as_dict())


class PropertyIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field("text", pattern="^(text|number|date|choice)$")
    choices: list[str] = Field(default_factory=list, max_length=100)


class PropertyOut(BaseModel):
    id: int
    name: str
    kind: str
    choices: list[str]
    position: int


def property_out(p: Property) -> PropertyOut:
    return PropertyOut(
        id=p.id, name=p.name, kind=p.kind, choices=list(p.choices), position=p.position
    )


class ValueIn(BaseModel):
    value: str = Field(max_length=2000)


class ValueOut(BaseModel):
    contact_id: int
    property_id: int
    value: str


class MatchOut(BaseModel):
    id: int
    contact_id: int
    contact_name: str
    contact_company: str
    person_id: int
    person_name: str
    reason: str
    status: str


def match_out(m: PossibleMatch) -> MatchOut:
    return MatchOut(**m.__dict__)


class PublishedOut(BaseModel):
    contact_id: int
    person_id: int


class ImportOut(BaseModel):
    id: int
    status: str
    files: list[str]
    progress_done: int
    progress_total: int
    report: dict[str, Any] | None
    error: str | None
    created_at: datetime | None
    finished_at: datetime | None


def import_out(j: ImportJob) -> ImportOut:
    return ImportOut(
        id=j.id,
        status=j.status,
        files=list(j.files),
        progress_done=j.progress_done,
        progress_total=j.progress_total,
        report=j.report,
        error=j.error,
        created_at=j.created_at,
        finished_at=j.finished_at,
    )


class SharingIn(BaseModel):
    contact_sync: bool | None = None
    activity_sharing: bool | None = None


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class TokenOut(BaseModel):
    id: int
    name: str
    created_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


def token_out(t: ApiToken) -> TokenOut:
    return TokenOut(**t.__dict__)


class NewTokenOut(TokenOut):
    token: str = Field(description="Shown this once: only its hash is kept.")


class Done(BaseModel):
    ok: bool = True
