"""The introducer's answer to a sent request, and telling the requester about it.

The introducer answers in one click: "I'll introduce you" (introduced) or decline, with an
optional reason. The requester sees the answer on their My day and the request's page, and gets
a short mail when an SMTP server is configured; that mail is not stored, and a failure to send
it never undoes the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from tiegraph.connectors.smtp import send_message
from tiegraph.core.emails import email_domain
from tiegraph.errors import DeliveryError, InvalidInputError
from tiegraph.services.intros.requests import DECISIONS, IntroRequest, load_intro
from tiegraph.services.intros.smtp_settings import get_smtp
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.schema import intro_request

MAX_REASON = 500


@dataclass(frozen=True)
class Answered:
    request: IntroRequest
    told: str  # how the requester is told, in words: "by mail to … and on their My day"


def mark_intro(
    store: Store,
    org: Org,
    request_id: int,
    status: str,
    viewer: Member | None = None,
    *,
    reason: str = "",
    introducer_only: bool = False,
) -> IntroRequest:
    """Record the answer to a sent request: introduced or declined, with an optional reason to
    decline. Either side may record it, or with `introducer_only` only the introducer."""
    if status not in DECISIONS:
        raise InvalidInputError(f"a request can be marked {' or '.join(DECISIONS)}, not {status!r}")
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON:
        raise InvalidInputError(f"a reason to decline is at most {MAX_REASON} characters")
    if reason and status != "declined":
        raise InvalidInputError("only a decline takes a reason")
    with store.write() as conn:
        found = load_intro(conn, org, request_id, viewer)
        if introducer_only and viewer is not None and viewer.id != found.introducer_id:
            raise InvalidInputError(
                f"only the introducer ({found.introducer_name}) can answer request {found.id}"
            )
        if found.status != "requested":
            hint = " (send it first)" if found.status == "draft" else ""
            raise InvalidInputError(
                f"request {request_id} is {found.status}, so it cannot become {status}{hint}"
            )
        changed = conn.execute(
            intro_request.update()
            .where(
                intro_request.c.org_id == org.id,
                intro_request.c.id == request_id,
                intro_request.c.status == "requested",  # one answer, even when two race
            )
            .values(status=status, decided_at=datetime.now(UTC), decline_reason=reason)
        ).rowcount
        if not changed:
            raise InvalidInputError(f"request {request_id} was answered meanwhile")
        return load_intro(conn, org, request_id)


def answer_intro(
    store: Store,
    org: Org,
    request_id: int,
    viewer: Member | None,
    *,
    accept: bool,
    reason: str = "",
) -> Answered:
    """The introducer's answer: accept (introduced) or decline; then the requester is told."""
    status = "introduced" if accept else "declined"
    answered = mark_intro(
        store, org, request_id, status, viewer, reason=reason, introducer_only=True
    )
    return Answered(answered, tell_requester(store, org, answered))


def answer_message(request: IntroRequest, sender: str) -> EmailMessage:
    """The mail that tells the requester the introducer's answer."""
    r = request
    message = EmailMessage()
    introducer = formataddr((r.introducer_name, r.introducer_email))
    if sender:
        message["From"] = formataddr((f"{r.introducer_name} via tiegraph", sender))
        message["Reply-To"] = introducer
    else:
        message["From"] = introducer
    message["To"] = formataddr((r.requester_name, r.requester_email))
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = email_domain(sender or r.introducer_email) or "tiegraph.invalid"
    message["Message-ID"] = make_msgid(idstring=f"intro{r.id}answer", domain=domain)
    hello = f"Hi {r.requester_name.split(' ')[0]},\n\n"
    if r.status == "introduced":
        message["Subject"] = f"{r.introducer_name} will introduce you to {r.person_name}"
        text = (
            f"{r.introducer_name} said yes to your request: they will introduce you to "
            f"{r.person_name}. Watch your mailbox for their email."
        )
    else:
        message["Subject"] = f"{r.introducer_name} cannot introduce you to {r.person_name}"
        why = f" Their reason: {r.decline_reason}" if r.decline_reason else ""
        text = (
            f"{r.introducer_name} will not introduce you to {r.person_name} this time.{why} "
            f"Their page may show another colleague who can."
        )
    message.set_content(hello + text + "\n")
    return message


def tell_requester(store: Store, org: Org, request: IntroRequest) -> str:
    """Mail the requester the answer when an SMTP server is configured; say what happened."""
    settings = get_smtp(store, org)
    if settings is None:
        return "on their My day (no mail: no SMTP server is configured)"
    try:
        send_message(settings.server(), answer_message(request, settings.sender))
    except (DeliveryError, InvalidInputError) as exc:
        return f"on their My day (the mail to {request.requester_email} failed: {exc})"
    return f"by mail to {request.requester_email} and on their My day"
