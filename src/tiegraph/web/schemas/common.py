"""The shapes every area of the API shares: members, knowers, persons in short, "done"."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, field_validator

from tiegraph.services.directory.profiles import PersonSummary
from tiegraph.services.insights.who_knows import Knower
from tiegraph.services.org.members import Member


class ApiInput(BaseModel):
    """A request body. No text in it may hold a NUL character: PostgreSQL refuses one in text
    and SQLite cuts strings at it, so it is refused here (422) rather than failing a write."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _holds_nul(value):
            raise ValueError("holds a NUL character (0x00)")
        return value


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set):
        return any(_holds_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    return False


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


class Done(BaseModel):
    ok: bool = True
