"""Intro requests sent by SMTP as a job (services/intros/sending.py), at a real SMTP server
(aiosmtpd on loopback): through the API, by a real `tiegraph worker` on PostgreSQL and in the
web process on SQLite; sent once whatever reruns; a sender killed between the server taking the
mail and the record never sends it again, and says so."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from tests.processes import start_worker, stop, tiegraph, wait_for

from intro_world import World, build_world
from test_intro_smtp import _free_port
from tiegraph.services.intros import smtp_settings
from tiegraph.services.intros.requests import draft_intro, get_intro
from tiegraph.services.intros.sending import (
    ACCEPTED,
    SEND_TASK,
    UNKNOWN,
    deliver,
    queue_smtp,
)
from tiegraph.services.jobs.queue import enqueue, uses_queue
from tiegraph.services.org.auth import create_token
from tiegraph.store import Store
from tiegraph.store.schema import intro_delivery
from tiegraph.web.app import create_app
from tiegraph.web.settings import WebSettings


class Inbox:
    """Keeps every envelope it is handed; while `hold` is set it answers nothing (the mail is
    taken, the sender not yet told), and `taken` says a mail came in."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.taken = threading.Event()
        self.hold = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        self.taken.set()
        while self.hold.is_set():
            await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        inbox.hold.clear()
        controller.stop()


def _ready(store: Store, tmp_path: Path, port: int) -> tuple[World, int]:
    world = build_world(store, tmp_path)
    settings = smtp_settings.checked_settings(host="127.0.0.1", port=port, security="none")
    smtp_settings.set_smtp(store, world.org, settings)
    draft = draft_intro(store, world.org, world.ana, via="bo@us.example", to="pat@acme.example")
    return world, draft.id


def _delivery(store: Store, request_id: int) -> tuple[str, int]:
    with store.read() as conn:
        row = conn.execute(
            select(intro_delivery.c.state, intro_delivery.c.attempts).where(
                intro_delivery.c.request_id == request_id
            )
        ).one()
    return row.state, row.attempts


def test_a_send_through_the_api_is_a_job_that_sends_once(store: Store, tmp_path: Path) -> None:
    with smtp_inbox() as (inbox, port):
        world, rid = _ready(store, tmp_path, port)
        app = create_app(store, WebSettings(secret_key="k" * 32))
        _, token = create_token(store, world.org, world.ana, "tests")
        worker = start_worker(store.url, tmp_path / "worker.log") if uses_queue(store) else None
        try:
            with closing(TestClient(app, headers={"Authorization": f"Bearer {token}"})) as api:
                sent = api.post(f"/api/v1/intros/{rid}/send", json={"delivery": "smtp"})
                assert sent.status_code == 200, sent.text
                assert sent.json()["intro"]["status"] == "sending"
                wait_for(
                    lambda: api.get(f"/api/v1/intros/{rid}").json()["status"] == "requested",
                    60,
                    "the job to send the request",
                )
                done = api.get(f"/api/v1/intros/{rid}").json()
            assert done["delivery"] == "smtp" and done["sending_error"] == ""
            assert (done["subject"], done["body"]) == ("", "")
            [envelope] = inbox.envelopes
            assert sorted(envelope.rcpt_tos) == ["ana@us.example", "bo@us.example"]
            assert sent.json()["message_id"] in (envelope.original_content or b"").decode()
            # A duplicate of the job (run again by hand, or queued twice) sends nothing more.
            assert deliver(store, world.org, rid) == ACCEPTED
            if worker is not None:
                again = enqueue(store, SEND_TASK, org_id=world.org.id, request_id=rid)
                wait_for(lambda: _job_status(store, again) == "succeeded", 60, "the duplicate job")
            assert len(inbox.envelopes) == 1
            assert _delivery(store, rid) == (ACCEPTED, 1)
        finally:
            if worker is not None:
                stop(worker)
            app.state.deliveries.shutdown(wait=True)
            app.state.imports.shutdown(wait=True)


def _job_status(store: Store, job_id: int) -> str:
    with store.read() as conn:
        return str(
            conn.execute(
                text("SELECT status::text FROM procrastinate_jobs WHERE id = :id"), {"id": job_id}
            ).scalar_one()
        )


@pytest.mark.postgres
def test_a_worker_killed_after_the_server_took_the_mail_never_sends_it_again(
    pg_store: Store, tmp_path: Path
) -> None:
    store = pg_store
    log = tmp_path / "workers.log"
    with smtp_inbox() as (inbox, port):
        world, rid = _ready(store, tmp_path, port)
        queue_smtp(store, world.org, rid, world.ana, on_queue=True)
        inbox.hold.set()  # the server has the mail but has not said so yet ...
        first = start_worker(store.url, log)
        second = None
        try:
            assert inbox.taken.wait(60), log.read_text()
            first.send_signal(signal.SIGKILL)  # ... when the sender dies
            first.wait()
            inbox.hold.clear()
            assert _delivery(store, rid) == ("sending", 1)
            second = start_worker(store.url, log)  # its sweep retries the dead worker's job
            wait_for(
                lambda: get_intro(store, world.org, rid).status == "draft",
                60,
                "the retried job to end the sending",
            )
        finally:
            for process in (first, second):
                if process is not None:
                    stop(process)
    assert len(inbox.envelopes) == 1  # never sent a second time
    assert _delivery(store, rid) == (UNKNOWN, 1)
    request = get_intro(store, world.org, rid, world.ana)
    assert "may or may not" in request.sending_error and "You are in copy" in request.sending_error
    assert request.body  # the draft is kept whole, to send again or confirm
    assert "its worker died; retried" in log.read_text()


def test_a_sender_killed_midway_on_sqlite_is_recovered_at_the_next_start(
    sqlite_store: Store, tmp_path: Path
) -> None:
    """`tiegraph intro send` killed once the server took the mail: the next `serve` (the web
    app's start) ends the delivery `unknown`, and nothing sends it again."""
    store = sqlite_store
    log = tmp_path / "send.log"
    with smtp_inbox() as (inbox, port):
        world, rid = _ready(store, tmp_path, port)
        inbox.hold.set()
        sender = tiegraph(store.url, log, "intro", "send", str(rid), "--viewer", "ana@us.example")
        try:
            assert inbox.taken.wait(60), log.read_text()
            sender.send_signal(signal.SIGKILL)
            sender.wait()
        finally:
            stop(sender)
        inbox.hold.clear()
        assert get_intro(store, world.org, rid).status == "sending"
        app = create_app(store, WebSettings(secret_key="k" * 32))
        app.state.imports.shutdown(wait=True)
        app.state.deliveries.shutdown(wait=True)
        assert deliver(store, world.org, rid) == UNKNOWN  # a late rerun sends nothing either
    assert len(inbox.envelopes) == 1
    request = get_intro(store, world.org, rid)
    assert request.status == "draft" and "may or may not" in request.sending_error
