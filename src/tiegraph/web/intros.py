"""What the intro pages and the intro endpoints share: sending, the .eml download, SMTP settings."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import Response

from tiegraph.services.intros import delivery as intro_delivery
from tiegraph.services.intros import requests as intro
from tiegraph.services.intros import sending, smtp_settings
from tiegraph.services.intros.requests import IntroRequest
from tiegraph.services.intros.smtp_settings import SmtpSettings
from tiegraph.services.jobs.queue import uses_queue
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.web.security import Viewer, store_of

EML = "message/rfc822"
log = logging.getLogger(__name__)


def eml_response(store: Store, viewer: Viewer, intro_id: int) -> Response:
    """The request as an .eml draft a mail client opens (From the requester, marked unsent)."""
    found = intro.get_intro(store, viewer.org, intro_id, viewer.member)
    message = intro_delivery.build_message(found, for_client=True)
    body = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    disposition = f'attachment; filename="intro-{found.id}.eml"'
    return Response(body, media_type=EML, headers={"Content-Disposition": disposition})


def start_sending(request: Request, viewer: Viewer, intro_id: int) -> tuple[IntroRequest, str]:
    """Send the draft by SMTP as a job: on the queue for a worker (PostgreSQL), or in this
    process's background thread (SQLite). The request, now `sending`, and its Message-ID; its
    page shows the outcome once the job has it."""
    store = store_of(request)
    on_queue = uses_queue(store)
    found, message_id = sending.queue_smtp(
        store, viewer.org, intro_id, viewer.member, on_queue=on_queue
    )
    if not on_queue:
        request.app.state.deliveries.submit(_deliver, store, viewer.org, intro_id)
    return found, message_id


def _deliver(store: Store, org: Org, intro_id: int) -> None:
    try:
        sending.deliver(store, org, intro_id)
    except Exception:  # the request stays `sending`: recovered at the next start
        log.exception("sending intro request %s stopped", intro_id)


def save_smtp(
    store: Store,
    viewer: Viewer,
    *,
    host: str,
    port: int | None,
    security: str,
    username: str,
    password_env: str,
    sender: str,
    timeout: float,
) -> SmtpSettings:
    """Check and store the SMTP server; a CA file set from the CLI is kept (the web app never
    names files on the server)."""
    current = smtp_settings.get_smtp(store, viewer.org)
    checked = smtp_settings.checked_settings(
        host=host,
        port=port,
        security=security,
        username=username,
        password_env=password_env.strip(),
        sender=sender,
        timeout=timeout,
        ca_file=current.ca_file if current else "",
    )
    return smtp_settings.set_smtp(store, viewer.org, checked)


def open_requests(
    store: Store, viewer: Viewer, mine: list[IntroRequest] | None = None
) -> dict[tuple[str, str], IntroRequest]:
    """The viewer's own standing requests (open, or introduced) by (introducer email, person
    email): each replaces the "Get introduced" button of the same introducer and person.
    `mine`: the viewer's requests, when the page has read them already."""
    if mine is None:
        mine = intro.list_intros(store, viewer.org, viewer.member)
    return {
        (r.introducer_email, r.person_email): r
        for r in reversed(mine)
        if r.requester_id == viewer.member.id and r.status in intro.STANDING
    }
