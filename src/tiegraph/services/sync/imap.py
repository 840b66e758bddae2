"""IMAP sync: messages above the saved UID of each folder, headers only, ingested as mailboxes are.

A source with a connected account logs in with its OAuth token (XOAUTH2 / OAUTHBEARER); a
token the server refuses is refreshed once.

Cursor, per folder: UIDVALIDITY and the highest UID taken, saved in the transaction that
writes the batch of messages up to it. When UIDVALIDITY changes the folder is read again from
the start: messages already seen are recognized by their Message-ID and count once.
"""

from __future__ import annotations

from typing import Any

from tiegraph.connectors.errors import ConnectorError
from tiegraph.connectors.imap import ImapMailbox, NoSuchFolder, TokenRefusedError
from tiegraph.formats.mail import parse_header_block
from tiegraph.services.activity.ingest import IngestReport, write_mail
from tiegraph.services.activity.ties import TieUpdater
from tiegraph.services.activity.writes import Resolver
from tiegraph.services.sync.sources import SourceRun, chunked


def sync_mail(run: SourceRun) -> None:
    """Read the new messages of each folder; a missing folder stops only itself."""
    report = IngestReport("mail")
    run.report = report
    missing: list[str] = []
    with _mailbox(run) as box:
        for folder in run.source.folders or (box.default_folder,):
            try:
                _sync_folder(run, box, folder, report)
            except NoSuchFolder as exc:
                missing.append(str(exc))
    if missing:
        raise ConnectorError("; ".join(missing))


def _mailbox(run: SourceRun) -> ImapMailbox:
    source, timeout = run.source, run.settings.timeout
    if run.token is None:
        return ImapMailbox(source.url, source.username, run.password, timeout=timeout)
    try:
        return ImapMailbox(
            source.url, source.username, None, timeout=timeout, token=run.token(False)
        )
    except TokenRefusedError:  # refused before it expired (revoked, clock skew): refresh once
        return ImapMailbox(
            source.url, source.username, None, timeout=timeout, token=run.token(True)
        )


def _sync_folder(run: SourceRun, box: ImapMailbox, folder: str, report: IngestReport) -> None:
    folders: dict[str, Any] = run.cursor.setdefault("folders", {})
    state = folders.get(folder, {})
    status = box.examine(folder)
    last = int(state.get("uid", 0)) if state.get("uidvalidity") == status.uidvalidity else 0
    uids = box.uids_after(last)
    done = 0
    for chunk in chunked(uids, run.settings.mail_batch):
        blocks = box.headers(chunk)
        records = [
            parse_header_block(block, file=folder, locator=f"UID {uid}") for uid, block in blocks
        ]
        with run.store.write() as conn:
            resolver = Resolver(conn, run.org)
            ties = TieUpdater(conn, run.org)
            write_mail(conn, run.org, resolver, ties, records, report)
            report.settle(resolver, ties)
            folders[folder] = {"uidvalidity": status.uidvalidity, "uid": chunk[-1]}
            run.save(conn, taken=len(records))
        done += len(chunk)
        run.progress(f"IMAP {folder}", done, len(uids))
