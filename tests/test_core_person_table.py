"""The person table behind MatchIndex: saved and loaded as bytes, and the directory's fast keys."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_core_matching import COMPANIES, DIRECTORY, build, contact
from tiegraph.core import person_table
from tiegraph.core.companies import CompanyIndex
from tiegraph.core.matching import (
    ContactKeys,
    KeyCache,
    MatchIndex,
    contact_keys,
    person_keys,
)
from tiegraph.core.person_table import PersonTable, TableFormatError

CASES: list[ContactKeys] = [
    contact(emails=("rob.smith@acme.com",)),
    contact("Jane", "Doe", ("shared@acme.com",), "Acme"),
    contact("Robert", "Smith", company="Acme"),
    contact("Chris", "Lee", company="Globex"),
    contact("Bob", "Smith", company="Acme"),
    contact("Jhon", "Johnson", company="Acme"),
    contact("J.", "Johnson", company="Acme"),
    contact("Anna", "Schmitt", company="Acme"),
    contact("Mary", "Berg", company="IBM"),
    contact("Mary", "van der Berg", ("mary.vdb@research.ibm.com",)),
    contact("Peter", "Gibbons", company="Initech"),
    contact("Xavier", "Smith", company="Acme"),
    contact(emails=("nobody@acme.com",)),
]


def test_a_saved_table_answers_as_the_one_it_was_saved_from() -> None:
    built = build(DIRECTORY)
    loaded = MatchIndex.from_table(PersonTable.from_bytes(built.table.to_bytes()), COMPANIES)
    assert len(loaded) == len(built) == len(DIRECTORY)
    for keys in CASES:
        assert loaded.match(keys) == built.match(keys), keys


def test_a_saved_company_index_resolves_as_before() -> None:
    loaded = CompanyIndex.from_bytes(COMPANIES.to_bytes())
    for name in ("IBM", "Acme Corp.", "Globex", "Nowhere"):
        assert loaded.resolve_name(name) == COMPANIES.resolve_name(name)
    assert loaded.resolve_email("x@eu.ibm.com") == "c-ibm"
    assert loaded.name_of("c-acme") == "Acme, Inc."


def test_bytes_of_another_kind_or_layout_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    saved = build(DIRECTORY).table.to_bytes()
    with pytest.raises(TableFormatError):
        PersonTable.from_bytes(b"not a table" + saved)
    monkeypatch.setattr(person_table, "_MASK", 0)  # as another layout would hash
    with pytest.raises(TableFormatError):
        PersonTable.from_bytes(saved)


def test_namesakes_are_counted_up_to_a_limit() -> None:
    index = build(
        [
            ("p1", "Chris", "Lee", [], ["Globex"]),
            ("p2", "Chris", "Lee", [], ["Acme"]),
            ("p3", "Chris", "Lee", [], ["Initech"]),
            ("p4", "Ana", "Lima", [], []),
        ]
    )
    assert index.namesakes("chris", "lee") == 2
    assert index.namesakes("chris", "lee", at_most=5) == 3
    assert index.namesakes("ana", "lima") == 1
    assert index.namesakes("ana", "lee") == 0


def test_a_company_tied_by_a_work_address_is_found_under_any_employer_name() -> None:
    # The directory says Foo; an address at Acme says Acme too: "Acme" finds the person.
    index = build([("p1", "Bob", "Stone", ["bob@acme.com"], ["Foo Ltd"])])
    decision = index.match(contact("Bob", "Stone", company="Acme"))
    assert (decision.kind, decision.person_id) == ("matched", "p1")
    assert decision.reason == "same first and last name; company alias: Acme ≈ Acme, Inc."


NAMES = st.sampled_from(["José", "van der Berg", "O'Brien", "Smith, Robert", "", "Li", "山田太郎"])
EMPLOYERS = st.sampled_from(
    ["Acme Corp.", "IBM", "Globex GmbH", "Zephyr Labs", "", "  Initech  ", "Unknown Co"]
)
EMAILS = st.sampled_from(
    ["jo@acme.com", "JO@ACME.COM", "x@research.ibm.com", "not an address", "a@gmail.com"]
)


@settings(database=None, max_examples=200, deadline=None)
@given(
    NAMES,
    NAMES,
    st.lists(EMAILS, max_size=3),
    st.lists(EMPLOYERS, max_size=3),
    NAMES,
    st.booleans(),
)
def test_cached_keys_are_person_and_contact_keys(
    first: str, last: str, emails: list[str], employers: list[str], full: str, normalized: bool
) -> None:
    cache = KeyCache(COMPANIES, normalized=normalized)
    args = (first, last, emails, employers)
    for _ in range(2):  # the second time from what it remembered
        assert cache.person(*args, full_name=full) == person_keys(
            *args, full_name=full, companies=COMPANIES
        )
        assert cache.contact(*args, full_name=full) == contact_keys(
            *args, full_name=full, companies=COMPANIES
        )
    assert KeyCache().person(*args) == person_keys(*args)


def test_contact_keys_of_a_saved_index_find_the_same_persons() -> None:
    loaded = MatchIndex.from_table(PersonTable.from_bytes(build(DIRECTORY).table.to_bytes()))
    decision = loaded.match(contact_keys("Wei", "Li", (), ["GLOBEX"], companies=COMPANIES))
    assert (decision.kind, decision.person_id) == ("matched", "p-li")


@pytest.mark.parametrize("ids", [["1", "2", "10"], ["1", "007", "x9"]])
def test_person_ids_come_back_as_written(ids: list[str]) -> None:
    keys = [person_keys(f"N{i}", "Lee", [f"n{i}@acme.com"], ["Acme"]) for i in range(3)]
    built = MatchIndex(zip(ids, keys, strict=True))
    loaded = MatchIndex.from_table(PersonTable.from_bytes(built.table.to_bytes()))
    for index in (built, loaded):
        found = [index.match(contact_keys("", "", [f"n{i}@acme.com"])).person_id for i in range(3)]
        assert found == ids


def test_phones_and_profile_urls_are_saved_with_the_table() -> None:
    keys = person_keys(
        "Ana",
        "Lima",
        ["ana@acme.com"],
        phones=["+14155550100"],
        profiles=["https://linkedin.com/in/ana"],
    )
    loaded = MatchIndex.from_table(
        PersonTable.from_bytes(MatchIndex([("p", keys)]).table.to_bytes())
    )
    by_url = loaded.match(contact_keys("Ana", "Lima", profiles=["linkedin.com/in/ana/"]))
    by_phone = loaded.match(contact_keys("Ana", "Lima", phones=["+14155550100"]))
    assert by_url.person_id == by_phone.person_id == "p"
    assert loaded.match(contact_keys("", "", ["tel:+14155550100"])).kind == "none"


def test_every_key_is_found_in_its_bucket() -> None:
    table = build(DIRECTORY).table
    for key in table.keys:
        start, end = table.key_starts[
            key >> person_table._BUCKET_SHIFT : (key >> person_table._BUCKET_SHIFT) + 2
        ]
        assert start <= list(table.keys).index(key) < end
    assert table.key_starts[-1] == len(table.keys)
