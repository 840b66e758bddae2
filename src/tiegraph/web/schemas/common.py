"""The shapes every area of the API shares: members, knowers, persons in short, "done"."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from tiegraph.core.reasons import Reason
from tiegraph.services.directory.profiles import PersonSummary
from tiegraph.services.insights.who_knows import Knower
from tiegraph.services.org.members import Member


class ApiInput(BaseModel):
    """A request body. A field it does not know is refused (422), not ignored: a misspelt name
    would otherwise change nothing and say nothing. No text in it may hold a NUL character:
    PostgreSQL refuses one in text and SQLite cuts strings at it, so it is refused here (422)
    rather than failing a write."""

    model_config = ConfigDict(extra="forbid")

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


class ApiOutput(BaseModel):
    """An answer's shape. Every moment in it is in UTC with its offset: SQLite hands stored
    datetimes back without their zone (all are stored in UTC), PostgreSQL in the session's."""

    @field_validator("*", mode="after")
    @classmethod
    def _in_utc(cls, value: Any) -> Any:
        return _utc(value)


def _utc(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, list):
        return [_utc(v) for v in value]
    return value


EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _iso_day(value: Any) -> Any:
    # Pydantic would read "0" or 1700000000 as seconds since 1970: a day is written YYYY-MM-DD.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError("a day is written YYYY-MM-DD, e.g. 2025-03-31")
    if not isinstance(value, str | date) or isinstance(value, datetime):
        raise ValueError("a day is written YYYY-MM-DD, e.g. 2025-03-31")
    return value.strip() if isinstance(value, str) else value


def _in_range(day: date) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"the day must be between {EARLIEST_DAY} and {LATEST_DAY}")
    return day


# A day given to the API (a query or a body): ISO 8601 only, between 1900 and 2999.
IsoDay = Annotated[date, BeforeValidator(_iso_day), AfterValidator(_in_range)]


class MemberOut(ApiOutput):
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


class ReasonItemOut(ApiOutput):
    """One reason behind a tie's score as data; `text` is the sentence of `reasons`."""

    kind: Literal[
        "email", "meeting", "call", "member_quiet", "in_contacts", "known_for", "last_contact"
    ] = Field(
        description="email, meeting, call; member_quiet (the colleague's pace lowers the score), "
        "in_contacts (an explicit connection), known_for (tie age), last_contact"
    )
    text: str = Field(description="The reason in words, as in `reasons`.")
    count: int | None = Field(description="How many emails, meetings or calls.")
    direction: Literal["both", "out", "in"] | None = Field(
        description="Mail only: both ways, out (the member wrote) or in (the person wrote)."
    )
    since: date | None = Field(
        description="The first day `count` covers (null: all time); known_for: the first touch."
    )
    last_at: datetime | None = Field(description="The latest touch of this kind.")
    share: float | None = Field(
        description="member_quiet: the colleague's recent pace over their usual (and colleagues')."
    )
    seconds: int | None = Field(description="Calls: their total length.")
    one_on_one: int | None = Field(description="Meetings: how many were 1:1.")
    points: int | None = Field(description="member_quiet: what the pace takes off the score.")


def reason_items_out(items: tuple[Reason, ...]) -> list[ReasonItemOut]:
    return [ReasonItemOut(**r.as_dict()) for r in items]


def reason_items_field() -> Any:
    """`reason_items` of every shape with `reasons` (a field of its own per model)."""
    return Field(description="The reasons as data, in the order of `reasons`.")


class KnowerOut(ApiOutput):
    member_email: str
    member_name: str
    score: int
    label: str
    reasons: list[str]
    reason_items: list[ReasonItemOut] = reason_items_field()


def knower_out(k: Knower) -> KnowerOut:
    return KnowerOut(
        member_email=k.member_email,
        member_name=k.member_name,
        score=k.score,
        label=k.label,
        reasons=list(k.reasons),
        reason_items=reason_items_out(k.reason_items),
    )


class PersonSummaryOut(ApiOutput):
    id: int
    name: str
    title: str
    company_id: int | None
    company: str
    email: str
    archived: bool


def person_summary_out(p: PersonSummary) -> PersonSummaryOut:
    return PersonSummaryOut(**p.__dict__)


class Done(ApiOutput):
    ok: bool = True
