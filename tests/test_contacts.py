"""Contact import: dedupe across sources, matching, possible matches, private network, re-import."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tiegraph.errors import InvalidInputError
from tiegraph.services.contacts import prepare as contact_prepare
from tiegraph.services.contacts.details import get_contact
from tiegraph.services.contacts.importer import import_contacts, load_matching
from tiegraph.services.contacts.matches import decide_possible_match, list_possible_matches
from tiegraph.services.contacts.network import list_contacts, publish_contact
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.directory.index import saved_companies
from tiegraph.services.insights.who_knows import who_knows
from tiegraph.services.org.members import Member, add_member, get_member, set_member_sharing
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store, open_store
from tiegraph.store.schema import contact, contact_source

DIRECTORY = [
    {"type": "company", "id": "C1", "name": "Acme Corporation", "domains": ["acme.example"]},
    {"type": "company", "id": "C2", "name": "Globex GmbH", "domains": ["globex.example"]},
    {
        "type": "person",
        "id": "P1",
        "first_name": "Robert",
        "last_name": "Smith",
        "emails": ["robert.smith@acme.example"],
        "employment": [{"company_id": "C1", "start": "2019"}],
    },
    {
        "type": "person",
        "id": "P2",
        "first_name": "José",
        "last_name": "Núñez",
        "emails": ["jose@globex.example"],
        "employment": [{"company_id": "C2", "start": "2018"}],
    },
    {
        "type": "person",
        "id": "P3",
        "first_name": "Maria",
        "last_name": "Garcia",
        "employment": [{"company_id": "C2", "start": "2018"}],
    },
]

LINKEDIN = """Notes:
"When exporting your connection data, you may notice that some of the email addresses are missing."

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Bob,Smith,https://www.linkedin.com/in/bob-smith-1,,Acme Corp.,VP,22 Dec 2025
Jose,Nunez,https://www.linkedin.com/in/jose-1,,Globex,Buyer,3 Jan 2024
Maria,Garcia,https://www.linkedin.com/in/maria-1,,"Globex GmbH",CFO,3 Jan 2024
Zoe,Private,https://www.linkedin.com/in/zoe-1,,Nowhere Ltd,CEO,3 Jan 2024
"""

GOOGLE = (
    "First Name,Middle Name,Last Name,Organization Name,E-mail 1 - Label,E-mail 1 - Value,"
    "Phone 1 - Label,Phone 1 - Value\n"
    """Bob,,Smith,Acme,* work,robert.smith@acme.example,mobile,+1 415 555 0111
Zoe,,Private,Nowhere Ltd,* home,zoe@home.example,,
"""
)


def _setup(store: Store, tmp_path: Path) -> tuple[Org, Member, Member]:
    org = resolve_org(store)
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in DIRECTORY) + "\n", encoding="utf-8")
    import_directory(store, org, [path])
    ana = add_member(store, org, email="ana@us.example", name="Ana Lima")
    bo = add_member(store, org, email="bo@us.example", name="Bo Chen")
    return org, ana, bo


def _files(tmp_path: Path) -> tuple[Path, Path]:
    linkedin = tmp_path / "Connections.csv"
    linkedin.write_text(LINKEDIN, encoding="utf-8")
    google = tmp_path / "contacts.txt"  # the name does not matter: the content does
    google.write_text(GOOGLE, encoding="utf-8-sig")
    return linkedin, google


def test_import_match_dedupe_and_reimport(store: Store, tmp_path: Path) -> None:
    org, ana, _ = _setup(store, tmp_path)
    linkedin, google = _files(tmp_path)
    report = import_contacts(store, org, ana, [linkedin, google]).as_dict()
    first, second = report["sources"]
    assert (first["format"], first["attempted"], first["imported"]) == ("linkedin", 4, 4)
    # Maria: same name at the same company; Jose: accents differ only, so exact too; Bob: a
    # nickname of the one Robert Smith at Acme, so his too.
    assert first["matched"] == 3 and first["possible"] == 0 and first["private"] == 1
    # Google: Bob with Robert's email matches and merges with LinkedIn's Bob; Zoe merges too.
    assert (second["format"], second["merged"], second["matched"]) == ("google", 2, 1)
    assert report["attempted"] == 6 and report["unchanged"] == 0
    contacts = list_contacts(store, org, ana)
    assert len(contacts) == 4  # one contact per real person across both sources
    bob = next(c for c in contacts if c.name.startswith("Bob"))
    assert bob.status == "matched" and bob.emails == ("robert.smith@acme.example",)
    again = import_contacts(store, org, ana, [linkedin, google]).as_dict()
    assert again["unchanged"] == 6 and again["imported"] == 0
    # Unchanged rows still count under their contact's outcome: the report stays readable.
    for outcome in ("matched", "possible", "private"):
        assert again[outcome] == report[outcome]
    assert len(list_contacts(store, org, ana)) == 4


def test_a_row_a_later_row_resolves_counts_as_matched_and_reimport_says_the_same(
    store: Store, tmp_path: Path
) -> None:
    org, ana, _ = _setup(store, tmp_path)
    book = tmp_path / "book.csv"
    book.write_text(
        "First Name,Last Name,Company,E-mail Address\n"
        "Bob,Smyth,Acme,\n"  # a typo: on its own, a possible match
        "Bob,Smyth,Acme,robert.smith@acme.example\n"  # the address says who he is
        "Zoe,Private,Nowhere Ltd,\n",
        encoding="utf-8",
    )
    outcome = ("matched", "possible", "private", "merged", "unchanged")
    first = import_contacts(store, org, ana, [book]).as_dict()
    assert [first[k] for k in outcome] == [2, 0, 1, 1, 0]
    again = import_contacts(store, org, ana, [book]).as_dict()
    assert [again[k] for k in outcome] == [2, 0, 1, 0, 3]


def test_written_rows_read_back_as_the_records_said(store: Store, tmp_path: Path) -> None:
    org, ana, _ = _setup(store, tmp_path)
    linkedin, google = _files(tmp_path)
    import_contacts(store, org, ana, [linkedin, google])
    bob = next(c for c in list_contacts(store, org, ana) if c.name.startswith("Bob"))
    details = get_contact(store, org, ana, bob.id)
    assert details.connected_on == date(2025, 12, 22) and details.title == "VP"
    assert details.profile_url == "https://www.linkedin.com/in/bob-smith-1"
    assert [(s.format, s.file) for s in details.sources] == [
        ("linkedin", "Connections.csv"),
        ("google", "contacts.txt"),
    ]
    assert details.phones == ("+14155550111",)
    with store.read() as conn:
        said = conn.execute(
            select(contact_source.c.record, contact.c.updated_at)
            .join(contact, contact.c.id == contact_source.c.contact_id)
            .where(contact_source.c.contact_id == bob.id)
            .order_by(contact_source.c.id)
        ).all()
    assert said[0].record["connected_on"] == "2025-12-22"
    assert said[1].record["emails"] == ["robert.smith@acme.example"]
    assert said[0].updated_at is not None  # matched: when it was


def test_a_file_read_ahead_imports_as_one_read_here(store: Store, tmp_path: Path) -> None:
    org, ana, bo = _setup(store, tmp_path)
    linkedin, google = _files(tmp_path)
    here = import_contacts(store, org, ana, [linkedin, google]).as_dict()
    # Every file read and prepared in a second process, as large ones are.
    ahead = import_contacts(store, org, bo, [linkedin, google], read_ahead_bytes=0).as_dict()
    assert ahead == here
    assert [(c.name, c.status, c.emails) for c in list_contacts(store, org, bo)] == [
        (c.name, c.status, c.emails) for c in list_contacts(store, org, ana)
    ]
    again = import_contacts(store, org, bo, [linkedin, google], read_ahead_bytes=0).as_dict()
    assert again["unchanged"] == 6 and again["imported"] == 0
    # With the index saved, the readers start before it loads, from its saved companies.
    load_matching(store, org)
    assert saved_companies(store, org) is not None
    cy = add_member(store, org, email="cy@us.example", name="Cy Li")
    load_matching(store, org)  # a member is a directory person: the index is saved again
    early = import_contacts(store, org, cy, [linkedin, google], read_ahead_bytes=0).as_dict()
    assert early == here


@pytest.mark.parametrize("read_ahead_bytes", [0, 1 << 30], ids=["read ahead", "read here"])
def test_the_good_files_are_imported_and_the_bad_ones_refused(
    store: Store, tmp_path: Path, read_ahead_bytes: int
) -> None:
    org, ana, bo = _setup(store, tmp_path)
    linkedin, google = _files(tmp_path)
    empty = tmp_path / "empty.csv"
    empty.write_text("First Name,Last Name,Email Address\n", encoding="utf-8")
    missing = tmp_path / "gone.csv"
    files = [linkedin, empty, missing, google]
    report = import_contacts(store, org, ana, files, read_ahead_bytes=read_ahead_bytes)
    alone = import_contacts(store, org, bo, [linkedin, google]).as_dict()
    assert [s.file for s in report.sources] == [str(linkedin), str(google)]
    assert {(r.file, r.reason.split(":")[-1].strip()) for r in report.refused} == {
        (str(empty), "no contacts found"),
        (str(missing), "No such file or directory"),
    }
    assert report.as_dict() == alone | {"refused": report.as_dict()["refused"]}
    assert "empty.csv: not imported: " in report.summary()
    assert len(list_contacts(store, org, ana)) == len(list_contacts(store, org, bo))
    with pytest.raises(InvalidInputError, match=r"empty\.csv: .*no contacts.*gone\.csv"):
        import_contacts(store, org, ana, [empty, missing], read_ahead_bytes=read_ahead_bytes)


def test_possible_match_is_never_silent_and_can_be_confirmed(store: Store, tmp_path: Path) -> None:
    org, ana, bo = _setup(store, tmp_path)
    linkedin, _ = _files(tmp_path)
    linkedin.write_text(LINKEDIN.replace("Bob,Smith", "Robret,Smith"), encoding="utf-8")
    import_contacts(store, org, ana, [linkedin])
    open_matches = list_possible_matches(store, org, ana)
    assert [m.contact_name for m in open_matches] == ["Robret Smith"]
    assert "first-name typo" in open_matches[0].reason
    assert list_possible_matches(store, org, bo) == []  # another member's decisions are not theirs
    with pytest.raises(Exception, match="no possible match"):
        decide_possible_match(store, org, bo, open_matches[0].id, confirm=True)
    decided = decide_possible_match(store, org, ana, open_matches[0].id, confirm=True)
    assert decided.status == "confirmed"
    knowers = who_knows(store, org, ["robert.smith@acme.example"])[0].knowers
    assert [k.member_email for k in knowers] == ["ana@us.example"]


def test_private_network_stays_private_until_published(store: Store, tmp_path: Path) -> None:
    org, ana, bo = _setup(store, tmp_path)
    _, google = _files(tmp_path)
    import_contacts(store, org, ana, [google])
    private = list_contacts(store, org, ana, status="private")
    assert [c.name for c in private] == ["Zoe Private"]
    assert list_contacts(store, org, bo) == []
    assert who_knows(store, org, ["zoe@home.example"])[0].knowers == ()
    with pytest.raises(Exception, match="no contact"):
        publish_contact(store, org, bo, private[0].id)
    publish_contact(store, org, ana, private[0].id)
    answer = who_knows(store, org, ["zoe@home.example"])[0]
    assert answer.name == "Zoe Private"
    assert [k.member_email for k in answer.knowers] == ["ana@us.example"]


def test_a_file_without_contacts_is_one_clear_error(store: Store, tmp_path: Path) -> None:
    org, ana, _ = _setup(store, tmp_path)
    junk = tmp_path / "notes.csv"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(InvalidInputError, match=r"notes\.csv"):
        import_contacts(store, org, ana, [junk])
    assert list_contacts(store, org, ana) == []


def _csv(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    header = "First Name,Middle Name,Last Name,Organization Name,E-mail 1 - Label,E-mail 1 - Value"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_a_later_source_settles_a_possible_match(store: Store, tmp_path: Path) -> None:
    org, ana, _ = _setup(store, tmp_path)
    linkedin, google = _files(tmp_path)
    # A typo in Robert's first name: only possible, until Google's row brings his address.
    linkedin.write_text(LINKEDIN.replace("Bob,Smith", "Robret,Smith"), encoding="utf-8")
    google.write_text(GOOGLE.replace("Bob,,Smith", "Robret,,Smith"), encoding="utf-8-sig")
    import_contacts(store, org, ana, [linkedin])
    [offered] = list_possible_matches(store, org, ana)
    import_contacts(store, org, ana, [google])  # Bob's address: matched now
    assert list_possible_matches(store, org, ana) == []
    assert [m.id for m in list_possible_matches(store, org, ana, status="superseded")] == [
        offered.id
    ]
    # Both files in one import: the suggestion is written already settled.
    cy = add_member(store, org, email="cy@us.example", name="Cy Li")
    import_contacts(store, org, cy, [linkedin, google])
    assert list_possible_matches(store, org, cy) == []
    assert len(list_possible_matches(store, org, cy, status="superseded")) == 1


def test_rows_matched_to_one_person_are_one_contact(store: Store, tmp_path: Path) -> None:
    org, ana, _ = _setup(store, tmp_path)
    book = _csv(
        tmp_path,
        "book.csv",
        [
            "Robert,,Smith,Acme Corporation,,",  # by name and company
            "Bob,,Smith,,* work,robert.smith@acme.example",  # by email: the same person
        ],
    )
    report = import_contacts(store, org, ana, [book]).as_dict()
    assert (report["matched"], report["merged"]) == (2, 1)
    [bob] = list_contacts(store, org, ana)
    assert bob.emails == ("robert.smith@acme.example",)


def test_a_common_name_without_a_company_is_not_merged_by_name(
    store: Store, tmp_path: Path
) -> None:
    org, ana, _ = _setup(store, tmp_path)
    namesakes = [
        {"type": "company", "id": "C3", "name": "Initech", "domains": ["initech.example"]},
        *(
            {
                "type": "person",
                "id": f"PS{i}",
                "first_name": "Maria",
                "last_name": "Silva",
                "employment": [{"company_id": company, "start": "2020"}],
            }
            for i, company in enumerate(("C1", "C3"))
        ),
    ]
    path = tmp_path / "namesakes.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in namesakes) + "\n", encoding="utf-8")
    import_directory(store, org, [path])
    book = _csv(
        tmp_path,
        "book.csv",
        [
            "Maria,,Silva,Initech,,",  # the directory's Maria Silva at Initech
            "Maria,,Silva,,,",  # two Maria Silvas in the directory: maybe the other one
            "Maria,,Garcia,Globex GmbH,,",
            "Maria,,Garcia,,,",  # one Maria Garcia in the directory: the same person
        ],
    )
    report = import_contacts(store, org, ana, [book]).as_dict()
    assert report["merged"] == 1
    contacts = list_contacts(store, org, ana)
    assert sorted((c.name, c.status) for c in contacts) == [
        ("Maria Garcia", "matched"),
        ("Maria Silva", "matched"),
        ("Maria Silva", "private"),
    ]


@settings(database=None, max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(), st.none(), st.lists(st.text(), max_size=3)), max_size=6))
def test_record_json_is_json_dumps(values: list[object]) -> None:
    # Record keys hash this text: it must stay what json.dumps wrote when they were made.
    assert contact_prepare._KEY_JSON(values) == json.dumps(values, ensure_ascii=False)
    said = {f"k{i}": v for i, v in enumerate(values)}
    assert contact_prepare._COLUMN_JSON(said) == json.dumps(said)


def _address_book(store: Store, org: Org, owner: Member) -> list[tuple[object, ...]]:
    contacts = sorted((c.name, c.status, c.emails) for c in list_contacts(store, org, owner))
    offered = {
        status: len(list_possible_matches(store, org, owner, status=status))
        for status in ("open", "superseded")
    }
    return [*contacts, tuple(offered.items())]


def _imported(
    store: Store, tmp_path: Path, contact_sync: bool
) -> tuple[dict[str, object], list[tuple[object, ...]], list[Path]]:
    org, ana, _ = _setup(store, tmp_path)
    ana = set_member_sharing(store, org, ana, contact_sync=contact_sync)
    linkedin, google = _files(tmp_path)
    linkedin.write_text(LINKEDIN.replace("Bob,Smith", "Robret,Smith"), encoding="utf-8")
    google.write_text(GOOGLE.replace("Bob,,Smith", "Robret,,Smith"), encoding="utf-8-sig")
    book = tmp_path / "book.csv"
    book.write_text(  # a later row of the file settles an earlier one's possible match
        "First Name,Last Name,Company,E-mail Address\n"
        "Jose,Nunnez,Globex,\n"
        "Yuri,Other,Nowhere Ltd,\n"
        "Jose,Nunnez,Globex,jose@globex.example\n",
        encoding="utf-8",
    )
    files = [book, linkedin, google]
    report = import_contacts(store, org, ana, files).as_dict()
    return report, _address_book(store, org, ana), files


@pytest.mark.parametrize("contact_sync", [False, True], ids=["private", "contact sync"])
def test_a_file_committed_record_by_record_is_the_file_in_one_transaction(
    store: Store, tmp_path: Path, contact_sync: bool
) -> None:
    """Each record its own transaction (as a long import commits every second): the same
    contacts, suggestions and report as one transaction, and a re-import finds every row."""
    whole_store = open_store(f"sqlite:///{tmp_path / 'whole.db'}")
    (tmp_path / "whole").mkdir()
    whole, book, _ = _imported(whole_store, tmp_path / "whole", contact_sync)
    whole_store.dispose()
    store.commit_seconds = 0
    cut, cut_book, files = _imported(store, tmp_path, contact_sync)
    assert cut_book == book
    for report in (whole, cut):
        for source in report["sources"]:  # type: ignore[attr-defined]
            source["file"] = Path(source["file"]).name
    assert cut == whole
    org = resolve_org(store)
    ana = get_member(store, org, "ana@us.example")
    again = import_contacts(store, org, ana, files).as_dict()
    assert again["unchanged"] == whole["attempted"] and again["imported"] == 0
