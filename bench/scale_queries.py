"""`bench_scale.py` phase 2: who-knows and closest connections in process, p50/p99, hot and
cold, against a primary-key read of a person through the same store (the floor of any query).

Hot persons are drawn from the 5% of the directory that a quarter of all ties go to, cold
ones from the rest; hot companies are the 20 biggest employers, cold ones any other. The
viewer is member 3, who shares activity (as nine members in ten do); each call sees its own
person (a fresh sample per kind), so no answer serves the next from a cache.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from sqlalchemy import select

import scale_data
from tiegraph.services.insights.closest import closest_to_account, closest_to_person
from tiegraph.services.insights.who_knows import who_knows
from tiegraph.services.org.members import member_by_id
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.schema import person, person_email


def _latencies(calls: list[Callable[[], object]]) -> list[float]:
    found = []
    for call in calls:
        started = time.perf_counter()
        call()
        found.append((time.perf_counter() - started) * 1000)
    return found


def _line(name: str, latencies: list[float], floor: float | None) -> float:
    p50 = statistics.median(latencies)
    p99 = statistics.quantiles(latencies, n=100, method="inclusive")[98]
    ratio = f"  p99 {p99 / floor:7.1f}x the floor" if floor else "  (floor)"
    print(f"  {name:<40} p50 {p50:8.2f} ms  p99 {p99:8.2f} ms{ratio}", flush=True)
    return p99


def emails_of(store: Store, org: Org, ids: list[int]) -> list[str]:
    with store.read() as conn:
        found = dict(
            conn.execute(
                select(person_email.c.person_id, person_email.c.email).where(
                    person_email.c.org_id == org.id, person_email.c.person_id.in_(ids)
                )
            ).all()
        )
    return [found[i] for i in ids if i in found]


def measure_queries(store: Store, org: Org, samples: int, seed: int) -> None:
    rng = random.Random(seed)
    with store.read() as conn:
        persons = conn.exec_driver_sql(
            "SELECT count(*) FROM person WHERE origin = 'directory'"
        ).scalar_one()
        companies = conn.exec_driver_sql("SELECT count(*) FROM company").scalar_one()
    hot = max(int(persons * scale_data.HOT_SHARE), 1)
    viewer = member_by_id(store, org, 3)

    def hot_emails() -> list[str]:  # a fresh sample per kind: no kind reads another's pages
        return emails_of(store, org, [rng.randint(1, hot) for _ in range(samples)])

    def cold_emails() -> list[str]:
        return emails_of(store, org, [rng.randint(hot + 1, persons) for _ in range(samples)])

    def by_key(person_id: int) -> Callable[[], object]:
        def read() -> object:
            with store.read() as conn:
                return conn.execute(
                    select(person).where(person.c.org_id == org.id, person.c.id == person_id)
                ).first()

        return read

    print(f"queries in process, {samples} calls each, as member {viewer.email}:")
    _latencies([by_key(rng.randint(1, persons)) for _ in range(50)])  # warm the pool
    floor = _line(
        "person by primary key (baseline)",
        _latencies([by_key(rng.randint(1, persons)) for _ in range(samples)]),
        None,
    )
    kinds: list[tuple[str, list[Callable[[], object]]]] = [
        ("who_knows, hot persons", [_who(store, org, e, viewer) for e in hot_emails()]),
        ("who_knows, cold persons", [_who(store, org, e, viewer) for e in cold_emails()]),
        ("closest_to_person, hot", [_closest(store, org, e, viewer) for e in hot_emails()]),
        ("closest_to_person, cold", [_closest(store, org, e, viewer) for e in cold_emails()]),
        (
            "closest_to_account, 20 biggest",
            [_account(store, org, 1 + i % 20, viewer) for i in range(samples)],
        ),
        (
            "closest_to_account, others",
            [_account(store, org, rng.randint(21, companies), viewer) for _ in range(samples)],
        ),
    ]
    for name, calls in kinds:
        _line(name, _latencies(calls), floor)


def _who(store: Store, org: Org, email: str, viewer: object) -> Callable[[], object]:
    return lambda: who_knows(store, org, [email], viewer=viewer)  # type: ignore[arg-type]


def _closest(store: Store, org: Org, email: str, viewer: object) -> Callable[[], object]:
    return lambda: closest_to_person(store, org, email, viewer=viewer)  # type: ignore[arg-type]


def _account(store: Store, org: Org, company: int, viewer: object) -> Callable[[], object]:
    return lambda: closest_to_account(store, org, company, viewer=viewer)  # type: ignore[arg-type]
