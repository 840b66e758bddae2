"""Entry point of the demo: write a whole organization's export files and their ground truth."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

from tiegraph.demo import google, linkedin, outlook, readme, vcard
from tiegraph.demo.activity import external_activity
from tiegraph.demo.calls import FILE_NAME as CALLS_FILE
from tiegraph.demo.calls import CallLog
from tiegraph.demo.contacts import ContactEntry, entries
from tiegraph.demo.directory import FILE_NAME as DIRECTORY_FILE
from tiegraph.demo.directory import write_directory
from tiegraph.demo.ics import write_calendar
from tiegraph.demo.internal import internal_activity
from tiegraph.demo.manifest import DemoManifest
from tiegraph.demo.mbox import write_mbox
from tiegraph.demo.network import Network, build_network
from tiegraph.demo.scale import DemoScale
from tiegraph.demo.text import stream
from tiegraph.demo.timeline import Meeting, Message
from tiegraph.demo.world import Member, World

MEMBERS_FILE = "members.csv"
CONTACTS_TRUTH = "truth/contacts_truth.csv"
TIES_TRUTH = "truth/ties_truth.csv"
_CALIBRATION_MEMBERS = 60


@dataclass
class _Tally:
    files: dict[str, list[Path]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    contacts: dict[str, dict[str, int]] = field(default_factory=dict)

    def wrote(self, kind: str, path: Path) -> None:
        self.files.setdefault(kind, []).append(path)


def generate_demo(out: Path, *, seed: int = 7, scale: DemoScale = DemoScale()) -> DemoManifest:
    """Write the demo organization into `out` (empty, or holding an earlier demo).

    The same seed and scale write the same bytes. Files are written row by row, so a scale of
    millions of persons and interactions streams in bounded memory.
    """
    out = Path(out)
    readme.prepare_folder(out)
    world = World(seed, scale)
    tally = _Tally()
    companies, persons = write_directory(out / DIRECTORY_FILE, world)
    tally.wrote("directory", Path(DIRECTORY_FILE))
    tally.counts.update(companies=companies, persons=persons, members=scale.members)
    _write_members(out / MEMBERS_FILE, world.members)
    tally.wrote("members", Path(MEMBERS_FILE))
    factor = activity_factor(world)
    (out / "truth").mkdir(exist_ok=True)
    with (
        CallLog(out / CALLS_FILE) as calls,
        (out / CONTACTS_TRUTH).open("w", encoding="utf-8", newline="") as contacts_truth,
        (out / TIES_TRUTH).open("w", encoding="utf-8", newline="") as ties_truth,
    ):
        contact_rows, tie_rows = _truth_writer(contacts_truth), _truth_writer(ties_truth)
        contact_rows.writerow(("member_email", "file", "locator", "person_id", "noise"))
        tie_rows.writerow(("member_email", "person_id", "email", "strength"))
        for member in world.members:
            _write_member(out, world, member, factor, calls, (contact_rows, tie_rows), tally)
        tally.counts["calls"] = calls.count
    for kind, name in (
        ("calls", CALLS_FILE),
        ("contacts_truth", CONTACTS_TRUTH),
        ("ties_truth", TIES_TRUTH),
        ("readme", readme.FILE_NAME),
    ):
        tally.wrote(kind, Path(name))
    manifest = DemoManifest(
        out=out,
        organization=scale.organization,
        domain=scale.domain,
        seed=seed,
        scale=scale,
        activity_factor=factor,
        files={kind: tuple(paths) for kind, paths in sorted(tally.files.items())},
        counts=dict(sorted(tally.counts.items())),
        contacts=tally.contacts,
    )
    readme.write_readme(out / readme.FILE_NAME, manifest)
    return manifest


def activity_factor(world: World) -> float:
    """The factor on every activity rate that brings the total near the interactions target.

    Interactions grow about linearly with the factor (weekly series and capped mailing lists
    bend the line a little): trial runs over a sample of members at factors 1 and 2 give a
    first answer, and a third run at that answer corrects it in proportion.
    """
    target = world.scale.interactions_target
    if target is None:
        return 1.0
    members = world.members
    step = max(1, len(members) // _CALIBRATION_MEMBERS)
    sample = members[::step][:_CALIBRATION_MEMBERS]
    wanted = target / len(members)
    first, second = (
        (1.0, _interactions(world, sample, 1.0)),
        (2.0, _interactions(world, sample, 2.0)),
    )
    (f0, v0), (f1, v1) = first, second
    guess = f1 if v1 <= v0 else max(0.01, f1 + (wanted - v1) * (f1 - f0) / (v1 - v0))
    # Each trial draws its own randomness, so the line is noisy: correct in proportion.
    return round(max(0.01, guess * wanted / max(1.0, _interactions(world, sample, guess))), 4)


def _interactions(world: World, sample: list[Member], factor: float) -> float:
    total = 0
    for member in sample:
        external = external_activity(world, build_network(world, member), factor)
        _, first = internal_activity(world, member.number, factor)
        items = external.messages + first.messages + external.meetings + first.meetings
        total += sum(item.interactions for item in items) + len(external.calls)
    return total / len(sample)


def _write_members(path: Path, members: list[Member]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        rows = _truth_writer(handle)
        rows.writerow(("email", "name", "role"))
        for member in members:
            rows.writerow((member.email, member.name, member.role))


class _Rows(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


def _truth_writer(handle: TextIO) -> _Rows:
    return csv.writer(handle, lineterminator="\n")


def _write_member(
    out: Path,
    world: World,
    member: Member,
    factor: float,
    calls: CallLog,
    truth: tuple[_Rows, _Rows],
    tally: _Tally,
) -> None:
    network = build_network(world, member)
    _write_contacts(out, world, network, truth[0], tally)
    for tie in network.ties:
        truth[1].writerow((member.email, tie.person.external_id, tie.address, tie.tie))
    for other, strength in world.colleagues(member.number):
        colleague = world.members[other]
        truth[1].writerow((member.email, colleague.person.external_id, colleague.email, strength))
    tally.counts["ties"] += len(network.ties) + len(world.colleagues(member.number))
    external = external_activity(world, network, factor)
    held, first = internal_activity(world, member.number, factor)
    messages = sorted(external.messages + held.messages, key=lambda m: (m.sent, m.message_id))
    mailbox = Path("mail") / f"{member.local_part}.mbox"
    (out / mailbox.parent).mkdir(exist_ok=True)
    write_mbox(out / mailbox, member.email, messages)
    tally.wrote("mbox", mailbox)
    meetings = sorted(external.meetings + held.meetings, key=lambda m: (m.start, m.uid))
    calendar = Path("calendar") / f"{member.local_part}.ics"
    (out / calendar.parent).mkdir(exist_ok=True)
    write_calendar(out / calendar, member.email, meetings)
    tally.wrote("ics", calendar)
    calls.write(sorted(external.calls, key=lambda call: call.start))
    # Shared internal items are counted with their first holder only, so each counts once.
    unique: list[Message | Meeting] = [
        *external.messages,
        *first.messages,
        *external.meetings,
        *first.meetings,
    ]
    tally.counts["messages"] += len(external.messages) + len(first.messages)
    tally.counts["mailbox_messages"] += len(messages)
    tally.counts["events"] += len(external.meetings) + len(first.meetings)
    tally.counts["event_occurrences"] += sum(
        meeting.occurrences for meeting in (*external.meetings, *first.meetings)
    )
    tally.counts["interactions"] += sum(item.interactions for item in unique)
    tally.counts["interactions"] += len(external.calls)


def _write_contacts(out: Path, world: World, network: Network, truth: _Rows, tally: _Tally) -> None:
    member = network.member
    folder = Path("contacts") / member.local_part
    (out / folder).mkdir(parents=True, exist_ok=True)
    written = tally.contacts.setdefault(member.email, {})
    for source in network.sources:
        rows = entries(network, source, world.seed)
        path, locators = _write_source(out, folder, source, rows, world.seed, member.number)
        tally.wrote(source, path)
        written[source] = len(rows)
        tally.counts["contacts"] += len(rows)
        for row, locator in zip(rows, locators, strict=True):
            noise = ";".join(row.noise)
            truth.writerow((member.email, path.as_posix(), locator, row.person_id, noise))


def _write_source(
    out: Path, folder: Path, source: str, rows: list[ContactEntry], seed: int, number: int
) -> tuple[Path, list[str]]:
    rng = stream(seed, "export", number, source)
    if source == "linkedin":
        path = folder / linkedin.FILE_NAME
        return path, linkedin.write_connections(out / path, rows)
    if source == "google":
        path = folder / google.FILE_NAME
        return path, google.write_google(out / path, rows, rng)
    if source == "outlook":
        path = folder / outlook.FILE_NAME
        return path, outlook.write_outlook(out / path, rows)
    path = folder / vcard.FILE_NAME
    return path, vcard.write_vcards(out / path, rows, rng)
