"""On SQLite, imports run inside `tiegraph serve`: a server killed with SIGKILL mid-import runs
the import again at its next start from the uploads kept in the store, and the data ends equal
to one clean run; an import whose uploads are gone ends failed, saying to upload again."""

from __future__ import annotations

import signal
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from tests.made_bytes import name_part
from tests.processes import start_serve, stop, wait_for
from tests.servers import free_port

from tiegraph.services.contacts.jobs import create_job, get_job, run_job
from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import Member, add_member
from tiegraph.services.org.orgs import Org, create_org
from tiegraph.services.uploads import save_upload
from tiegraph.store import Store, open_store
from tiegraph.store.schema import contact, contact_email, contact_source, import_job, upload

FILES, ROWS = 4, 4000
COUNTED = {"contacts": contact, "contact_sources": contact_source, "emails": contact_email}


def _books(folder: Path) -> list[Path]:
    paths = []
    for n in range(FILES):
        lines = ["First Name,Last Name,URL,Email Address,Company,Position,Connected On"]
        for i in range(ROWS):
            k = n * ROWS + i
            lines.append(
                f"Ann{name_part(k)},Lee,,ann{k}@co{k % 40}.example,Co{name_part(k % 40)},,"
            )
        path = folder / f"book{n}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _world(url: str) -> tuple[Store, Org, Member]:
    store = open_store(url)
    org = create_org(store, "acme", "Acme")
    return store, org, add_member(store, org, email="sam@acme.example", name="Sam Seller")


def _counts(store: Store) -> dict[str, int]:
    with store.read() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in COUNTED.items()
        }


def _state(store: Store, job_id: int) -> tuple[str, int]:
    with store.read() as conn:
        row = conn.execute(
            select(import_job.c.status, import_job.c.progress_done).where(import_job.c.id == job_id)
        ).one()
    return str(row.status), int(row.progress_done)


def _client(store: Store, org: Org, owner: Member, port: int) -> httpx.Client:
    _, token = create_token(store, org, owner, "tests")
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )

    def answers() -> bool:
        try:
            return client.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    wait_for(answers, 120, "the server to answer")
    return client


def test_a_server_killed_mid_import_runs_it_again_at_start(tmp_path: Path) -> None:
    books = _books(tmp_path)
    clean, clean_org, clean_owner = _world(f"sqlite:///{tmp_path / 'clean.db'}")
    files = []
    for book in books:
        with book.open("rb") as stream:
            files.append((book.name, save_upload(clean, clean_org, book.name, stream).id))
    clean_job = create_job(clean, clean_org, clean_owner, [b.name for b in books])
    run_job(clean, clean_org, clean_owner, clean_job.id, files)
    expected = _counts(clean)
    clean.dispose()
    assert expected["contacts"] == FILES * ROWS

    url = f"sqlite:///{tmp_path / 'killed.db'}"
    store, org, owner = _world(url)
    port, log = free_port(), tmp_path / "serve.log"
    server = start_serve(url, port, log)
    try:
        with closing(_client(store, org, owner, port)) as client:
            upload_files = [("files", (b.name, b.read_bytes(), "text/csv")) for b in books]
            job: dict[str, Any] = client.post("/api/v1/imports", files=upload_files).json()
        # Killed once a file is in and before the last one is.
        wait_for(lambda: 1 <= _state(store, job["id"])[1] < FILES, 120, "the import under way")
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        status, done = _state(store, job["id"])
        assert status == "running" and 1 <= done < FILES, (status, done)
        assert 0 < _counts(store)["contacts"] < FILES * ROWS
        server = start_serve(url, port, log)
        wait_for(lambda: _state(store, job["id"])[0] == "done", 180, "the import run again")
    finally:
        stop(server)
    finished = get_job(store, org, owner, job["id"])
    assert finished.error is None and len(finished.report["sources"]) == FILES
    assert _counts(store) == expected  # once in effect
    with store.read() as conn:  # ended: its uploads go
        assert conn.execute(select(func.count()).select_from(upload)).scalar_one() == 0
    store.dispose()


def test_an_import_whose_uploads_are_gone_ends_failed_at_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tiegraph.db'}"
    store, org, owner = _world(url)
    book = _books(tmp_path)[0]
    with book.open("rb") as stream:
        kept = save_upload(store, org, book.name, stream)
    job = create_job(store, org, owner, ["book0.csv", "gone.csv"], [kept.id, "0" * 32])
    port = free_port()
    server = start_serve(url, port, tmp_path / "serve.log")
    try:
        _client(store, org, owner, port).close()
    finally:
        stop(server)
    failed = get_job(store, org, owner, job.id)
    assert failed.status == "failed" and "upload the files again" in str(failed.error)
    store.dispose()
