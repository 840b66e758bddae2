"""Sending an intro request through the organization's SMTP server, as a job that sends once.

The request and its delivery row (intro_delivery, one per request: the job's unique key) move
together:

    request  draft ─send─▶ sending ──────────────▶ requested      (the server took the mail)
    delivery       queued ─▶ sending ─accepted─┘
                                     ├─ failed  ─▶ draft again, the error kept for the page
                                     └─ unknown ─▶ draft again, "check your copy"

`queue_smtp` changes the request and writes the row in one transaction, with the job itself on
PostgreSQL (`enqueue_in`): the job exists exactly when the request is `sending`. `deliver` is
the job: it commits `sending` before it talks to the server and `accepted` (with the request
`requested`) after the server took the mail. A rerun (a duplicate, or the retry of a worker
that died) reads the row first: `accepted`, `failed` or `unknown` end it at once; `sending`
means an earlier run died between those two commits, when no one can know whether the server
took the mail — it is never sent again; the request becomes a draft again saying so (the
requester is in copy of the mail, so their mailbox tells), to confirm or send anew.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy import Connection, Update, select, update

from tiegraph.connectors.smtp import send_message
from tiegraph.errors import InvalidInputError, TiegraphError
from tiegraph.services.intros.delivery import build_message, new_message_id
from tiegraph.services.intros.requests import (
    IntroRequest,
    claim_for_sending,
    load_intro,
    mark_requested,
)
from tiegraph.services.intros.smtp_settings import get_smtp
from tiegraph.services.jobs.queue import enqueue_in
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.bulk import dialect_insert
from tiegraph.store.failover import run_again_when_lost
from tiegraph.store.schema import intro_delivery, intro_request

log = logging.getLogger(__name__)
SEND_TASK = "send_intro"
QUEUED, SENDING, ACCEPTED, FAILED, UNKNOWN = "queued", "sending", "accepted", "failed", "unknown"
ENDED = (ACCEPTED, FAILED, UNKNOWN)
# A delivery still queued or sending after this long was left by a process that stopped (the
# SMTP timeouts are far shorter): recover_deliveries ends it.
STUCK_AFTER = timedelta(minutes=10)
UNKNOWN_WHY = (
    "sending stopped midway: the server may or may not have taken the mail. You are in copy: "
    "if it is in your mailbox, mark the request as sent from your client; if not, send it again"
)
NOT_TAKEN = "not sent: it was still waiting when its server or worker stopped; send it again"
NO_SMTP = (
    "no SMTP server is configured: an admin can set one in the settings; meanwhile, "
    "send the request from your own mail client"
)


def queue_smtp(
    store: Store, org: Org, request_id: int, viewer: Member | None, *, on_queue: bool
) -> tuple[IntroRequest, str]:
    """Mark the draft `sending` and its delivery queued, in one transaction that also puts the
    job on the queue when `on_queue` (PostgreSQL); else the caller runs `deliver` in-process.
    The request (now sending) and the Message-ID its mail will carry."""
    found = claim_for_sending(store, org, request_id, viewer)
    settings = get_smtp(store, org)
    if settings is None:
        raise InvalidInputError(NO_SMTP)
    message_id = new_message_id(found, settings.sender)
    with store.write() as conn:
        moved = conn.execute(
            update(intro_request)
            .where(
                intro_request.c.org_id == org.id,
                intro_request.c.id == request_id,
                intro_request.c.status == "draft",
            )
            .values(status=SENDING)
        ).rowcount
        if not moved:
            raise InvalidInputError(f"request {request_id} is no longer a draft")
        row = {"state": QUEUED, "message_id": message_id, "error": None}
        stmt = dialect_insert(conn, intro_delivery).values(
            org_id=org.id, request_id=request_id, queued_at=datetime.now(UTC), **row
        )
        conn.execute(
            stmt.on_conflict_do_update(  # a send after a failed one: queued afresh
                index_elements=["org_id", "request_id"],
                set_={**row, "queued_at": stmt.excluded.queued_at},
            )
        )
        if on_queue:
            enqueue_in(
                conn,
                SEND_TASK,
                queueing_lock=f"{SEND_TASK}:{org.id}:{request_id}",
                org_id=org.id,
                request_id=request_id,
            )
        return load_intro(conn, org, request_id), message_id


def deliver(store: Store, org: Org, request_id: int) -> str:
    """The job: send the queued request once; the delivery's state when it ends.

    Each step's transaction is run again when its connection is lost (a failover) or the store
    is busy: the claim run again after a lost commit finds its own claim and sends (another
    run's `sending` ends unknown, never sending); the record after the server took the mail is
    idempotent, so the request ends `requested` rather than unknown when the store comes back
    within the step's runs."""
    claimed = run_again_when_lost(partial(_claim, store, org, request_id, datetime.now(UTC)))
    if isinstance(claimed, str):
        return claimed
    request, message_id = claimed
    try:
        settings = run_again_when_lost(partial(get_smtp, store, org))
        if settings is None:
            raise InvalidInputError(NO_SMTP)
        message = build_message(request, sender=settings.sender, message_id=message_id)
        send_message(settings.server(), message)
    except TiegraphError as exc:  # nothing left: the request is a draft again, saying why
        return run_again_when_lost(partial(_end, store, org.id, request_id, FAILED, str(exc)))
    return run_again_when_lost(partial(_accepted, store, org, request_id))


def _claim(
    store: Store, org: Org, request_id: int, moment: datetime
) -> tuple[IntroRequest, str] | str:
    """Mark the queued delivery `sending` at `moment` (committed before the server is reached):
    the request and its Message-ID; or the state the delivery ended in, when there is nothing
    to send. A claim run again after its commit was lost finds its own `moment`: committed,
    and the server not reached yet."""
    with store.write() as conn:
        row = conn.execute(
            select(intro_delivery)
            .where(intro_delivery.c.org_id == org.id, intro_delivery.c.request_id == request_id)
            .with_for_update()
        ).first()
        if row is None or row.state in ENDED:
            return str(row.state) if row is not None else ""
        if row.state == SENDING and _utc(row.attempted_at) == moment:
            return load_intro(conn, org, request_id), str(row.message_id)
        if row.state == SENDING:
            log.warning("intro request %s: an earlier send stopped midway; not resent", request_id)
            return _ended(conn, org.id, request_id, UNKNOWN, UNKNOWN_WHY)
        conn.execute(
            _delivery(org.id, request_id).values(
                state=SENDING,
                attempts=intro_delivery.c.attempts + 1,
                attempted_at=moment,
            )
        )
        return load_intro(conn, org, request_id), str(row.message_id)


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite hands datetimes back without their zone; every one is stored in UTC.
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _accepted(store: Store, org: Org, request_id: int) -> str:
    """The server took the mail: the delivery accepted, the request requested (idempotent)."""
    with store.write() as conn:
        conn.execute(
            _delivery(org.id, request_id).values(
                state=ACCEPTED, error=None, accepted_at=datetime.now(UTC)
            )
        )
        mark_requested(conn, org, request_id, "smtp", was=SENDING)
    return ACCEPTED


def _end(store: Store, org_id: int, request_id: int, state: str, error: str) -> str:
    with store.write() as conn:
        return _ended(conn, org_id, request_id, state, error)


def _delivery(org_id: int, request_id: int) -> Update:
    return update(intro_delivery).where(
        intro_delivery.c.org_id == org_id, intro_delivery.c.request_id == request_id
    )


def _ended(conn: Connection, org_id: int, request_id: int, state: str, error: str) -> str:
    conn.execute(_delivery(org_id, request_id).values(state=state, error=error[:2000]))
    conn.execute(
        update(intro_request)
        .where(
            intro_request.c.org_id == org_id,
            intro_request.c.id == request_id,
            intro_request.c.status == SENDING,
        )
        .values(status="draft")
    )
    return state


def send_by_smtp(
    store: Store, org: Org, request_id: int, viewer: Member | None = None
) -> tuple[IntroRequest, str]:
    """Send now, in this process (the CLI, or a web app on SQLite), and wait for the outcome:
    the request (requested) and its Message-ID; a failure raises, the request a draft again."""
    _, message_id = queue_smtp(store, org, request_id, viewer, on_queue=False)
    state = deliver(store, org, request_id)
    request = load_outcome(store, org, request_id)
    if state != ACCEPTED:
        raise InvalidInputError(request.sending_error or f"request {request_id} was not sent")
    return request, message_id


def load_outcome(store: Store, org: Org, request_id: int) -> IntroRequest:
    with store.read() as conn:
        return load_intro(conn, org, request_id)


def recover_deliveries(store: Store, older_than: timedelta = STUCK_AFTER) -> int:
    """End the deliveries a stopped process left: still queued (never reached the server: the
    request a draft again) or sending (unknown, see above); how many."""
    cutoff = datetime.now(UTC) - older_than
    with store.write() as conn:
        stuck = conn.execute(
            select(intro_delivery.c.org_id, intro_delivery.c.request_id, intro_delivery.c.state)
            .where(
                intro_delivery.c.state.in_((QUEUED, SENDING)),
                intro_delivery.c.queued_at < cutoff,
            )
            .with_for_update()
        ).all()
        for org_id, request_id, state in stuck:
            if state == QUEUED:
                _ended(conn, org_id, request_id, FAILED, NOT_TAKEN)
            else:
                _ended(conn, org_id, request_id, UNKNOWN, UNKNOWN_WHY)
    return len(stuck)
