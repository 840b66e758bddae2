"""Uploaded address books and Outlook files: checked, kept in the store, imported as a job."""

from __future__ import annotations

import re

from fastapi import Request, UploadFile
from starlette.concurrency import run_in_threadpool

from tiegraph.errors import InvalidInputError
from tiegraph.services.contacts.jobs import ImportJob, create_job
from tiegraph.services.jobs.queue import submit_import
from tiegraph.services.uploads import Upload, delete_uploads, save_upload
from tiegraph.web.security import Viewer, store_of

SUFFIXES = (".csv", ".txt", ".tsv", ".vcf", ".vcard", ".pst", ".ost")
PST_MAGIC = b"!BDN"  # every Outlook PST/OST file starts so
MAX_FILES = 20
# Files no address book ever is: refused at once rather than reported as zero contacts.
MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (unzip it and upload the files inside)",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "a program",
    b"MZ": "a program",
}


def safe_name(raw: str | None) -> str:
    """The file's own name without folders or control characters, at most 200 characters."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "upload"
    return name[:200]


def _checked(name: str, head: bytes) -> None:
    if not name.lower().endswith(SUFFIXES):
        raise InvalidInputError(
            f"{name}: not an address-book export; upload .csv, .txt, .tsv or .vcf files "
            "(LinkedIn Connections.csv, Google or Outlook CSV, vCard) or Outlook .pst/.ost files"
        )
    if name.lower().endswith((".pst", ".ost")) and not head.startswith(PST_MAGIC):
        raise InvalidInputError(f"{name}: not an Outlook data file (.pst or .ost)")
    for magic, what in MAGIC.items():
        if head.startswith(magic):
            raise InvalidInputError(f"{name}: this is {what}, not an address book")
    if not head.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        raise InvalidInputError(f"{name}: the file is empty")


async def start_import(request: Request, viewer: Viewer, files: list[UploadFile]) -> ImportJob:
    """Check every file, save each into the store a chunk at a time (services/uploads.py), then
    queue their import; nothing is imported or kept if one is refused."""
    files = [f for f in files if f.filename or f.size]
    if not files:
        raise InvalidInputError("choose at least one file to import")
    if len(files) > MAX_FILES:
        raise InvalidInputError(f"at most {MAX_FILES} files at once")
    named = []
    for upload in files:
        name = safe_name(upload.filename)
        head = await upload.read(64)
        await upload.seek(0)
        _checked(name, head)
        named.append((name, upload))
    store = store_of(request)
    saved: list[Upload] = []
    try:
        for name, upload in named:
            # The multipart parser spooled the file to this host's disk; it goes on to the
            # store in chunks, off the event loop.
            saved.append(await run_in_threadpool(save_upload, store, viewer.org, name, upload.file))
        job = create_job(
            store, viewer.org, viewer.member, [name for name, _ in named], [u.id for u in saved]
        )
        # PostgreSQL: on the queue for a worker; SQLite: in this process's import thread. Once
        # done, every web process warms its first views again (web/freshness.py).
        submit_import(
            store,
            request.app.state.imports,
            viewer.org,
            viewer.member,
            job.id,
            [(u.name, u.id) for u in saved],
        )
    except BaseException:  # refused, or the queue did not answer: nothing stays behind
        delete_uploads(store, viewer.org, [u.id for u in saved])
        raise
    return job
