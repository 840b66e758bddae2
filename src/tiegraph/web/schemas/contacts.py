"""The API's shapes for members' contacts: the gallery, custom properties, matches, imports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from tiegraph.services.contacts.gallery import Columns, GalleryRow
from tiegraph.services.contacts.jobs import ImportJob
from tiegraph.services.contacts.matches import PossibleMatch
from tiegraph.services.contacts.network import ContactSummary
from tiegraph.services.contacts.properties import Property
from tiegraph.web.schemas.common import ApiInput, ApiOutput, Certainty, ReasonOut, said


class ContactOut(ApiOutput):
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


class GalleryRowOut(ApiOutput):
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
    member_email: str | None = Field(
        description="The strongest colleague you may see who knows them (null: nobody)."
    )
    member_name: str | None
    score: int | None = Field(description="That colleague's tie: the shown score, 0-100.")
    label: str | None = Field(description="strong, good or weak")
    certainty: Certainty | None = Field(
        description="measured (that colleague's tie is scored from real contact), or null"
    )
    last_at: datetime | None = Field(description="The last contact of any colleague you see.")
    knower_count: int = Field(description="How many colleagues you may see know them.")


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
        member_email=r.ties.colleague_email,
        member_name=r.ties.colleague_name,
        score=r.ties.score,
        label=r.ties.label,
        certainty="measured" if r.ties.colleague_email else None,
        last_at=r.ties.last_contact,
        knower_count=r.ties.knowers,
    )


class ColumnsIn(ApiInput):
    order: list[str] = Field(max_length=500)
    hidden: list[str] = Field(default_factory=list, max_length=500)
    sort: str = Field("name", max_length=100)
    descending: bool = False
    page_size: int = Field(50, ge=1, le=200)

    def columns(self) -> Columns:
        return Columns(
            tuple(self.order), tuple(self.hidden), self.sort, self.descending, self.page_size
        )


class ColumnsOut(ApiOutput):
    order: list[str]
    hidden: list[str]
    sort: str
    descending: bool


def columns_out(c: Columns) -> ColumnsOut:
    return ColumnsOut(**c.as_dict())


class PropertyIn(ApiInput):
    name: str = Field(min_length=1, max_length=100)
    kind: str = Field("text", pattern="^(text|number|date|choice)$")
    choices: list[str] = Field(default_factory=list, max_length=100)


class PropertyOut(ApiOutput):
    id: int
    name: str
    kind: str
    choices: list[str]
    position: int


def property_out(p: Property) -> PropertyOut:
    return PropertyOut(
        id=p.id, name=p.name, kind=p.kind, choices=list(p.choices), position=p.position
    )


class ValueIn(ApiInput):
    value: str = Field(max_length=2000)


class ValueOut(ApiOutput):
    contact_id: int
    property_id: int
    value: str


class MatchOut(ApiOutput):
    id: int
    contact_id: int
    contact_name: str
    contact_company: str
    person_id: int
    person_name: str
    reasons: list[ReasonOut] = Field(description="Why they may be the same person.")
    status: str


def match_out(m: PossibleMatch) -> MatchOut:
    fields = {k: v for k, v in m.__dict__.items() if k != "reason"}
    return MatchOut(**fields, reasons=said("match", m.reason))


class PublishedOut(ApiOutput):
    contact_id: int
    person_id: int


class ImportOut(ApiOutput):
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
