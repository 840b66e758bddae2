"""Uploaded files kept in the store until their job has imported them.

A web process writes what it received a chunk at a time; the job, on whichever host its worker
runs, reads it back a chunk at a time into a file of its own temp folder: neither side ever
holds a whole file in memory, and no folder needs sharing between hosts. An upload is deleted
when its import ends; a worker that dies leaves it for the retry; what no job ever finished is
swept after RETENTION.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import delete, select, tuple_, update

from tiegraph.errors import NotFoundError, StoreError
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.schema import upload, upload_chunk

CHUNK = 1024 * 1024  # bytes per row: a few of them in memory at a time, never a file
RETENTION = timedelta(days=2)


@dataclass(frozen=True)
class Upload:
    id: str
    name: str
    size: int
    sha256: str


def save_upload(store: Store, org: Org, name: str, stream: BinaryIO, chunk: int = CHUNK) -> Upload:
    """Store what `stream` holds under a new random id (no sequence to share across hosts).

    Each chunk is its own short write, so a large file never holds the store's write lock for
    long; until the last is written the upload is incomplete, and no job reads it."""
    upload_id = secrets.token_hex(16)
    with store.write() as conn:
        conn.execute(upload.insert().values(org_id=org.id, id=upload_id, name=name[:200]))
    digest, size, number = hashlib.sha256(), 0, 0
    try:
        while data := stream.read(chunk):
            with store.write() as conn:
                conn.execute(
                    upload_chunk.insert().values(
                        org_id=org.id, upload_id=upload_id, chunk_no=number, data=data
                    )
                )
            digest.update(data)
            size, number = size + len(data), number + 1
        with store.write() as conn:
            conn.execute(
                update(upload)
                .where(upload.c.org_id == org.id, upload.c.id == upload_id)
                .values(size=size, sha256=digest.hexdigest(), complete=True)
            )
    except BaseException:
        delete_uploads(store, org, [upload_id])
        raise
    return Upload(upload_id, name, size, digest.hexdigest())


def get_upload(store: Store, org: Org, upload_id: str) -> Upload:
    """A complete upload of the organization (an incomplete or deleted one is not found)."""
    with store.read() as conn:
        row = conn.execute(
            select(upload).where(
                upload.c.org_id == org.id, upload.c.id == upload_id, upload.c.complete
            )
        ).first()
    if row is None:
        raise NotFoundError(f"upload {upload_id} is not in the store (deleted after its import?)")
    return Upload(row.id, row.name, row.size, row.sha256)


def read_chunks(store: Store, org: Org, upload_id: str) -> Iterator[bytes]:
    """The upload's bytes in order, one chunk per query (a stream on every database)."""
    number = 0
    while True:
        with store.read() as conn:
            data = conn.execute(
                select(upload_chunk.c.data).where(
                    upload_chunk.c.org_id == org.id,
                    upload_chunk.c.upload_id == upload_id,
                    upload_chunk.c.chunk_no == number,
                )
            ).scalar_one_or_none()
        if data is None:
            return
        yield bytes(data)
        number += 1


@contextmanager
def upload_file(store: Store, org: Org, upload_id: str) -> Iterator[Path]:
    """The upload as a file of its own name in a fresh folder of this host's temp folder
    (importers and Outlook's reader want a file they can seek in); removed afterwards.
    Bytes that are not those received (size or SHA-256) raise StoreError, never import."""
    found = get_upload(store, org, upload_id)
    folder = Path(tempfile.mkdtemp(prefix="tiegraph-import-"))
    path = folder / found.name
    try:
        digest, size = hashlib.sha256(), 0
        with path.open("wb") as out:
            for data in read_chunks(store, org, upload_id):
                out.write(data)
                digest.update(data)
                size += len(data)
        if (size, digest.hexdigest()) != (found.size, found.sha256):
            raise StoreError(f"{found.name}: the stored upload is damaged ({size} bytes read)")
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def delete_uploads(store: Store, org: Org, upload_ids: Sequence[str]) -> None:
    """Forget these uploads and their bytes (the chunks go first: no row names missing bytes)."""
    if not upload_ids:
        return
    with store.write() as conn:
        conn.execute(
            delete(upload_chunk).where(
                upload_chunk.c.org_id == org.id, upload_chunk.c.upload_id.in_(list(upload_ids))
            )
        )
        conn.execute(
            delete(upload).where(upload.c.org_id == org.id, upload.c.id.in_(list(upload_ids)))
        )


def sweep_uploads(store: Store, older_than: timedelta = RETENTION) -> int:
    """Delete the uploads of every organization received before `older_than` ago (their
    import never ended: its worker kept dying, or it was never queued); how many."""
    cutoff = datetime.now(UTC) - older_than
    with store.read() as conn:
        old = conn.execute(select(upload.c.org_id, upload.c.id).where(upload.c.created_at < cutoff))
        keys = [(row.org_id, row.id) for row in old]
    for start in range(0, len(keys), 500):
        batch = keys[start : start + 500]
        with store.write() as conn:
            conn.execute(
                delete(upload_chunk).where(
                    tuple_(upload_chunk.c.org_id, upload_chunk.c.upload_id).in_(batch)
                )
            )
            conn.execute(delete(upload).where(tuple_(upload.c.org_id, upload.c.id).in_(batch)))
    return len(keys)
