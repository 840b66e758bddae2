"""The API's shapes for intro requests and their settings (template, SMTP)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from tiegraph.services.intros.requests import IntroRequest
from tiegraph.services.intros.smtp_settings import SmtpSettings
from tiegraph.services.intros.template import MAX_BODY, MAX_SUBJECT, PLACEHOLDERS, IntroTemplate
from tiegraph.web.schemas.common import ApiInput, ApiOutput, Email


class IntroIn(ApiInput):
    person_email: Email = Field(description="A directory person.")
    introducer_email: Email = Field(description="A colleague.")
    note: str = Field("", max_length=4000, description="Your own words, for {note}.")
    subject: str | None = Field(
        None, max_length=MAX_SUBJECT, description="Instead of the template's."
    )
    body: str | None = Field(None, max_length=MAX_BODY, description="Instead of the template's.")


class IntroEditIn(ApiInput):
    subject: str | None = Field(None, max_length=MAX_SUBJECT)
    body: str | None = Field(None, max_length=MAX_BODY)


class SendIn(ApiInput):
    delivery: str = Field(
        pattern="^(smtp|client)$",
        description="smtp: through the organization's server; client: a mailto: link (and "
        "GET /intros/ID/eml) for your own mail client.",
    )


class MarkIn(ApiInput):
    status: str = Field(pattern="^(introduced|declined)$")


class IntroOut(ApiOutput):
    id: int
    status: str = Field(description="draft, requested, introduced or declined")
    requester_email: str
    requester_name: str
    introducer_email: str
    introducer_name: str
    person_email: str
    person_name: str
    person_title: str
    company: str = Field(description="The person's company.")
    subject: str
    body: str
    delivery: str | None = Field(description="smtp, eml or mailto, once requested")
    created_at: datetime
    sent_at: datetime | None
    decided_at: datetime | None


def intro_out(r: IntroRequest) -> IntroOut:
    skipped = ("requester_id", "introducer_id", "person_company")
    fields = {k: v for k, v in r.__dict__.items() if k not in skipped}
    return IntroOut(**fields, company=r.person_company)


class SentOut(ApiOutput):
    intro: IntroOut
    message_id: str = Field(description="The Message-ID, when sent by SMTP.")
    mailto: str = Field(description="The mailto: link, when handed to the mail client.")


class TemplateIn(ApiInput):
    subject: str | None = Field(None, max_length=MAX_SUBJECT)
    body: str | None = Field(None, max_length=MAX_BODY)
    reset: bool = Field(False, description="Back to the default template.")


class TemplateOut(ApiOutput):
    subject: str
    body: str
    default: bool
    placeholders: dict[str, str]


def template_out(t: IntroTemplate) -> TemplateOut:
    return TemplateOut(
        subject=t.subject, body=t.body, default=t.is_default, placeholders=dict(PLACEHOLDERS)
    )


class SmtpIn(ApiInput):
    host: str = Field(min_length=1, max_length=253)
    port: int | None = Field(None, ge=1, le=65535, description="Default: by security.")
    security: str = Field("starttls", pattern="^(starttls|ssl|none)$")
    username: str = Field("", max_length=320)
    password_env: str = Field(
        "", max_length=100, description="The environment variable holding the password."
    )
    sender: str = Field("", max_length=320, description="From: address; you are Reply-To.")
    timeout: float = Field(30.0, gt=0, le=600)


class SmtpOut(ApiOutput):
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
