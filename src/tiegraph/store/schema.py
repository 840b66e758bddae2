"""Tables of every entity in DESIGN.md §1; each carries org_id, in every key (docs/citus.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only autoincrements an INTEGER PRIMARY KEY; BigInteger there would not.
Id = BigInteger().with_variant(Integer(), "sqlite")


def _empty_dict() -> dict[str, object]:
    return {}


def _empty_list() -> list[object]:
    return []


# Distribution-ready (docs/citus.md, migration 0021): every key of a tenant table holds org_id,
# so that Citus can shard every table by it and keep an organization's rows on one node.
# The primary key of a table with an `id` is (id, org_id): id leads so that a lookup by id alone
# stays one index probe. SQLite keeps `id` its lone INTEGER PRIMARY KEY (the rowid, the only
# column it autoincrements) and gets a UNIQUE INDEX (org_id, id) on each parent table for the
# composite foreign keys instead (made by the migration; a SQLite store is never distributed).
def _id() -> Column[int]:
    return Column("id", Id, primary_key=True, autoincrement=True)


def _org() -> Column[int]:
    """org_id of a table with an `id`: the second column of its primary key."""
    return Column("org_id", Id, ForeignKey("organization.id"), primary_key=True, nullable=False)


def _tenant_key(column: str, parent: str) -> ForeignKeyConstraint:
    """(org_id, column) -> parent (org_id, id): a row points into its own organization only,
    and Citus can check it on the one node holding both (colocated tables)."""
    return ForeignKeyConstraint(["org_id", column], [f"{parent}.org_id", f"{parent}.id"])


def _created() -> Column[object]:
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


organization = Table(
    "organization",
    metadata,
    _id(),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    # Activity sharing is opt-out, as Microsoft and LinkedIn do it; an org may change the default.
    Column("activity_sharing_default", Boolean, nullable=False, server_default="1"),
    Column("settings", JSON, nullable=False, default=_empty_dict),
    _created(),
    # The median member's pace at a moment (services/activity/member_activity.py): {"at", "pace"}.
    Column("activity_pace", JSON, nullable=True),
)

member = Table(
    "member",
    metadata,
    _id(),
    _org(),
    Column("person_id", Id, nullable=True),
    Column("email", String(320), nullable=False),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False, server_default="member"),
    Column("password_hash", String(255), nullable=True),
    Column("contact_sync", Boolean, nullable=False, server_default="0"),
    Column("activity_sharing", Boolean, nullable=False, server_default="1"),
    _created(),
    Column("archived_at", DateTime(timezone=True), nullable=True),
    # Decayed volume of all the member's interactions (core/member_activity.py): how busy they
    # are lately against their usual, which who-knows weighs introducers by. NULL: none yet.
    Column("activity", JSON, nullable=True),
    # The member's pace against the median colleague's, and what it multiplies their ties'
    # interactions by (core/strength.py `pace_factor`), as of the last write of activity or
    # the daily rescore: every view of a tie reads these (services/activity/tie_scores.py).
    Column("pace", Float, nullable=True),
    Column("pace_factor", Float, nullable=True),
    UniqueConstraint("org_id", "email"),
    _tenant_key("person_id", "person"),
)

# A member's activity per UTC day (core/member_activity.py DaySums): `who-knows --as-of` reads
# every member's pace as of a past date from these (members x active days), not from every
# interaction of the organization. Kept by ingest and rebuilt by the activity recompute.
member_activity_day = Table(
    "member_activity_day",
    metadata,
    Column("org_id", Id, ForeignKey("organization.id"), primary_key=True),
    Column("member_id", Id, primary_key=True),
    Column("day", Integer, primary_key=True),  # days since 1970-01-01
    Column("recent", Float, nullable=False),
    Column("usual", Float, nullable=False),
    _tenant_key("member_id", "member"),
)

member_address = Table(
    "member_address",
    metadata,
    _id(),
    _org(),
    Column("member_id", Id, nullable=False),
    Column("email", String(320), nullable=False),
    UniqueConstraint("org_id", "email"),
    _tenant_key("member_id", "member"),
)

api_token = Table(
    "api_token",
    metadata,
    _id(),
    _org(),
    Column("member_id", Id, nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(128), nullable=False),
    _created(),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("org_id", "token_hash"),
    _tenant_key("member_id", "member"),
)

# A signed-in browser session: the cookie holds a random token, the store its sha256; signing
# out ends it here, so a copy of the cookie kept elsewhere signs in no more.
web_session = Table(
    "web_session",
    metadata,
    _id(),
    _org(),
    Column("member_id", Id, nullable=False),
    Column("token_hash", String(64), nullable=False),
    _created(),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    # How it signed in: password | sso. Switching password sign-in off ends the password ones.
    Column("method", String(8), nullable=False, server_default="password"),
    UniqueConstraint("org_id", "token_hash"),
    _tenant_key("member_id", "member"),
)

# A member's identity at the organization's OpenID Connect provider (issuer + subject): linked
# at the first single sign-on by email, then sign-ins go by it whatever email the provider says.
member_identity = Table(
    "member_identity",
    metadata,
    _id(),
    _org(),
    Column("member_id", Id, nullable=False),
    Column("issuer", String(500), nullable=False),
    Column("subject", String(255), nullable=False),
    _created(),
    UniqueConstraint("org_id", "issuer", "subject"),
    UniqueConstraint("org_id", "member_id", "issuer"),
    _tenant_key("member_id", "member"),
)

company = Table(
    "company",
    metadata,
    _id(),
    _org(),
    Column("external_id", String(200), nullable=True),
    Column("name", String(300), nullable=False),
    Column("name_key", String(300), nullable=False),
    Column("size", Integer, nullable=True),
    Column("industry", String(200), nullable=False, server_default=""),
    Column("is_target", Boolean, nullable=False, server_default="0"),
    Column("is_reference_customer", Boolean, nullable=False, server_default="0"),
    # made from a correspondent's mail domain, not stated by a directory: shown as inferred
    Column("inferred", Boolean, nullable=False, server_default="0"),
    _created(),
    Column("archived_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("org_id", "external_id"),
    Index(None, "org_id", "name_key"),
)

company_domain = Table(
    "company_domain",
    metadata,
    _id(),
    _org(),
    Column("company_id", Id, nullable=False),
    Column("domain", String(255), nullable=False),
    UniqueConstraint("org_id", "domain"),
    Index(None, "org_id", "company_id"),
    _tenant_key("company_id", "company"),
)

person = Table(
    "person",
    metadata,
    _id(),
    _org(),
    Column("external_id", String(200), nullable=True),
    Column("first_name", String(200), nullable=False, server_default=""),
    Column("last_name", String(200), nullable=False, server_default=""),
    Column("full_name", String(400), nullable=False, server_default=""),
    Column("profile_url", String(500), nullable=False, server_default=""),
    Column("company_id", Id, nullable=True),  # current employer
    Column("title", String(300), nullable=False, server_default=""),
    # directory: imported; contact: published from a member's private network; member: a colleague;
    # correspondence: made from the mail, meetings or calls members exchanged with this address
    Column("origin", String(16), nullable=False, server_default="directory"),
    _created(),
    Column("archived_at", DateTime(timezone=True), nullable=True),
    # Generated by the database: the gallery's directory arm walks its index in name order
    # (services/contacts/gallery_query.py).
    Column("name_sort", String(400), Computed("lower(full_name)")),
    UniqueConstraint("org_id", "external_id"),
    Index(None, "org_id", "last_name"),
    Index(None, "org_id", "company_id"),
    _tenant_key("company_id", "company"),
    Index("ix_person_name_sort", "org_id", "name_sort"),
    Index("ix_person_listed", "org_id", "archived_at", "origin"),  # the gallery's count
)

person_email = Table(
    "person_email",
    metadata,
    _id(),
    _org(),
    Column("person_id", Id, nullable=False),
    Column("email", String(320), nullable=False),
    UniqueConstraint("org_id", "email", "person_id"),
    Index(None, "org_id", "person_id"),
    _tenant_key("person_id", "person"),
)

person_phone = Table(
    "person_phone",
    metadata,
    _id(),
    _org(),
    Column("person_id", Id, nullable=False),
    Column("phone", String(32), nullable=False),  # E.164
    UniqueConstraint("org_id", "phone", "person_id"),
    Index(None, "org_id", "person_id"),
    _tenant_key("person_id", "person"),
)

employment = Table(
    "employment",
    metadata,
    _id(),
    _org(),
    Column("person_id", Id, nullable=False),
    Column("company_id", Id, nullable=False),
    Column("title", String(300), nullable=False, server_default=""),
    Column("start_date", Date, nullable=True),
    Column("end_date", Date, nullable=True),  # NULL: current
    Index(None, "org_id", "person_id"),
    Index(None, "org_id", "company_id"),
    # Current jobs by start date: My day's people new at a target read a few recent starts,
    # not every past job at the account.
    Index(
        "ix_employment_current_start",
        "org_id",
        "company_id",
        "start_date",
        sqlite_where=text("end_date IS NULL"),
        postgresql_where=text("end_date IS NULL"),
    ),
    _tenant_key("person_id", "person"),
    _tenant_key("company_id", "company"),
)

education = Table(
    "education",
    metadata,
    _id(),
    _org(),
    Column("person_id", Id, nullable=False),
    Column("school", String(300), nullable=False),
    Column("school_key", String(300), nullable=False),
    Column("degree", String(200), nullable=False, server_default=""),
    Column("start_date", Date, nullable=True),
    Column("end_date", Date, nullable=True),
    Index(None, "org_id", "person_id"),
    Index(None, "org_id", "school_key"),
    _tenant_key("person_id", "person"),
)

contact = Table(
    "contact",
    metadata,
    _id(),
    _org(),
    Column("member_id", Id, nullable=False),
    Column("person_id", Id, nullable=True),
    # matched: linked to person_id; possible: awaiting a decision; private: the member's alone
    Column("status", String(16), nullable=False, server_default="private"),
    Column("first_name", String(200), nullable=False, server_default=""),
    Column("last_name", String(200), nullable=False, server_default=""),
    Column("full_name", String(400), nullable=False, server_default=""),
    Column("company", String(300), nullable=False, server_default=""),
    Column("title", String(300), nullable=False, server_default=""),
    Column("profile_url", String(500), nullable=False, server_default=""),
    Column("connected_on", Date, nullable=True),
    Column("shared_at", DateTime(timezone=True), nullable=True),  # published through contact sync
    _created(),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("archived_at", DateTime(timezone=True), nullable=True),
    # Generated by the database: the gallery's arm of the viewer's own contacts, in name order.
    Column("name_sort", String(400), Computed("lower(full_name)")),
    Index(None, "org_id", "member_id", "status"),
    Index(None, "org_id", "person_id"),
    _tenant_key("member_id", "member"),
    _tenant_key("person_id", "person"),
    Index("ix_contact_name_sort", "org_id", "member_id", "name_sort"),
)

contact_email = Table(
    "contact_email",
    metadata,
    _id(),
    _org(),
    Column("member_id", Id, nullable=False),
    Column("contact_id", Id, nullable=False),
    Column("email", String(320), nullable=False),
    UniqueConstraint("org_id", "member_id", "email"),
    Index(None, "org_id", "contact_id"),
    _tenant_key("member_id", "member"),
    _tenant_key("contact_id", "contact"),
)

contact_phone = Table(
    "contact_phone",
    metadata,
    _id(),
    _org(),
    Column("member_id", Id, nullable=False),
    Column("contact_id", Id, nullable=False),
    Column("phone", String(32), nullable=False),
    UniqueConstraint("org_id", "member_id", "phone"),
    Index(None, "org_id", "contact_id"),
    _tenant_key("member_id", "member"),
    _tenant_key("contact_id", "contact"),
)

contact_source = Table(
    "contact_source",
    metadata,
    _id(),
    _org(),
    Column("member_id", Id, nullable=False),
    Column("contact_id", Id, nullable=False),
    Column("import_job_id", Id, nullable=True),
    Column(
        "source_format", String(16), nullable=False
    ),  # linkedin | google | outlook | vcard | csv | carddav
    Column("file_name", String(500), nullable=False, server_default=""),
    Column("locator", String(100), nullable=False, server_default=""),
    # A hash of the record as read: re-importing the same file finds every row already here.
    Column("record_key", String(64), nullable=False),
    Column("record", JSON, nullable=False, default=_empty_dict),
    _created(),
    UniqueConstraint("org_id", "member_id", "record_key"),
    Index(None, "org_id", "contact_id"),
    _tenant_key("member_id", "member"),
    _tenant_key("contact_id", "contact"),
    _tenant_key("import_job_id", "import_job"),
)

possible_match = Table(
    "possible_match",
    metadata,
    _id(),
    _org(),
    Column("contact_id", Id, nullable=False),
    Column("person_id", Id, nullable=False),
    Column("reason", String(300), nullable=False),
    # open | confirmed | rejected | superseded (the contact was matched another way)
    Column("status", String(16), nullable=False, server_default="open"),
    Column("decided_by", Id, nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    _created(),
    UniqueConstraint("org_id", "contact_id", "person_id"),
    Index(None, "org_id", "status"),
    _tenant_key("contact_id", "contact"),
    _tenant_key("person_id", "person"),
    _tenant_key("decided_by", "member"),
)

# Contact matching reads the directory through an index built from these tables and saved in
# match_snapshot. A saved index names the directory it was built from: the largest id of each
# table (new rows) and this revision, which triggers (migration 0004) bump on every UPDATE of
# a matched-on column or DELETE of person, person_email, employment, company, company_domain.
directory_revision = Table(
    "directory_revision",
    metadata,
    Column("org_id", Id, ForeignKey("organization.id"), primary_key=True),
    Column("revision", BigInteger, nullable=False, server_default="0"),
)

match_snapshot = Table(
    "match_snapshot",
    metadata,
    Column("org_id", Id, ForeignKey("organization.id"), primary_key=True),
    Column("part", Integer, primary_key=True),  # the saved bytes, in parts of a few MB
    Column("parts", Integer, nullable=False),
    Column("version", String(300), nullable=False),  # the directory and code it was built from
    Column("data", LargeBinary, nullable=False),
    _created(),
)

# Failed sign-ins, kept while they count against the rate limit (web/security.py): in the store
# so that every server worker sees them. Not an organization's data: the key is a hash of the
# email tried and the client's address, whichever organization (if any) the email belongs to.
sign_in_failure = Table(
    "sign_in_failure",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False),
    Column("failed_at", Float, nullable=False),  # seconds since the epoch
    Index("ix_sign_in_failure_key", "key", "failed_at"),
)

activity_item = Table(
    "activity_item",
    metadata,
    _id(),
    _org(),
    # One row per message, event occurrence or call: the same one in many mailboxes counts once.
    Column("channel", String(8), nullable=False),  # email | meeting | call
    Column("source_key", String(500), nullable=False),  # Message-ID, UID + occurrence, call hash
    Column("fingerprint", String(64), nullable=False, server_default=""),  # detects upstream edits
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("import_job_id", Id, nullable=True),
    _created(),
    UniqueConstraint("org_id", "channel", "source_key"),
    _tenant_key("import_job_id", "import_job"),
)

interaction = Table(
    "interaction",
    metadata,
    _id(),
    _org(),
    Column("activity_id", Id, nullable=False),
    Column("member_id", Id, nullable=False),
    Column("person_id", Id, nullable=True),
    # Normalized email or E.164 phone of the other side, kept to resolve later when unresolved.
    Column("address", String(320), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("direction", String(4), nullable=False),  # out | in
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("participants", Integer, nullable=False, server_default="1"),
    Column("duration_seconds", Integer, nullable=False, server_default="0"),
    Column("thread_reply", Boolean, nullable=False, server_default="0"),
    UniqueConstraint("org_id", "activity_id", "member_id", "address"),
    # One index serves a tie's rebuild (person, member) and a person's as-of view (person):
    # every index here is paid on each of millions of inserts.
    Index(None, "org_id", "person_id", "member_id", "occurred_at"),
    # Only interactions still waiting for their person are ever looked up by address.
    Index(
        None,
        "org_id",
        "address",
        sqlite_where=text("person_id IS NULL"),
        postgresql_where=text("person_id IS NULL"),
    ),
    _tenant_key("activity_id", "activity_item"),
    _tenant_key("member_id", "member"),
    _tenant_key("person_id", "person"),
)

SHOWN = ("member_id", "volume", "explicit", "last_at")  # what the shown score and columns read
tie = Table(
    "tie",
    metadata,
    Column("org_id", Id, ForeignKey("organization.id"), primary_key=True),
    Column("member_id", Id, primary_key=True),
    Column("person_id", Id, primary_key=True),
    # The person's current employer, copied here so an account's strongest ties are one index
    # range (closest connections of a 200,000-person company); kept in step by services/ties.
    Column("company_id", Id, nullable=True),
    Column("score", Float, nullable=False, server_default="0"),
    Column("label", String(8), nullable=False, server_default="weak"),
    Column("explicit", Boolean, nullable=False, server_default="0"),  # in the member's contacts
    Column("first_at", DateTime(timezone=True), nullable=True),
    Column("last_at", DateTime(timezone=True), nullable=True),
    Column(
        "state", JSON, nullable=False, default=_empty_dict
    ),  # the strength model's incremental state
    Column("reasons", JSON, nullable=False, default=_empty_list),
    Column("scored_at", DateTime(timezone=True), nullable=True),
    # The pace-free strength of the tie's interactions as of scored_at (core/strength.py
    # `shown`): with the member's pace_factor, the score every view shows, in SQL or Python.
    Column("volume", Float, nullable=True),
    # What the shown score needs rides at the end of the person's and the company's index, so
    # that the gallery's and the accounts' columns read indexes only, never the wide rows.
    Index("ix_tie_person_shown", "org_id", "person_id", "score", *SHOWN),
    Index(None, "org_id", "member_id", "score"),
    Index("ix_tie_company_shown", "org_id", "company_id", "score", "person_id", *SHOWN),
    _tenant_key("member_id", "member"),
    _tenant_key("person_id", "person"),
)

# A member's nurture suggestions as of `suggested_at` (core/nurture.py `classify`), one row per
# tie that has one: what the nurture list and My day read instead of a year of touches. Kept by
# services/activity/nurture_store.py wherever a tie's touches change and by the daily rescore.
# No foreign keys: a table distributed by org_id (docs on Citus) carries none of its own.
nurture_suggestion = Table(
    "nurture_suggestion",
    metadata,
    Column("org_id", Id, primary_key=True),
    Column("member_id", Id, primary_key=True),
    Column("person_id", Id, primary_key=True),
    Column("kind", String(16), nullable=False),  # warming | one_sided | cooling
    Column("priority", Integer, nullable=False),
    # warming: the reason; one-sided: the reason after the person's name (worded at view)
    Column("words", Text, nullable=False, server_default=""),
    Column("last_at", DateTime(timezone=True), nullable=True),  # cooling: the last touch
    Column("rhythm_days", Float, nullable=False, server_default="0"),  # cooling: the mean gap
    Column("suggested_at", DateTime(timezone=True), nullable=False),
)

# The accounts' read model (services/activity/company_summary.py), refreshed in the transaction
# that changes its inputs (ties, paces, employers, sharing, archiving): what account pages, the
# accounts' coverage and list rows read instead of ranking every tie of a company per view.
# Each member's strongest tie at each company, and how many of its people the member knows:
# kept for every member (shared or not), so who may see a row is decided when it is read.
company_knower = Table(
    "company_knower",
    metadata,
    Column("org_id", Id, primary_key=True),
    Column("company_id", Id, primary_key=True),
    Column("member_id", Id, primary_key=True),
    Column("people", Integer, nullable=False),  # ties with a touch, a contact or a score
    Column("known", Integer, nullable=False),  # of those, with a shown score above 0
    Column("person_id", Id, nullable=False),  # the strongest tie's person
    Column("score", Integer, nullable=False),  # the strongest tie's shown score
    Column("strength", Float, nullable=False),  # and its shown strength (the tie-break)
)
# Per company, its people known strongly and at all through ties every member may see (active
# members sharing their activity): a viewer's own unshared ties are added when read.
company_coverage = Table(
    "company_coverage",
    metadata,
    Column("org_id", Id, primary_key=True),
    Column("company_id", Id, primary_key=True),
    Column("strong", Integer, nullable=False),
    Column("known", Integer, nullable=False),
    Index("ix_company_coverage_rank", "org_id", "strong", "known", "company_id"),
)

# A read model: what every member may see of the organization's ties to each person (ties of
# members who share their activity, leavers' never), summed up for the gallery's columns, sort
# and strength filter (core/tie_summary.py). Written with its inputs, in the same transaction,
# for just the persons changed (services/activity/person_summary.py); a viewer's own unshared
# ties are merged in when read. No foreign keys: distributed by org_id like the rest.
person_tie_summary = Table(
    "person_tie_summary",
    metadata,
    Column("org_id", Id, primary_key=True),
    Column("person_id", Id, primary_key=True),
    Column("knowers", Integer, nullable=False),  # shared ties with a shown score above 0
    Column("score", Integer, nullable=False),  # the strongest one's shown score
    Column("strength", Float, nullable=False),  # and its unrounded strength
    Column("member_id", Id, nullable=False),  # its colleague
    Column("last_at", DateTime(timezone=True), nullable=True),  # the last contact of any
    Index("ix_person_tie_summary_score", "org_id", "score"),
)

custom_property = Table(
    "custom_property",
    metadata,
    _id(),
    _org(),
    Column("name", String(100), nullable=False),
    Column("kind", String(16), nullable=False, server_default="text"),  # text|number|date|choice
    Column("choices", JSON, nullable=False, default=_empty_list),
    Column("position", Integer, nullable=False, server_default="0"),
    _created(),
    Column("archived_at", DateTime(timezone=True), nullable=True),
    # Who made it: they or an admin may delete it. NULL: made before this was kept (admins only).
    Column("created_by", Id, nullable=True),
    UniqueConstraint("org_id", "name"),
)

custom_value = Table(
    "custom_value",
    metadata,
    Column("org_id", Id, ForeignKey("organization.id"), primary_key=True),
    Column("property_id", Id, primary_key=True),
    Column("contact_id", Id, primary_key=True),
    Column("value", Text, nullable=False, server_default=""),
    _tenant_key("property_id", "custom_property"),
    _tenant_key("contact_id", "contact"),
)

member_preference = Table(
    "member_preference",
    metadata,
    Column("org_id", Id, ForeignKey("organization.id"), primary_key=True),
    Column("member_id", Id, primary_key=True),
    Column("key", String(100), primary_key=True),
    Column("value", JSON, nullable=False, default=_empty_dict),
    _tenant_key("member_id", "member"),
)

person_list = Table(
    "person_list",
    metadata,
    _id(),
    _org(),
    Column("owner_id", Id, nullable=False),
    Column("name", String(200), nullable=False),
    Column("kind", String(16), nullable=False),  # leads | opportunities | deals
    _created(),
    Column("archived_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("org_id", "name"),
    _tenant_key("owner_id", "member"),
)

list_item = Table(
    "list_item",
    metadata,
    _id(),
    _org(),
    Column("list_id", Id, nullable=False),
    Column("person_id", Id, nullable=True),
    Column("company_id", Id, nullable=True),
    Column("added_by", Id, nullable=True),
    _created(),
    # Taken off the list (by whom): kept, never deleted; adding it again makes a new row.
    Column("removed_at", DateTime(timezone=True), nullable=True),
    Column("removed_by", Id, nullable=True),
    Index(None, "org_id", "list_id"),
    _tenant_key("list_id", "person_list"),
    _tenant_key("person_id", "person"),
    _tenant_key("company_id", "company"),
    _tenant_key("added_by", "member"),
)

intro_request = Table(
    "intro_request",
    metadata,
    _id(),
    _org(),
    Column("requester_id", Id, nullable=False),
    Column("introducer_id", Id, nullable=False),
    Column("person_id", Id, nullable=False),
    Column("status", String(16), nullable=False, server_default="draft"),
    # Our own request email (not a member's mail), kept while it is a draft so it can be edited;
    # emptied once it is sent (then it lives in the requester's and introducer's mailboxes).
    Column("subject", String(300), nullable=False, server_default=""),
    Column("body", Text, nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),  # the requester's words, in the body
    Column("why", String(500), nullable=False, server_default=""),  # why this colleague, one line
    Column("decline_reason", String(500), nullable=False, server_default=""),
    Column("delivery", String(8), nullable=True),  # smtp | client (| mailto | eml, before 0014)
    _created(),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Index(None, "org_id", "requester_id"),
    Index(None, "org_id", "introducer_id"),
    _tenant_key("requester_id", "member"),
    _tenant_key("introducer_id", "member"),
    _tenant_key("person_id", "person"),
)

import_job = Table(
    "import_job",
    metadata,
    _id(),
    _org(),
    Column("member_id", Id, nullable=True),
    Column("kind", String(16), nullable=False),  # contacts | people | mail | calendar | calls
    Column("status", String(16), nullable=False, server_default="queued"),
    Column("files", JSON, nullable=False, default=_empty_list),
    Column("uploads", JSON, nullable=True),  # upload ids, in the order of files (0027)
    Column("progress_done", Integer, nullable=False, server_default="0"),
    Column("progress_total", Integer, nullable=False, server_default="0"),
    Column("report", JSON, nullable=True),
    Column("error", Text, nullable=True),
    _created(),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Index(None, "org_id", "member_id", "created_at"),
    _tenant_key("member_id", "member"),
)

connected_account = Table(
    "connected_account",
    metadata,
    _id(),
    _org(),
    Column("member_id", Id, nullable=False),
    Column("provider", String(20), nullable=False),  # google | microsoft | oidc
    Column("subject", String(255), nullable=False, server_default=""),
    Column("email", String(320), nullable=False, server_default=""),
    Column("scope", Text, nullable=False, server_default=""),
    # Tokens only sealed with the server secret (services/sync/passwords.py), never plain.
    Column("access_sealed", Text, nullable=True),
    Column("refresh_sealed", Text, nullable=True),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("status", String(12), nullable=False, server_default="connected"),  # or reconnect
    Column("status_reason", Text, nullable=True),
    _created(),
    Column("refreshed_at", DateTime(timezone=True), nullable=True),
    Column("archived_at", DateTime(timezone=True), nullable=True),
    # A refresher's claim while the provider answers (services/sync/accounts.py), not a lock.
    Column("refreshing_until", DateTime(timezone=True), nullable=True),
    UniqueConstraint("org_id", "member_id", "provider"),
    _tenant_key("member_id", "member"),
)

sync_source = Table(
    "sync_source",
    metadata,
    _id(),
    _org(),
    Column("member_id", Id, nullable=False),
    Column("kind", String(8), nullable=False),  # carddav | caldav | imap
    Column("url", String(1000), nullable=False),
    Column("username", String(320), nullable=False, server_default=""),
    # Never a password in plain text: the name of an environment variable, or a sealed secret.
    Column("password_env", String(200), nullable=True),
    Column("password_sealed", Text, nullable=True),
    # Or a connected account's OAuth token (IMAP XOAUTH2, Graph, Google APIs).
    Column("account_id", Id, nullable=True),
    Column("folders", JSON, nullable=False, default=_empty_list),
    Column("interval_minutes", Integer, nullable=False, server_default="10"),
    Column("cursor", JSON, nullable=False, default=_empty_dict),
    Column("items_taken", BigInteger, nullable=False, server_default="0"),
    Column("last_success_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_error_at", DateTime(timezone=True), nullable=True),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("next_run_at", DateTime(timezone=True), nullable=True),
    _created(),
    Column("archived_at", DateTime(timezone=True), nullable=True),
    Index(None, "org_id", "member_id"),
    _tenant_key("member_id", "member"),
    _tenant_key("account_id", "connected_account"),
)


# The tables below have org_id in their primary key and no foreign keys (distribution-ready).

# An uploaded file waiting for its import job, in the store so that a worker on any host reads
# it (services/uploads.py): written and read back a chunk at a time, never whole in memory.
upload = Table(
    "upload",
    metadata,
    Column("org_id", Id, primary_key=True),
    Column("id", String(32), primary_key=True),  # random: no sequence shared across hosts
    Column("name", String(200), nullable=False),
    Column("size", BigInteger, nullable=False, server_default="0"),
    Column("sha256", String(64), nullable=False, server_default=""),
    Column("complete", Boolean, nullable=False, server_default="0"),
    _created(),
    Index("ix_upload_created_at", "org_id", "created_at"),
)

upload_chunk = Table(
    "upload_chunk",
    metadata,
    Column("org_id", Id, primary_key=True),
    Column("upload_id", String(32), primary_key=True),
    Column("chunk_no", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

# One row per intro request sent by SMTP: the sending job's state, which a rerun checks so
# that a retried or duplicated job never sends twice (services/intros/sending.py).
intro_delivery = Table(
    "intro_delivery",
    metadata,
    Column("org_id", Id, primary_key=True),
    Column("request_id", Id, primary_key=True),
    Column("state", String(12), nullable=False),  # queued | sending | accepted | failed | unknown
    Column("message_id", String(300), nullable=False, server_default=""),
    Column("error", Text, nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("queued_at", DateTime(timezone=True), nullable=True),
    Column("attempted_at", DateTime(timezone=True), nullable=True),
    Column("accepted_at", DateTime(timezone=True), nullable=True),
)

# Bumped when a queued import or ingest finishes: web processes on any host see it move, warm
# their first views again and drop cached answers of the organization (web/freshness.py).
org_change = Table(
    "org_change",
    metadata,
    Column("org_id", Id, primary_key=True),
    Column("version", BigInteger, nullable=False, server_default="0"),
    Column("changed_at", DateTime(timezone=True), nullable=True),
)


# The gallery's search (services/contacts/gallery_query.py) on PostgreSQL: trigram indexes
# (pg_trgm, migration 0028) on exactly the expressions its `LIKE '%w%'` reads, so a search
# finds its rows by index instead of reading every person, contact and email. SQLite has an
# FTS5 index instead (store/search_index.py).
def _trigram(name: str, expression: Any) -> Index:
    key = expression.name if isinstance(expression, Column) else name
    return Index(
        name,
        expression if isinstance(expression, Column) else expression.label(key),
        postgresql_using="gin",
        postgresql_ops={key: "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql")


TRIGRAM_INDEXES = (
    _trigram("ix_person_name_trgm", person.c.name_sort),
    _trigram("ix_person_title_trgm", func.lower(person.c.title)),
    _trigram("ix_person_email_trgm", person_email.c.email),
    _trigram("ix_company_name_trgm", func.lower(company.c.name)),
    _trigram("ix_contact_name_trgm", contact.c.name_sort),
    _trigram("ix_contact_company_trgm", func.lower(contact.c.company)),
    _trigram("ix_contact_title_trgm", func.lower(contact.c.title)),
    _trigram("ix_contact_email_trgm", contact_email.c.email),
)


# A read model: the directory's implicit company connections, as pairs of tenures that could
# have overlapped (store/overlaps.py). Per account (company_id): a member's own job
# there (tenure), a member's past job there beside a job there of someone now there (coworker),
# a member's job elsewhere beside a job there of someone now at the account (colleague), and a
# member's school beside a schoolmate now at the account (school). The years overlapping and
# the likelihood are worked out when read (an open tenure grows every day); the pairs change
# only with the histories, employers and members, whose writers refresh them in the same
# transaction. The member side is every person some member row points at (leavers too: who
# is still a member is decided when read). No foreign keys: distributed by org_id.
company_overlap = Table(
    "company_overlap",
    metadata,
    Column("org_id", Id, primary_key=True),
    Column("company_id", Id, primary_key=True),  # the account
    Column("kind", String(9), primary_key=True),  # tenure | coworker | colleague | school
    Column("member_row", Id, primary_key=True),  # the member's employment or education row
    Column("person_row", Id, primary_key=True),  # the other's (tenure: the member's own)
    Column("member_person_id", Id, nullable=False),
    Column("person_id", Id, nullable=False),  # the one now at the account (tenure: the member)
    Column("place_id", Id, nullable=True),  # the employer where they met (school: none)
    Column("place", String(300), nullable=False, server_default=""),  # the school's name
    Column("m_start", Date, nullable=True),
    Column("m_end", Date, nullable=True),
    Column("p_start", Date, nullable=True),
    Column("p_end", Date, nullable=True),
    Index("ix_company_overlap_member", "org_id", "member_person_id"),
    Index("ix_company_overlap_person", "org_id", "person_id"),
)
