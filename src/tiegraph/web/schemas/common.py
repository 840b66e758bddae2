"""The shapes every area of the API shares: a strength (score, label, certainty, typed reasons),
members, knowers, persons in short, validated emails and days, "done"."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from tiegraph.core.emails import normalize_email
from tiegraph.core.reasons import Reason
from tiegraph.core.reasons import said as reasons_in_words
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


def _an_email(value: str) -> str:
    if normalize_email(value) is None:
        raise ValueError("is not an email address (e.g. jane@example.com)")
    return value.strip()


# An email address given to the API (a query or a body): refused (422) unless it is one.
Email = Annotated[str, Field(min_length=3, max_length=320), AfterValidator(_an_email)]


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


ReasonKind = Literal[
    # a tie's score
    "email",
    "meeting",
    "call",
    "member_quiet",
    "in_contacts",
    "known_for",
    "last_contact",
    # a company connection (its kind)
    "personal",
    "employer",
    "former-employer",
    "colleague-former-employer",
    "reference-customer",
    "school",
    # a hop of an intro path (its kind), and the path's score from its hops
    "colleague",
    "tie",
    "likely",
    "path",
    # a nurture suggestion (its kind)
    "warming",
    "one_sided",
    "cooling",
    # a possible match
    "match",
]


class ReasonOut(ApiOutput):
    """One reason, as data and in words: every `reasons` of the API is a list of these."""

    kind: ReasonKind = Field(
        description="A tie's: email, meeting, call, member_quiet (the colleague's pace lowers "
        "the score), in_contacts (an explicit connection), known_for (tie age), last_contact. "
        "A company connection's kind; an intro path hop's kind (colleague, tie, likely) or "
        "path (its score from its hops); a nurture suggestion's kind (warming, one_sided, "
        "cooling); match (a possible match)."
    )
    text: str = Field(description="The reason in words.")
    count: int | None = Field(None, description="How many emails, meetings or calls.")
    direction: Literal["both", "out", "in"] | None = Field(
        None, description="Mail only: both ways, out (the member wrote) or in (the person wrote)."
    )
    since: date | None = Field(
        None,
        description="The first day `count` covers (null: all time); known_for: the first touch.",
    )
    last_at: datetime | None = Field(None, description="The latest touch of this kind.")
    share: float | None = Field(
        None,
        description="member_quiet: the colleague's recent pace over their usual (and colleagues').",
    )
    seconds: int | None = Field(None, description="Calls: their total length.")
    one_on_one: int | None = Field(None, description="Meetings: how many were 1:1.")
    points: int | None = Field(None, description="member_quiet: what the pace takes off the score.")


def reasons_out(items: tuple[Reason, ...]) -> list[ReasonOut]:
    """A tie's reasons, typed, most telling first."""
    return [ReasonOut(**r.as_dict()) for r in items]


def said(kind: str, text: str) -> list[ReasonOut]:
    """A reason known only in words (a connection's, a hop's, a suggestion's): one item."""
    return [ReasonOut.model_validate(r) for r in reasons_in_words(kind, text)]


Certainty = Literal["measured", "inferred"]
CERTAINTY = (
    "measured: a tie scored from real contact (mail, meetings, calls, address books); "
    "inferred: a likely link guessed from shared employers, schools or customers, never certain"
)
SCORE = "The strength 0-100: a measured tie's score, an inferred link's likelihood in %."
LABEL = "strong, good or weak for a measured tie; likely or inferred for an inferred link"


class StrengthOut(ApiOutput):
    """How strong a link is, in the same four fields wherever one is shown."""

    score: int = Field(description=SCORE)
    label: str = Field(description=LABEL)
    certainty: Certainty = Field(description=CERTAINTY)
    reasons: list[ReasonOut] = Field(description="Why, most telling first.")


class KnowerOut(StrengthOut):
    """A colleague who knows the person, and how well."""

    member_email: str
    member_name: str


def knower_out(k: Knower) -> KnowerOut:
    return KnowerOut(
        member_email=k.member_email,
        member_name=k.member_name,
        score=k.score,
        label=k.label,
        certainty="measured",
        reasons=reasons_out(k.reason_items),
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
