"""Plain records that every reader in `formats/` yields; the only types shared with services."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

_T = TypeVar("_T")


def _pickled_as_tuples(cls: type[_T]) -> type[_T]:
    """Pickle as (class, field values): half the cost of the default for frozen slotted
    dataclasses, which matters when a second process reads a mailbox for us."""
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    def reduce(self: Any) -> tuple[type[_T], tuple[Any, ...]]:
        return cls, tuple(getattr(self, name) for name in names)

    cls.__reduce__ = reduce  # type: ignore[method-assign]
    return cls


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad row, card, message or event: where it is and why it was refused."""

    file: str
    locator: str  # "line 12", "card 3", "offset 40960", "<message-id>"
    reason: str


class NoRecordsError(ValueError):
    """A whole file holds nothing of the expected kind (e.g. no contacts at all)."""

    def __init__(self, file: str, expected: str) -> None:
        super().__init__(f"{file}: no {expected} found")
        self.file = file
        self.expected = expected


# --- address books -------------------------------------------------------------------------


class ContactRecord(NamedTuple):
    """One contact as an export holds it, before normalization.

    A named tuple, not a frozen dataclass like the others: an address book of 100,000 rows makes
    100,000 of them, and a named tuple is made in a third of the time."""

    source_format: str  # linkedin | google | outlook | vcard | csv (carddav: set by sync)
    file: str
    locator: str
    first_name: str = ""
    last_name: str = ""
    full_name: str = ""
    middle_name: str = ""
    nickname: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str = ""
    title: str = ""
    profile_url: str = ""
    connected_on: date | None = None
    source_uid: str = ""  # vCard UID, LinkedIn profile URL: a stable id inside its source


# --- directory -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmploymentRecord:
    company: str  # the company's name as written
    company_id: str = ""  # the company's external id, when the file gives one
    title: str = ""
    start: date | None = None
    end: date | None = None  # None: current
    company_domain: str = ""  # a domain of the company, when the file gives one


@dataclass(frozen=True, slots=True)
class EducationRecord:
    school: str
    degree: str = ""
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class CompanyRecord:
    external_id: str
    name: str
    domains: tuple[str, ...] = ()
    size: int | None = None
    industry: str = ""
    locator: str = ""


@dataclass(frozen=True, slots=True)
class PersonRecord:
    external_id: str
    first_name: str = ""
    last_name: str = ""
    full_name: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    profile_url: str = ""
    employment: tuple[EmploymentRecord, ...] = ()
    education: tuple[EducationRecord, ...] = ()
    locator: str = ""


# --- activity metadata (never bodies, never subjects) -------------------------------------


@_pickled_as_tuples
@dataclass(frozen=True, slots=True)
class Address:
    email: str
    name: str = ""


class MessageHeaders(NamedTuple):
    """The metadata of one message: who, when, which thread. Nothing else is read.

    A named tuple, as a mailbox makes hundreds of thousands: it is built in a quarter of the
    time of a frozen dataclass.
    """

    file: str
    locator: str
    message_id: str
    date: datetime  # timezone-aware
    sender: Address
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    repairs: tuple[str, ...] = ()  # what was fixed to read it, for the report


@dataclass(frozen=True, slots=True)
class Attendee:
    email: str
    name: str = ""
    partstat: str = "NEEDS-ACTION"  # ACCEPTED | DECLINED | TENTATIVE | NEEDS-ACTION


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One occurrence of a meeting (recurrences already expanded)."""

    file: str
    locator: str
    uid: str
    start: datetime  # timezone-aware
    end: datetime
    organizer: Address | None
    attendees: tuple[Attendee, ...] = ()
    occurrence: str = ""  # recurrence id of this occurrence, "" for a single event
    sequence: int = 0
    repairs: tuple[str, ...] = ()  # what was fixed to read it, for the report


@dataclass(frozen=True, slots=True)
class CallRecord:
    file: str
    locator: str
    member: str  # the member's email
    other: str  # the other party's phone number or email, as written
    start: datetime
    duration_seconds: int
    direction: str  # in | out | missed
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SkippedItem:
    """An item read but left out on purpose (a draft, a distribution list), and why."""

    file: str
    locator: str
    reason: str
