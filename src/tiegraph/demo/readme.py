"""The demo folder's README.txt, and making the folder ready (empty, or an earlier demo's)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tiegraph.demo.manifest import DemoManifest

FILE_NAME = "README.txt"
MARKER = "tiegraph demo organization"
# What a demo writes, and nothing else: only these are removed before a demo is rewritten.
_TOP_FILES = ("README.txt", "directory.jsonl", "members.csv", "calls.csv")
_PATTERNS = (
    "truth/contacts_truth.csv",
    "truth/ties_truth.csv",
    "mail/*.mbox",
    "calendar/*.ics",
    "contacts/*/Connections.csv",
    "contacts/*/contacts.csv",
    "contacts/*/outlook.csv",
    "contacts/*/contacts.vcf",
)


def prepare_folder(out: Path) -> None:
    """Create `out`, or clear an earlier demo from it; refuse a folder holding anything else."""
    if not out.exists():
        out.mkdir(parents=True)
        return
    if not out.is_dir():
        raise NotADirectoryError(f"{out} is not a folder")
    if not any(out.iterdir()):
        return
    readme = out / FILE_NAME
    if not readme.is_file() or not readme.read_text("utf-8", "replace").startswith(MARKER):
        raise FileExistsError(
            f"{out} is not empty and holds no earlier demo: choose another folder"
        )
    for name in _TOP_FILES:
        (out / name).unlink(missing_ok=True)
    for pattern in _PATTERNS:
        for path in sorted(out.glob(pattern)):
            path.unlink()
    folders = sorted(out.glob("contacts/*"), reverse=True)
    for folder in [*folders, out / "contacts", out / "mail", out / "calendar", out / "truth"]:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def write_readme(path: Path, manifest: DemoManifest) -> None:
    counts = manifest.counts
    scale = manifest.scale
    lines = [
        f"{MARKER}: {manifest.organization} ({manifest.domain})",
        "=" * 72,
        "",
        f"Written by `tiegraph demo --seed {manifest.seed}`. The same seed and scale write the",
        "same bytes. Every person, company and address is invented; every mail domain is a",
        "reserved example domain (.example, example.com/.net/.org) and every phone number",
        "comes from a range reserved for fiction.",
        "",
        f"Activity window: {scale.months} months up to {scale.end_date.isoformat()}.",
        f"{counts.get('members', 0)} members, {counts.get('persons', 0)} directory persons, "
        f"{counts.get('companies', 0)} companies.",
        f"{counts.get('contacts', 0)} address-book entries, {counts.get('messages', 0)} "
        f"messages ({counts.get('mailbox_messages', 0)} mailbox copies), "
        f"{counts.get('events', 0)} meetings ({counts.get('event_occurrences', 0)} occurrences), "
        f"{counts.get('calls', 0)} calls, {counts.get('interactions', 0)} interactions.",
        "",
        "Files",
        "-----",
        "members.csv        The members: email,name,role (one admin). Members are also",
        "                   persons of the directory.",
        "directory.jsonl    The directory: companies, then persons with employment and",
        "                   education histories (docs/directory-format.md).",
        "contacts/<member>/ Each member's address-book exports, as the services write them:",
        "  Connections.csv  LinkedIn (3 Notes: lines, then the header; most emails empty)",
        "  contacts.csv     Google Contacts CSV (E-mail 1 - Label, E-mail 1 - Value, ...)",
        "  outlook.csv      Outlook CSV (English headers, Windows-1252, CRLF, all quoted)",
        "  contacts.vcf     vCard 3.0 (Apple Contacts style)",
        "                   They carry real-world noise: nicknames, dropped accents, case",
        "                   changes, typos, company spellings, stale employers, missing",
        "                   emails, people saved twice, and people not in the directory.",
        "mail/<member>.mbox Each member's mailbox (mboxrd). Mail between two members is in",
        "                   both mailboxes with the same Message-ID.",
        "calendar/<member>.ics  Each member's calendar: meetings with ORGANIZER, ATTENDEEs",
        "                   and PARTSTAT, weekly series (RRULE) with skipped weeks (EXDATE).",
        "calls.csv          member_email,other,start,duration_seconds,direction: the",
        "                   members' phone logs (other: the number as the phone logged it).",
        "truth/contacts_truth.csv  member_email,file,locator,person_id,noise: who each",
        "                   address-book entry really is (person_id empty: private network,",
        "                   not in the directory). locator is `line N` (the physical line the",
        "                   row starts on, preamble counted) or `card N`.",
        "truth/ties_truth.csv  member_email,person_id,email,strength: every tie behind the",
        "                   activity, with the latent class (strong, good, weak) that set",
        "                   its rates, and the address the activity uses.",
        "",
        "Interactions count sender-recipient pairs of each message, participant pairs of",
        "each meeting occurrence, and calls, whenever a member is on one side.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
