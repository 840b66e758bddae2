"""The API's shapes for intro requests and their settings (template, SMTP)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from tiegraph.services.intros.requests import IntroRequest
from tiegraph.services.intros.smtp_settings import SmtpSettings
from tiegraph.services.intros.template import (
    MAX_BODY,
    MAX_NOTE,
    MAX_SUBJECT,
    PLACEHOLDERS,
    IntroTemplate,
)
from tiegraph.web.schemas.common import ApiInput, ApiOutput, Email


class IntroIn(ApiInput):
    person_email: Email = Field(description="A directory person.")
    introducer_email: Email = Field(description="A colleague.")
    note: str = Field("", max_length=MAX_NOTE, description="Your own words, for {note}.")
    subject: str | None = Field(
        None, max_length=MAX_SUBJECT, description="Instead of the template's."
    )
    body: str | None = Field(None, max_length=MAX_BODY, description="Instead of the template's.")


class IntroEditIn(ApiInput):
    subject: str | None = Field(None, max_length=MAX_SUBJECT)
    body: str | None = Field(None, max_length=MAX_BODY)
    note: str | None = Field(
        None, max_length=MAX_NOTE, description="Your own words: replaces the note in the body."
    )


class SendIn(ApiInput):
    delivery: str = Field(
        pattern="^(smtp|client)$",
        description="smtp: through the organization's server, by a job (sending at once, "
        "requested once the server took the mail); client: a mailto: link (and "
        "GET /intros/ID/eml) for your own mail client, still a draft until "
        "POST /intros/ID/confirm.",
    )


class MarkIn(ApiInput):
    status: str = Field(pattern="^(introduced|declined)$")


class DeclineIn(ApiInput):
    note: str = Field("", max_length=500, description="Why not, for the requester (optional).")


class IntroOut(ApiOutput):
    id: int
    status: str = Field(
        description="draft, sending (a job sends it by SMTP), requested, introduced or declined"
    )
    requester_email: str
    requester_name: str
    introducer_email: str
    introducer_name: str
    person_email: str
    person_name: str
    person_title: str
    company: str = Field(description="The person's company.")
    subject: str = Field(
        description="The draft's subject; empty once sent (it is then in the "
        "mailboxes, not in tiegraph)."
    )
    body: str = Field(description="The draft's text, the note included; empty once sent.")
    note: str = Field(description="Your own words, a paragraph of the body; empty once sent.")
    why_this_colleague: str = Field(
        description="Why this colleague can introduce you, in one plain line, for the requester."
    )
    decline_note: str = Field(description="The introducer's words on declining, if any.")
    delivery: str | None = Field(
        description="smtp (the server took it) or client (you said you sent it), once requested; "
        "eml or mailto on requests sent before these two existed"
    )
    created_at: datetime
    sent_at: datetime | None
    decided_at: datetime | None
    sending_error: str = Field(
        description="On a draft: why its last send by SMTP did not go through (empty if none)."
    )


def intro_out(r: IntroRequest) -> IntroOut:
    skipped = ("requester_id", "introducer_id", "person_company", "decline_reason")
    fields = {k: v for k, v in r.__dict__.items() if k not in skipped}
    return IntroOut(**fields, company=r.person_company, decline_note=r.decline_reason)


class AnsweredOut(ApiOutput):
    intro: IntroOut
    requester_told: str = Field(
        description="How the requester is told, in words: by mail (when an SMTP server is "
        "configured) and on their My day."
    )


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
