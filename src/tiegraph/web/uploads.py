"""Uploaded address books and Outlook files: checked, saved aside, imported in the background."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from fastapi import Request, UploadFile

from tiegraph.errors import InvalidInputError
from tiegraph.services.contacts.jobs import ImportJob, create_job, run_job
from tiegraph.store import Store
from tiegraph.web.security import Viewer, store_of
from tiegraph.web.settings import WebSettings
from tiegraph.web.warm import warm

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
    """Check and save every file, then queue their import; nothing is imported if one is refused."""
    settings: WebSettings = request.app.state.settings
    files = [f for f in files if f.filename or f.size]
    if not files:
        raise InvalidInputError("choose at least one file to import")
    if len(files) > MAX_FILES:
        raise InvalidInputError(f"at most {MAX_FILES} files at once")
    base = settings.upload_dir
    if base is not None:
        base.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="tiegraph-upload-", dir=base))
    saved: list[tuple[str, Path]] = []
    try:
        for number, upload in enumerate(files, start=1):
            name = safe_name(upload.filename)
            data = await upload.read()
            _checked(name, data[:64])
            # A folder per file keeps its own name, which the contacts' sources then show.
            path = folder / f"{number:02d}" / name
            path.parent.mkdir()
            path.write_bytes(data)
            saved.append((name, path))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    store = store_of(request)
    job = create_job(store, viewer.org, viewer.member, [name for name, _ in saved])
    warming = request.app.state.settings.warm
    request.app.state.imports.submit(_import_then_warm, store, viewer, job.id, saved, warming)
    return job


def _import_then_warm(
    store: Store, viewer: Viewer, job_id: int, saved: list[tuple[str, Path]], warming: bool
) -> None:
    """The import, then the first view's warming (web/warm.py): new rows, new plans."""
    run_job(store, viewer.org, viewer.member, job_id, saved)
    if warming:
        warm(store)
