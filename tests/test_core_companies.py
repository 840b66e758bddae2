"""Company names: legal forms of many countries, punctuation, aliases, domains, free mail."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiegraph.core.companies import (
    CompanyIndex,
    company_aliases,
    company_name_from_domain,
    normalize_company,
)

SAME_COMPANY = [
    ("coca cola", ["The Coca-Cola Company", "Coca-Cola", "COCA COLA", "Coca Cola Co."]),
    (
        "acme",
        [
            *("Acme Corp.", "ACME Corporation", "Acme, Inc.", "acme inc", "Acme Incorporated"),
            *("Acme LLC", "Acme L.L.C.", "Acme Ltd", "Acme Limited", "Acme Co., Ltd."),
            *("Acme PLC", "Acme Pty Ltd", "Acme Pty. Ltd.", "Acme Pte. Ltd.", "Acme Pvt. Ltd."),
        ],
    ),
    ("siemens", ["Siemens AG", "Siemens Aktiengesellschaft", "SIEMENS A.G."]),
    ("bosch", ["Bosch GmbH", "Bosch GmbH & Co. KG", "Bosch GmbH und Co. KG", "Bosch KGaA"]),
    ("carrefour", ["Carrefour S.A.", "Carrefour SA", "Carrefour SAS", "Carrefour SARL"]),
    ("philips", ["Philips B.V.", "Philips BV", "Philips N.V.", "Philips NV"]),
    ("nokia", ["Nokia Oyj", "Nokia Oy", "Nokia Osakeyhtiö"]),
    ("volvo", ["Volvo AB", "Volvo Aktiebolag"]),
    ("novo nordisk", ["Novo Nordisk A/S", "Novo Nordisk AS", "Novo Nordisk ApS"]),
    ("toyota", ["Toyota K.K.", "Toyota KK", "Toyota Kabushiki Kaisha"]),
    ("トヨタ", ["株式会社トヨタ", "トヨタ株式会社", "(株)トヨタ", "㈱トヨタ"]),
    ("阿里巴巴", ["阿里巴巴有限公司", "阿里巴巴股份有限公司"]),
    ("ferrari", ["Ferrari S.p.A.", "Ferrari SpA"]),
    ("luxottica", ["Luxottica S.r.l.", "Luxottica Srl"]),
    ("galp", ["Galp Lda", "Galp Ltda", "Galp Limitada"]),
    ("cemex", ["Cemex S.A. de C.V.", "Cemex SA de CV"]),
    ("comarch", ["Comarch Sp. z o.o.", "Comarch sp. z o.o."]),
    ("рога и копыта", ["ООО Рога и копыта", "Рога и копыта"]),
    ("societe generale", ["Société Générale S.A.", "SOCIETE GENERALE"]),
    ("nestle", ["Nestlé S.A.", "Nestle"]),
    ("marks and spencer", ["Marks & Spencer", "Marks and Spencer plc", "MARKS & SPENCER"]),
    ("mcdonalds", ["McDonald's Corporation", "McDonalds"]),
    ("at and t", ["AT&T Inc.", "AT & T"]),
    ("bank of america", ["Bank of America, N.A.", "Bank of America Corporation"]),
    ("eli lilly", ["Eli Lilly and Company", "Eli Lilly & Co."]),
    ("3m", ["3M Company", "3M"]),
]


@pytest.mark.parametrize(("key", "names"), SAME_COMPANY, ids=[k for k, _ in SAME_COMPANY])
def test_spellings_of_one_company_share_a_key(key: str, names: list[str]) -> None:
    assert {name: normalize_company(name) for name in names} == dict.fromkeys(names, key)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Group Inc", "group"),  # never empties a name
        ("Inc", "inc"),
        ("Inc.", "inc"),
        ("The Limited", "limited"),
        ("The Company", "company"),
        ("The", "the"),
        ("The The", "the"),
        ("株式会社", "株式会社"),
        ("BMW Group", "bmw group"),  # family words stay: Acme Holdings may own Acme Ltd
        ("Acme Holdings", "acme holdings"),
        ("Boston Consulting Group", "boston consulting group"),
        ("Amazon.com, Inc.", "amazon com"),
        ("7-Eleven, Inc.", "7 eleven"),
        ("", ""),
        ("  --  ", ""),
    ],
)
def test_normalize_company_edge_cases(raw: str, key: str) -> None:
    assert normalize_company(raw) == key


def test_different_companies_keep_different_keys() -> None:
    names = ["Acme", "Acme Holdings", "Acme Group", "Apex", "Johnson & Johnson", "Johnson"]
    assert len({normalize_company(n) for n in names}) == len(names)


@pytest.mark.parametrize(
    ("key", "aliases"),
    [
        ("bmw group", ("bmw",)),
        ("acme holdings", ("acme",)),
        ("international business machines", ("ibm",)),
        ("bank of america", ()),  # two significant words: no acronym
        ("acme", ()),
        ("group", ()),
    ],
)
def test_company_aliases(key: str, aliases: tuple[str, ...]) -> None:
    assert company_aliases(key) == aliases


@pytest.fixture
def index() -> CompanyIndex:
    return CompanyIndex(
        [
            ("ibm", "International Business Machines Corporation", ["ibm.com"]),
            ("ibm", "Big Blue", []),  # a second name for the same company
            ("bmw", "BMW Group", ["https://www.bmwgroup.com/en", "bmw.de"]),
            ("acme", "Acme, Inc.", ["acme.com", "gmail.com"]),  # gmail.com must be ignored
            ("apex1", "Apex Ltd", ["apex.co.uk"]),
            ("apex2", "Apex GmbH", ["apex.de"]),  # two companies named Apex
            ("buecher", "Bücher AG", ["bücher.de"]),
        ]
    )


@pytest.mark.parametrize(
    ("name", "email", "company_id"),
    [
        ("ACME Corporation", "", "acme"),
        ("acme", "", "acme"),
        ("Big Blue Inc.", "", "ibm"),
        ("IBM", "", "ibm"),
        ("I.B.M.", "", "ibm"),
        ("BMW", "", "bmw"),
        ("BMW AG", "", "bmw"),
        ("", "jo@acme.com", "acme"),
        ("", "Jo <JO@MAIL.ACME.COM>", "acme"),  # a subdomain resolves to its company
        ("", "jo@eu.mail.ibm.com", "ibm"),
        ("", "jo@bmwgroup.com", "bmw"),
        ("", "jo@bücher.de", "buecher"),
        ("", "jo@apex.de", "apex2"),
        ("Unknown Widgets", "jo@acme.com", "acme"),  # the name does not resolve: the domain does
        ("Acme", "jo@ibm.com", "acme"),  # the name wins over the address
    ],
)
def test_resolve(index: CompanyIndex, name: str, email: str, company_id: str) -> None:
    assert index.resolve(name, email) == company_id


@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("", "jo@gmail.com"),  # free mail never names a company, even one that listed it
        ("", "jo@yahoo.co.uk"),
        ("Apex", ""),  # two companies share the name: it names neither
        ("Unknown Widgets", ""),
        ("", "jo@unknown.org"),
        ("", "not an address"),
        ("", "jo@com"),
        ("", ""),
    ],
)
def test_resolve_finds_nothing(index: CompanyIndex, name: str, email: str) -> None:
    assert index.resolve(name, email) is None


def test_resolve_domain_and_names(index: CompanyIndex) -> None:
    assert index.resolve_domain("WWW.ACME.COM") == "acme"
    assert index.resolve_domain("acme.com.evil.org") is None
    assert index.name_of("ibm") == "International Business Machines Corporation"
    assert index.name_of("nope") == ""
    assert len(index) == 6


def test_an_alias_shared_by_two_companies_names_neither() -> None:
    index = CompanyIndex([("a", "Acme Group", []), ("b", "Acme Holdings", [])])
    assert index.resolve("Acme") is None
    assert index.resolve("Acme Group") == "a"


def test_an_exact_name_wins_over_another_company_acronym() -> None:
    index = CompanyIndex([("ibm", "International Business Machines", []), ("z", "IBM", [])])
    assert index.resolve("IBM") == "z"


@settings(database=None, max_examples=300)
@given(st.text())
def test_company_normalization_is_idempotent(raw: str) -> None:
    once = normalize_company(raw)
    assert normalize_company(once) == once
    assert once == " ".join(once.split())
    if any(ch.isalnum() for ch in raw):
        assert once, raw


@settings(database=None, max_examples=200)
@given(st.lists(st.sampled_from(["acme", "group", "inc", "the", "co", "&", "gmbh", "sa", "."])))
def test_legal_words_never_empty_a_name(words: list[str]) -> None:
    raw = " ".join(words)
    once = normalize_company(raw)
    assert normalize_company(once) == once
    if any(w.isalnum() for w in words):
        assert once


def test_a_company_name_from_a_mail_domain() -> None:
    assert company_name_from_domain("acme-widgets.co.uk") == "Acme Widgets"
    assert company_name_from_domain("ibm.com") == "IBM"
    assert company_name_from_domain("initech.example") == "Initech"
