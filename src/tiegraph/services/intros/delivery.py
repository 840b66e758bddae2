"""An intro request as a mail: its message, and handing it to the member's client (sending it
through the organization's SMTP server is a job: services/intros/sending.py)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path
from urllib.parse import quote

from tiegraph.core.emails import email_domain
from tiegraph.errors import InvalidInputError
from tiegraph.services.intros.requests import IntroRequest, claim_for_sending
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store


@dataclass(frozen=True)
class Sent:
    request: IntroRequest
    message_id: str = ""
    eml_path: str = ""
    mailto: str = ""


def build_message(
    request: IntroRequest, *, sender: str = "", for_client: bool = False, message_id: str = ""
) -> EmailMessage:
    """The request as an email: to the introducer, the requester in copy (or as the sender).

    With a configured `sender` the message comes from it, in the requester's name, with the
    requester as Reply-To, so that replies reach the requester. `for_client` makes a draft a
    mail client opens for editing (Outlook reads X-Unsent). `message_id`: the one chosen when
    the sending was queued (services/intros/sending.py), else a new one.
    """
    message = EmailMessage()
    requester = formataddr((request.requester_name, request.requester_email))
    if sender and not for_client:
        message["From"] = formataddr((f"{request.requester_name} via tiegraph", sender))
        message["Reply-To"] = requester
    else:
        message["From"] = requester
    message["To"] = formataddr((request.introducer_name, request.introducer_email))
    if not for_client:
        message["Cc"] = requester
    message["Subject"] = request.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id or new_message_id(request, sender)
    if for_client:
        message["X-Unsent"] = "1"
    message.set_content(request.body)
    return message


def new_message_id(request: IntroRequest, sender: str = "") -> str:
    domain = email_domain(sender or request.requester_email) or "tiegraph.invalid"
    return make_msgid(idstring=f"intro{request.id}", domain=domain)


def mailto_link(request: IntroRequest) -> str:
    """An RFC 6068 `mailto:` URI: to the introducer, with subject and body, line breaks CRLF."""
    body = request.body.replace("\r\n", "\n").replace("\n", "\r\n")
    return (
        f"mailto:{quote(request.introducer_email, safe='@')}"
        f"?subject={quote(request.subject, safe='')}&body={quote(body, safe='')}"
    )


def send_by_client(
    store: Store,
    org: Org,
    request_id: int,
    viewer: Member | None = None,
    *,
    eml_path: Path | None = None,
) -> Sent:
    """Hand a draft to the member's mail client: a `mailto:` link, and an `.eml` unless no path.

    tiegraph cannot see the member press Send: the request stays a draft until they confirm
    they sent it (requests.confirm_sent).
    """
    request = claim_for_sending(store, org, request_id, viewer)
    written = ""
    if eml_path is not None:
        message = build_message(request, for_client=True)
        try:
            eml_path.write_bytes(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
        except OSError as exc:
            raise InvalidInputError(f"cannot write {eml_path}: {exc.strerror or exc}") from None
        written = str(eml_path)
    return Sent(request, eml_path=written, mailto=mailto_link(request))
