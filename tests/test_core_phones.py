"""Phone numbers to E.164, whatever way they were written."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiegraph.core.phones import normalize_phone


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+1 (201) 555-0123", "US", "+12015550123"),
        ("(201) 555-0123", "US", "+12015550123"),
        ("201.555.0123", "US", "+12015550123"),
        ("1-201-555-0123", "US", "+12015550123"),
        ("011 44 20 7946 0958", "US", "+442079460958"),  # the US international prefix
        ("+49 (0)30 1234567", "US", "+49301234567"),  # trunk 0 in brackets
        ("+44 (0) 20 7946 0958", "US", "+442079460958"),
        ("00 44 20 7946 0958", "US", "+442079460958"),  # 00 read as international anywhere
        ("0049 30 1234567", "US", "+49301234567"),
        ("030 1234567", "DE", "+49301234567"),
        ("030 1234567", "de", "+49301234567"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("tel:+1-201-555-0123", "US", "+12015550123"),
        ("TEL:+1-201-555-0123;ext=22", "US", "+12015550123"),
        ("(201) 555-0123 ext. 456", "US", "+12015550123"),  # extensions dropped
        ("201-555-0123 x12", "US", "+12015550123"),
        ("+1 201 555 0123 #7", "US", "+12015550123"),
        ("1-800-FLOWERS", "US", "+18003569377"),  # vanity letters
        ("＋１ ２０１ ５５５ ０１２３", "US", "+12015550123"),  # full-width
        ("+12015550123", "DE", "+12015550123"),
    ],
)
def test_normalize_phone(raw: str, region: str, expected: str) -> None:
    assert normalize_phone(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("", "US"),
        ("   ", "US"),
        ("n/a", "US"),
        ("call me", "US"),
        ("12", "US"),
        ("12", "DE"),
        ("+4912", "US"),
        ("+1 555", "US"),
        ("555-0123-4567-8901-2345", "US"),
        ("030 1234567", "US"),  # not a valid US number: meant for another country
        ("(201) 555-0123", ""),  # no country code and no region to read it in
        ("(201) 555-0123", "ZZ"),
        ("jo@acme.com", "US"),
    ],
)
def test_refuses_what_cannot_be_a_number(raw: str, region: str) -> None:
    assert normalize_phone(raw, region) is None


@settings(database=None, max_examples=300)
@given(st.text(alphabet="+0123456789 ()-.x", max_size=24), st.sampled_from(["US", "DE", "GB"]))
def test_normalization_is_idempotent(raw: str, region: str) -> None:
    once = normalize_phone(raw, region)
    if once is not None:
        assert once.startswith("+")
        assert once[1:].isdigit()
        assert normalize_phone(once, region) == once
        assert normalize_phone(once, "JP") == once


@settings(database=None, max_examples=200)
@given(st.text())
def test_never_fails_on_any_text(raw: str) -> None:
    normalize_phone(raw)
