"""The API's shapes for directory persons and accounts: profiles, jobs, schools, sources."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from tiegraph.services.directory.profiles import Account, PersonProfile
from tiegraph.web.schemas.common import ApiInput, ApiOutput, Certainty, PersonSummaryOut


class JobOut(ApiOutput):
    company_id: int
    company: str
    title: str
    start: date | None
    end: date | None


class SchoolOut(ApiOutput):
    school: str
    degree: str
    start: date | None
    end: date | None


class SourceOut(ApiOutput):
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


class CoverageOut(ApiOutput):
    """How well colleagues you may see cover the account, and its best connector."""

    people_strong: int = Field(description="Its people a colleague has a strong tie to.")
    people_known: int = Field(description="Its people a colleague knows at all.")
    member_email: str | None = Field(
        description="The best connector: the colleague with the strongest tie there."
    )
    member_name: str | None
    score: int | None = Field(description="The best connector's tie: the shown score, 0-100.")
    label: str | None = Field(description="strong, good or weak")
    certainty: Certainty | None = Field(
        description="measured (the connector's tie is scored from real contact), or null"
    )


class AccountOut(ApiOutput):
    id: int
    name: str
    size: int | None
    industry: str
    domains: list[str]
    is_target: bool
    is_reference_customer: bool
    people: int
    origin: str = Field(
        description="directory (stated by a directory import) or correspondence (made from "
        "correspondents' mail domain)"
    )
    coverage: CoverageOut


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
        origin="correspondence" if a.inferred else "directory",
        coverage=CoverageOut(
            people_strong=a.coverage.strong,
            people_known=a.coverage.known,
            member_email=a.coverage.member_email,
            member_name=a.coverage.member_name,
            score=a.coverage.score,
            label=a.coverage.label,
            certainty="measured" if a.coverage.member_email else None,
        ),
    )


class AccountFlags(ApiInput):
    is_target: bool | None = None
    is_reference_customer: bool | None = None
