"""`bench_scale.py`: a large organization written straight into the real schema.

The directory (companies, domains, persons, emails, employment) and the members come from
this process by COPY. Ties and interactions are made by the server itself (INSERT ... SELECT
over generate_series), from a few thousand tie *shapes* folded and scored here by the real
strength model (core/strength.py): each tie takes one shape, its state, score, reasons and
volume are that shape's, and its interactions are the shape's touches, so a tie's stored
state is exactly the fold of its stored interactions. One interaction per message (activity
item). Secondary indexes are dropped for the load and rebuilt after it, foreign-key triggers
are off while loading (session_replication_role = replica): the usual bulk-load recipe.

Skew: contacts per member follow a Zipf-like law, exponent 0.5 (of 1,000 members the busiest
has ~30x the quietest's ties); 5% of the directory are "hot" persons holding a quarter of all
ties (about 50 members each), the rest share the other three quarters (about 8 each); touches
per tie follow a power law (most ties have one or two, a few hundreds) in bursts over three
years.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg

from scale_copy import BIG_TABLES, copy_rows
from scale_shapes import slot
from tiegraph.core.companies import normalize_company


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "anna ben chloe david emma farid grace hugo ines jonas kira liam maya noah olga "
    "pedro quinn rosa sven tara umar vera wei xenia yusuf zoe"
)
LAST = _words(
    "adams baker chen dubois evans fischer garcia hansen ito jones kowalski lee "
    "martin nunez olsen patel rossi smith tanaka ueda vogel weber xu young zhang "
    "meyer novak silva"
)
WORDS = _words(
    "north blue acme stellar river quant nova peak orbit delta harbor lumen vertex "
    "cedar pixel atlas summit coral zen iron"
)
KINDS = ("Systems", "Labs", "Logistics", "Health", "Capital", "Foods", "Energy", "Software")
TITLES = ("CEO", "CTO", "VP Sales", "Head of IT", "Engineer", "Buyer", "CFO", "Analyst", "")
HOT_SHARE = 0.05  # of the directory: the persons a quarter of all ties go to
HOT_TIES = 0.25


@dataclass(frozen=True)
class Sizes:
    members: int
    persons: int
    companies: int
    ties: int
    interactions: int

    @classmethod
    def of(cls, scale: float) -> Sizes:
        persons = max(round(2_000_000 * scale), 5_000)
        return cls(
            members=min(1000, max(200, round(1000 * scale))),
            persons=persons,
            companies=max(persons // 50, 100),
            ties=max(round(20_000_000 * scale), 10_000),
            interactions=max(round(50_000_000 * scale), 25_000),
        )


# --- directory and members ---------------------------------------------------------------------


def _company_rows(org: int, count: int) -> Iterator[tuple[object, ...]]:
    for i in range(1, count + 1):
        name = f"{WORDS[i % len(WORDS)].title()} {WORDS[(i // 20) % len(WORDS)].title()} "
        name += f"{KINDS[(i // 400) % len(KINDS)]} {i}"
        yield (
            i,
            org,
            f"C{i}",
            name,
            normalize_company(name),
            10 + (count * 40) // i,
            KINDS[i % len(KINDS)],
            i % 97 == 0,
            i % 211 == 0,
            False,
        )


def domain_of(company: int) -> str:
    return f"{WORDS[company % len(WORDS)]}{company}.example.com"


def person_company(rng: random.Random, companies: int) -> int:
    """A skewed employer: the first companies are big (hundreds of thousands at full size)."""
    return 1 + min(int(companies * rng.random() ** 3), companies - 1)


def load_directory(conn: psycopg.Connection[Any], org: int, sizes: Sizes, seed: int) -> None:
    rng = random.Random(seed)
    copy_rows(
        conn,
        "company",
        (
            "id",
            "org_id",
            "external_id",
            "name",
            "name_key",
            "size",
            "industry",
            "is_target",
            "is_reference_customer",
            "inferred",
        ),
        _company_rows(org, sizes.companies),
    )
    copy_rows(
        conn,
        "company_domain",
        ("id", "org_id", "company_id", "domain"),
        ((i, org, i, domain_of(i)) for i in range(1, sizes.companies + 1)),
    )
    employers = [person_company(rng, sizes.companies) for _ in range(sizes.persons)]

    def persons() -> Iterator[tuple[object, ...]]:
        for i, company in enumerate(employers, 1):
            first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
            yield (
                i,
                org,
                f"P{i}",
                first.title(),
                last.title(),
                f"{first.title()} {last.title()}",
                company,
                TITLES[i % len(TITLES)],
                "directory",
            )

    copy_rows(
        conn,
        "person",
        (
            "id",
            "org_id",
            "external_id",
            "first_name",
            "last_name",
            "full_name",
            "company_id",
            "title",
            "origin",
        ),
        persons(),
    )

    def emails() -> Iterator[tuple[object, ...]]:
        for i, company in enumerate(employers, 1):
            first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
            yield (i, org, i, f"{first}.{last}.{i}@{domain_of(company)}")

    copy_rows(conn, "person_email", ("id", "org_id", "person_id", "email"), emails())

    def jobs() -> Iterator[tuple[object, ...]]:
        number = 0
        for i, company in enumerate(employers, 1):
            started = date(2010, 1, 1) + timedelta(days=(i * 7919) % 5000)
            number += 1
            yield (number, org, i, company, TITLES[i % len(TITLES)], started, None)
            if i % 3 == 0:  # a previous employer: what company connections read
                number += 1
                before = person_company(rng, sizes.companies)
                yield (number, org, i, before, "", started - timedelta(days=1500), started)

    copy_rows(
        conn,
        "employment",
        ("id", "org_id", "person_id", "company_id", "title", "start_date", "end_date"),
        jobs(),
    )


def member_email(number: int) -> str:
    return f"seller{number}@bench-team.example.com"


def load_members(conn: psycopg.Connection[Any], org: int, sizes: Sizes, password_hash: str) -> None:
    """Members 1..M, each also a person (id persons + number) of origin member."""
    base = sizes.persons
    numbers = range(1, sizes.members + 1)
    copy_rows(
        conn,
        "person",
        ("id", "org_id", "first_name", "last_name", "full_name", "origin"),
        ((base + n, org, "Seller", str(n), f"Seller {n}", "member") for n in numbers),
    )
    copy_rows(
        conn,
        "person_email",
        ("id", "org_id", "person_id", "email"),
        ((base + n, org, base + n, member_email(n)) for n in numbers),
    )
    copy_rows(
        conn,
        "member",
        (
            "id",
            "org_id",
            "person_id",
            "email",
            "name",
            "role",
            "password_hash",
            "contact_sync",
            "activity_sharing",
        ),
        (
            (
                n,
                org,
                base + n,
                member_email(n),
                f"Seller {n}",
                "admin" if n == 1 else "member",
                password_hash,
                True,
                n % 10 != 0,
            )
            for n in numbers
        ),
    )
    copy_rows(
        conn,
        "member_address",
        ("id", "org_id", "member_id", "email"),
        ((n, org, n, member_email(n)) for n in numbers),
    )


# --- ties and interactions, made by the server -------------------------------------------------


def _stride(modulus: int, near: int) -> int:
    """A step coprime with `modulus`: j * step mod modulus visits distinct persons."""
    step = max(near, 1)
    while math.gcd(step, modulus) != 1:
        step += 1
    return step


def load_ties(
    conn: psycopg.Connection[Any], org: int, sizes: Sizes, now: datetime, seed: int
) -> None:
    rng = random.Random(seed)
    hot = max(int(sizes.persons * HOT_SHARE), 1)
    cold = sizes.persons - hot
    zipf = [r**-0.5 for r in range(1, sizes.members + 1)]
    rng.shuffle(zipf)  # the busiest members are not the first ids
    total = sum(zipf)
    conn.execute(
        "CREATE UNLOGGED TABLE bench_member (member_id bigint, n_hot int, "
        "n_cold int, off_hot bigint, off_cold bigint)"
    )
    rows = []
    for number, weight in enumerate(zipf, 1):
        ties = min(round(sizes.ties * weight / total), sizes.persons // 4)
        n_hot = min(round(ties * HOT_TIES), hot)
        rows.append(
            (number, n_hot, min(ties - n_hot, cold), rng.randrange(hot), rng.randrange(cold))
        )
    copy_rows(conn, "bench_member", ("member_id", "n_hot", "n_cold", "off_hot", "off_cold"), rows)
    step_hot, step_cold = _stride(hot, int(hot * 0.618)), _stride(cold, int(cold * 0.618))
    conn.execute(
        f"""
        INSERT INTO tie (org_id, member_id, person_id, company_id, score, label, explicit,
                         first_at, last_at, state, reasons, scored_at, volume)
        SELECT %(org)s, c.member_id, c.person_id, p.company_id, s.score, s.label, false,
               s.first_at, s.last_at, s.state, s.reasons, %(now)s, s.volume
        FROM (
            SELECT b.member_id, 1 + (j::bigint * %(sh)s + b.off_hot) %% %(hot)s AS person_id
            FROM bench_member b, generate_series(0, b.n_hot - 1) AS j
            UNION ALL
            SELECT b.member_id, 1 + %(hot)s + (j::bigint * %(sc)s + b.off_cold) %% %(cold)s
            FROM bench_member b, generate_series(0, b.n_cold - 1) AS j
        ) AS c
        JOIN person p ON p.id = c.person_id
        JOIN bench_pick k ON k.slot = {slot("c.member_id", "c.person_id")}
        JOIN bench_shape s ON s.id = k.shape_id
        """,
        {"org": org, "now": now, "sh": step_hot, "hot": hot, "sc": step_cold, "cold": cold},
    )


def load_interactions(conn: psycopg.Connection[Any], org: int, now: datetime) -> None:
    """Each tie's shape's touches as interactions (one message each) and their messages."""
    conn.execute(
        f"""
        INSERT INTO interaction (id, org_id, activity_id, member_id, person_id, address,
                                 channel, direction, occurred_at, participants,
                                 duration_seconds, thread_reply)
        SELECT n, %(org)s, n, member_id, person_id, email, channel, direction, at,
               participants, duration, reply
        FROM (
            SELECT nextval('interaction_id_seq') AS n, x.member_id, x.person_id, e.email,
                   u.channel, u.direction, u.at, u.participants, u.duration, u.reply
            FROM tie x
            JOIN bench_pick k ON k.slot = {slot("x.member_id", "x.person_id")}
            JOIN bench_touch u ON u.shape_id = k.shape_id
            JOIN person_email e ON e.person_id = x.person_id
        ) AS made
        """,
        {"org": org},
    )
    conn.execute(
        "INSERT INTO activity_item (id, org_id, channel, source_key, fingerprint, occurred_at, "
        "created_at) SELECT id, org_id, channel, '<bench-' || id || '@bench>', '', "
        "occurred_at, %s FROM interaction",
        (now,),
    )


def finish(conn: psycopg.Connection[Any], again: Sequence[str]) -> None:
    """Indexes back, sequences past the ids written, the shapes gone."""
    for statement in again:
        conn.execute(statement)
    for table in (*BIG_TABLES, "member", "member_address"):
        if table == "tie":
            continue
        conn.execute(f"SELECT setval('{table}_id_seq', (SELECT coalesce(max(id), 1) FROM {table}))")
    for table in ("bench_member", "bench_pick", "bench_touch", "bench_shape"):
        conn.execute(f"DROP TABLE IF EXISTS {table}")


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
