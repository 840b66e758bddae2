"""Run on a host of the multi-host test (`ip netns exec`): set up the organization, or read what
the store holds for the checks. Prints one JSON object.

    python store_probe.py setup URL     -> {"token": ...}
    python store_probe.py inspect URL   -> {"lists": [...], "jobs": {...}, "counts": {...}, ...}
"""

from __future__ import annotations

import json
import sys

from sqlalchemy import func, select, text

from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import create_org, resolve_org
from tiegraph.store import Store, open_store
from tiegraph.store.schema import (
    contact,
    contact_email,
    contact_source,
    import_job,
    person,
    person_list,
)

ORG = "acme"
COUNTED = {
    "persons": person,
    "contacts": contact,
    "contact_sources": contact_source,
    "contact_emails": contact_email,
}


def setup(store: Store) -> dict[str, object]:
    org = create_org(store, ORG)
    seller = add_member(store, org, email="seller@acme.example", name="Sam Seller")
    _, token = create_token(store, org, seller, "load")
    return {"token": token}


def inspect(store: Store) -> dict[str, object]:
    org_id = resolve_org(store, ORG).id
    with store.read() as conn:
        lists = list(
            conn.execute(select(person_list.c.name).where(person_list.c.org_id == org_id)).scalars()
        )
        queue = dict(
            conn.execute(
                text("SELECT status::text, count(*) FROM procrastinate_jobs GROUP BY 1")
            ).all()
        )
        imports = [
            {"id": r.id, "status": r.status, "done": r.progress_done, "error": r.error}
            for r in conn.execute(select(import_job).where(import_job.c.org_id == org_id))
        ]
        runs: dict[str, dict[str, int]] = {}
        for task, kind, count in conn.execute(
            text(
                "SELECT j.task_name, e.type::text, count(*) FROM procrastinate_events e "
                "JOIN procrastinate_jobs j ON j.id = e.job_id GROUP BY 1, 2"
            )
        ):
            runs.setdefault(task, {})[kind] = count
        counts = {
            name: conn.execute(
                select(func.count()).select_from(table).where(table.c.org_id == org_id)
            ).scalar_one()
            for name, table in COUNTED.items()
        }
        in_recovery = conn.execute(text("SELECT pg_is_in_recovery()")).scalar_one()
        server = conn.execute(text("SELECT inet_server_addr()::text")).scalar_one()
    return {
        "lists": lists,
        "queue": queue,
        "imports": imports,
        "events": runs,
        "counts": counts,
        "in_recovery": in_recovery,
        "server": server,
    }


def main() -> None:
    action, url = sys.argv[1], sys.argv[2]
    store = open_store(url)
    try:
        print(json.dumps(setup(store) if action == "setup" else inspect(store)))
    finally:
        store.dispose()


if __name__ == "__main__":
    main()
