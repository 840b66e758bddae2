"""Intro requests: drafted from the template, edited, then tracked until introduced or declined.

Statuses: draft → requested → introduced | declined. A draft becomes requested only once the
SMTP server accepted the mail (it is `sending` meanwhile: a job sends it, services/intros/
sending.py; a failed send is a draft again, its error kept), or the requester confirms they
sent it from their own client;
then its subject, body and note are forgotten (the mail is in both mailboxes) and what stays is
who asked whom, for whom, why in one line, when, and the answer.
A request is seen only by its requester and, once sent, its introducer (and the operator,
viewer=None): a draft, and one still sending, is the requester's alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import aliased

from tiegraph.errors import InvalidInputError, NotFoundError
from tiegraph.services.directory.lookup import DirectoryPerson, find_person
from tiegraph.services.intros import template
from tiegraph.services.intros.ways import Way, way_through
from tiegraph.services.org.members import Member, get_member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import (
    company,
    intro_delivery,
    intro_request,
    member,
    person,
    person_email,
)

STATUSES = ("draft", "sending", "requested", "introduced", "declined")
OPEN = ("draft", "sending", "requested")
# Shown in place of "Get introduced" for the same colleague and person: a declined one is not,
# so the requester may ask again later.
STANDING = (*OPEN, "introduced")
DECISIONS = ("introduced", "declined")
UNSENT = ("draft", "sending")  # the requester's alone: the introducer has no mail yet
DELIVERIES = ("smtp", "client")  # requests sent before 0014 may also say eml or mailto


@dataclass(frozen=True)
class IntroRequest:
    id: int
    status: str
    requester_id: int
    requester_email: str
    requester_name: str
    introducer_id: int
    introducer_email: str
    introducer_name: str
    person_email: str
    person_name: str
    person_title: str
    person_company: str
    subject: str
    body: str
    note: str
    why_this_colleague: str  # in plain words, for the requester
    decline_reason: str
    delivery: str | None
    created_at: datetime
    sent_at: datetime | None
    decided_at: datetime | None
    # Why the last send by SMTP did not end requested (a draft again), for the requester.
    sending_error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "requester": {"email": self.requester_email, "name": self.requester_name},
            "introducer": {"email": self.introducer_email, "name": self.introducer_name},
            "person": {
                "email": self.person_email,
                "name": self.person_name,
                "title": self.person_title,
                "company": self.person_company,
            },
            "subject": self.subject,
            "body": self.body,
            "note": self.note,
            "why_this_colleague": self.why_this_colleague,
            "decline_note": self.decline_reason,
            "delivery": self.delivery,
            "created_at": _iso(self.created_at),
            "sent_at": _iso(self.sent_at),
            "decided_at": _iso(self.decided_at),
            "sending_error": self.sending_error,
        }


def _iso(moment: datetime | None) -> str | None:
    return _aware(moment).isoformat(timespec="seconds") if moment else None


def _aware(moment: datetime) -> datetime:
    # SQLite hands datetimes back without their zone; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _first(name: str) -> str:
    return name.split(" ")[0] if name else ""


def _values(
    org: Org, requester: Member, introducer: Member, target: DirectoryPerson, way: Way
) -> dict[str, str]:
    role = " at ".join(x for x in (target.title, target.company) if x)
    via = way.via
    return {
        "org_name": org.name,
        "requester_name": requester.name,
        "requester_first_name": _first(requester.name),
        "requester_email": requester.email,
        "introducer_name": introducer.name,
        "introducer_first_name": _first(introducer.name),
        "introducer_email": introducer.email,
        "target_name": target.name,
        "target_first_name": target.first_name,
        "target_email": target.email,
        "target_title": target.title,
        "target_company": target.company,
        "target_role": role,
        "reason": way.reason,
        "route": way.route,
        "why": way.sentence,
        "via_name": via.name if via else "",
        "via_first_name": via.first_name if via else "",
        "via_role": " at ".join(x for x in (via.title, via.company) if x) if via else "",
    }


def draft_intro(
    store: Store,
    org: Org,
    requester: Member,
    *,
    via: str,
    to: str,
    note: str = "",
    subject: str | None = None,
    body: str | None = None,
) -> IntroRequest:
    """Draft a request to the member `via` for an introduction to the person `to`, along
    `via`'s way in to them (services/intros/ways.py): the request goes to `via` and names the
    rest of the way."""
    introducer = get_member(store, org, via)
    if introducer.id == requester.id:
        raise InvalidInputError("the introducer must be another member than the requester")
    with store.read() as conn:
        target = find_person(conn, org, to, requester)
    way = way_through(store, org, requester, introducer, target)
    values = _values(org, requester, introducer, target, way)
    values["note"] = template.check_note(note)
    values["requester_signature"] = template.get_signature(store, org, requester)
    chosen = template.get_template(store, org)
    subject_text = (
        template.check_subject(subject)
        if subject
        else template.render_subject(chosen.subject, values)
    )
    body_text = (
        template.check_body(body) if body is not None else template.render(chosen.body, values)
    )
    with store.write() as conn:
        _refuse_duplicate(conn, org, requester.id, introducer.id, target.id)
        request_id = conn.execute(
            intro_request.insert()
            .values(
                org_id=org.id,
                requester_id=requester.id,
                introducer_id=introducer.id,
                person_id=target.id,
                status="draft",
                subject=subject_text,
                body=body_text,
                note=values["note"],
                why=way.line[:500],
            )
            .returning(intro_request.c.id)
        ).scalar_one()
        return load_intro(conn, org, int(request_id))


def _refuse_duplicate(
    conn: Connection, org: Org, requester_id: int, introducer_id: int, person_id: int
) -> None:
    open_one = conn.execute(
        select(intro_request.c.id, intro_request.c.status).where(
            intro_request.c.org_id == org.id,
            intro_request.c.requester_id == requester_id,
            intro_request.c.introducer_id == introducer_id,
            intro_request.c.person_id == person_id,
            intro_request.c.status.in_(OPEN),
        )
    ).first()
    if open_one is not None:
        raise InvalidInputError(
            f"you already have request {open_one.id} ({open_one.status}) for this introduction"
        )


# Built once with bound parameters (SQLAlchemy reuses the compiled form; building a select
# costs more than running it): every signed-in page reads the viewer's requests. An alias's
# columns are worked out on first use, which costs more than the query, too.
_REQUESTER = aliased(member, name="requester")
_INTRODUCER = aliased(member, name="introducer")
_FIRST_EMAIL = (
    select(func.min(person_email.c.email))
    .where(person_email.c.org_id == bindparam("org_id"), person_email.c.person_id == person.c.id)
    .scalar_subquery()
)
_INTROS = (
    select(
        intro_request,
        _REQUESTER.c.email.label("requester_email"),
        _REQUESTER.c.name.label("requester_name"),
        _INTRODUCER.c.email.label("introducer_email"),
        _INTRODUCER.c.name.label("introducer_name"),
        _FIRST_EMAIL.label("person_email"),
        person.c.full_name.label("person_name"),
        person.c.title.label("person_title"),
        company.c.name.label("person_company"),
        intro_delivery.c.error.label("sending_error"),
    )
    .join(_REQUESTER, same_org(_REQUESTER, intro_request.c.requester_id))
    .join(_INTRODUCER, same_org(_INTRODUCER, intro_request.c.introducer_id))
    .join(person, same_org(person, intro_request.c.person_id))
    .outerjoin(company, same_org(company, person.c.company_id))
    .outerjoin(
        intro_delivery,
        and_(
            intro_delivery.c.org_id == intro_request.c.org_id,
            intro_delivery.c.request_id == intro_request.c.id,
        ),
    )
    .where(intro_request.c.org_id == bindparam("org_id"))
)
_BY_ID = _INTROS.where(intro_request.c.id == bindparam("request_id"))
# What a viewer may see: what they asked for, and what they were asked once it was sent.
_SEEN_BY_VIEWER = or_(
    intro_request.c.requester_id == bindparam("viewer_id"),
    and_(
        intro_request.c.introducer_id == bindparam("viewer_id"),
        intro_request.c.status.not_in(UNSENT),
    ),
)


def _listing(seen_by_viewer: bool, about_person: bool) -> Select[Any]:
    query = _INTROS.order_by(intro_request.c.created_at.desc(), intro_request.c.id.desc())
    if seen_by_viewer:
        query = query.where(_SEEN_BY_VIEWER)
    if about_person:
        query = query.where(intro_request.c.person_id == bindparam("person_id"))
    return query


# list_intros's statements by (seen by a viewer, about one person).
_LISTINGS = {(v, p): _listing(v, p) for v in (False, True) for p in (False, True)}


def _request(row: Any) -> IntroRequest:
    return IntroRequest(
        id=row.id,
        status=row.status,
        requester_id=row.requester_id,
        requester_email=row.requester_email,
        requester_name=row.requester_name,
        introducer_id=row.introducer_id,
        introducer_email=row.introducer_email,
        introducer_name=row.introducer_name,
        person_email=row.person_email or "",
        person_name=row.person_name or row.person_email or "",
        person_title=row.person_title or "",
        person_company=row.person_company or "",
        subject=row.subject,
        body=row.body,
        note=row.note,
        why_this_colleague=row.why,
        decline_reason=row.decline_reason,
        delivery=row.delivery,
        created_at=_aware(row.created_at),
        sent_at=_aware(row.sent_at) if row.sent_at else None,
        decided_at=_aware(row.decided_at) if row.decided_at else None,
        sending_error=(row.sending_error or "") if row.status == "draft" else "",
    )


def load_intro(
    conn: Connection, org: Org, request_id: int, viewer: Member | None = None
) -> IntroRequest:
    """The request, when the viewer is its requester or (once sent) its introducer; else not
    found, alike."""
    row = conn.execute(_BY_ID, {"org_id": org.id, "request_id": request_id}).first()
    if row is None or (
        viewer is not None
        and viewer.id != row.requester_id
        and (viewer.id != row.introducer_id or row.status in UNSENT)
    ):
        raise NotFoundError(f"no intro request {request_id}")
    return _request(row)


def get_intro(
    store: Store, org: Org, request_id: int, viewer: Member | None = None
) -> IntroRequest:
    with store.read() as conn:
        return load_intro(conn, org, request_id, viewer)


def list_intros(
    store: Store,
    org: Org,
    viewer: Member | None = None,
    *,
    status: str | None = None,
    person_id: int | None = None,
) -> list[IntroRequest]:
    """The requests the viewer asked for or was asked to make, newest first; with `person_id`,
    only those to reach that directory person."""
    query = _LISTINGS[(viewer is not None, person_id is not None)]
    params = {"org_id": org.id, "viewer_id": viewer and viewer.id, "person_id": person_id}
    if status is not None:
        if status not in STATUSES:
            raise InvalidInputError(f"status {status!r} is not one of {', '.join(STATUSES)}")
        query = query.where(intro_request.c.status == status)
    with store.read() as conn:
        return [_request(r) for r in conn.execute(query, params)]


def _requester_only(found: IntroRequest, viewer: Member | None, action: str) -> None:
    if viewer is not None and viewer.id != found.requester_id:
        raise InvalidInputError(
            f"only the requester ({found.requester_name}) can {action} request {found.id}"
        )


def edit_intro(
    store: Store,
    org: Org,
    request_id: int,
    viewer: Member | None = None,
    *,
    subject: str | None = None,
    body: str | None = None,
    note: str | None = None,
) -> IntroRequest:
    """Change a draft's subject, body or note before it is sent; the note is a paragraph of the
    body (template.place_note), so a new note changes the body too."""
    if subject is None and body is None and note is None:
        raise InvalidInputError("nothing to change: give a new subject, body or note")
    changes: dict[str, str] = {}
    if subject is not None:
        changes["subject"] = template.check_subject(subject)
    if body is not None:
        changes["body"] = template.check_body(body)
    with store.write() as conn:
        found = load_intro(conn, org, request_id, viewer)
        _requester_only(found, viewer, "edit")
        if found.status != "draft":
            raise InvalidInputError(
                f"request {request_id} is {found.status}: only a draft can change"
            )
        if note is not None and template.check_note(note) != found.note:
            changes["note"] = template.check_note(note)
            changes["body"] = template.check_body(
                template.place_note(changes.get("body", found.body), found.note, changes["note"])
            )
        if changes:
            conn.execute(
                intro_request.update().where(intro_request.c.id == request_id).values(**changes)
            )
        return load_intro(conn, org, request_id)


def claim_for_sending(
    store: Store, org: Org, request_id: int, viewer: Member | None
) -> IntroRequest:
    """The draft to send; anything else (sent, decided, not the viewer's) is refused."""
    found = get_intro(store, org, request_id, viewer)
    _requester_only(found, viewer, "send")
    if found.status != "draft":
        raise InvalidInputError(f"request {request_id} is already {found.status}")
    return found


def record_sent(store: Store, org: Org, request_id: int, delivery: str) -> IntroRequest:
    """Mark a draft as requested, now, by `delivery` (smtp, or client: the requester says they
    sent it), and forget its text: the mail now lives in the mailboxes, not in tiegraph."""
    if delivery not in DELIVERIES:
        raise InvalidInputError(f"delivery {delivery!r} is not one of {', '.join(DELIVERIES)}")
    with store.write() as conn:
        if not mark_requested(conn, org, request_id, delivery, was="draft"):
            raise InvalidInputError(f"request {request_id} is no longer a draft")
        return load_intro(conn, org, request_id)


def mark_requested(conn: Connection, org: Org, request_id: int, delivery: str, *, was: str) -> bool:
    """Turn the request, when still `was`, into requested by `delivery`, its text forgotten;
    whether it was."""
    changed = conn.execute(
        intro_request.update()
        .where(
            intro_request.c.org_id == org.id,
            intro_request.c.id == request_id,
            intro_request.c.status == was,
        )
        .values(
            status="requested",
            delivery=delivery,
            sent_at=datetime.now(UTC),
            subject="",
            body="",
            note="",
        )
    ).rowcount
    return bool(changed)


def confirm_sent(
    store: Store, org: Org, request_id: int, viewer: Member | None = None
) -> IntroRequest:
    """The requester sent the draft from their own mail client: it is requested from now."""
    claim_for_sending(store, org, request_id, viewer)
    return record_sent(store, org, request_id, "client")
