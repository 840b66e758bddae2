"""Uploads kept in the store (services/uploads.py): streamed in and out a chunk at a time, the
same bytes read back, damage refused, deleted when their import ends, swept when none does."""

from __future__ import annotations

import hashlib
import io
import tracemalloc
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from tests.made_bytes import Generated

from tiegraph.errors import NotFoundError, StoreError
from tiegraph.services.contacts.jobs import create_job, get_job, run_job
from tiegraph.services.org.changes import data_version
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import create_org
from tiegraph.services.uploads import (
    get_upload,
    read_chunks,
    save_upload,
    sweep_uploads,
    upload_file,
)
from tiegraph.store import Store
from tiegraph.store.schema import upload, upload_chunk


def _rows(store: Store, table: object) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_a_large_upload_streams_in_and_out_in_little_memory(store: Store) -> None:
    org = create_org(store, "acme", "Acme")
    size = 24 * 1024 * 1024 + 123  # 25 chunks, the last a short one
    expected = hashlib.sha256()
    source = Generated(size)
    check = Generated(size)
    while block := check.read(1 << 20):
        expected.update(block)
    tracemalloc.start()
    try:
        saved = save_upload(store, org, "big.pst", io.BufferedReader(source))
        _, peak_in = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with upload_file(store, org, saved.id) as path:
            _, peak_out = tracemalloc.get_traced_memory()
            assert path.name == "big.pst" and path.stat().st_size == size
            digest = hashlib.sha256()
            with path.open("rb") as back:
                while block := back.read(1 << 20):
                    digest.update(block)
        folder = path.parent
    finally:
        tracemalloc.stop()
    assert not folder.exists()  # the worker's copy is removed after the import
    assert (saved.size, saved.sha256) == (size, expected.hexdigest()) == (size, digest.hexdigest())
    assert _rows(store, upload_chunk) == 25
    # A whole file would be 24 MB; a few chunks of 1 MB (and the driver's copies) at most.
    assert peak_in < 6 * 1024 * 1024 and peak_out < 6 * 1024 * 1024, (peak_in, peak_out)


def test_damaged_or_unfinished_uploads_are_never_imported(store: Store) -> None:
    org = create_org(store, "acme", "Acme")
    saved = save_upload(store, org, "book.csv", io.BytesIO(b"a,b\n" * 3000), chunk=1000)
    assert b"".join(read_chunks(store, org, saved.id)) == b"a,b\n" * 3000
    with store.write() as conn:
        conn.execute(
            update(upload_chunk)
            .where(upload_chunk.c.upload_id == saved.id, upload_chunk.c.chunk_no == 5)
            .values(data=b"x" * 1000)
        )
    with pytest.raises(StoreError, match="damaged"), upload_file(store, org, saved.id):
        pass
    with store.write() as conn:
        conn.execute(update(upload).where(upload.c.id == saved.id).values(complete=False))
    with pytest.raises(NotFoundError):
        get_upload(store, org, saved.id)
    other = create_org(store, "other", "Other")
    with pytest.raises(NotFoundError):  # another organization's upload is not there for it
        get_upload(store, other, saved.id)

    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
            raise OSError("the client went away")

    with pytest.raises(OSError):
        save_upload(store, org, "cut.csv", io.BufferedReader(Broken()))
    with store.read() as conn:  # a cut upload leaves nothing behind
        names = conn.execute(select(upload.c.name)).scalars().all()
    assert names == ["book.csv"]


def test_an_import_deletes_its_uploads_and_a_sweep_takes_forgotten_ones(store: Store) -> None:
    org = create_org(store, "acme", "Acme")
    owner = add_member(store, org, email="ana@acme.example", name="Ana Lima")
    book = b"First Name,Last Name,E-mail Address\nBo,Chen,bo@x.example\n"
    saved = save_upload(store, org, "book.csv", io.BytesIO(book))
    forgotten = save_upload(store, org, "old.csv", io.BytesIO(book))
    job = create_job(store, org, owner, ["book.csv"])
    before = data_version(store, org)
    run_job(store, org, owner, job.id, [("book.csv", saved.id)])
    done = get_job(store, org, owner, job.id)
    assert done.status == "done" and done.report["sources"][0]["imported"] == 1
    assert data_version(store, org) == before + 1  # web processes learn of it
    with pytest.raises(NotFoundError):
        get_upload(store, org, saved.id)
    assert sweep_uploads(store) == 0  # the forgotten one is younger than the retention
    assert get_upload(store, org, forgotten.id).size == len(book)
    assert sweep_uploads(store, older_than=timedelta(seconds=-60)) == 1
    assert _rows(store, upload) == 0 and _rows(store, upload_chunk) == 0
    # A file whose upload is gone fails the import with the reason, and loses no other file.
    again = create_job(store, org, owner, ["gone.csv"])
    run_job(store, org, owner, again.id, [("gone.csv", forgotten.id)])
    failed = get_job(store, org, owner, again.id)
    assert failed.status == "failed" and "not in the store" in (failed.error or "")
