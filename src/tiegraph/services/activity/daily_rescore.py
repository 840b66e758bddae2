"""Stored tie scores kept fresh: every organization rescored once a day, in a background thread.

Scores decay while nothing happens, and every view shows the stored ones
(services/activity/tie_scores.py): the daily rescore brings them, and members' paces, up to
today, and members' nurture suggestions with them. An organization whose ties lack their
stored inputs (a store just migrated) is rescored at start whatever the day, and one whose
nurture suggestions are not stored yet has them stored. `tiegraph serve` starts a
DailyRescore; the last run of each organization is kept in its settings, so a restart does
not rescore again before a day.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from functools import partial

from sqlalchemy import select

from tiegraph.services.activity.company_summary import summaries_missing
from tiegraph.services.activity.nurture_store import is_stored, refresh_org
from tiegraph.services.activity.ties import rescore
from tiegraph.services.org.orgs import Org, list_orgs
from tiegraph.services.org.settings import get_setting, put_setting
from tiegraph.store import Store
from tiegraph.store.failover import run_again_when_lost
from tiegraph.store.schema import tie

log = logging.getLogger(__name__)
SETTING = "ties_rescored_at"
INPUTS_SETTING = "ties_have_volumes"
EVERY = timedelta(days=1)
CHECK_SECONDS = 3600.0  # how often the thread looks for an organization that is due


def last_rescore(store: Store, org: Org) -> datetime | None:
    """When the organization's ties were last rescored in the background (None: never)."""
    value = get_setting(store, org, SETTING)
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def rescore_due(
    store: Store, *, now: datetime | None = None, every: timedelta = EVERY
) -> dict[str, int]:
    """Rescore each organization last rescored `every` ago or more (or never).

    Returns the ties changed per organization slug. One organization's failure is logged and
    the others still run; nothing is raised.
    """
    moment = now or datetime.now(UTC)
    done: dict[str, int] = {}
    for summary in list_orgs(store):
        org = summary.org
        try:
            last = last_rescore(store, org)
            fresh = not inputs_missing(store, org) and not _summaries_missing(store, org)
            if last is not None and moment - last < every and fresh:
                if not nurture_missing(store, org):
                    continue
                # a store just migrated to 0023
                run_again_when_lost(partial(refresh_org, store, org, now=moment))
                continue
            # A rescore recomputes stored scores: run again after a lost connection, it makes
            # what one run makes.
            done[org.slug] = run_again_when_lost(partial(rescore, store, org, now=moment))
            run_again_when_lost(partial(put_setting, store, org, SETTING, moment.isoformat()))
            log.info("rescored %s: %d ties changed", org.slug, done[org.slug])
        except Exception:
            log.exception("daily rescore of organization %s failed", org.slug)
    return done


def nurture_missing(store: Store, org: Org) -> bool:
    """Whether the organization's nurture suggestions are not stored yet (a store migrated to
    0023 and not rescored since: the nurture list computes them per view until then)."""
    with store.read() as conn:
        return not is_stored(conn, org)


def inputs_missing(store: Store, org: Org) -> bool:
    """Whether some tie lacks its stored volume (a store migrated to 0017 and not rescored
    since: views would read those ties as without interactions). Looked for once: when none
    does, a setting says so. A member without a stored pace (a new one) reads as pace 1
    everywhere until their first activity."""
    if get_setting(store, org, INPUTS_SETTING):
        return False
    with store.read() as conn:
        missing = conn.execute(
            select(tie.c.member_id).where(tie.c.org_id == org.id, tie.c.volume.is_(None)).limit(1)
        ).first()
    if missing is None:
        put_setting(store, org, INPUTS_SETTING, True)
    return missing is not None


class DailyRescore:
    """A daemon thread running `rescore_due` now and then every `check_seconds` until stopped."""

    def __init__(
        self, store: Store, *, every: timedelta = EVERY, check_seconds: float = CHECK_SECONDS
    ) -> None:
        self.store, self.every, self.check_seconds = store, every, check_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tiegraph-rescore", daemon=True)
        self.runs = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to end; a rescore under way finishes its batch first."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                rescore_due(self.store, every=self.every)
            except Exception:  # the organizations could not even be listed: try again later
                log.exception("daily rescore failed")
            self.runs += 1
            self._stop.wait(self.check_seconds)


def _summaries_missing(store: Store, org: Org) -> bool:
    """Whether the accounts' read model is still to be built (a store migrated to 0024): the
    rescore builds it."""
    with store.read() as conn:
        return summaries_missing(conn, org)
