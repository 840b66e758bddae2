"""What the first view needs, done before anyone asks: every template compiled, and for each
organization the statements of the pages a seller opens first compiled once (SQLAlchemy
caches them per process) and their tables' pages read into the database's cache.

`tiegraph serve` warms before it accepts requests (each worker process its own), and again
after an import finishes, here or on a worker of any host (new rows, a fresh ANALYZE: new
plans): web/freshness.py notices it. Warming
only reads: what it finds is thrown away; one failing step is logged and the others run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection

from sqlalchemy import func, select

from tiegraph.services.contacts.gallery import gallery_rows
from tiegraph.services.directory.profiles import (
    get_account,
    get_person,
    search_accounts,
    search_persons,
)
from tiegraph.services.insights.closest import closest_to_account
from tiegraph.services.insights.connections import company_connections
from tiegraph.services.insights.my_day import my_day
from tiegraph.services.insights.paths import intro_paths
from tiegraph.services.insights.who_knows import knowers_of_person
from tiegraph.services.org.members import Member, list_members
from tiegraph.services.org.orgs import Org, list_orgs
from tiegraph.store import Store
from tiegraph.store.schema import person_email, tie
from tiegraph.web.templating import environment

log = logging.getLogger(__name__)
ORGS = 3  # the first organizations only: a server of many warms the rest on their first view


def warm_templates() -> int:
    """Compile every template (Jinja keeps them compiled); returns how many."""
    names = environment.list_templates(filter_func=lambda name: name.endswith(".html"))
    for name in names:
        environment.get_template(name)
    return len(names)


def _known(store: Store, org: Org, viewer: Member) -> tuple[int | None, str, int | None]:
    """A person the viewer knows (id and an email) and their employer, to open pages of."""
    with store.read() as conn:
        row = conn.execute(
            select(tie.c.person_id, tie.c.company_id, func.min(person_email.c.email))
            .join(person_email, person_email.c.person_id == tie.c.person_id)
            .where(tie.c.org_id == org.id, tie.c.member_id == viewer.id)
            .group_by(tie.c.person_id, tie.c.company_id)
            .limit(1)
        ).first()
    return (row[0], row[2], row[1]) if row else (None, "", None)


def warm_org(store: Store, org: Org, viewer: Member) -> None:
    """Run the services of a seller's first pages once, as `viewer`."""
    person_id, email, company_id = _known(store, org, viewer)
    steps: list[tuple[str, Callable[[], object]]] = [
        ("my day", lambda: my_day(store, org, viewer)),
        ("gallery", lambda: gallery_rows(store, org, viewer)),
        ("gallery by score", lambda: gallery_rows(store, org, viewer, sort="score")),
        ("gallery search", lambda: gallery_rows(store, org, viewer, search="warm")),
        ("accounts", lambda: search_accounts(store, org, viewer=viewer)),
        (
            "accounts by coverage",
            lambda: search_accounts(store, org, viewer=viewer, sort="coverage"),
        ),
        ("people", lambda: search_persons(store, org, viewer=viewer)),
    ]
    if person_id is not None:
        steps += [
            ("person", lambda: get_person(store, org, person_id, viewer=viewer)),
            ("who knows", lambda: knowers_of_person(store, org, person_id, viewer=viewer)),
            ("paths", lambda: intro_paths(store, org, email, requester=viewer, viewer=viewer)),
        ]
    if company_id is not None:
        steps += [
            ("account", lambda: get_account(store, org, company_id, viewer)),
            ("closest", lambda: closest_to_account(store, org, company_id, viewer=viewer)),
            # as the account page asks for them: unworded (web/routes/pages_accounts.py)
            (
                "connections",
                lambda: company_connections(store, org, company_id, viewer=viewer, worded=False),
            ),
        ]
    for name, step in steps:
        try:
            step()
        except Exception:
            log.exception("warming %s of %s failed", name, org.slug)


def warm(store: Store, org_ids: Collection[int] | None = None) -> float:
    """Warm the templates and the first organizations' pages (or those of `org_ids`, whose data
    just changed); returns the seconds it took."""
    started = time.perf_counter()
    warm_templates()
    try:
        orgs = [s for s in list_orgs(store) if org_ids is None or s.org.id in org_ids][:ORGS]
    except Exception:
        log.exception("warming: the organizations could not be listed")
        return time.perf_counter() - started
    for summary in orgs:
        members = [m for m in list_members(store, summary.org) if m.role != "admin"]
        members = members or list_members(store, summary.org)
        if members:
            warm_org(store, summary.org, members[0])
    return time.perf_counter() - started
