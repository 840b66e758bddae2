"""The organization's intro request template: placeholders, checking, rendering, signatures."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter
from typing import Any

from sqlalchemy import select

from tiegraph.errors import InvalidInputError
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.settings import get_setting, put_setting
from tiegraph.store import Store
from tiegraph.store.bulk import upsert_rows
from tiegraph.store.schema import member_preference

SETTING = "intro_template"
SIGNATURE = "intro_signature"
MAX_SUBJECT = 300  # intro_request.subject
MAX_BODY = 64_000

PLACEHOLDERS: dict[str, str] = {
    "org_name": "the organization's name",
    "requester_name": "the member asking for the introduction",
    "requester_first_name": "their first name",
    "requester_email": "their email address",
    "requester_signature": "their own signature (set in their settings), else their name",
    "introducer_name": "the colleague asked to introduce",
    "introducer_first_name": "their first name",
    "introducer_email": "their email address",
    "target_name": "the person to be introduced to",
    "target_first_name": "their first name",
    "target_email": "their email address",
    "target_title": "their title",
    "target_company": "their current company",
    "target_role": "title and company in words, e.g. 'VP Sales at Acme Corp'",
    "why": "why them, in one plain sentence to the introducer: 'You and Pat are in close "
    "touch, so a word from you would count for far more than a cold email from me.'",
    "reason": "the introducer's link in words: their tie to the target, or to their contact "
    "on the way, e.g. '31 emails both ways…'",
    "route": "the whole way in, in a sentence or two: the introducer's tie to the target, or "
    "their contact at the target's company who likely knows the target",
    "via_name": "the introducer's contact on the way to the target (empty when they know them)",
    "via_first_name": "their first name",
    "via_role": "their title and company in words",
    "note": "the requester's own words (the draft's note field, `intro draft --note`)",
}

DEFAULT_SUBJECT = "Would you introduce me to {target_name}?"
DEFAULT_BODY = """Hi {introducer_first_name},

Would you introduce me to {target_name} ({target_role})? {why}

{note}

If you are happy to, a short email to both of us is all it takes. If the timing is wrong, or \
you would rather not, just say so: no hard feelings.

Thanks,
{requester_signature}
"""

_EMPTY_PARENS = re.compile(r"[ \t]*\([ \t]*\)")
_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")
MAX_NOTE = 4000


@dataclass(frozen=True)
class IntroTemplate:
    subject: str
    body: str
    is_default: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"subject": self.subject, "body": self.body, "default": self.is_default}


def check_template_text(text: str, what: str) -> str:
    """`text` when every placeholder in it is known; else an error naming the first bad one."""
    try:
        parts = list(Formatter().parse(text))
    except ValueError as exc:
        raise InvalidInputError(
            f"the {what} is not a valid template ({exc}); write {{{{ and }}}} for a literal brace"
        ) from None
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in PLACEHOLDERS:
            raise InvalidInputError(
                f"unknown placeholder {{{field}}} in the {what}; known: "
                + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            )
        if spec or conversion:
            raise InvalidInputError(f"placeholder {{{field}}} in the {what} takes no format")
    return text


def check_subject(subject: str) -> str:
    subject = " ".join(subject.split())
    if not subject:
        raise InvalidInputError("the subject is empty")
    if len(subject) > MAX_SUBJECT:
        raise InvalidInputError(f"the subject is longer than {MAX_SUBJECT} characters")
    return subject


def check_body(body: str) -> str:
    if not body.strip():
        raise InvalidInputError("the body is empty")
    if len(body) > MAX_BODY:
        raise InvalidInputError(f"the body is longer than {MAX_BODY} characters")
    return body


def check_note(note: str) -> str:
    note = note.replace("\r\n", "\n").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInputError(f"the note is longer than {MAX_NOTE} characters")
    return note


def place_note(body: str, old: str, new: str) -> str:
    """The body with the requester's note changed from `old` to `new`.

    The old note is replaced where it stands; a body without it (no note yet, or the requester
    rewrote that paragraph) takes the new note as its own paragraph after the second one (the
    greeting, then the ask), or at the end of a shorter body.
    """
    if old and old in body:
        changed = body.replace(old, new, 1)
        return _BLANK_RUNS.sub("\n\n", changed)
    if not new:
        return body
    paragraphs = _PARAGRAPHS.split(body.strip("\n"))
    at = min(2, len(paragraphs))
    return "\n\n".join([*paragraphs[:at], new, *paragraphs[at:]]) + "\n"


def render(text: str, values: Mapping[str, str]) -> str:
    """Fill the placeholders; missing values are empty, and a broken template stays as written.

    Empty parentheses left by empty values are dropped, and runs of blank lines become one.
    """
    try:
        parts = list(Formatter().parse(text))
    except ValueError:
        return text
    pieces: list[str] = []
    for literal, field, _, _ in parts:
        pieces.append(literal)
        if field is not None:
            pieces.append(str(values.get(field, "") or ""))
    rendered = _EMPTY_PARENS.sub("", "".join(pieces))
    return _BLANK_RUNS.sub("\n\n", rendered)


def render_subject(text: str, values: Mapping[str, str]) -> str:
    return " ".join(render(text, values).split())[:MAX_SUBJECT]


def get_template(store: Store, org: Org) -> IntroTemplate:
    stored = get_setting(store, org, SETTING)
    if not isinstance(stored, dict):
        return IntroTemplate(DEFAULT_SUBJECT, DEFAULT_BODY, is_default=True)
    return IntroTemplate(
        str(stored.get("subject") or DEFAULT_SUBJECT), str(stored.get("body") or DEFAULT_BODY)
    )


def set_template(
    store: Store,
    org: Org,
    *,
    subject: str | None = None,
    body: str | None = None,
    reset: bool = False,
) -> IntroTemplate:
    """Change the subject, the body or both (checked first); `reset` brings back the default."""
    if reset:
        put_setting(store, org, SETTING, None)
        return get_template(store, org)
    current = get_template(store, org)
    new_subject = check_template_text(check_subject(subject), "subject") if subject else None
    new_body = check_template_text(check_body(body), "body") if body is not None else None
    put_setting(
        store,
        org,
        SETTING,
        {"subject": new_subject or current.subject, "body": new_body or current.body},
    )
    return get_template(store, org)


def get_signature(store: Store, org: Org, who: Member) -> str:
    """The member's own signature, else their name (their address is the mail's sender)."""
    with store.read() as conn:
        value = conn.execute(
            select(member_preference.c.value).where(
                member_preference.c.org_id == org.id,
                member_preference.c.member_id == who.id,
                member_preference.c.key == SIGNATURE,
            )
        ).scalar_one_or_none()
    if isinstance(value, dict) and str(value.get("text", "")).strip():
        return str(value["text"]).rstrip()
    return who.name or who.email


def set_signature(store: Store, org: Org, who: Member, text: str) -> str:
    """Set (or, with empty text, clear back to their name) the member's signature."""
    if len(text) > 2000:
        raise InvalidInputError("a signature is at most 2000 characters")
    with store.write() as conn:
        upsert_rows(
            conn,
            member_preference,
            [
                {
                    "org_id": org.id,
                    "member_id": who.id,
                    "key": SIGNATURE,
                    "value": {"text": text.strip()},
                }
            ],
            key=("org_id", "member_id", "key"),
        )
    return get_signature(store, org, who)
