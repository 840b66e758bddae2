"""Which interactions each message makes, worked out where the mailbox is read.

This runs in the read-ahead process for a big mailbox, so it imports no database code and
hands back plain tuples, which cross between processes five times cheaper than objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from tiegraph.core.emails import normalize_email
from tiegraph.formats.mail import iter_messages
from tiegraph.formats.records import MessageHeaders, RowError

MailTouch = tuple[int, str, str, int, int]
"""(member id, the other side's normalized address, "out" or "in", recipients, 0 seconds):
laid out as services.activity.Touchpoint, which the writer takes as it is."""

MailName = tuple[str, str]
"""(a normalized address that is not a member's, the display name the message gave it)"""

MailItem = tuple[str, datetime, str, tuple[MailTouch, ...], tuple[MailName, ...]]
"""(Message-ID, date in UTC, In-Reply-To or "", its touches: none when no member took part,
the display names it gave correspondents)"""


class MailTouchpoints:
    """Turns message headers into MailItems, knowing the organization's member addresses."""

    def __init__(self, member_of: Mapping[str, int]) -> None:
        self.member_of = member_of  # any address of a member -> member id
        self._emails: dict[str, str | None] = {}

    def email(self, raw: str) -> str:
        """`normalize_email`, remembered ("" when not an address): a few thousand addresses
        fill most headers."""
        normal = self._emails.get(raw)
        if normal is None:
            normal = self._emails[raw] = normalize_email(raw) or ""
        return normal

    def item(self, msg: MessageHeaders) -> MailItem:
        known, email = self._emails, self.email
        recipients: dict[str, str] = {}
        for group in (msg.to, msg.cc):
            for address in group:
                normal = known.get(address.email)
                if normal is None:
                    normal = email(address.email)
                if normal:
                    recipients[normal] = recipients.get(normal) or address.name
        sender = email(msg.sender.email)
        touches = self._touches(sender, list(recipients)) if sender and recipients else ()
        names: tuple[MailName, ...] = ()
        if touches:
            recipients[sender] = msg.sender.name
            members = self.member_of
            names = tuple((a, n) for a, n in recipients.items() if n and a not in members)
        return (msg.message_id, msg.date.astimezone(UTC), msg.in_reply_to, touches, names)

    def _touches(self, sender: str, recipients: list[str]) -> tuple[MailTouch, ...]:
        """The sender's member wrote to every recipient; each recipient member heard from the
        sender. Colleagues of the same member (their own other addresses) are no one new."""
        members = self.member_of
        count = len(recipients)
        touches: list[MailTouch] = []
        sender_member = members.get(sender)
        receivers: dict[int, None] = {}
        for r in recipients:
            member_id = members.get(r)
            if member_id is not None:
                receivers[member_id] = None
            if sender_member is not None and member_id != sender_member:
                touches.append((sender_member, r, "out", count, 0))
        for receiver in receivers:
            if receiver != sender_member:
                touches.append((receiver, sender, "in", count, 0))
        return tuple(touches)


def read_mail_items(path: Path, member_of: dict[str, int]) -> Iterator[MailItem | RowError]:
    """The messages under `path` as MailItems, bad ones as RowErrors, in file order.

    Module-level, so that `read_ahead` can start it by name in another process.
    """
    touchpoints = MailTouchpoints(member_of)
    for record in iter_messages(path):
        yield record if isinstance(record, RowError) else touchpoints.item(record)
