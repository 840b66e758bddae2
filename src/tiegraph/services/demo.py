"""The demo organization: generate its export files, then load them through the real importers."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tiegraph.demo import DemoManifest, DemoScale, generate_demo
from tiegraph.services.activity import ingest as ingest_service
from tiegraph.services.contacts import importer as contact_service
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.org.auth import hash_password, set_password_hash
from tiegraph.services.org.members import add_member, get_member
from tiegraph.services.org.orgs import DEFAULT_NAME, Org, rename_org
from tiegraph.services.progress import ProgressCallback, no_progress
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import company, contact, interaction, member, person, person_email, tie

CONTACT_KINDS = ("linkedin", "google", "outlook", "vcard")
# Every demo member signs in to the web app with this password (README, docs/web.md).
DEMO_PASSWORD = "demo-password"
# How many accounts the demo flags as targets, so that My day opens on warm paths into them.
DEMO_TARGETS = 5


@dataclass
class DemoSummary:
    organization: str
    out: Path
    seed: int
    seconds: float = 0.0
    files: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)
    sign_in: str = ""
    member_sign_in: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "organization": self.organization,
            "out": str(self.out),
            "seed": self.seed,
            "seconds": round(self.seconds, 2),
            "files": self.files,
            "counts": self.counts,
            "steps": self.steps,
            "sign_in": self.sign_in,
            "member_sign_in": self.member_sign_in,
            "password": DEMO_PASSWORD,
        }

    def text(self) -> str:
        c = self.counts
        lines = [
            f"Demo organization {self.organization!r} built in {self.seconds:.1f} s "
            f"(seed {self.seed}); {self.files} export files in {self.out}/",
            f"  {c.get('members', 0)} members, {c.get('persons', 0)} directory persons at "
            f"{c.get('companies', 0)} companies",
            f"  {c.get('contacts', 0)} contacts ({c.get('matched', 0)} matched to the directory, "
            f"{c.get('private', 0)} private, {c.get('possible', 0)} possible matches)",
            f"  {c.get('interactions', 0)} interactions, {c.get('ties', 0)} ties "
            f"({c.get('strong', 0)} strong, {c.get('good', 0)} good)",
            *(f"  - {s}" for s in self.steps),
        ]
        if self.sign_in:
            lines.append(f"Try: tiegraph who-knows {self.sign_in}")
        if self.member_sign_in:
            lines.append(
                f"Web app: tiegraph serve, then sign in as {self.member_sign_in} "
                f"with the password {DEMO_PASSWORD}"
            )
        return "\n".join(lines)


def build_demo(
    store: Store,
    org: Org,
    out: Path,
    *,
    seed: int = 7,
    scale: DemoScale | None = None,
    progress: ProgressCallback = no_progress,
) -> DemoSummary:
    """Write the demo's files into `out` and import them into `org`; running it again is a no-op."""
    started = time.perf_counter()
    progress("Writing demo files", 0, 1)
    manifest = generate_demo(out, seed=seed, scale=scale or DemoScale())
    progress("Writing demo files", 1, 1)
    summary = DemoSummary(manifest.organization, out, seed)
    summary.files = sum(len(paths) for kind, paths in manifest.files.items())
    if org.name == DEFAULT_NAME:
        org = rename_org(store, org, manifest.organization)
    summary.steps.extend(load_people(store, org, manifest, progress=progress))
    end = datetime.combine(manifest.scale.end_date, datetime.min.time(), tzinfo=UTC)
    window_start = end - timedelta(days=31 * (manifest.scale.months + 1))
    mail = ingest_service.ingest_mail(store, org, manifest.paths("mbox"), progress=progress)
    summary.steps.append("Mail: " + mail.summary())
    meetings = ingest_service.ingest_calendar(
        store,
        org,
        manifest.paths("ics"),
        window_start=window_start,
        window_end=end,
        progress=progress,
    )
    summary.steps.append("Calendar: " + meetings.summary())
    calls = ingest_service.ingest_calls(store, org, manifest.paths("calls"), progress=progress)
    summary.steps.append("Calls: " + calls.summary())
    targets = flag_targets(store, org, DEMO_TARGETS)
    if targets:
        summary.steps.append("Target accounts flagged: " + ", ".join(targets))
    summary.counts = org_counts(store, org)
    summary.seconds = time.perf_counter() - started
    summary.sign_in = _example_person(store, org)
    summary.member_sign_in = _member_emails(manifest.paths("members")[0])[0]
    return summary


def load_people(
    store: Store, org: Org, manifest: DemoManifest, *, progress: ProgressCallback = no_progress
) -> list[str]:
    """The demo's directory, members and every member's address books; returns the steps."""
    directory = import_directory(store, org, manifest.paths("directory"), progress=progress)
    members = _add_members(store, org, manifest.paths("members")[0])
    for email in _member_emails(manifest.paths("members")[0]):
        owner = get_member(store, org, email)
        files = [p for kind in CONTACT_KINDS for p in manifest.paths(kind) if _owned(p, email)]
        if files:
            contact_service.import_contacts(store, org, owner, files)
    return [directory.summary(), f"Members: {members} from members.csv"]


def _owned(path: Path, email: str) -> bool:
    # Address books sit in contacts/<member local part>/.
    return path.parent.name == email.split("@", 1)[0]


def _member_emails(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["email"] for row in csv.DictReader(handle)]


def _add_members(store: Store, org: Org, path: Path) -> int:
    count = 0
    # One argon2 hash for all: each takes tens of milliseconds, and the password is public anyway.
    password_hash = hash_password(DEMO_PASSWORD)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            added = add_member(
                store,
                org,
                email=row["email"],
                name=row["name"],
                role=row.get("role") or "member",
                exist_ok=True,
            )
            set_password_hash(store, org, added, password_hash)
            count += 1
    return count


def flag_targets(store: Store, org: Org, count: int) -> list[str]:
    """Flag as targets the `count` outside accounts with the most strong ties to members (not
    the members' own employer), as a sales team would; returns their names. Already flagged
    ones are kept, so running the demo again changes nothing."""
    with store.read() as conn:
        if conn.execute(
            select(func.count())
            .select_from(company)
            .where(company.c.org_id == org.id, company.c.is_target.is_(True))
        ).scalar_one():
            return []
        own = select(person.c.company_id).where(
            person.c.org_id == org.id,
            person.c.id.in_(select(member.c.person_id).where(member.c.org_id == org.id)),
            person.c.company_id.is_not(None),
        )
        strong = func.count()
        rows = conn.execute(
            select(company.c.id, company.c.name)
            .join(tie, (tie.c.org_id == company.c.org_id) & (tie.c.company_id == company.c.id))
            .where(
                company.c.org_id == org.id,
                company.c.inferred.is_(False),
                company.c.archived_at.is_(None),
                company.c.id.not_in(own),
                tie.c.label == "strong",
            )
            .group_by(company.c.id, company.c.name)
            .order_by(strong.desc(), company.c.name)
            .limit(count)
        ).all()
    with store.write() as conn:
        conn.execute(
            company.update()
            .where(company.c.org_id == org.id, company.c.id.in_([r.id for r in rows]))
            .values(is_target=True)
        )
    return [r.name for r in rows]


def org_counts(store: Store, org: Org) -> dict[str, int]:
    """How much the organization holds, for summaries."""

    def count(table: Any, *where: Any) -> int:
        query = select(func.count()).select_from(table).where(table.c.org_id == org.id, *where)
        return int(conn.execute(query).scalar_one())

    with store.read() as conn:
        return {
            "members": count(member),
            "persons": count(person),
            "companies": count(company),
            "contacts": count(contact),
            "matched": count(contact, contact.c.status == "matched"),
            "possible": count(contact, contact.c.status == "possible"),
            "private": count(contact, contact.c.status == "private"),
            "interactions": count(interaction),
            "ties": count(tie),
            "strong": count(tie, tie.c.label == "strong"),
            "good": count(tie, tie.c.label == "good"),
        }


def _example_person(store: Store, org: Org) -> str:
    """An outside person several members know, to try `who-knows` on."""
    with store.read() as conn:
        row = conn.execute(
            select(person_email.c.email)
            .join(tie, tie.c.person_id == person_email.c.person_id)
            .join(person, same_org(person, tie.c.person_id))
            .where(tie.c.org_id == org.id, person.c.origin == "directory")
            .group_by(person_email.c.email)
            .order_by(func.count().desc(), person_email.c.email)
            .limit(1)
        ).first()
    return row.email if row else ""
