"""Email normalization: one form per mailbox, refusals for what is not an address, free mail."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiegraph.core.emails import (
    email_domain,
    is_free_mail_domain,
    is_own_domain,
    is_role_address,
    normalize_email,
    own_domains,
    registered_domain,
    sign_in_email,
)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("John.Doe@Example.COM", "john.doe@example.com"),
        ("  jo@acme.io \n", "jo@acme.io"),
        ("mailto:Jo@Acme.io", "jo@acme.io"),
        ("MAILTO:jo@acme.io?subject=hello", "jo@acme.io"),
        ("Jo Smith <Jo@Acme.io>", "jo@acme.io"),
        ("<jo@acme.io>", "jo@acme.io"),
        ('"jo@acme.io"', "jo@acme.io"),
        ("jo@acme.io.", "jo@acme.io"),  # fully qualified, trailing root dot
        ("jo@bücher.de", "jo@xn--bcher-kva.de"),  # IDN domain to punycode
        ("jo@BÜCHER.DE", "jo@xn--bcher-kva.de"),
        ("jo@xn--bcher-kva.de", "jo@xn--bcher-kva.de"),
        ("jo@例え.jp", "jo@xn--r8jz45g.jp"),
        ("josé@example.com", "josé@example.com"),  # internationalized local part kept
        ("Ｊｏ＠ａｃｍｅ．ｉｏ", "jo@acme.io"),  # full-width forms
        ("d..steffes@enron.com", "d..steffes@enron.com"),  # real Enron addresses
        ("o'brien@example.ie", "o'brien@example.ie"),
    ],
)
def test_normalizes_addresses(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "urn:li:member:123456",
        "John Smith",
        "x@",
        "@acme.io",
        "jo@",
        "jo smith@acme.io",
        "jo@ac me.io",
        "a@b@acme.io",
        "jo@localhost",
        "jo@10.0.0.1",
        "jo@[192.0.2.1]",
        ".jo@acme.io",
        "jo.@acme.io",
        "jo@-acme.io",
        "jo@acme-.io",
        "jo@acme..io",
        "jo@acme_corp.io",
        '"jo smith"@acme.io',
        "x" * 65 + "@acme.io",
        "jo@" + "a" * 64 + ".io",
        "s.artemisintl.com@ENRON",  # an Exchange-internal name, not a routable address
    ],
)
def test_refuses_what_is_not_an_address(raw: str) -> None:
    assert normalize_email(raw) is None


def test_gmail_dots_and_plus_tags_are_kept_apart() -> None:
    # Two spellings Gmail delivers to one inbox may still be two people's addresses elsewhere.
    forms = {"john.smith@gmail.com", "johnsmith@gmail.com", "john.smith+work@gmail.com"}
    assert {normalize_email(f) for f in forms} == forms


@pytest.mark.parametrize(
    ("email", "domain"),
    [("jo@acme.io", "acme.io"), ("JO@Mail.Acme.IO", "mail.acme.io"), ("nobody", "")],
)
def test_email_domain(email: str, domain: str) -> None:
    assert email_domain(email) == domain


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com",
        "GMAIL.COM.",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.fr",
        "ymail.com",
        "hotmail.com",
        "hotmail.de",
        "outlook.com",
        "outlook.fr",
        "live.co.uk",
        "gmx.de",
        "gmx.at",
        "gmx.net",
        "web.de",
        "icloud.com",
        "me.com",
        "proton.me",
        "protonmail.com",
        "aol.com",
        "mail.ru",
        "qq.com",
        "uol.com.br",
    ],
)
def test_free_mail_domains(domain: str) -> None:
    assert is_free_mail_domain(domain)


@pytest.mark.parametrize(
    "domain",
    [
        "acme.com",
        "google.com",
        "microsoft.com",
        "yahooinc.com",
        "outlookmedia.com",
        "yahoo.example.org",  # a company's host named yahoo, not the provider
        "gmail.acme.com",
        "",
    ],
)
def test_company_domains_are_not_free_mail(domain: str) -> None:
    assert not is_free_mail_domain(domain)


def test_every_enron_employee_address_normalizes() -> None:
    path = SHARED_DATA / "enron-igraph" / "enron_employees.csv"
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    with path.open(newline="") as fh:
        locals_ = [row["email_local"] for row in csv.DictReader(fh)]
    assert len(locals_) == 184
    for local in locals_:
        assert normalize_email(f"{local.upper()}@ENRON.COM") == f"{local}@enron.com"


@settings(database=None, max_examples=300)
@given(st.text())
def test_normalization_is_idempotent_on_any_text(raw: str) -> None:
    once = normalize_email(raw)
    if once is not None:
        assert normalize_email(once) == once


@settings(database=None, max_examples=200)
@given(st.emails())
def test_generated_addresses_normalize_to_a_fixed_point(raw: str) -> None:
    once = normalize_email(raw)
    assert once is not None, raw
    assert normalize_email(once) == once
    assert once == once.lower()


@pytest.mark.parametrize(
    "address",
    [
        "noreply@acme.example",
        "no-reply-123@mail.acme.example",
        "donotreply@acme.example",
        "support@acme.example",
        "info+web@acme.example",
        "mailer-daemon@acme.example",
        "team-request@lists.example.org",
        "owner-sales@acme.example",
        "announce@acme.example",
        "jane@lists.acme.example",
    ],
)
def test_role_list_and_no_reply_addresses(address: str) -> None:
    assert is_role_address(address)


@pytest.mark.parametrize(
    "address", ["jane.roe@acme.example", "info.smith@acme.example", "salesman.joe@x.example"]
)
def test_persons_addresses_are_not_role_addresses(address: str) -> None:
    assert not is_role_address(address)


def test_registered_domain_and_own_domains() -> None:
    assert registered_domain("mail.eu.acme.co.uk") == "acme.co.uk"
    assert registered_domain("mail.ibm.com") == "ibm.com"
    assert registered_domain("acme.com") == "acme.com"
    own = own_domains(["ana@us.acme.com", "bo@acme.com", "cy@gmail.com"])
    assert own == frozenset({"acme.com"})  # free mail is nobody's own domain
    assert is_own_domain("ect.acme.com", own) and is_own_domain("acme.com", own)
    assert not is_own_domain("notacme.com", own) and not is_own_domain("acme.co", own)


@pytest.mark.parametrize(
    "typed",
    [
        "ryan.baker@northwind.example",
        " Ryan.Baker@Northwind.Example ",
        "ryan.baker@northwind.example.",
        "\uff52yan.baker@northwind.example",  # fullwidth r
        "ryan.baker@northwind.example\u200b",  # zero-width space
        "\u200bryan.baker@northwind.example",
        "ry\u200ban.baker@northwind.example",
        "ryan.baker\u2060@northwind.example",  # word joiner
        "ryan.baker@north\u00adwind.example",  # soft hyphen
        "ryan.baker@northwind.example\ufeff",  # byte order mark
        "ryan.baker@northwind.example\u3164",  # Hangul filler
        "ryan.baker@northwind.example\ufe0f",  # variation selector
        "ryan.baker@northwind.example\x00",
        "RYAN.BAKER@NORTHWIND.EXAMPLE.\u200c",
    ],
)
def test_every_spelling_of_a_sign_in_email_is_one_account(typed: str) -> None:
    assert sign_in_email(typed) == "ryan.baker@northwind.example"


def test_a_sign_in_that_is_no_address_still_has_one_form() -> None:
    assert sign_in_email("Not An\u200b Email.") == sign_in_email("not an email") == "not an email"
    assert sign_in_email("ryan.baker@northwind.example") != sign_in_email(
        "ryan.bakr@northwind.example"
    )


@given(st.text(max_size=40))
@settings(max_examples=300)
def test_sign_in_email_is_idempotent(typed: str) -> None:
    once = sign_in_email(typed)
    assert sign_in_email(once) == once
