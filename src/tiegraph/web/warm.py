"""What the first view needs, done before anyone asks: every template compiled, and for each
organization the statements of the pages a seller opens first compiled once (SQLAlchemy
caches them per process) and their tables' pages read into the database's cache.

`tiegraph serve` warms before it accepts requests (each worker process its own), and again
after an import through the web app finishes (new rows, a fresh ANALYZE: new plans). Warming
only reads: what it finds is thrown away; one failing step is logged and the others run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from tiegraph.services.contacts.gallery import gallery_rows
from tiegraph.services.directory.profiles import search_accounts, search_persons
from tiegraph.services.insights.my_day import my_day
from tiegraph.services.org.members import Member, list_members
from tiegraph.services.org.orgs import Org, list_orgs
from tiegraph.store import Store
from tiegraph.web.templating import environment

log = logging.getLogger(__name__)
ORGS = 3  # the first organizations only: a server of many warms the rest on their first view


def warm_templates() -> int:
    """Compile every template (Jinja keeps them compiled); returns how many."""
    names = environment.list_templates(filter_func=lambda name: name.endswith(".html"))
    for name in names:
        environment.get_template(name)
    return len(names)


def warm_org(store: Store, org: Org, viewer: Member) -> None:
    """Run the services of a seller's first pages once, as `viewer`."""
    steps: list[tuple[str, Callable[[], object]]] = [
        ("my day", lambda: my_day(store, org, viewer)),
        ("gallery", lambda: gallery_rows(store, org, viewer)),
        ("gallery by score", lambda: gallery_rows(store, org, viewer, sort="score")),
        ("accounts", lambda: search_accounts(store, org, viewer=viewer)),
        (
            "accounts by coverage",
            lambda: search_accounts(store, org, viewer=viewer, sort="coverage"),
        ),
        ("people", lambda: search_persons(store, org, viewer=viewer)),
    ]
    for name, step in steps:
        try:
            step()
        except Exception:
            log.exception("warming %s of %s failed", name, org.slug)


def warm(store: Store) -> float:
    """Warm the templates and the first organizations' pages; returns the seconds it took."""
    started = time.perf_counter()
    warm_templates()
    try:
        orgs = list_orgs(store)[:ORGS]
    except Exception:
        log.exception("warming: the organizations could not be listed")
        return time.perf_counter() - started
    for summary in orgs:
        members = [m for m in list_members(store, summary.org) if m.role != "admin"]
        members = members or list_members(store, summary.org)
        if members:
            warm_org(store, summary.org, members[0])
    return time.perf_counter() - started
