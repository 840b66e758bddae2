"""Tests of the demo organization: determinism, real parseable files, truth, shape of activity."""

from __future__ import annotations

import csv
import hashlib
import json
import mailbox
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

import icalendar
import phonenumbers
import pytest
import recurring_ical_events
import vobject

from tiegraph.demo import DemoManifest, DemoScale, generate_demo
from tiegraph.formats.directory import iter_directory
from tiegraph.formats.records import CompanyRecord, PersonRecord, RowError

SMALL = DemoScale(members=4, persons=300, companies=40, months=2)
NAME_NOISE = {"nickname", "accents_dropped", "case_changed", "typo"}
_RESERVED = ("example.com", "example.net", "example.org")
_EMAIL = re.compile(rb"[A-Za-z0-9._%+'-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return generate_demo(tmp_path_factory.mktemp("small"), seed=11, scale=SMALL)


def reserved(domain: str) -> bool:
    """A domain that can never reach anyone: .example, or example.com/.net/.org and below."""
    if domain.endswith(".example"):
        return True
    return any(domain == top or domain.endswith("." + top) for top in _RESERVED)


def digests(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def read_truth(manifest: DemoManifest, name: str) -> list[dict[str, str]]:
    with (manifest.out / "truth" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def directory_persons(manifest: DemoManifest) -> dict[str, dict[str, object]]:
    lines = (manifest.out / "directory.jsonl").read_text(encoding="utf-8").splitlines()
    objects = [json.loads(line) for line in lines]
    return {obj["id"]: obj for obj in objects if obj["type"] == "person"}


def messages(path: Path) -> list[mailbox.mboxMessage]:
    box = mailbox.mbox(path, create=False)
    try:
        return list(box)
    finally:
        box.close()


class _Counted:
    def __init__(self, lines: list[str]) -> None:
        self._lines = iter(lines)
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.count += 1
        return line


def csv_rows_by_line(path: Path, encoding: str, skip: int) -> dict[str, list[str]]:
    """Data rows of a CSV export keyed by `line N` of their first physical line."""
    text = path.read_bytes().decode(encoding)
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)
    counted = _Counted(lines[skip + 1 :])  # past the preamble and the header
    rows: dict[str, list[str]] = {}
    start = skip + 2
    for cells in csv.reader(counted):
        rows[f"line {start}"] = cells
        start = skip + 1 + counted.count + 1
    return rows


# --- determinism and the folder --------------------------------------------------------------


def test_same_seed_same_bytes_and_rewrite_in_place(small: DemoManifest, tmp_path: Path) -> None:
    again = generate_demo(tmp_path / "again", seed=11, scale=SMALL)
    assert digests(again.out) == digests(small.out)
    assert again.counts == small.counts
    before = digests(again.out)
    generate_demo(again.out, seed=11, scale=SMALL)  # over an earlier demo: same files again
    assert digests(again.out) == before
    other = generate_demo(tmp_path / "other", seed=12, scale=SMALL)
    assert digests(other.out)["directory.jsonl"] != before["directory.jsonl"]


def test_same_bytes_whatever_the_string_hash_seed(small: DemoManifest, tmp_path: Path) -> None:
    """Set iteration order changes with PYTHONHASHSEED: nothing may depend on it."""
    script = (
        "import json, sys; from pathlib import Path;"
        "from tiegraph.demo import DemoScale, generate_demo;"
        "generate_demo(Path(sys.argv[1]), seed=11, scale=DemoScale(**json.loads(sys.argv[2])))"
    )
    sizes = json.dumps({"members": 4, "persons": 300, "companies": 40, "months": 2})
    source = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": source}
    subprocess.run([sys.executable, "-c", script, str(tmp_path), sizes], check=True, env=env)
    assert digests(tmp_path) == digests(small.out)


def test_refuses_a_folder_holding_something_else(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        generate_demo(tmp_path, scale=SMALL)
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    "changes",
    [{"members": 1}, {"persons": 10}, {"companies": 2}, {"months": 0}, {"domain": "acme.com"}],
)
def test_scale_refuses_impossible_sizes(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        DemoScale(**changes)  # type: ignore[arg-type]


def test_manifest_lists_every_file_written(small: DemoManifest) -> None:
    listed = {path.as_posix() for paths in small.files.values() for path in paths}
    assert listed == set(digests(small.out))
    assert small.organization == "Northwind Analytics"
    assert (
        sum(map(sum, (sources.values() for sources in small.contacts.values())))
        == (small.counts["contacts"])
    )
    members = (small.out / "members.csv").read_text(encoding="utf-8").splitlines()
    assert members[0] == "email,name,role" and len(members) == SMALL.members + 1
    assert sum(line.endswith(",admin") for line in members) == 1


# --- the files are what real tools read ------------------------------------------------------


def test_every_address_uses_a_reserved_example_domain(small: DemoManifest) -> None:
    seen = 0
    for path in small.out.rglob("*"):
        if path.is_file():
            content = path.read_bytes().replace(b"\r\n ", b"")  # unfold vCard and iCalendar
            for match in _EMAIL.finditer(content):
                assert reserved(match.group(1).decode().lower()), match.group(0)
                seen += 1
    assert seen > 1000


def test_directory_reads_back_without_errors(small: DemoManifest) -> None:
    rows = list(iter_directory((small.out / "directory.jsonl").read_bytes(), file="d"))
    assert not [row for row in rows if isinstance(row, RowError)]
    persons = [row for row in rows if isinstance(row, PersonRecord)]
    assert len(persons) == SMALL.persons
    assert sum(isinstance(row, CompanyRecord) for row in rows) == SMALL.companies
    emails = [email for person in persons for email in person.emails]
    assert len(emails) == len(set(emails))  # no address belongs to two persons
    for member in persons[: SMALL.members]:
        current = [job for job in member.employment if job.end is None]
        assert [job.company_id for job in current] == ["C000000"]
        assert member.emails[0].endswith("@northwind.example")
    phones = [phone for person in persons for phone in person.phones]
    assert phones and all(phonenumbers.is_valid_number(phonenumbers.parse(p)) for p in phones)


def test_mailboxes_parse_with_threads_and_shared_internal_mail(small: DemoManifest) -> None:
    start, end = _window(small)
    boxes: dict[str, set[str]] = {}
    ids: set[str] = set()
    for path in small.paths("mbox"):
        owner_ids = set()
        for message in messages(path):
            owner_ids.add(message["Message-ID"])
            sent = parsedate_to_datetime(message["Date"])
            assert start <= sent < end
            if message["In-Reply-To"]:
                assert message["References"].split()[-1] == message["In-Reply-To"]
        boxes[path.stem] = owner_ids
        ids |= owner_ids
    shared = [
        (a, b) for a in boxes for b in boxes if a < b and boxes[a] & boxes[b]
    ]  # mail between two members sits in both mailboxes, under one Message-ID
    assert shared
    assert sum(len(box) for box in boxes.values()) == small.counts["mailbox_messages"]
    assert len(ids) == small.counts["messages"]


def test_calendars_parse_and_weekly_series_expand(small: DemoManifest) -> None:
    statuses: Counter[str] = Counter()
    series = 0
    for path in small.paths("ics"):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        assert calendar.walk("VTIMEZONE")
        for event in calendar.walk("VEVENT"):
            statuses.update(str(a.params["PARTSTAT"]) for a in _attendees(event))
            rule = event.get("RRULE")
            if rule and "COUNT" in rule:
                series += 1
                skipped = sum(len(x.dts) for x in _as_list(event.get("EXDATE")))
                single = icalendar.Calendar()
                single.add_component(event)
                found = recurring_ical_events.of(single).between(date(2000, 1, 1), date(2100, 1, 1))
                assert len(list(found)) == rule["COUNT"][0] - skipped
    assert series and statuses["DECLINED"] and statuses["ACCEPTED"]


def test_address_books_parse_and_truth_locators_point_at_their_rows(small: DemoManifest) -> None:
    persons = directory_persons(small)
    truth: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in read_truth(small, "contacts_truth.csv"):
        truth[row["file"]].append(row)
    assert sum(map(len, truth.values())) == small.counts["contacts"]
    layouts = {"Connections.csv": ("utf-8", 3, 0, 1), "contacts.csv": ("utf-8", 0, 0, 2)}
    layouts["outlook.csv"] = ("cp1252", 0, 1, 3)
    for file, rows in truth.items():
        path = small.out / file
        if path.suffix == ".vcf":
            cards = list(vobject.readComponents(path.read_text(encoding="utf-8")))
            written = {
                f"card {n}": (c.n.value.given, c.n.value.family) for n, c in enumerate(cards, 1)
            }
        else:
            encoding, skip, first, last = layouts[path.name]
            cells = csv_rows_by_line(path, encoding, skip)
            written = {line: (row[first], row[last]) for line, row in cells.items()}
        assert sorted(row["locator"] for row in rows) == sorted(written), file
        for row in rows:
            person = persons.get(row["person_id"])
            if person and not NAME_NOISE & set(row["noise"].split(";")):
                given, family = str(person["first_name"]), str(person["last_name"])
                if path.name == "outlook.csv":  # Windows-1252 turns what it lacks into "?"
                    given, family = _cp1252(given), _cp1252(family)
                assert written[row["locator"]] == (given, family)
    linkedin = (small.out / next(iter(small.files["linkedin"]))).read_text(encoding="utf-8")
    assert linkedin.splitlines()[0] == "Notes:"
    assert linkedin.splitlines()[3].startswith("First Name,Last Name,URL,Email Address")


def test_call_log_numbers_parse_in_the_members_country(small: DemoManifest) -> None:
    start, end = _window(small)
    with (small.out / "calls.csv").open(encoding="utf-8", newline="") as handle:
        calls = list(csv.DictReader(handle))
    assert len(calls) == small.counts["calls"]
    national = 0
    for call in calls:
        assert call["direction"] in ("in", "out", "missed")
        assert start <= datetime.fromisoformat(call["start"]) < end
        region = "GB" if call["other"].startswith("0") else "US"
        national += not call["other"].startswith("+")
        assert phonenumbers.is_valid_number(phonenumbers.parse(call["other"], region))
        assert (call["direction"] == "missed") == (call["duration_seconds"] == "0")
    assert calls and national


# --- the shape of the world and of activity --------------------------------------------------


def test_each_member_has_few_strong_ties_and_many_weak(small: DemoManifest) -> None:
    ties = read_truth(small, "ties_truth.csv")
    by_member: dict[str, Counter[str]] = defaultdict(Counter)
    strength_of: dict[tuple[str, str], str] = {}
    for tie in ties:
        if not tie["email"].endswith("@northwind.example"):
            by_member[tie["member_email"]][tie["strength"]] += 1
            strength_of[tie["member_email"], tie["email"]] = tie["strength"]
    for counts in by_member.values():
        assert 3 <= counts["strong"] <= 8
        assert counts["weak"] > 4 * counts["strong"]
    exchanged: Counter[tuple[str, str]] = Counter()
    one_way_threads = mass_mail = 0
    for path in small.paths("mbox"):
        member = f"{path.stem}@northwind.example"
        threads: dict[str, set[str]] = defaultdict(set)
        for message in messages(path):
            parties = [
                a for _, a in getaddresses(message.get_all("To", []) + message.get_all("Cc", []))
            ]
            mass_mail += len(parties) >= 30
            root = (message["References"] or message["Message-ID"]).split()[0]
            sender = getaddresses([message["From"]])[0][1]
            threads[root].add(sender)
            for party in {sender, *parties} - {member}:
                exchanged[member, party] += 1
        one_way_threads += sum(len(senders) == 1 for senders in threads.values())
    mean = {
        label: statistics.mean(exchanged[key] for key, s in strength_of.items() if s == label)
        for label in ("strong", "good", "weak")
    }
    assert mean["strong"] > 2 * mean["good"] > 2 * mean["weak"] > 0
    assert one_way_threads > 0 and mass_mail > 0


def test_interactions_target_scales_activity(tmp_path: Path) -> None:
    scale = DemoScale(members=4, persons=300, companies=40, months=2, interactions_target=20_000)
    manifest = generate_demo(tmp_path, seed=3, scale=scale)
    assert manifest.activity_factor > 1
    assert 0.8 * 20_000 <= manifest.counts["interactions"] <= 1.2 * 20_000


def test_default_scale_counts_and_distributions(tmp_path: Path) -> None:
    started = time.perf_counter()
    manifest = generate_demo(tmp_path)
    seconds = time.perf_counter() - started
    assert seconds < 30
    counts = manifest.counts
    assert (counts["persons"], counts["companies"], counts["members"]) == (5000, 400, 25)
    directory = (tmp_path / "directory.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(directory) == 5400
    truth = read_truth(manifest, "contacts_truth.csv")
    assert len(truth) == counts["contacts"] > 25 * 150
    private = sum(not row["person_id"] for row in truth) / len(truth)
    assert 0.15 <= private <= 0.35
    noise = Counter(token for row in truth for token in row["noise"].split(";") if token)
    assert set(noise) >= NAME_NOISE | {
        "company_variant", "outdated_company", "no_email", "duplicate_entry", "no_company",
    }  # fmt: skip
    assert len(manifest.files["mbox"]) == len(manifest.files["ics"]) == 25
    assert {"linkedin", "google", "outlook", "vcard"} <= set(manifest.files)
    per_company: Counter[str] = Counter()
    for line in directory[400:]:
        person = json.loads(line)
        per_company.update({job["company_id"] for job in person["employment"]})
    sizes = sorted((per_company.get(f"C{i:06d}", 0) for i in range(400)), reverse=True)
    assert sizes[0] >= 1000 and sizes[2] >= 300  # a few companies hold many persons
    assert sum(size <= 5 for size in sizes) >= 100  # and many only a handful
    assert counts["interactions"] > counts["messages"] > counts["calls"] > 0
    assert _classmates(directory[400:425], directory[425:]) >= 10  # conversation starters


def _classmates(members: list[str], others: list[str]) -> int:
    """Member-person pairs who were at the same school in overlapping years."""
    attended: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for line in others:
        for school in json.loads(line)["education"]:
            attended[school["school"]].append((int(school["start"]), int(school["end"])))
    pairs = 0
    for line in members:
        for school in json.loads(line)["education"]:
            start, end = int(school["start"]), int(school["end"])
            pairs += sum(s <= end and start <= e for s, e in attended[school["school"]])
    return pairs


def _window(manifest: DemoManifest) -> tuple[datetime, datetime]:
    end = manifest.scale.end_date
    months = end.year * 12 + end.month - 1 - manifest.scale.months
    start = datetime(months // 12, months % 12 + 1, end.day, tzinfo=UTC)
    return start, datetime(end.year, end.month, end.day, tzinfo=UTC)


def _cp1252(text: str) -> str:
    return text.encode("cp1252", "replace").decode("cp1252")


def _attendees(event: icalendar.cal.Component) -> list[icalendar.vCalAddress]:
    return _as_list(event.get("ATTENDEE"))


def _as_list(value: object) -> list:  # type: ignore[type-arg]
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
