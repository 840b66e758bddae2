"""Evaluation: who-knows from mail alone, with no directory loaded (issue 18).

On the 1,702 real Enron messages of ../shared/data/enron-berkeley (folders 1-8):

1. members: the MEMBERS (default 25) most active enron.com senders, by messages sent, ties
   broken by address. No sampling, so no seed: the busiest senders are the ones whose
   mailboxes a team would connect first, and 25 is a sales team's size.
2. ingest every message with `ingest_mail`, nothing else loaded;
3. outside correspondents: addresses not at enron.com (nor under it), not role, list or
   no-reply addresses (core.emails.is_role_address), that exchanged mail with two or more
   members (sent to them, or received from them). Report the share who-knows answers for
   (at least one knower), the persons made, how many have a name and an inferred company;
4. a directory import afterwards: one record per named correspondence person at a company,
   half by the same email, half by another email with the same name + company. Reports the
   persons and ties before and after: duplicates = persons after - persons before (want 0).

Run: .venv/bin/python bench/eval_mail_only.py [--members 25] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from tiegraph.core.emails import email_domain, is_own_domain, is_role_address, normalize_email
from tiegraph.formats.mail import iter_messages
from tiegraph.formats.records import MessageHeaders
from tiegraph.services.activity.ingest import ingest_mail
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.insights.who_knows import who_knows
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import Store, open_store
from tiegraph.store.schema import company, interaction, person, person_email, tie

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "enron-berkeley"
OWN = frozenset({"enron.com"})


def read_messages(root: Path) -> list[MessageHeaders]:
    return [m for m in iter_messages(root) if isinstance(m, MessageHeaders)]


def busiest_senders(messages: list[MessageHeaders], count: int) -> list[tuple[str, str]]:
    """(address, display name) of the `count` enron.com addresses that sent the most mail."""
    sent: Counter[str] = Counter()
    names: dict[str, Counter[str]] = {}
    for m in messages:
        sender = normalize_email(m.sender.email)
        if sender and is_own_domain(email_domain(sender), OWN):
            sent[sender] += 1
            names.setdefault(sender, Counter())[m.sender.name or sender.split("@")[0]] += 1
    ranked = sorted(sent, key=lambda a: (-sent[a], a))[:count]
    return [(a, names[a].most_common(1)[0][0]) for a in ranked]


def outside_correspondents(messages: list[MessageHeaders], members: set[str]) -> dict[str, int]:
    """Outside, non-role address -> how many members it exchanged mail with."""
    with_members: dict[str, set[str]] = {}
    for m in messages:
        sender = normalize_email(m.sender.email) or ""
        recipients = {normalize_email(a.email) or "" for a in (*m.to, *m.cc)} - {""}
        pairs = [(sender, r) for r in recipients if sender in members]
        pairs += [(r, sender) for r in recipients if r in members]
        for member, other in pairs:
            if other and other not in members and _outside(other):
                with_members.setdefault(other, set()).add(member)
    return {a: len(ms) for a, ms in with_members.items()}


def _outside(address: str) -> bool:
    return not is_own_domain(email_domain(address), OWN) and not is_role_address(address)


def counts(store: Store) -> dict[str, int]:
    with store.read() as conn:
        inferred = (
            select(func.count())
            .select_from(person)
            .join(company, company.c.id == person.c.company_id)
            .where(person.c.origin == "correspondence", company.c.inferred.is_(True))
        )
        return {
            "persons": conn.execute(select(func.count()).select_from(person)).scalar_one(),
            "correspondence": conn.execute(
                select(func.count()).where(person.c.origin == "correspondence")
            ).scalar_one(),
            "named": conn.execute(
                select(func.count()).where(
                    person.c.origin == "correspondence", person.c.full_name != ""
                )
            ).scalar_one(),
            "inferred_company": conn.execute(inferred).scalar_one(),
            "ties": conn.execute(select(func.count()).select_from(tie)).scalar_one(),
            "interactions": conn.execute(
                select(func.count()).select_from(interaction)
            ).scalar_one(),
        }


def answered_share(store: Store, slug: str, emails: list[str]) -> tuple[int, int]:
    org = resolve_org(store, slug)
    answers = who_knows(store, org, emails, limit=0)
    return sum(1 for a in answers if a.knowers), len(emails)


def directory_records(store: Store) -> list[dict[str, object]]:
    """A directory describing the named correspondents at a company: every other one by a
    different address, so that only its name and company can find the person."""
    with store.read() as conn:
        rows = conn.execute(
            select(person.c.first_name, person.c.last_name, company.c.name, person_email.c.email)
            .join(company, company.c.id == person.c.company_id)
            .join(person_email, person_email.c.person_id == person.c.id)
            .where(
                person.c.origin == "correspondence",
                person.c.first_name != "",
                person.c.last_name != "",
            )
            .order_by(person.c.id)
        ).all()
    records: list[dict[str, object]] = []
    for i, r in enumerate(rows):
        local, _, domain = r.email.partition("@")
        email = r.email if i % 2 == 0 else f"directory.{local}@{domain}"
        records.append(
            {
                "type": "person",
                "id": f"D{i}",
                "first_name": r.first_name,
                "last_name": r.last_name,
                "emails": [email],
                "employment": [{"company": f"{r.name} Inc.", "title": "", "start": "2000-01-01"}],
            }
        )
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=25)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    messages = read_messages(args.data)
    chosen = busiest_senders(messages, args.members)
    members = {a for a, _ in chosen}
    outside = outside_correspondents(messages, members)
    targets = sorted(a for a, n in outside.items() if n >= 2)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/eval.db")
        org = resolve_org(store, None)
        for address, name in chosen:
            add_member(store, org, email=address, name=name)
        started = time.perf_counter()
        report = ingest_mail(store, org, [args.data])
        seconds = time.perf_counter() - started
        after_mail = counts(store)
        answered, asked = answered_share(store, org.slug, targets)
        path = Path(tmp) / "directory.jsonl"
        records = directory_records(store)
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
        print(json.dumps({"after_mail": after_mail, "answered": answered, "asked": asked}))
        imported = import_directory(store, org, [path])
        after_directory = counts(store)
        answered_after, _ = answered_share(store, org.slug, targets)
    out = {
        "messages": len(messages),
        "members": args.members,
        "ingest": report.summary(),
        "ingest_seconds": round(seconds, 2),
        "outside_correspondents": len(outside),
        "with_two_or_more_members": asked,
        "who_knows_answered": answered,
        "answered_share": round(answered / asked, 4) if asked else None,
        "after_mail": after_mail,
        "directory_records": len(records),
        "directory": imported.summary(),
        "after_directory": after_directory,
        "duplicates": after_directory["persons"] - after_mail["persons"],
        "answered_after_directory": answered_after,
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
