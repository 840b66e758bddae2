"""Matching contacts to directory persons: each rule, its reason, and what must never match."""

from __future__ import annotations

import gc

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tiegraph.core import person_table
from tiegraph.core.companies import CompanyIndex
from tiegraph.core.matching import (
    MAX_CANDIDATES,
    ContactKeys,
    MatchDecision,
    MatchIndex,
    PersonKeys,
    contact_keys,
    person_keys,
)

COMPANIES = CompanyIndex(
    [
        ("c-ibm", "International Business Machines Corp.", ["ibm.com"]),
        ("c-acme", "Acme, Inc.", ["acme.com"]),
        ("c-globex", "Globex GmbH", ["globex.de"]),
        ("c-initech", "Initech", ["initech.com"]),
    ]
)
# (person id, first, last, emails, employers)
DIRECTORY: list[tuple[str, str, str, list[str], list[str]]] = [
    ("p-robert", "Robert", "Smith", ["rob.smith@acme.com"], ["Acme Corp."]),
    ("p-john", "John", "Johnson", [], ["ACME Corporation"]),
    ("p-mary", "Mary", "van der Berg", [], ["International Business Machines"]),
    ("p-anna", "Anna", "Schmidt", [], ["Acme"]),
    ("p-jane", "Jane", "Doe", ["shared@acme.com"], ["Acme"]),
    ("p-jim", "Jim", "Doe", ["Shared@ACME.com"], ["Acme"]),
    ("p-twin1", "Chris", "Lee", [], ["Globex"]),
    ("p-twin2", "Chris", "Lee", [], ["Globex GmbH"]),
    ("p-li", "Wei", "Li", [], ["Globex"]),
    ("p-jose", "José", "Müller", [], ["Société Générale S.A."]),
    ("p-workmail", "Peter", "Gibbons", ["peter@initech.com"], []),  # no employer name
    ("p-gmail", "Samir", "Nagheenanajar", ["samir@gmail.com"], []),
    ("p-bill", "Bill", "Jones", [], ["Initech"]),
]


Row = tuple[str, str, str, list[str], list[str]]


def build(directory: list[Row]) -> MatchIndex:
    keys = [
        (pid, person_keys(first, last, emails, employers, companies=COMPANIES))
        for pid, first, last, emails, employers in directory
    ]
    return MatchIndex(keys, COMPANIES)


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    return build(DIRECTORY)


def contact(
    first: str = "", last: str = "", emails: tuple[str, ...] = (), company: str = "", **kw: str
) -> ContactKeys:
    return contact_keys(
        first, last, emails, [company] if company else [], companies=COMPANIES, **kw
    )


def only_candidate(decision: MatchDecision) -> tuple[str, str]:
    assert decision.kind == "possible", decision
    assert decision.person_id is None  # a near miss never names a person as matched
    assert len(decision.candidates) == 1, decision
    return decision.candidates[0]


# --- keys -------------------------------------------------------------------------------------


def test_person_keys_normalize_every_part() -> None:
    keys = person_keys(
        "José",
        "van der Berg",
        ["Jo@Acme.com", "jo@acme.com", "not an address"],
        ["Acme, Inc.", "ACME Corp", ""],
        companies=COMPANIES,
    )
    # no title on file at Acme: the role says so (rule 4 never rules such a namesake out)
    roles = ("acme\t",)
    assert keys == PersonKeys("jose", "berg", ("jo@acme.com",), ("acme",), ("c-acme",), roles=roles)


def test_keys_from_a_full_name_when_parts_are_missing() -> None:
    keys = contact_keys("", "", (), ["Acme"], full_name="Smith, Robert", companies=COMPANIES)
    assert (keys.first, keys.last) == ("robert", "smith")


def test_contact_keys_record_what_named_the_company() -> None:
    keys = contact("Mary", "Berg", ("mary@eu.ibm.com", "mary@gmail.com"), "IBM")
    assert keys.company_ids == (("c-ibm", "IBM"),)
    keys = contact("Mary", "Berg", ("mary@eu.ibm.com", "mary@gmail.com"))
    assert keys.company_ids == (("c-ibm", "@eu.ibm.com"),)  # never from the gmail address


def test_keys_without_a_company_index_have_no_company_ids() -> None:
    assert person_keys("A", "B", ["a@acme.com"], ["Acme"]).company_ids == ()


# --- rule 1: the same email -------------------------------------------------------------------


def test_same_email_matches(index: MatchIndex) -> None:
    decision = index.match(contact(emails=("mailto:ROB.SMITH@ACME.COM",)))
    assert decision == MatchDecision("matched", "p-robert", "same email")


def test_email_wins_over_name(index: MatchIndex) -> None:
    decision = index.match(contact("John", "Johnson", ("rob.smith@acme.com",), "Acme"))
    assert (decision.kind, decision.person_id) == ("matched", "p-robert")


def test_an_email_of_several_persons_is_only_possible(index: MatchIndex) -> None:
    decision = index.match(contact("Jane", "Doe", ("shared@acme.com",), "Acme"))
    assert decision.kind == "possible"
    assert decision.person_id is None
    assert [pid for pid, _ in decision.candidates] == ["p-jane", "p-jim"]
    assert {why for _, why in decision.candidates} == {"same email as 2 people"}


# --- rule 2: the same first name, last name and company ----------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "company", "person_id"),
    [
        ("Robert", "Smith", "Acme", "p-robert"),
        ("ROBERT", "smith", "acme inc", "p-robert"),  # case and legal form
        ("John", "Johnson", "Acme Incorporated", "p-john"),
        ("Mary", "Berg", "International Business Machines Corporation", "p-mary"),  # particle
        ("Mary", "Van Der Berg", "International Business Machines", "p-mary"),
        ("Jose", "Muller", "Societe Generale", "p-jose"),  # accents
        ("Wei", "Li", "GLOBEX", "p-li"),
    ],
)
def test_same_name_and_company_matches(
    index: MatchIndex, first: str, last: str, company: str, person_id: str
) -> None:
    decision = index.match(contact(first, last, company=company))
    assert decision == MatchDecision("matched", person_id, "same first name, last name and company")


def test_a_name_shared_at_one_company_is_only_possible(index: MatchIndex) -> None:
    decision = index.match(contact("Chris", "Lee", company="Globex"))
    assert decision.kind == "possible"
    assert decision.person_id is None
    assert [pid for pid, _ in decision.candidates] == ["p-twin1", "p-twin2"]
    assert decision.reason == "2 possible matches"


def namesakes_with_titles(*titles: tuple[str, str]) -> MatchIndex:
    """Two Chris Lees at Globex, each with the (employer, title) pairs given, in order."""
    keys = [
        (f"p-lee{i}", person_keys("Chris", "Lee", (), ["Globex"], companies=COMPANIES, titles=t))
        for i, t in enumerate(titles, 1)
    ]
    return MatchIndex(keys, COMPANIES)


def test_the_one_namesake_at_the_company_with_the_title_matches() -> None:
    index = namesakes_with_titles((("Globex", "Data Engineer"),), (("Globex", "Controller"),))
    decision = index.match(contact("Chris", "Lee", company="Globex GmbH", title="data  ENGINEER"))
    why = "same name and company as 2 people, one with this title"
    assert decision == MatchDecision("matched", "p-lee1", why)


def test_a_title_held_elsewhere_or_by_both_or_unknown_tells_nobody() -> None:
    elsewhere = namesakes_with_titles(
        (("Initech", "Data Engineer"), ("Globex", "Analyst")), (("Globex", "Controller"),)
    )
    both = namesakes_with_titles((("Globex", "Controller"),), (("Globex", "Controller"),))
    # The second has no title on file at Globex: they may be the controller.
    unknown = namesakes_with_titles((("Globex", "Controller"),), (("Initech", "Analyst"),))
    for index, title in (
        (elsewhere, "Data Engineer"),
        (both, "Controller"),
        (unknown, "Controller"),
    ):
        decision = index.match(contact("Chris", "Lee", company="Globex", title=title))
        assert decision.kind == "possible", decision
        assert [pid for pid, _ in decision.candidates] == ["p-lee1", "p-lee2"]
    decision = both.match(contact("Chris", "Lee", company="Globex"))
    assert decision.kind == "possible"


def test_same_name_at_another_company_is_not_even_possible(index: MatchIndex) -> None:
    decision = index.match(contact("Robert", "Smith", company="Globex"))
    assert decision.kind == "none"
    assert decision.candidates == ()


def test_a_name_alone_is_not_enough(index: MatchIndex) -> None:
    decision = index.match(contact("Robert", "Smith"))
    assert decision == MatchDecision("none", reason="no email matched and no company to match on")


def test_nothing_to_match_on(index: MatchIndex) -> None:
    assert index.match(contact(company="Acme")).kind == "none"
    assert index.match(contact("Robert", company="Acme")).kind == "none"
    assert index.match(contact(emails=("nobody@acme.com",))).kind == "none"


# --- near misses: possible, never matched ----------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "company", "person_id", "reason"),
    [
        ("Jonh", "Johnson", "Acme", "p-john", "first-name typo: Jonh ≈ John, same company"),
        ("Jhon", "Johnson", "Acme", "p-john", "first-name typo: Jhon ≈ John, same company"),
        ("J.", "Johnson", "Acme", "p-john", "initial: J ≈ John, same company"),
        ("Ana", "Schmidt", "Acme", "p-anna", "first-name typo: Ana ≈ Anna, same company"),
    ],
)
def test_first_name_near_misses(
    index: MatchIndex, first: str, last: str, company: str, person_id: str, reason: str
) -> None:
    assert only_candidate(index.match(contact(first, last, company=company))) == (
        person_id,
        reason,
    )


@pytest.mark.parametrize(
    ("last", "typo"),
    [
        ("Schmdit", "transposition"),
        ("Schmitt", "substitution"),
        ("Schmid", "deletion"),
        ("Schmiedt", "insertion"),
        ("Chmidt", "first letter deleted"),
        ("Schmidtt", "last letter doubled"),
    ],
)
def test_last_name_one_edit_away(index: MatchIndex, last: str, typo: str) -> None:
    pid, why = only_candidate(index.match(contact("Anna", last, company="Acme")))
    assert pid == "p-anna", typo
    assert why == f"last-name typo: {last} ≈ Schmidt, same first name and company"


@pytest.mark.parametrize(
    ("first", "last", "company"),
    [
        ("Anna", "Schmdiit", "Acme"),  # two edits
        ("Anna", "Schneider", "Acme"),
        ("Anna", "Schmitt", "Globex"),  # a typo at another company
        ("Jane", "Johnson", "Acme"),  # same initial, another first name
        ("Bob", "Jones", "Initech"),  # Bob and Bill are both Robert's, not each other's
        ("Wei", "Lu", "Globex"),  # one letter off a two-letter family name is another family
        ("Xavier", "Smith", "Acme"),
    ],
)
def test_not_near_enough(index: MatchIndex, first: str, last: str, company: str) -> None:
    decision = index.match(contact(first, last, company=company))
    assert decision.kind == "none", decision
    assert decision.reason == "no person with this email or this name at this company"


def test_a_company_written_another_way_but_resolved_to_one_company_matches(
    index: MatchIndex,
) -> None:
    decision = index.match(contact("Mary", "Berg", company="IBM"))
    assert (decision.kind, decision.person_id) == ("matched", "p-mary")
    assert decision.reason == (
        "same first and last name; company alias: IBM ≈ International Business Machines Corp."
    )


def test_company_from_the_email_domain(index: MatchIndex) -> None:
    decision = index.match(contact("Mary", "van der Berg", ("mary.vdb@research.ibm.com",)))
    assert (decision.kind, decision.person_id) == ("matched", "p-mary")
    assert decision.reason.endswith(
        "company from email domain: research.ibm.com is International Business Machines Corp."
    )


def test_a_brand_alone_finds_its_company_but_a_contact_brand_never_widens() -> None:
    companies = CompanyIndex([("c1", "Ferrante Assurance plc", ()), ("c2", "Orion Media Co.", ())])
    assert companies.resolve_name("FERRANTE plc") == "c1"
    assert companies.resolve_name("Orion Capital") is None  # not Orion Media


def test_a_person_known_only_by_a_work_address(index: MatchIndex) -> None:
    pid, why = only_candidate(index.match(contact("Peter", "Gibbons", company="Initech")))
    assert pid == "p-workmail"
    assert why == "company from the person's work address: Initech is Initech"


def test_free_mail_never_stands_for_a_company(index: MatchIndex) -> None:
    decision = index.match(contact("Samir", "Nagheenanajar", ("samir.n@gmail.com",)))
    assert decision.kind == "none"


def test_reasons_are_merged_per_person_in_rule_order() -> None:
    idx = build([("p1", "Robert", "Smith", [], ["Acme"]), ("p2", "Robert", "Smyth", [], ["Acme"])])
    decision = idx.match(contact("Robertt", "Smith", company="Acme"))
    assert decision.candidates == (("p1", "first-name typo: Robertt ≈ Robert, same company"),)
    decision = idx.match(contact("Robert", "Smiht", company="Acme"))
    assert [pid for pid, _ in decision.candidates] == ["p1"]


def test_candidates_are_capped() -> None:
    many: list[Row] = [
        (f"p{i}", f"J{'abcdefghijklmnop'[i]}hn", "Smith", [], ["Acme"]) for i in range(16)
    ]
    decision = build(many).match(contact("J.", "Smith", company="Acme"))
    assert decision.kind == "possible"
    assert len(decision.candidates) == MAX_CANDIDATES
    assert decision.reason == "16 possible matches"


# --- the index itself -------------------------------------------------------------------------


def test_hash_collisions_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    # With every key hashed to 0, every person sits under every key: only the check of each
    # hit against the person's own values keeps the decisions right.
    monkeypatch.setattr(person_table, "_MASK", 0)
    idx = build(DIRECTORY)
    assert idx.match(contact("Robert", "Smith", company="Acme")).person_id == "p-robert"
    assert idx.match(contact("Bob", "Smith", company="Acme")).person_id == "p-robert"
    assert only_candidate(idx.match(contact("Robret", "Smith", company="Acme")))[0] == "p-robert"
    assert only_candidate(idx.match(contact("Anna", "Schmitt", company="Acme")))[0] == "p-anna"
    assert idx.match(contact("Mary", "Berg", company="IBM")).person_id == "p-mary"
    assert idx.match(contact("Robert", "Smith", company="Globex")).kind == "none"


def test_building_leaves_the_cycle_collector_as_it_was(index: MatchIndex) -> None:
    assert gc.isenabled()
    gc.disable()
    try:
        build(DIRECTORY)
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert len(index) == len(DIRECTORY)


def test_persons_without_names_are_still_found_by_email() -> None:
    idx = build([("p1", "", "", ["info@acme.com"], ["Acme"])])
    assert idx.match(contact(emails=("info@acme.com",))).person_id == "p1"


NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüø-' ", min_size=1, max_size=12)


@settings(database=None, max_examples=150, deadline=None)
@given(NAME, NAME, st.sampled_from(["Acme", "Globex GmbH", "Initech LLC", "Umbrella"]))
def test_a_contact_copied_from_a_person_matches_that_person(
    first: str, last: str, company: str
) -> None:
    keys = person_keys(first, last, [], [company], companies=COMPANIES)
    assume(keys.first and keys.last and (keys.first, keys.last) != ("zed", "zulu"))
    idx = MatchIndex([("p", keys), ("other", person_keys("Zed", "Zulu", [], [company]))])
    decision = idx.match(contact_keys(first.upper(), last, (), [company], companies=COMPANIES))
    assert (decision.kind, decision.person_id) == ("matched", "p")


def test_a_brand_several_companies_share_is_settled_by_the_persons_employer() -> None:
    companies = CompanyIndex(
        [("c1", "Zephyr Automotive SE", ()), ("c2", "Zephyr Labs", ()), ("c3", "Acme", ())]
    )
    assert companies.resolve_name("Zephyr S.E.") is None
    assert set(companies.brand_candidates("Zephyr S.E.")) == {"c1", "c2"}
    idx = MatchIndex(
        [
            (
                "p1",
                person_keys(
                    "Søren", "Jørgensen", (), ["Zephyr Automotive SE"], companies=companies
                ),
            ),
            ("p2", person_keys("Ana", "Lima", (), ["Zephyr Labs"], companies=companies)),
        ],
        companies,
    )
    found = idx.match(contact_keys("Søren", "Jørgensen", (), ["Zephyr S.E."], companies=companies))
    assert (found.kind, found.person_id) == ("matched", "p1")


# --- profile URLs, phones, nicknames ----------------------------------------------------------

HANDLES = [
    ("p-ana", person_keys("Ana", "Lima", profiles=["https://www.linkedin.com/in/ana-lima-7/"])),
    ("p-ana2", person_keys("Ana", "Lima", phones=["+14155550100"])),
    ("p-luis", person_keys("Luis", "Reyes", phones=["+14155550100"])),  # a shared line
    ("p-site1", person_keys("Eva", "Roth", profiles=["https://acme.com/team"])),
    ("p-site2", person_keys("Jon", "Holt", profiles=["https://acme.com/team"])),
]


def test_the_same_profile_url_matches_whatever_its_spelling() -> None:
    idx = MatchIndex(HANDLES)
    for url in ("http://de.linkedin.com/in/Ana-Lima-7?trk=x", "linkedin.com/in/ana-lima-7"):
        decision = idx.match(contact_keys("Ana", "Lima", profiles=[url]))
        assert (decision.kind, decision.person_id, decision.reason) == (
            "matched",
            "p-ana",
            "same profile URL",
        )


def test_a_profile_url_under_another_name_or_of_several_people_is_only_possible() -> None:
    idx = MatchIndex(HANDLES)
    url = "https://www.linkedin.com/in/ana-lima-7"
    assert only_candidate(idx.match(contact_keys("Zoe", "Park", profiles=[url])))[0] == "p-ana"
    decision = idx.match(contact_keys("Eva", "Roth", profiles=["https://acme.com/team"]))
    assert decision.kind == "possible" and len(decision.candidates) == 2


def test_a_phone_matches_only_with_the_name() -> None:
    idx = MatchIndex(HANDLES)
    decision = idx.match(contact_keys("Luis", "Reyess", phones=["+14155550100"]))
    assert (decision.kind, decision.person_id) == ("matched", "p-luis")
    assert decision.reason == "same phone number and name"
    assert idx.match(contact_keys("Max", "Reyes", phones=["+14155550100"])).kind == "none"


def test_a_nickname_of_the_one_person_of_that_name_at_the_company_matches(
    index: MatchIndex,
) -> None:
    decision = index.match(contact("Bob", "Smith", company="Acme Inc"))
    assert (decision.kind, decision.person_id) == ("matched", "p-robert")
    assert decision.reason == "nickname: Bob ≈ Robert, same company"
    resolved = index.match(contact("Jon", "Johnson", company="acme.com"))
    assert (resolved.kind, resolved.person_id) == ("matched", "p-john")


def test_a_nickname_two_persons_answer_is_only_possible() -> None:
    idx = build(
        [("p1", "Christopher", "Lee", [], ["Acme"]), ("p2", "Christina", "Lee", [], ["Acme"])]
    )
    decision = idx.match(contact("Chris", "Lee", company="Acme"))
    assert decision.kind == "possible" and {p for p, _ in decision.candidates} == {"p1", "p2"}


def test_a_brand_that_is_one_companys_name_still_finds_the_others() -> None:
    companies = CompanyIndex([("c1", "Yonder LLC", ()), ("c2", "Yonder Clinics Co., Ltd.", ())])
    keys = person_keys("Michael", "Miller", [], ["Yonder Clinics Co., Ltd."], companies=companies)
    idx = MatchIndex([("p", keys)], companies)
    found = idx.match(contact_keys("Michael", "Miller", (), ["Yonder Co Ltd"], companies=companies))
    assert (found.kind, found.person_id) == ("matched", "p")
    # A directory person's employer is one company exactly: not filed under its namesakes.
    assert keys.company_ids == ("c2",)


def test_a_company_written_as_its_domain(index: MatchIndex) -> None:
    decision = index.match(contact("Mary", "Berg", company="www.ibm.com"))
    assert (decision.kind, decision.person_id) == ("matched", "p-mary")


def test_another_address_at_the_persons_domain_makes_a_name_only_possible(
    index: MatchIndex,
) -> None:
    pid, why = only_candidate(
        index.match(contact("Robert", "Smith", ("robert.smith.2@acme.com",), company="Acme"))
    )
    assert pid == "p-robert"
    assert why == "same first name, last name and company; but another address at acme.com"
    # Free mail says nothing: one person often has several.
    decision = index.match(contact("Robert", "Smith", ("bob@gmail.com",), company="Acme"))
    assert (decision.kind, decision.person_id) == ("matched", "p-robert")


def test_someone_elses_profile_url_leaves_the_name_its_chance() -> None:
    keys = person_keys("Zoe", "Park", [], ["Acme"], companies=COMPANIES)
    idx = MatchIndex([*HANDLES, ("p-zoe", keys)], COMPANIES)
    url = "https://www.linkedin.com/in/ana-lima-7"
    found = idx.match(
        contact_keys("Zoe", "Park", (), ["Acme"], companies=COMPANIES, profiles=[url])
    )
    assert (found.kind, found.person_id) == ("matched", "p-zoe")
