"""The API's shapes for intro requests, their settings (template, SMTP) and lists."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from tiegraph.services.account_knowers import AccountKnower
from tiegraph.services.intro import IntroRequest
from tiegraph.services.intro_template import MAX_BODY, MAX_SUBJECT, PLACEHOLDERS, IntroTemplate
from tiegraph.services.lists import AddReport, ListRow, PersonList
from tiegraph.services.smtp_settings import SmtpSettings
from tiegraph.web.schemas import KnowerOut, knower_out


class IntroIn(BaseModel):
    person_email: str = Field(min_length=3, max_length=320, description="A directory person.")
    introducer_email: str = Field(min_length=3, max_length=320, description="A colleague.")
    note: str = Field("", max_length=4000, description="Your own words, for {note}.")
    subject: str | None = Field(
        None, max_length=MAX_SUBJECT, description="Instead of the template's."
    )
    body: str | None = Field(None, max_length=MAX_BODY, description="Instead of the template's.")


class IntroEditIn(BaseModel):
    subject: str | None = Field(None, max_length=MAX_SUBJECT)
    body: str | None = Field(None, max_length=MAX_BODY)


class SendIn(BaseModel):
    via: str = Field(
        pattern="^(smtp|client)$",
        description="smtp: through the organization's server; client: a mailto: link (and "
        "GET /intros/ID/eml) for your own mail client.",
    )


class MarkIn(BaseModel):
    status: str = Field(pattern="^(introduced|declined)$")


class IntroOut(BaseModel):
    id: int
    status: str = Field(description="draft, requested, introduced or declined")
    requester_email: str
    requester_name: str
    introducer_email: str
    introducer_name: str
    person_email: str
    person_name: str
    person_title: str
    person_company: str
    subject: str
    body: str
    delivery: str | None = Field(description="smtp, eml or mailto, once requested")
    created_at: datetime
    sent_at: datetime | None
    decided_at: datetime | None


def intro_out(r: IntroRequest) -> IntroOut:
    fields = {k: v for k, v in r.__dict__.items() if k not in ("requester_id", "introducer_id")}
    return IntroOut(**fields)


class SentOut(BaseModel):
    intro: IntroOut
    message_id: str = Field(description="The Message-ID, when sent by SMTP.")
    mailto: str = Field(description="The mailto: link, when handed to the mail client.")


class TemplateIn(BaseModel):
    subject: str | None = Field(None, max_length=MAX_SUBJECT)
    body: str | None = Field(None, max_length=MAX_BODY)
    reset: bool = Field(False, description="Back to the default template.")


class TemplateOut(BaseModel):
    subject: str
    body: str
    default: bool
    placeholders: dict[str, str]


def template_out(t: IntroTemplate) -> TemplateOut:
    return TemplateOut(
        subject=t.subject, body=t.body, default=t.is_default, placeholders=dict(PLACEHOLDERS)
    )


class SmtpIn(BaseModel):
    host: str = Field(min_length=1, max_length=253)
    port: int | None = Field(None, ge=1, le=65535, description="Default: by security.")
    security: str = Field("starttls", pattern="^(starttls|ssl|none)$")
    username: str = Field("", max_length=320)
    password_env: str = Field(
        "", max_length=100, description="The environment variable holding the password."
    )
    sender: str = Field("", max_length=320, description="From: address; you are Reply-To.")
    timeout: float = Field(30.0, gt=0, le=600)


class SmtpOut(BaseModel):
    configured: bool
    host: str = ""
    port: int | None = None
    security: str = ""
    username: str = ""
    password_env: str = ""
    password_set: bool = Field(False, description="Whether that variable is set on the server.")
    sender: str = ""
    timeout: float | None = None


def smtp_out(s: SmtpSettings | None) -> SmtpOut:
    if s is None:
        return SmtpOut(configured=False, password_set=False)
    return SmtpOut(
        configured=True,
        host=s.host,
        port=s.port,
        security=s.security,
        username=s.username,
        password_env=s.password_env,
        password_set=bool(s.as_dict()["password_set"]),
        sender=s.sender,
        timeout=s.timeout,
    )


class ListIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field("leads", pattern="^(leads|opportunities|deals)$")


class ListOut(BaseModel):
    id: int
    name: str
    kind: str
    owner_email: str
    owner_name: str
    items: int
    created_at: datetime
    archived_at: datetime | None


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite hands datetimes back without their zone; everything is stored in UTC.
    return moment.replace(tzinfo=UTC) if moment and not moment.tzinfo else moment


def list_out(x: PersonList) -> ListOut:
    return ListOut(
        **(x.__dict__ | {"created_at": _utc(x.created_at), "archived_at": _utc(x.archived_at)})
    )


class ListItemsIn(BaseModel):
    emails: list[str] = Field(default_factory=list, max_length=500, description="Persons.")
    accounts: list[str] = Field(
        default_factory=list, max_length=500, description="Companies by name or domain."
    )
    account_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(
        default_factory=list, max_length=500, description="Companies by id."
    )


class AddedOut(BaseModel):
    added: list[str]
    already: list[str]


def added_out(r: AddReport) -> AddedOut:
    return AddedOut(added=list(r.added), already=list(r.already))


class AccountKnowerOut(BaseModel):
    member_email: str
    member_name: str
    score: int
    label: str
    people: int = Field(description="How many of the account's people the member knows.")
    best_person: str
    reasons: list[str]


def account_knower_out(k: AccountKnower) -> AccountKnowerOut:
    return AccountKnowerOut(
        member_email=k.member_email,
        member_name=k.member_name,
        score=k.score,
        label=k.label,
        people=k.people,
        best_person=k.best_person,
        reasons=list(k.reasons),
    )


class ListRowOut(BaseModel):
    type: str = Field(description="person or account")
    name: str
    email: str
    title: str
    company: str
    domains: list[str]
    knowers: list[KnowerOut] = Field(description="A person's who-knows tile.")
    account_knowers: list[AccountKnowerOut] = Field(description="An account's closest members.")


def list_row_out(r: ListRow) -> ListRowOut:
    return ListRowOut(
        type=r.type,
        name=r.name,
        email=r.email,
        title=r.title,
        company=r.company,
        domains=list(r.domains),
        knowers=[knower_out(k) for k in r.knowers],
        account_knowers=[account_knower_out(k) for k in r.account_knowers],
    )
